package kpi

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// BenchmarkRollupReads times each rollup read of the leadership KPIs on its own — the sums of kpi_daily, the
// market volume, and the loyalty query with its version reads — over the 30 and 90 days BenchmarkLeadership
// measures, on the database RAPPORT_BENCH_KPI_DB that a `make bench-kpi` run kept (RAPPORT_TEST_KEEP=1).
// Engine.Values runs these reads at once, so its time is about that of the slowest.
func BenchmarkRollupReads(b *testing.B) {
	db := os.Getenv("RAPPORT_BENCH_KPI_DB")
	if db == "" {
		b.Skip("set RAPPORT_BENCH_KPI_DB to a database kept by `RAPPORT_TEST_KEEP=1 make bench-kpi`")
	}
	ctx := context.Background()
	conn, err := clickhouse.Open(ctx, clickhouse.ConnConfig{Addr: []string{testenv.ClickHouseAddr()}, Database: db}, false)
	if err != nil {
		b.Fatalf("opening %s: %v", db, err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := clickhouse.Migrate(ctx, conn, nil); err != nil {
		b.Fatalf("migrating %s: %v", db, err)
	}
	e := NewEngine(conn)
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) // benchEnd of BenchmarkLeadership
	for _, days := range []int{30, 90} {
		q := Query{Brand: "acme", From: end.Add(-time.Duration(days) * 24 * time.Hour), To: end}
		nb := q.buckets()
		for _, r := range []struct {
			name string
			read func() error
		}{
			{"sums_with_response_quantiles", func() error { _, err := e.hourly(ctx, q, nb, true); return err }},
			{"market", func() error { _, err := e.market(ctx, q, nb); return err }},
			{"loyalty_versions", func() error { _, err := e.latestComputations(ctx, &q, q.customerParts()); return err }},
			{"loyalty", func() error { _, err := e.loyalty(ctx, q, nb); return err }},
		} {
			b.Run(fmt.Sprintf("%s_%dd", r.name, days), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if err := r.read(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
