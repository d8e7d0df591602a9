package main

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/internal/wiring"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/entities"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestThreadsAfterRestart runs the entities stage over a thread, stores the result, then starts a new stage
// (a restart, or another member) against the same store: replayed replies get the answer they got the first
// time (warm-up), and a reply to a parent the new stage never saw finds it by lookup.
func TestThreadsAfterRestart(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	cat, err := catalog.Parse(catalog.SimYAML())
	if err != nil {
		t.Fatal(err)
	}
	var c config.Config
	c.SetDefaults()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	mk := func(id string, min int, text string, refs post.Refs) *post.Post {
		return &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: id, Text: text, Refs: refs,
			Author: post.Author{ID: "u" + id}, CreatedAt: base.Add(time.Duration(min) * time.Minute), IngestedAt: base}
	}
	process := func(s *entities.Stage, posts ...*post.Post) map[string]string {
		t.Helper()
		posts, _ = features.Stage{}.Process(ctx, posts)
		out, err := s.Process(ctx, posts)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range out {
			got[p.ID] = "-"
			for i, e := range p.Entities {
				if i == 0 {
					got[p.ID] = ""
				} else {
					got[p.ID] += ","
				}
				got[p.ID] += e.ID
				if entities.Inherited(e) {
					got[p.ID] += "*"
				}
			}
		}
		return got
	}
	first := entities.NewThreaded(cat.Recognizer(), wiring.ThreadConfig(&c, conn), nil)
	thread := []*post.Post{
		mk("1", 0, "Acme Pulse 3 died again", post.Refs{}),
		mk("2", 1, "same here", post.Refs{ReplyToID: "1", ConversationID: "1"}),
		mk("3", 2, "this", post.Refs{ReplyToID: "2", ConversationID: "1"}),
	}
	want := map[string]string{"1": "acme,acme/pulse-3", "2": "acme*,acme/pulse-3*", "3": "acme*,acme/pulse-3*"}
	got := process(first, thread...)
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("first run, post %s: got %q; want %q", id, got[id], w)
		}
	}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{FlushInterval: 20 * time.Millisecond}, nil, nil)
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: thread}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatal(err)
	}

	// A restart: the records after the last commit (posts 2 and 3) are read again.
	replay := entities.NewThreaded(cat.Recognizer(), wiring.ThreadConfig(&c, conn), nil)
	got = process(replay,
		mk("2", 1, "same here", post.Refs{ReplyToID: "1", ConversationID: "1"}),
		mk("3", 2, "this", post.Refs{ReplyToID: "2", ConversationID: "1"}))
	for _, id := range []string{"2", "3"} {
		if got[id] != want[id] {
			t.Errorf("replay, post %s: got %q; want %q", id, got[id], want[id])
		}
	}
	if replay.CachedPosts() < 3 {
		t.Errorf("warm-up: %d posts cached; want at least the 3 stored", replay.CachedPosts())
	}

	// Another member, warmed up long after the thread (outside the horizon), still finds the parent by lookup.
	c.Catalog.ThreadHorizon = time.Hour
	other := entities.NewThreaded(cat.Recognizer(), wiring.ThreadConfig(&c, conn), nil)
	process(other, mk("late", 600, "nothing", post.Refs{})) // the warm-up starts at 540 min
	if other.CachedPosts() != 1 {
		t.Fatalf("warm-up at 540 min: %d posts cached; want only the batch's own", other.CachedPosts())
	}
	got = process(other, mk("9", 59, "+1", post.Refs{ReplyToID: "3", ConversationID: "1"}))
	if got["9"] != want["3"] {
		t.Errorf("lookup, post 9: got %q; want %q", got["9"], want["3"])
	}
	lookupOff := false
	c.Catalog.ThreadLookup = &lookupOff
	other = entities.NewThreaded(cat.Recognizer(), wiring.ThreadConfig(&c, conn), nil)
	process(other, mk("late", 600, "nothing", post.Refs{}))
	got = process(other, mk("9", 59, "+1", post.Refs{ReplyToID: "3"}))
	if got["9"] != "-" {
		t.Errorf("without lookup, post 9: got %q; want -", got["9"])
	}
}
