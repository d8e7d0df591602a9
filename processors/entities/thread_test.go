package entities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/features"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func simRecognizer(t testing.TB) *catalog.Recognizer {
	t.Helper()
	c, err := catalog.Parse(catalog.SimYAML())
	if err != nil {
		t.Fatal(err)
	}
	return c.Recognizer()
}

// mk builds an X post created min minutes after t0.
func mk(id string, min int, text string, refs post.Refs) *post.Post {
	return &post.Post{Network: post.NetworkX, ID: id, Text: text, CreatedAt: t0.Add(time.Duration(min) * time.Minute), Refs: refs}
}

func del(id string) *post.Post {
	return &post.Post{Network: post.NetworkX, ID: id, Action: post.ActionDelete}
}

// run processes the batches in order and returns the entity ids of every upsert, by post id, as "a,b"
// ("-" when none), with a "*" after an inherited entity.
func run(t *testing.T, s *Stage, batches ...[]*post.Post) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, b := range batches {
		b, _ = features.Stage{}.Process(context.Background(), b)
		out, err := s.Process(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(b) {
			t.Fatalf("got %d posts out of %d", len(out), len(b))
		}
		for _, p := range out {
			if p.Action == post.ActionDelete {
				continue
			}
			got[p.ID] = describe(t, p.Entities)
		}
	}
	return got
}

func describe(t *testing.T, es []post.Entity) string {
	t.Helper()
	if len(es) == 0 {
		return "-"
	}
	var parts []string
	for _, e := range es {
		if Inherited(e) {
			parts = append(parts, e.ID+"*")
		} else {
			parts = append(parts, e.ID)
		}
	}
	return strings.Join(parts, ",")
}

func check(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for id, w := range want {
		if got[id] != w {
			t.Errorf("post %s: got %q; want %q", id, got[id], w)
		}
	}
}

func TestInheritFromParent(t *testing.T) {
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: 24 * time.Hour, MaxPosts: 100}, nil)
	got := run(t, s,
		[]*post.Post{
			mk("1", 0, "my Acme Pulse 3 keeps disconnecting", post.Refs{}),
			mk("2", 1, "lol same here", post.Refs{ReplyToID: "1", ConversationID: "1"}),
			mk("3", 2, "this!", post.Refs{QuoteOfID: "1"}),
		},
		[]*post.Post{
			mk("4", 3, "", post.Refs{RepostOfID: "2"}),                         // a repost of an inherited reply
			mk("5", 4, "same", post.Refs{ReplyToID: "2", ConversationID: "1"}), // a reply to a reply
			mk("6", 5, "unrelated", post.Refs{ReplyToID: "unknown"}),
			mk("7", 6, "nothing", post.Refs{}),
		})
	check(t, got, map[string]string{
		"1": "acme,acme/pulse-3",
		"2": "acme*,acme/pulse-3*",
		"3": "acme*,acme/pulse-3*",
		"4": "acme*,acme/pulse-3*",
		"5": "acme*,acme/pulse-3*",
		"6": "-",
		"7": "-",
	})
	// The inherited entity carries the catalogue's facts, not a span.
	p := mk("8", 7, "ok", post.Refs{ReplyToID: "1"})
	run(t, s, []*post.Post{p})
	if e := p.Entities[0]; e.Brand != "acme" || e.Kind != post.EntityBrand || e.Matched != "" || e.Start != -1 || e.End != -1 {
		t.Errorf("inherited entity: %+v", e)
	}
}

func TestOwnMentionsWin(t *testing.T) {
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: 24 * time.Hour, MaxPosts: 100}, nil)
	got := run(t, s, []*post.Post{
		mk("1", 0, "Acme support is useless", post.Refs{}),
		mk("2", 1, "switched to Zentro, never looked back", post.Refs{ReplyToID: "1"}),
		mk("3", 2, "same", post.Refs{ReplyToID: "2", ConversationID: "1"}),
	})
	check(t, got, map[string]string{"1": "acme", "2": "zentro", "3": "zentro*"})
}

