package influence_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// simulated decodes the simulator's records with event times in [from, to) as the pipeline would (mentions
// from the text), stamped as ingested lag after their event time.
func simulated(t *testing.T, cfg sim.Config, from, to time.Time, lag time.Duration) []*post.Post {
	t.Helper()
	gen := sim.New(cfg)
	norms := ingest.Normalizers()
	var dec ingest.Decoder
	var out []*post.Post
	for {
		rec := gen.Next()
		if !rec.EventTime.Before(to) {
			return out
		}
		if rec.EventTime.Before(from) || rec.Malformed {
			continue
		}
		n, ok := norms[rec.Network]
		if !ok {
			continue
		}
		p := &post.Post{}
		if err := dec.Decode(n, rec.Value, p); err != nil {
			continue
		}
		p.Mentions = features.Extract(p.Text).Mentions
		p.IngestedAt = rec.EventTime.Add(lag)
		out = append(out, p)
	}
}

func store(t *testing.T, conn driver.Conn, posts []*post.Post) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{}, nil, nil)
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: posts}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatalf("writing posts: %v", err)
	}
}

// sameInputs fails t when the per-day path's authors and links differ from Load's for w.
func sameInputs(t *testing.T, conn driver.Conn, days *influence.Days, w influence.Window, what string) influence.DaysStats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	wantA, wantL, err := influence.Load(ctx, conn, w)
	if err != nil {
		t.Fatalf("%s: Load: %v", what, err)
	}
	gotA, gotL, st, err := days.Load(ctx, w)
	if err != nil {
		t.Fatalf("%s: Days.Load: %v", what, err)
	}
	sortAuthors(wantA)
	sortAuthors(gotA)
	sortLinks(wantL)
	sortLinks(gotL)
	if len(wantA) == 0 || len(wantL) == 0 {
		t.Fatalf("%s: Load found %d authors and %d links; the test needs both", what, len(wantA), len(wantL))
	}
	diffs := 0
	report := func(format string, args ...any) {
		if diffs++; diffs <= 10 {
			t.Errorf("%s: "+format, append([]any{what}, args...)...)
		}
	}
	if len(gotA) != len(wantA) {
		report("per-day path gave %d authors; Load %d", len(gotA), len(wantA))
	}
	for i := range min(len(gotA), len(wantA)) {
		g, x := gotA[i], wantA[i]
		if g.Network != x.Network || g.ID != x.ID || g.Handle != x.Handle || g.Followers != x.Followers || g.Posts != x.Posts ||
			math.Abs(g.Engagement-x.Engagement) > 1e-9*math.Max(1, x.Engagement) {
			report("author %d: per-day %+v; Load %+v", i, g, x)
		}
	}
	if len(gotL) != len(wantL) {
		report("per-day path gave %d links; Load %d", len(gotL), len(wantL))
	}
	for i := range min(len(gotL), len(wantL)) {
		if gotL[i] != wantL[i] {
			report("link %d: per-day %+v; Load %+v", i, gotL[i], wantL[i])
		}
	}
	if diffs > 10 {
		t.Errorf("%s: %d differences in all", what, diffs)
	}
	t.Logf("%s: %d authors, %d links; %+v", what, len(wantA), len(wantL), st)
	return st
}

