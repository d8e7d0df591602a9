package main

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/internal/wiring"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestInfluenceComputeAndStage stores posts, computes influence the way `rapport influence -once` does,
// and checks that the pipeline stage then puts the stored score on a post of a scored author and the
// audience-only score on a post of a new one.
func TestInfluenceComputeAndStage(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(id, author string, followers int64, ago time.Duration, likes int64) *post.Post {
		return &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: id, Text: "hi",
			Author:    post.Author{ID: author, Handle: author, Followers: followers, Following: -1},
			CreatedAt: now.Add(-ago), IngestedAt: now, Engagement: post.Engagement{Likes: likes}}
	}
	star := mk("1", "star", 90000, 48*time.Hour, 500)
	fan := mk("2", "fan", 20, 24*time.Hour, 1)
	fan.Refs.ReplyToID, fan.Refs.ReplyToAuthorID = "1", "star"
	quiet := mk("3", "quiet", 300, 2*time.Hour, 0)
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{}, nil, nil)
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: []*post.Post{star, fan, quiet}}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatal(err)
	}

	var cfg config.Config
	cfg.SetDefaults()
	// The full read and the per-day path (the default) give the same computation.
	for _, full := range []bool{true, false} {
		var out bytes.Buffer
		if err := computeInfluence(ctx, conn, cfg.Influence, full, now, &out, zap.NewNop()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "3 authors scored (1 networks), graph 3 nodes / 1 edges") {
			t.Errorf("summary (full %v): %s", full, out.String())
		}
	}
	var scoreStar, scoreQuiet float32
	if err := conn.QueryRow(ctx, "SELECT score FROM author_influence FINAL WHERE network = 'x' AND author_id = 'star'").Scan(&scoreStar); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT score FROM author_influence FINAL WHERE network = 'x' AND author_id = 'quiet'").Scan(&scoreQuiet); err != nil {
		t.Fatal(err)
	}
	if !(scoreStar > scoreQuiet) || scoreStar > 100 || scoreQuiet < 0 {
		t.Errorf("scores: star %v, quiet %v; want 0 ≤ quiet < star ≤ 100", scoreStar, scoreQuiet)
	}

	stage := wiring.InfluenceStage(&cfg, conn, nil)
	posts := []*post.Post{mk("4", "star", 90000, 0, 0), mk("5", "newcomer", 90000, 0, 0), mk("6", "newcomer2", 0, 0, 0)}
	got, err := stage.Process(ctx, posts)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Influence != scoreStar {
		t.Errorf("scored author: influence %v; want the stored %v", got[0].Influence, scoreStar)
	}
	// 90000 followers is the network's reference (its 0.99 quantile): audience 100, times w_A / Σw = 30.
	if d := got[1].Influence - 30; d < -1e-3 || d > 1e-3 {
		t.Errorf("new author with the top audience: influence %v; want 30", got[1].Influence)
	}
	if got[2].Influence != 0 {
		t.Errorf("new author without followers: influence %v; want 0", got[2].Influence)
	}
}

// TestInfluenceLoadMatchesAggregateOnSimulatedPosts stores a simulated stream and checks that ClickHouse's
// aggregation (influence.Load) and the in-memory one (influence.Aggregate) agree on every author and edge.
func TestInfluenceLoadMatchesAggregateOnSimulatedPosts(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	start := sim.DefaultStart
	end := start.Add(36 * time.Hour)
	_, posts, _, err := simulatePosts(ctx, sim.Config{Seed: 5, Authors: 800, EventRate: 0.2, Start: start}, end, end)
	if err != nil {
		t.Fatal(err)
	}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{}, nil, nil)
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: posts}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatal(err)
	}
	win := influence.Window{From: start.Add(6 * time.Hour), To: end, HalfLife: 12 * time.Hour}
	gotA, gotL, err := influence.Load(ctx, conn, win)
	if err != nil {
		t.Fatal(err)
	}
	wantA, wantL := influence.Aggregate(posts, win)
	if len(wantA) < 100 || len(wantL) < 50 {
		t.Fatalf("too small a sample to compare: %d authors, %d links", len(wantA), len(wantL))
	}
	authors := map[string]influence.Author{}
	for _, a := range gotA {
		authors[a.Network+"/"+a.ID] = a
	}
	if len(gotA) != len(wantA) {
		t.Errorf("Load: %d authors; Aggregate: %d", len(gotA), len(wantA))
	}
	for _, x := range wantA {
		g, ok := authors[x.Network+"/"+x.ID]
		if !ok || g.Posts != x.Posts || g.Followers != x.Followers || math.Abs(g.Engagement-x.Engagement) > 1e-6*math.Max(1, x.Engagement) {
			t.Errorf("author %s/%s: Load %+v; Aggregate %+v", x.Network, x.ID, g, x)
		}
	}
	links := map[string]float64{}
	for _, l := range gotL {
		links[l.Network+"/"+l.From+"/"+l.To] = l.Weight
	}
	if len(gotL) != len(wantL) {
		t.Errorf("Load: %d links; Aggregate: %d", len(gotL), len(wantL))
	}
	for _, l := range wantL {
		if g := links[l.Network+"/"+l.From+"/"+l.To]; g != l.Weight {
			t.Errorf("link %s/%s→%s: Load %v; Aggregate %v", l.Network, l.From, l.To, g, l.Weight)
		}
	}
	t.Logf("%d posts, %d authors, %d links agree", len(posts), len(wantA), len(wantL))
}

// TestStartInfluence checks the periodic computation of `rapport run`: it computes at once, in the
// background, and stops promptly; with influence.compute off it does nothing.
func TestStartInfluence(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: "1", Text: "hi",
		Author: post.Author{ID: "a", Handle: "a", Followers: 10}, CreatedAt: time.Now().Add(-time.Hour), IngestedAt: time.Now()}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{}, nil, nil)
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: []*post.Post{p}}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatal(err)
	}
	var cfg config.Config
	cfg.SetDefaults()
	off := false
	cfg.Influence.Compute = &off
	stopOff := startInfluence(ctx, &cfg, conn, zap.NewNop())
	time.Sleep(500 * time.Millisecond)
	stopOff()
	var rows uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM author_influence").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Fatalf("influence.compute off still wrote %d rows", rows)
	}
	on := true
	cfg.Influence.Compute = &on
	stop := startInfluence(ctx, &cfg, conn, zap.NewNop())
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM influence_networks").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 { // written after the author rows: the computation is complete
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no computation stored 30s after start (%d influence_networks rows)", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	begin := time.Now()
	stop()
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("stopping took %s; want it prompt (the next computation is %s away)", d, cfg.Influence.Interval)
	}
	// A second process started within the interval finds the computation recent and skips it.
	var first uint64
	if err := conn.QueryRow(ctx, "SELECT max(version) FROM author_influence").Scan(&first); err != nil {
		t.Fatal(err)
	}
	stop = startInfluence(ctx, &cfg, conn, zap.NewNop())
	time.Sleep(time.Second)
	stop()
	var versions uint64
	if err := conn.QueryRow(ctx, "SELECT uniqExact(version) FROM author_influence").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != 1 {
		t.Errorf("a second process within the interval computed again: %d versions stored; want 1", versions)
	}
	last, err := influence.LastComputed(ctx, conn)
	if err != nil || uint64(last.UnixMilli()) != first {
		t.Errorf("LastComputed = %s, %v; want the stored version %d", last, err, first)
	}
}