func TestParentOrderAndConversationRoot(t *testing.T) {
	for _, noConv := range []bool{false, true} {
		t.Run(fmt.Sprint("noConversation=", noConv), func(t *testing.T) {
			s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: 24 * time.Hour, MaxPosts: 100, NoConversation: noConv}, nil)
			got := run(t, s, []*post.Post{
				mk("root", 0, "Acme Pulse 3 battery died", post.Refs{}),
				mk("z", 1, "Zentro is better", post.Refs{}),
				mk("mid", 2, "hmm", post.Refs{ReplyToID: "gone", ConversationID: "root"}),
				// Quote wins over reply.
				mk("q", 3, "^ this", post.Refs{QuoteOfID: "z", ReplyToID: "root"}),
			})
			wantMid := "acme*,acme/pulse-3*"
			if noConv {
				wantMid = "-"
			}
			check(t, got, map[string]string{"mid": wantMid, "q": "zentro*"})
		})
	}
}

func TestEvictionByHorizon(t *testing.T) {
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: time.Hour, MaxPosts: 100}, nil)
	got := run(t, s,
		[]*post.Post{mk("1", 0, "Acme rocks", post.Refs{})},
		[]*post.Post{
			mk("2", 59, "yes", post.Refs{ReplyToID: "1"}), // within the hour
			mk("3", 61, "yes", post.Refs{ReplyToID: "1"}), // too late: the parent is older than the horizon
		})
	check(t, got, map[string]string{"2": "acme*", "3": "-"})
	// Remembering post 3 (61 min) dropped post 1, now older than the horizon.
	if s.CachedPosts() != 2 {
		t.Errorf("cached: got %d; want 2", s.CachedPosts())
	}
	run(t, s, []*post.Post{mk("4", 200, "later", post.Refs{})})
	if s.CachedPosts() != 1 {
		t.Errorf("cached after the horizon passed: got %d; want 1", s.CachedPosts())
	}
	if got := run(t, s, []*post.Post{mk("5", 0, "late reply", post.Refs{ReplyToID: "1"})}); got["5"] != "-" {
		t.Errorf("a reply to an evicted post: got %q; want -", got["5"])
	}
}

func TestEvictionBySize(t *testing.T) {
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: 24 * time.Hour, MaxPosts: 3}, nil)
	got := run(t, s,
		[]*post.Post{
			mk("1", 0, "Acme rocks", post.Refs{}),
			mk("2", 1, "Zentro rocks", post.Refs{}),
			mk("3", 2, "Fluxbank rocks", post.Refs{}),
		},
		[]*post.Post{
			mk("4", 3, "nothing here", post.Refs{}), // pushes post 1 out
			mk("5", 4, "yes", post.Refs{ReplyToID: "1"}),
			mk("6", 5, "yes", post.Refs{ReplyToID: "3"}),
		})
	check(t, got, map[string]string{"5": "-", "6": "fluxbank*"})
	if s.CachedPosts() != 3 {
		t.Errorf("cached: got %d; want 3", s.CachedPosts())
	}
	// A larger ring keeps the order when it grows.
	s = NewThreaded(simRecognizer(t), ThreadConfig{Horizon: 24 * time.Hour, MaxPosts: 100}, nil)
	var batch []*post.Post
	for i := 0; i < 150; i++ {
		text := "nothing"
		if i%10 == 0 {
			text = "Acme rocks"
		}
		batch = append(batch, mk(fmt.Sprint("p", i), i, text, post.Refs{}))
	}
	run(t, s, batch)
	if s.CachedPosts() != 100 {
		t.Fatalf("cached: got %d; want 100", s.CachedPosts())
	}
	got = run(t, s, []*post.Post{
		mk("r40", 151, "yes", post.Refs{ReplyToID: "p40"}),
		mk("r60", 152, "yes", post.Refs{ReplyToID: "p60"}),
	})
	check(t, got, map[string]string{"r40": "-", "r60": "acme*"})
}

