package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
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
	var out bytes.Buffer
	if err := computeInfluence(ctx, conn, cfg.Influence, now, &out, zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3 authors scored (1 networks), graph 3 nodes / 1 edges") {
		t.Errorf("summary: %s", out.String())
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

	stage := influenceStage(&cfg, conn, nil)
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
