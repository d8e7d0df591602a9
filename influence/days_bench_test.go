package influence_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/internal/testenv"
	chsink "github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestDaysOnExistingDatabase measures one periodic computation's read on an existing database named by
// RAPPORT_INFLUENCE_BENCH_DB (skipped without it): Load over a 30-day window ending at the newest post,
// against the per-day path's first build and a periodic run that finds the last hour's posts newly ingested.
// It creates the per-day tables of migration 0032 in that database (without the materialized views, so the
// posts table is left alone), fills them from posts, and drops them at the end. For each step it prints
// the wall time and, from system.query_log, the rows read and the largest memory use of one query.
func TestDaysOnExistingDatabase(t *testing.T) {
	db := os.Getenv("RAPPORT_INFLUENCE_BENCH_DB")
	if db == "" {
		t.Skip("set RAPPORT_INFLUENCE_BENCH_DB to a database with a filled posts table")
	}
	ctx := context.Background()
	conn, err := chsink.Open(ctx, chsink.ConnConfig{Addr: []string{testenv.ClickHouseAddr()}, Database: db, DialTimeout: 3 * time.Second}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"log_queries": 1}))
	ms, err := chsink.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for _, m := range ms {
		if m.Version != 32 {
			continue
		}
		for _, s := range m.Statements {
			if strings.Contains(s, "MATERIALIZED VIEW") {
				continue
			}
			if i := strings.Index(s, "CREATE TABLE IF NOT EXISTS "); i >= 0 {
				name := strings.Fields(s[i+len("CREATE TABLE IF NOT EXISTS "):])[0]
				var n uint64
				if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = ?", db, name).Scan(&n); err != nil || n > 0 {
					t.Fatalf("table %s.%s exists already (%v): this test creates and drops it", db, name, err)
				}
				tables = append(tables, name)
			}
		}
	}
	defer func() {
		for _, name := range tables {
			if err := conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+name); err != nil {
				t.Errorf("dropping %s: %v", name, err)
			}
		}
	}()
	step := func(what string, f func() error) {
		t.Helper()
		from := time.Now()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		took := time.Since(from)
		if err := conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
			t.Fatal(err)
		}
		var queries, rows, bytes, mem uint64
		if err := conn.QueryRow(ctx, `SELECT count(), sum(read_rows), sum(read_bytes), max(memory_usage) FROM system.query_log
WHERE type = 2 AND query_start_time >= toDateTime(?) AND query NOT LIKE '%system.%'`, from.Unix()).Scan(&queries, &rows, &bytes, &mem); err != nil {
			t.Fatal(err)
		}
		t.Logf("%-44s %8.1f s  %3d queries  read %11d rows %7.0f MB  max query memory %6.0f MB", what, took.Seconds(), queries, rows, float64(bytes)/1e6, float64(mem)/1e6)
		top, err := conn.Query(ctx, `SELECT memory_usage, query_duration_ms, substring(replaceRegexpAll(query, '\\s+', ' '), 1, 90) FROM system.query_log
WHERE type = 2 AND query_start_time >= toDateTime(?) AND query NOT LIKE '%system.%' ORDER BY memory_usage DESC LIMIT 3`, from.Unix())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = top.Close() }()
		for top.Next() {
			var m, ms uint64
			var q string
			if err := top.Scan(&m, &ms, &q); err != nil {
				t.Fatal(err)
			}
			t.Logf("    %6.0f MB %7.1f s  %s", float64(m)/1e6, float64(ms)/1e3, q)
		}
	}
	for _, m := range ms {
		if m.Version != 32 {
			continue
		}
		step("migration 0032 (tables and backfill)", func() error {
			for _, s := range m.Statements {
				if !strings.Contains(s, "MATERIALIZED VIEW") {
					if err := conn.Exec(ctx, s); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	var newest time.Time
	if err := conn.QueryRow(ctx, "SELECT max(created_at) FROM posts").Scan(&newest); err != nil {
		t.Fatal(err)
	}
	w := influence.Window{From: newest.Add(-30 * 24 * time.Hour), To: newest.Add(time.Second), HalfLife: 7 * 24 * time.Hour}
	var fullA []influence.Author
	var fullL []influence.Link
	step("Load (FROM posts FINAL), 30 days", func() (err error) {
		fullA, fullL, err = influence.Load(ctx, conn, w)
		return err
	})
	days := influence.NewDays(conn, influence.DaysConfig{})
	var first influence.DaysStats
	step("per-day path: first build (every day)", func() (err error) {
		first, err = days.Refresh(ctx, w)
		return err
	})
	t.Logf("first build: %+v", first)
	// A periodic run an hour later: the last hour's posts are newly ingested (the watermark goes back an
	// hour; with the default slack of 1h, two hours of posts are looked at).
	var mark time.Time
	if err := conn.QueryRow(ctx, "SELECT max(ingested_at) FROM influence_posts").Scan(&mark); err != nil {
		t.Fatal(err)
	}
	// Three times, the box being shared: the spread says how much to trust one run.
	var a []influence.Author
	var l []influence.Link
	var st influence.DaysStats
	for i := range 3 {
		setMark(t, conn, mark.Add(-time.Hour))
		step(fmt.Sprintf("per-day path: periodic run %d, 1h of new posts", i+1), func() (err error) {
			a, l, st, err = days.Load(ctx, w)
			return err
		})
		t.Logf("periodic run: %+v", st)
	}
	var dayRows uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM influence_day_handles").Scan(&dayRows); err != nil {
		t.Fatal(err)
	}
	var handles uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM influence_handles FINAL").Scan(&handles); err != nil {
		t.Fatal(err)
	}
	t.Logf("influence_day_handles: %d rows; influence_handles: %d handles", dayRows, handles)
	t.Logf("Load: %d authors, %d links; per-day path: %d authors, %d links", len(fullA), len(fullL), len(a), len(l))
	if len(a) != len(fullA) || len(l) != len(fullL) {
		t.Errorf("the per-day path's inputs differ in size from Load's")
	}
}

func setMark(t *testing.T, conn driver.Conn, at time.Time) {
	t.Helper()
	b, err := conn.PrepareBatch(context.Background(), "INSERT INTO influence_state (name, watermark, version)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("posts", at, uint64(time.Now().UnixNano())); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}