func TestDeletes(t *testing.T) {
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: 24 * time.Hour, MaxPosts: 100}, nil)
	got := run(t, s,
		[]*post.Post{mk("1", 0, "Acme rocks", post.Refs{}), mk("2", 1, "Zentro rocks", post.Refs{})},
		[]*post.Post{del("1"), mk("3", 2, "yes", post.Refs{ReplyToID: "1"}), mk("4", 3, "yes", post.Refs{ReplyToID: "2"})},
	)
	check(t, got, map[string]string{"3": "-", "4": "zentro*"})
	if s.CachedPosts() != 3 {
		t.Errorf("cached: got %d; want 3 (2, 3 and 4)", s.CachedPosts())
	}
	// An edit replaces what is remembered.
	got = run(t, s, []*post.Post{mk("2", 1, "edited: Fluxbank rocks", post.Refs{}), mk("5", 4, "yes", post.Refs{ReplyToID: "2"})})
	check(t, got, map[string]string{"5": "fluxbank*"})
}

func TestWarmUpAndLookup(t *testing.T) {
	acme := []ThreadEntity{{ID: "acme", Brand: "acme", Kind: post.EntityBrand}}
	zentro := []ThreadEntity{{ID: "zentro", Brand: "zentro", Kind: post.EntityBrand, Competitor: true}}
	var warmSince time.Time
	var warmLimit, warms int
	var asked []string
	lookupErr := error(nil)
	tc := ThreadConfig{
		Horizon: time.Hour, MaxPosts: 100,
		Warm: func(_ context.Context, since time.Time, limit int) ([]Remembered, error) {
			warms++
			warmSince, warmLimit = since, limit
			return []Remembered{
				{UID: post.UID(post.NetworkX, "w2"), Time: t0.Add(-time.Minute).UnixMilli()},
				{UID: post.UID(post.NetworkX, "w1"), Time: t0.Add(-2 * time.Minute).UnixMilli(), Entities: acme},
			}, nil
		},
		Lookup: func(_ context.Context, network post.Network, ids []string) ([]Remembered, error) {
			if network != post.NetworkX {
				t.Errorf("lookup network: got %s", network)
			}
			asked = append(asked, ids...)
			if lookupErr != nil {
				return nil, lookupErr
			}
			var out []Remembered
			for _, id := range ids {
				if id == "other" {
					out = append(out, Remembered{UID: post.UID(post.NetworkX, id), Time: t0.UnixMilli(), Entities: zentro})
				}
			}
			return out, nil
		},
	}
	s := NewThreaded(simRecognizer(t), tc, nil)
	got := run(t, s,
		[]*post.Post{
			mk("a", 10, "yes", post.Refs{ReplyToID: "w1"}),    // warmed up
			mk("b", 5, "yes", post.Refs{ReplyToID: "w2"}),     // warmed up, no entities, no root: nothing
			mk("c", 11, "yes", post.Refs{ReplyToID: "other"}), // found by the lookup
			mk("d", 12, "yes", post.Refs{ReplyToID: "a"}),     // in the batch: not asked
			mk("e", 13, "yes", post.Refs{ReplyToID: "nowhere"}),
			mk("f", 14, "Acme", post.Refs{ReplyToID: "own"}), // has its own: not asked
		},
		[]*post.Post{mk("g", 15, "yes", post.Refs{ReplyToID: "other"})}, // now cached: not asked again
	)
	check(t, got, map[string]string{"a": "acme*", "b": "-", "c": "zentro*", "d": "acme*", "e": "-", "g": "zentro*"})
	if warms != 1 || !warmSince.Equal(t0.Add(5*time.Minute-time.Hour)) || warmLimit != 100 {
		t.Errorf("warm-up: %d calls, since %s, limit %d; want 1, %s, 100", warms, warmSince, warmLimit, t0.Add(5*time.Minute-time.Hour))
	}
	if strings.Join(asked, ",") != "other,nowhere" {
		t.Errorf("looked up %v; want [other nowhere]", asked)
	}
	// A failed lookup leaves the child without entities and does not fail the batch.
	lookupErr = errors.New("clickhouse down")
	got = run(t, s, []*post.Post{mk("h", 16, "yes", post.Refs{ReplyToID: "other2"})})
	check(t, got, map[string]string{"h": "-"})
	if v := counter(t, s.threads.lookups.WithLabelValues("error")); v != 1 {
		t.Errorf("lookup errors: got %v; want 1", v)
	}
	// A parent the store did not have is not asked for again for a while; one that failed is.
	lookupErr = nil
	clock := time.Now()
	s.threads.now = func() time.Time { return clock }
	asked = nil
	run(t, s, []*post.Post{mk("i", 17, "yes", post.Refs{ReplyToID: "nowhere"}), mk("j", 18, "yes", post.Refs{ReplyToID: "other2"})})
	if strings.Join(asked, ",") != "other2" {
		t.Errorf("looked up %v; want [other2] (nowhere was missing a moment ago)", asked)
	}
	clock = clock.Add(missRetry)
	asked = nil
	run(t, s, []*post.Post{mk("k", 19, "yes", post.Refs{ReplyToID: "nowhere"})})
	if strings.Join(asked, ",") != "nowhere" {
		t.Errorf("looked up %v after %s; want [nowhere]", asked, missRetry)
	}
}

