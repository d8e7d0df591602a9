package langdetect

import (
	"context"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

func TestDetect(t *testing.T) {
	s := New(nil, 0, nil)
	f := func(text, want string) {
		t.Helper()
		if got := s.Detect(text); got != want {
			t.Errorf("Detect(%q): got %q; want %q", text, got, want)
		}
	}
	f("the app crashed again after the update and support never answers", "en")
	f("worst customer service ever, cancelling my account today", "en")
	f("Ich liebe mein neues Handy, die Kamera ist wirklich großartig", "de")
	f("ok", "")                               // too short to tell
	f("#acme @acme https://acme.example", "") // no words
}

func TestStageKeepsNetworkLanguageAndSkipsDeletes(t *testing.T) {
	s := New(nil, 0, nil)
	posts := []*post.Post{
		{Lang: "fr", Text: "the app crashed again after the update and support never answers"},
		{Text: "the app crashed again after the update and support never answers"},
		{Action: post.ActionDelete},
	}
	if _, err := s.Process(context.Background(), posts); err != nil {
		t.Fatal(err)
	}
	if posts[0].Lang != "fr" || posts[1].Lang != "en" || posts[2].Lang != "" {
		t.Errorf("langs: got %q %q %q; want fr (kept), en (detected), empty (delete notice)", posts[0].Lang, posts[1].Lang, posts[2].Lang)
	}
}
