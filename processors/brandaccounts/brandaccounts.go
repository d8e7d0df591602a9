// Package brandaccounts is the stage that recognises posts written by the brand's own accounts (configured
// handles per network), so that their replies to customers count as the brand answering: the reply's
// Refs.ReplyToID links it to the customer post it answers, and response rate and first-response time are
// computed from those pairs.
package brandaccounts

import (
	"context"
	"strings"

	"github.com/rapport-dev/rapport/post"
)

// Stage marks posts of brand accounts by setting Author.Brand. It keeps no state beyond its configuration.
type Stage struct {
	handles map[post.Network]map[string]bool
}

// New returns the stage for accounts: network → handles. Handles match case-insensitively, with or without
// a leading '@'; a Mastodon account on another instance is written user@instance, as Mastodon's acct is.
func New(accounts map[string][]string) *Stage {
	s := &Stage{handles: map[post.Network]map[string]bool{}}
	for network, list := range accounts {
		n := post.Network(strings.ToLower(network))
		for _, h := range list {
			if h = normalize(h); h != "" {
				if s.handles[n] == nil {
					s.handles[n] = map[string]bool{}
				}
				s.handles[n][h] = true
			}
		}
	}
	return s
}

func normalize(handle string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(handle), "@"))
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "brand_accounts" }

// Process implements processors.Stage. It never drops a post and never fails.
func (s *Stage) Process(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
	if len(s.handles) == 0 {
		return posts, nil
	}
	for _, p := range posts {
		if set := s.handles[p.Network]; set != nil && p.Author.Handle != "" {
			p.Author.Brand = set[normalize(p.Author.Handle)]
		}
	}
	return posts, nil
}