// TestDaysMatchLoad checks that the per-day path returns the inputs Load computes from the posts, on
// simulated posts and after what makes stored days stale: more posts of the simulator (with its edits and
// deletes), a late post in a day already aggregated, a late parent that resolves an earlier reply, a deleted
// post referred to by others, a handle that changes holder, a replay of everything, and a new half-life.
func TestDaysMatchLoad(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	start := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	cfg := sim.Config{Seed: 7, Authors: 1500, EventRate: 0.02, Start: start}
	days := influence.NewDays(conn, influence.DaysConfig{Slack: time.Hour, ChunkDays: 2, HandlesPerQuery: 100})

	// Day 0 .. 3.5 stored; the window has whole days 1 and 2 and partial days 0 and 3.
	first := simulated(t, cfg, start, start.Add(84*time.Hour), 0)
	store(t, conn, first)
	win := influence.Window{From: start.Add(9 * time.Hour), To: start.Add(84 * time.Hour), HalfLife: 30 * time.Hour}
	st := sameInputs(t, conn, days, win, "first run")
	if !st.Rebuild || st.GraphDays != 2 || st.WindowDays != 2 || st.PartialDays != 2 {
		t.Errorf("first run: %+v; want a rebuild of 2 whole days, 2 partial days", st)
	}

	// Nothing new: only the posts of the last hour (the slack) are looked at again, and they lie on the
	// partial day 3; no whole day is recomputed.
	st = sameInputs(t, conn, days, win, "second run, nothing new")
	if st.Rebuild || st.GraphDays != 0 || st.Holders != 0 {
		t.Errorf("second run: %+v; want no day recomputed", st)
	}

	// Late records for days 1 and 2, which are stored, each ingested 2h (more than the slack) after the
	// previous one, and then the next half day of the simulator (its edits and deletes of earlier posts
	// included), ingested after them:
	//   - a reply created on day 1 whose parent is not stored yet, and the parent, created on day 2;
	//   - a delete (without creation time) of a day-1 post that others reply to or quote;
	//   - a new account that takes over the handle of an author mentioned on day 1 or 2 with a later post;
	//   - a day-2 post that mentions that handle.
	more := simulated(t, cfg, start.Add(84*time.Hour), start.Add(96*time.Hour), 12*time.Hour)
	var referred, mentioned *post.Post
	counts := map[string]int{}
	byID := map[string]*post.Post{}
	for _, p := range first {
		byID[p.ID] = p
	}
	for _, p := range first {
		for _, ref := range []string{p.Refs.ReplyToID, p.Refs.QuoteOfID, p.Refs.RepostOfID} {
			if q := byID[ref]; ref != "" && q != nil && q.Network == p.Network && q.CreatedAt.Sub(start) >= 24*time.Hour && q.CreatedAt.Sub(start) < 48*time.Hour {
				counts[ref]++
				if referred == nil || counts[ref] > counts[referred.ID] {
					referred = q
				}
			}
		}
	}
	handles := map[string]*post.Post{}
	for _, p := range first {
		if p.Author.Handle != "" {
			handles[string(p.Network)+"/"+strings.ToLower(p.Author.Handle)] = p
		}
	}
	for _, p := range first {
		d := p.CreatedAt.Sub(start)
		for _, m := range p.Mentions {
			if h := handles[string(p.Network)+"/"+m]; h != nil && d >= 24*time.Hour && d < 72*time.Hour && mentioned == nil {
				mentioned = h
			}
		}
	}
	if referred == nil || mentioned == nil {
		t.Fatalf("the simulated posts have no day-1 post that others refer to (%v) or no mention of a known handle (%v)", referred, mentioned)
	}
	parent := &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: "late-parent",
		Author: post.Author{ID: "late-author", Handle: "LateAuthor", Followers: 77, Following: -1}, Text: "late parent",
		CreatedAt: start.Add(50 * time.Hour), IngestedAt: start.Add(88 * time.Hour), Engagement: post.Engagement{Likes: 9}}
	orphan := &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: "late-reply",
		Author: post.Author{ID: "late-replier", Handle: "replier", Followers: 3, Following: -1}, Text: "reply before its parent",
		CreatedAt: start.Add(26 * time.Hour), IngestedAt: start.Add(86 * time.Hour), Engagement: post.Engagement{Likes: 1}}
	orphan.Refs.ReplyToID = "late-parent"
	tomb := &post.Post{SchemaVersion: post.SchemaVersion, Action: post.ActionDelete, Network: referred.Network, ID: referred.ID,
		Author: post.Author{ID: referred.Author.ID}, EditedAt: start.Add(90 * time.Hour), IngestedAt: start.Add(90 * time.Hour)}
	usurper := &post.Post{SchemaVersion: post.SchemaVersion, Network: mentioned.Network, ID: "usurper-1",
		Author: post.Author{ID: "usurper", Handle: mentioned.Author.Handle, Followers: 5, Following: -1}, Text: "new holder",
		CreatedAt: start.Add(83 * time.Hour), IngestedAt: start.Add(92 * time.Hour)}
	mention := &post.Post{SchemaVersion: post.SchemaVersion, Network: mentioned.Network, ID: "late-mention",
		Author: post.Author{ID: "late-mentioner", Handle: "mentioner", Following: -1}, Text: "hi @" + mentioned.Author.Handle,
		CreatedAt: start.Add(50 * time.Hour), IngestedAt: start.Add(94 * time.Hour), Mentions: []string{strings.ToLower(mentioned.Author.Handle)}}
	// Each late record alone, so that only the dependency it exercises makes a whole day stale.
	steps := []struct {
		what string
		post *post.Post
		days int // whole days of win to recompute
	}{
		{"a reply created on day 1, before its parent is stored", orphan, 1},
		{"its parent, created on day 2 (the reply's day 1 resolves it now)", parent, 2},
		{"a delete without creation time of a day-1 post that others refer to", tomb, -1},
		{"a later post of a new account with a handle mentioned on day 1 or 2", usurper, -1},
		{"a day-2 post mentioning the handle", mention, 1},
	}
	for i, s := range steps {
		// A post outside the window, ingested later, moves the watermark past the slack: the next step
		// looks at its own record only.
		tick := &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: fmt.Sprintf("tick-%d", i),
			Author: post.Author{ID: "ticker", Handle: "ticker", Following: -1}, Text: "tick",
			CreatedAt: start.Add(time.Hour), IngestedAt: s.post.IngestedAt.Add(90 * time.Minute)}
		store(t, conn, []*post.Post{s.post, tick})
		st = sameInputs(t, conn, days, win, s.what)
		if st.GraphDays == 0 || s.days > 0 && st.GraphDays != s.days {
			t.Errorf("%s: %d whole days recomputed; want %d (-1: some)", s.what, st.GraphDays, s.days)
		}
	}
	store(t, conn, more)
	// The window moves half a day on: day 3 becomes whole, day 4 partial.
	win2 := influence.Window{From: win.From.Add(12 * time.Hour), To: win.To.Add(12 * time.Hour), HalfLife: win.HalfLife}
	st = sameInputs(t, conn, days, win2, "half a day more of the simulator, the window half a day on")
	if st.Rebuild || st.GraphDays == 0 {
		t.Errorf("after more posts: %+v; want days recomputed, no rebuild", st)
	}

	// A replay of everything, ingested again: days are recomputed to the same inputs.
	replay := append(append([]*post.Post{}, first...), more...)
	for _, p := range replay {
		p.IngestedAt = start.Add(120 * time.Hour)
	}
	store(t, conn, replay)
	sameInputs(t, conn, days, win2, "replay")

	// Another half-life: the window's days are recomputed with it.
	win3 := win2
	win3.HalfLife = 7 * 24 * time.Hour
	st = sameInputs(t, conn, days, win3, "new half-life")
	if st.GraphDays != st.WindowDays {
		t.Errorf("new half-life: %d days recomputed; want all %d whole days", st.GraphDays, st.WindowDays)
	}
	// A window shorter than a day reads only influence_posts.
	sameInputs(t, conn, days, influence.Window{From: start.Add(85 * time.Hour), To: start.Add(95 * time.Hour), HalfLife: win.HalfLife}, "ten hours")
}
