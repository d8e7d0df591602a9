package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestDemoRecognisesEntities runs a short demo and checks that the simulator's catalogue reached
// catalog_entities and that stored posts carry the entities they mention.
func TestDemoRecognisesEntities(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t) // skips, or fails under CI, without ClickHouse
	db := testenv.Name(t)
	ctx := context.Background()
	defer func() { _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db) }()
	var out testWriter
	if err := runDemo(ctx, []string{
		"-count", "3000", "-clickhouse", cfg.Addr[0], "-database", db, "-http", "off",
		"-log", filepath.Join(t.TempDir(), "demo.log"),
	}, &out); err != nil {
		t.Fatalf("demo: %v", err)
	}
	dc, err := clickhouse.Open(ctx, clickhouse.ConnConfig{Addr: cfg.Addr, Database: db}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = dc.Close() }()
	c, err := catalog.Parse(catalog.SimYAML())
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := dc.QueryRow(ctx, "SELECT count() FROM (SELECT entity_id FROM catalog_entities FINAL)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(c.Entities()) {
		t.Errorf("catalog_entities: %d rows; want %d", n, len(c.Entities()))
	}
	var posts, with, spans uint64
	q := "SELECT count(), countIf(length(entity_ids) > 0), countIf(length(entity_ids) > 0 AND entity_start[1] >= 0) FROM posts FINAL WHERE deleted = 0"
	if err := dc.QueryRow(ctx, q).Scan(&posts, &with, &spans); err != nil {
		t.Fatal(err)
	}
	// Most simulated posts name a brand; a few are off-topic or only imply one.
	if posts == 0 || float64(with) < 0.4*float64(posts) || spans == 0 {
		t.Errorf("posts %d, with entities %d, with a span in the text %d", posts, with, spans)
	}
	t.Logf("posts %d, with entities %d, with a span in the text %d", posts, with, spans)
}

type testWriter struct{ n int }

func (w *testWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
