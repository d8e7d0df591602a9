package brandaccounts

import (
	"context"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

func TestStageMarksBrandAccounts(t *testing.T) {
	s := New(map[string][]string{
		"x":        {"@AcmeSupport", "acme"},
		"mastodon": {"acme@social.acme.example"},
	})
	f := func(network post.Network, handle string, want bool) {
		t.Helper()
		p := &post.Post{Network: network, Author: post.Author{Handle: handle}}
		if _, err := s.Process(context.Background(), []*post.Post{p}); err != nil {
			t.Fatal(err)
		}
		if p.Author.Brand != want {
			t.Errorf("%s/%s: Brand = %v; want %v", network, handle, p.Author.Brand, want)
		}
	}
	f("x", "acmesupport", true)
	f("x", "ACME", true)
	f("x", "acmefan", false)
	f("reddit", "acme", false) // configured per network
	f("mastodon", "Acme@social.acme.example", true)
	f("mastodon", "acme", false) // a local "acme" on another instance is someone else
	f("x", "", false)
}
