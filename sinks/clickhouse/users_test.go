package clickhouse_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// openAs connects to database as one of the users of deploy/clickhouse/users.d (the development passwords,
// or RAPPORT_TEST_CH_<USER>_PASSWORD).
func openAs(t *testing.T, database, user, devPassword, env string) driver.Conn {
	t.Helper()
	password := devPassword
	if p := os.Getenv(env); p != "" {
		password = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := clickhouse.Open(ctx, clickhouse.ConnConfig{
		Addr: []string{testenv.ClickHouseAddr()}, Database: database, Username: user, Password: password,
	}, false)
	if err != nil {
		testenv.Unavailable(t, "ClickHouse user "+user+" (install deploy/clickhouse/users.d, as scripts/clickhouse.sh does)", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// mustFail runs each statement and fails the test when one succeeds.
func mustFail(t *testing.T, conn driver.Conn, user string, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if err := conn.Exec(context.Background(), s); err == nil {
			t.Errorf("%s could run %q", user, s)
		}
	}
}

func TestDashboardUserCannotWrite(t *testing.T) {
	admin, cfg := testenv.ClickHouse(t)
	ctx := context.Background()
	w := clickhouse.NewWriter(admin, clickhouse.WriterConfig{BatchRows: 1, FlushInterval: 10 * time.Millisecond}, nil, nil)
	writeOne(t, w, &post.Post{Network: post.NetworkX, ID: "1", Text: "hello", CreatedAt: time.Now()})

	dash := openAs(t, cfg.Database, "rapport_dashboard", "rapport-dashboard-dev", "RAPPORT_TEST_CH_DASHBOARD_PASSWORD")
	var n uint64
	if err := dash.QueryRow(ctx, "SELECT count() FROM posts FINAL WHERE deleted = 0").Scan(&n); err != nil || n != 1 {
		t.Fatalf("dashboard user reading posts: %d rows, %v", n, err)
	}
	if b, err := dash.PrepareBatch(ctx, "INSERT INTO posts (uid, network, post_id)"); err == nil {
		if err := b.Append(uint64(7), "x", "7"); err == nil {
			if err := b.Send(); err == nil {
				t.Error("dashboard user inserted into posts")
			}
		}
	}
	mustFail(t, dash, "rapport_dashboard",
		"CREATE TABLE evil (a UInt8) ENGINE = Memory",
		"DROP TABLE posts",
		"TRUNCATE TABLE posts",
		"ALTER TABLE posts DELETE WHERE 1 = 1",
		"ALTER TABLE posts ADD COLUMN evil UInt8",
		"RENAME TABLE posts TO posts_gone",
		"DROP DATABASE "+cfg.Database,
		"SET readonly = 0",
	)
	if err := admin.QueryRow(ctx, "SELECT count() FROM posts").Scan(&n); err != nil || n != 1 {
		t.Errorf("after the dashboard user's attempts posts holds %d rows (%v); want 1", n, err)
	}
}

func TestIngestUserHasOnlyWhatThePipelineNeeds(t *testing.T) {
	_, cfg := testenv.ClickHouse(t)
	ctx := context.Background()
	ingest := openAs(t, cfg.Database, "rapport_ingest", "rapport-ingest-dev", "RAPPORT_TEST_CH_INGEST_PASSWORD")

	// What the pipeline does: insert posts through the writer, read erasures and posts.
	w := clickhouse.NewWriter(ingest, clickhouse.WriterConfig{BatchRows: 1, FlushInterval: 10 * time.Millisecond}, nil, nil)
	writeOne(t, w, &post.Post{Network: post.NetworkX, ID: "1", Text: "hello", CreatedAt: time.Now()})
	var n uint64
	if err := ingest.QueryRow(ctx, "SELECT count() FROM posts FINAL WHERE deleted = 0").Scan(&n); err != nil || n != 1 {
		t.Fatalf("ingest user reading posts: %d rows, %v", n, err)
	}
	if _, err := clickhouse.ErasedAuthors(ctx, ingest); err != nil {
		t.Fatalf("ingest user reading erasures: %v", err)
	}
	// What it must not do: change the schema, destroy data, or change its own limits.
	mustFail(t, ingest, "rapport_ingest",
		"CREATE TABLE evil (a UInt8) ENGINE = Memory",
		"DROP TABLE posts",
		"TRUNCATE TABLE posts",
		"ALTER TABLE posts DELETE WHERE 1 = 1",
		"ALTER TABLE posts DROP COLUMN text",
		"RENAME TABLE posts TO posts_gone",
		"DROP DATABASE "+cfg.Database,
		"CREATE DATABASE evil",
		"SET allow_ddl = 1",
	)
}

func writeOne(t *testing.T, w *clickhouse.Writer, p *post.Post) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := make(chan *processors.Batch, 1)
	acked := make(chan struct{})
	in <- &processors.Batch{Posts: []*post.Post{p}, Ack: func() { close(acked) }}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, in) }()
	select {
	case <-acked:
	case err := <-done:
		t.Fatalf("writer stopped: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("insert not acknowledged within 20s")
	}
	close(in)
	<-done
}