func TestWarmUpFailureStopsAndRetries(t *testing.T) {
	fail := true
	calls := 0
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: time.Hour, MaxPosts: 10,
		Warm: func(context.Context, time.Time, int) ([]Remembered, error) {
			calls++
			if fail {
				return nil, errors.New("clickhouse down")
			}
			return nil, nil
		}}, nil)
	// A batch of delete notices cannot place the warm-up in time: it waits.
	if _, err := s.Process(context.Background(), []*post.Post{del("x")}); err != nil || calls != 0 {
		t.Fatalf("deletes only: %d calls, %v", calls, err)
	}
	// A failing store is asked again while the batch waits, until the context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if _, err := s.Process(ctx, []*post.Post{mk("1", 0, "Acme", post.Refs{})}); err == nil || !strings.Contains(err.Error(), "warming up the thread cache: clickhouse down") {
		t.Fatalf("got %v; want the warm-up error", err)
	}
	if calls < 2 {
		t.Fatalf("warm-up tried %d times while the store was down; want retries", calls)
	}
	fail = false
	failed := calls
	for i := 0; i < 2; i++ {
		if _, err := s.Process(context.Background(), []*post.Post{mk("1", 0, "Acme", post.Refs{})}); err != nil {
			t.Fatal(err)
		}
	}
	if calls != failed+1 {
		t.Errorf("warm-ups after the store came back: got %d; want 1", calls-failed)
	}
}

func TestThreadsDisabled(t *testing.T) {
	// Tag matches are not inherited ones.
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: time.Hour, MaxPosts: 10}, nil)
	check(t, run(t, s, []*post.Post{mk("1", 0, "so good #Fluxbank $ACME", post.Refs{})}), map[string]string{"1": "fluxbank,acme"})
	for _, tc := range []ThreadConfig{{}, {Horizon: time.Hour}, {MaxPosts: 10}} {
		s := NewThreaded(simRecognizer(t), tc, nil)
		got := run(t, s, []*post.Post{mk("1", 0, "Acme", post.Refs{}), mk("2", 1, "yes", post.Refs{ReplyToID: "1"})})
		check(t, got, map[string]string{"1": "acme", "2": "-"})
	}
}

// With an empty catalogue there is nothing to inherit: the stage keeps no thread state.
func TestThreadsEmptyCatalogue(t *testing.T) {
	s := NewThreaded(nil, ThreadConfig{Horizon: time.Hour, MaxPosts: 10}, nil)
	got := run(t, s, []*post.Post{mk("1", 0, "Acme", post.Refs{}), mk("2", 1, "yes", post.Refs{ReplyToID: "1"})})
	check(t, got, map[string]string{"1": "-", "2": "-"})
	if s.threads != nil || s.CachedPosts() != 0 {
		t.Errorf("thread state with an empty catalogue")
	}
}
