package clickhouse_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

func TestMigrationsAreOrderedAndIdempotent(t *testing.T) {
	ms, err := clickhouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations: got %d starting at %v; want at least one, starting at version 1", len(ms), ms)
	}
	// Versions increase strictly; gaps are allowed, so areas of the schema can take their own ranges
	// (catalogue 10–19, customers 20–29, influence 30–39, KPIs 40–49, alerts 50–59, …).
	for i, m := range ms {
		if i > 0 && m.Version <= ms[i-1].Version {
			t.Errorf("migration %d has version %d, not above %d", i, m.Version, ms[i-1].Version)
		}
		if len(m.Statements) == 0 {
			t.Errorf("migration %04d_%s has no statements", m.Version, m.Name)
		}
	}

	conn, _ := testenv.ClickHouse(t) // already migrated once
	n, err := clickhouse.Migrate(context.Background(), conn, nil)
	if err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if n != 0 {
		t.Errorf("second Migrate applied %d migrations; want 0", n)
	}
	applied, err := clickhouse.AppliedVersions(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if applied[m.Version] != m.Checksum {
			t.Errorf("migration %d recorded with checksum %q; want %q", m.Version, applied[m.Version], m.Checksum)
		}
	}
}

func testPost(id string) *post.Post {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &post.Post{
		SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: id,
		Author: post.Author{ID: "u1", Handle: "alice", DisplayName: "Alice O'Hara", Followers: 10, Following: -1},
		Text:   "it's \"great\" \\ ok'); DROP TABLE posts; --", Lang: "en",
		CreatedAt: created, IngestedAt: created.Add(time.Second),
		Refs:     post.Refs{ReplyToID: "1"},
		Hashtags: []string{"acme"}, Mentions: nil, URLs: []string{"https://example.com/?a=1&b='2'"},
		Source: post.Source{Topic: "social.raw.x", Partition: 2, Offset: 42},
	}
}

// TestWriterAcksOnlyDurableRowsAndReplaysCollapse writes batches, checks that every batch is acknowledged
// once and only after its insert, that text round-trips byte for byte, and that writing the same posts
// again leaves what queries see unchanged.
func TestWriterAcksOnlyDurableRowsAndReplaysCollapse(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 3, FlushInterval: 50 * time.Millisecond}, nil, nil)

	var acks atomic.Int32
	in := make(chan *processors.Batch, 10)
	for _, ids := range [][]string{{"a", "b"}, {"c"}, {}, {"d", "e"}} {
		b := &processors.Batch{Ack: func() { acks.Add(1) }}
		for _, id := range ids {
			b.Posts = append(b.Posts, testPost(id))
		}
		in <- b
	}
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := acks.Load(); got != 4 {
		t.Errorf("acknowledged %d batches; want 4", got)
	}
	if got := w.RowsWritten(); got != 5 {
		t.Errorf("RowsWritten: got %d; want 5", got)
	}
	var text, handle string
	var hashtags, urls []string
	var followers, following int64
	if err := conn.QueryRow(ctx, "SELECT text, author_handle, hashtags, urls, author_followers, author_following FROM posts FINAL WHERE post_id = ?", "a").
		Scan(&text, &handle, &hashtags, &urls, &followers, &following); err != nil {
		t.Fatal(err)
	}
	want := testPost("a")
	if text != want.Text || handle != "alice" || !reflect.DeepEqual(hashtags, want.Hashtags) || !reflect.DeepEqual(urls, want.URLs) ||
		followers != 10 || following != -1 {
		t.Errorf("stored row: got text %q handle %q hashtags %q urls %q followers %d following %d; want the post as written",
			text, handle, hashtags, urls, followers, following)
	}

	// Replay: the same five posts again.
	in = make(chan *processors.Batch, 1)
	b := &processors.Batch{}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		b.Posts = append(b.Posts, testPost(id))
	}
	in <- b
	close(in)
	if err := w.Run(ctx, in); err != nil {
		t.Fatal(err)
	}
	var final, stored uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM posts FINAL").Scan(&final); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM posts").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if final != 5 {
		t.Errorf("after a replay queries see %d posts; want 5", final)
	}
	t.Logf("%d rows stored, %d visible", stored, final)
}

// TestWriterRetriesUntilTheTableIsBack checks that a failing insert is retried, not acknowledged, and
// succeeds once ClickHouse accepts it again.
func TestWriterRetriesUntilTheTableIsBack(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	if err := conn.Exec(ctx, "RENAME TABLE posts TO posts_away"); err != nil {
		t.Fatal(err)
	}
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 1, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}, nil, nil)
	var acked atomic.Bool
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: []*post.Post{testPost("x1")}, Ack: func() { acked.Store(true) }}
	close(in)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, in) }()
	time.Sleep(500 * time.Millisecond)
	if acked.Load() {
		t.Fatal("batch acknowledged while its table did not exist")
	}
	if err := conn.Exec(ctx, "RENAME TABLE posts_away TO posts"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("writer did not recover within 30s of the table coming back")
	}
	if !acked.Load() {
		t.Error("batch not acknowledged after a successful retry")
	}
}

// TestWriterAbortDoesNotAck checks that cancelling the writer's context drops what it holds unacknowledged.
func TestWriterAbortDoesNotAck(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 1000, FlushInterval: time.Hour}, nil, nil)
	var acked atomic.Bool
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: []*post.Post{testPost("y1")}, Ack: func() { acked.Store(true) }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, in) }()
	time.Sleep(200 * time.Millisecond)
	cancel()
	if err := <-done; err == nil {
		t.Error("Run after abort: got nil; want the context's error")
	}
	if acked.Load() {
		t.Error("a held batch was acknowledged on abort")
	}
}
