package clickhouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestRecentPostsReadsBackWhatDedupNeeds writes posts of two partitions, one edited with a millisecond
// version and one deleted, and checks that RecentPosts returns the partition's live posts since a time, with
// the exact stored version and duplicate status.
func TestRecentPostsReadsBackWhatDedupNeeds(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	mk := func(id string, part int32, created time.Time) *post.Post {
		p := testPost(id)
		p.CreatedAt = created
		p.Source = post.Source{Topic: "social.raw.x", Partition: part, Offset: int64(len(id))}
		return p
	}
	old := mk("old", 0, base.Add(-3*time.Hour))
	edited := mk("edited", 0, base.Add(123*time.Millisecond))
	edited.EditedAt = base.Add(10*time.Minute + 456*time.Millisecond)
	dup := mk("dup", 0, base.Add(time.Minute))
	dup.Dup = post.Dup{Level: post.DupNearText, Of: 42, Cluster: 42, Spam: true}
	dup.Author.CreatedAt = base.Add(-24 * time.Hour)
	gone := mk("gone", 0, base.Add(2*time.Minute))
	other := mk("other", 1, base.Add(3*time.Minute))
	tomb := &post.Post{SchemaVersion: post.SchemaVersion, Action: post.ActionDelete, Network: post.NetworkX, ID: "gone",
		IngestedAt: base, Source: gone.Source}

	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{FlushInterval: 10 * time.Millisecond}, nil, nil)
	in := make(chan *processors.Batch, 2)
	in <- &processors.Batch{Posts: []*post.Post{old, edited, dup, gone, other}}
	in <- &processors.Batch{Posts: []*post.Post{tomb}}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatal(err)
	}

	got, err := clickhouse.RecentPosts(ctx, conn, "social.raw.x", 0, base.Add(-time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*post.Post{}
	for _, p := range got {
		byID[p.ID] = p
	}
	if len(got) != 2 || byID["edited"] == nil || byID["dup"] == nil {
		t.Fatalf("got %d posts %v; want edited and dup (old is before since, gone is deleted, other is another partition)", len(got), byID)
	}
	if g, w := byID["edited"].Version(), edited.Version(); g != w {
		t.Errorf("edited post version: got %d; want the stored %d", g, w)
	}
	if g, w := byID["dup"].Dup, dup.Dup; g != w {
		t.Errorf("stored dup status: got %+v; want %+v", g, w)
	}
	if g := byID["dup"]; g.UID() != dup.UID() || g.Author.Handle != dup.Author.Handle || g.Text != dup.Text ||
		!g.Author.CreatedAt.Equal(dup.Author.CreatedAt) || g.Source.Partition != 0 {
		t.Errorf("read back %+v; want the identity, author, text and partition of %+v", g, dup)
	}
	if !byID["edited"].Author.CreatedAt.IsZero() {
		t.Errorf("unknown account creation read back as %v; want the zero time", byID["edited"].Author.CreatedAt)
	}
	if lim, err := clickhouse.RecentPosts(ctx, conn, "social.raw.x", 0, base.Add(-time.Hour), 1); err != nil || len(lim) != 1 || lim[0].ID != "dup" {
		t.Errorf("limit 1: got %v, %v; want only the newest post (dup)", lim, err)
	}
}
