package kpi_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// benchEnd is the end of the generated period; the posts spread evenly over the 90 days before it.
var benchEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// generatePosts inserts n synthetic posts over the 90 days before benchEnd, inside ClickHouse (INSERT …
// SELECT from numbers()), with the mix the KPIs care about: six brands (two competitors), a product on a
// fifth of the posts, 80 % scored, signals, 10 % reposts, 3 % near-duplicates, 1 % spam, brand-account replies
// to every 50th post, star ratings on reviews. offset shifts post ids, so a second call adds new posts.
func generatePosts(ctx context.Context, conn driver.Conn, n, offset uint64, end time.Time, span time.Duration) error {
	sql := fmt.Sprintf(`INSERT INTO posts (uid, network, post_id, schema_version, kind, deleted, author_id, author_handle,
		author_followers, author_brand, created_at, ingested_at, reply_to_id, reply_to_author_id, repost_of_id, lang,
		likes, reposts, replies, quotes, rating, sentiment_scored, sentiment, sentiment_label,
		entity_ids, entity_brands, entity_kinds, entity_competitor, entity_scored, entity_sentiment, entity_label,
		signal_kinds, signal_phrases, signal_entities, dup_level, spam, influence, version)
	SELECT uid, net, toString(id), 1, kind, 0, author, author, followers, brand_acct, created, created,
		if(brand_acct = 1, toString(id - 5), ''), if(brand_acct = 1, toString(intHash32(id - 5) %% 500000), ''),
		if(kind = 'repost', toString(id - 5), ''), lang,
		h %% 50, h %% 7, h %% 5, h %% 3, if(net = 'review', toInt8(1 + h %% 5), toInt8(0)),
		scored, s, toInt8(if(scored = 0, 0, if(s > 0.05, 1, if(s < -0.05, -1, 0)))),
		if(prod, [b, concat(b, '/p', toString(h %% 3))], [b]), if(prod, [b, b], [b]),
		if(prod, ['brand', 'product'], ['brand']), if(prod, [comp, comp], [comp]),
		if(prod, [scored, scored], [scored]), if(prod, [s, s], [s]),
		if(prod, [toInt8(if(s > 0.05, 1, if(s < -0.05, -1, 0))), toInt8(if(s > 0.05, 1, if(s < -0.05, -1, 0)))], [toInt8(if(s > 0.05, 1, if(s < -0.05, -1, 0)))]),
		sig, sig, arrayMap(x -> '', sig),
		multiIf(kind = 'repost', 2, h %% 100 < 3, 3, 0), toUInt8(h %% 100 = 7), toFloat32(h %% 100), toUInt64(toUInt32(created)) * 1000
	FROM (
		SELECT number + %d AS id, id AS uid, intHash64(id) AS h,
			['x', 'mastodon', 'reddit', 'youtube', 'review'][1 + id %% 5] AS net,
			toUInt8(id %% 50 = 1) AS brand_acct,
			multiIf(brand_acct = 1, 'reply', id %% 10 = 0, 'repost', id %% 10 = 2, 'reply', 'original') AS kind,
			if(brand_acct = 1, concat('brand_', net), toString(intHash32(id) %% 500000)) AS author,
			toInt64(h %% 100000) AS followers,
			toDateTime(%d - intDiv(number * %d, %d)) AS created,
			['en', 'en', 'en', 'de', 'fr'][1 + intHash32(id + 1) %% 5] AS lang,
			['acme', 'acme', 'globex', 'initech', 'umbrella', 'hooli'][1 + intHash32(id + 2) %% 6] AS b,
			toUInt8(b IN ('globex', 'initech')) AS comp,
			intHash32(id + 3) %% 5 = 0 AS prod,
			toUInt8(intHash32(id + 4) %% 5 != 0) AS scored,
			toFloat32((toInt32(intHash32(id + 5) %% 2001) - 900) / 1000) AS s,
			[[], ['recommend'], ['complaint'], ['praise'], ['question'], ['churn'], [], [], ['purchase'], []][1 + intHash32(id + 6) %% 10] AS sig
		FROM numbers(%d)
	)`, offset, end.Unix()-1, int64(span/time.Second), n, n)
	return conn.Exec(ctx, sql)
}

// generateCustomers inserts n customers in three segments, each linked to one author id (every tenth) on
// every network.
func generateCustomers(ctx context.Context, conn driver.Conn, n uint64) error {
	if err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO customers (customer_id, name, segment, deleted, version, updated_at)
		SELECT concat('c', toString(number)), concat('Customer ', toString(number)), ['gold', 'silver', 'standard'][1 + number %% 3],
			0, 1, now() FROM numbers(%d)`, n)); err != nil {
		return err
	}
	return conn.Exec(ctx, fmt.Sprintf(`INSERT INTO customer_links (network, author_id, customer_id, status, probability, decided_by, version, updated_at)
		SELECT ['x', 'mastodon', 'reddit', 'youtube', 'review'][1 + number %% 5], toString(intDiv(number, 5) * 10),
			concat('c', toString(intDiv(number, 5))), 'auto', 0.95, 'bench', 1, now() FROM numbers(%d)`, 5*n))
}

// BenchmarkLeadership measures the leadership dashboard's KPIs for one brand over 30 and 90 days on a
// posts table of RAPPORT_BENCH_KPI_POSTS (default 10 million) generated inside ClickHouse, after the
// rollups were rebuilt from it. It runs only with RAPPORT_BENCH_KPI=1 (`make bench-kpi`): generating and
// rolling up 10 million posts takes minutes. RAPPORT_BENCH_KPI_DB=name reuses a database an earlier run
// kept with RAPPORT_TEST_KEEP=1 (applying any newer migration), measuring the queries only.
func BenchmarkLeadership(b *testing.B) {
	if os.Getenv("RAPPORT_BENCH_KPI") == "" {
		b.Skip("set RAPPORT_BENCH_KPI=1 (or run `make bench-kpi`) to generate millions of posts and benchmark the KPI queries")
	}
	n := uint64(10_000_000)
	if v := os.Getenv("RAPPORT_BENCH_KPI_POSTS"); v != "" {
		var err error
		if n, err = strconv.ParseUint(v, 10, 64); err != nil || n == 0 {
			b.Fatalf("RAPPORT_BENCH_KPI_POSTS=%q is not a positive number", v)
		}
	}
	ctx := context.Background()
	var conn driver.Conn
	var r *kpi.Refresher
	if db := os.Getenv("RAPPORT_BENCH_KPI_DB"); db != "" {
		// Reuse a database a previous run kept (RAPPORT_TEST_KEEP=1): the queries only.
		var err error
		if conn, err = clickhouse.Open(ctx, clickhouse.ConnConfig{Addr: []string{testenv.ClickHouseAddr()}, Database: db}, false); err != nil {
			b.Fatalf("opening %s: %v", db, err)
		}
		defer func() { _ = conn.Close() }()
		// Migrations added since the database was kept (they backfill their tables from the rollups).
		if _, err := clickhouse.Migrate(ctx, conn, nil); err != nil {
			b.Fatalf("migrating %s: %v", db, err)
		}
		r = kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil)
	} else {
		conn, _ = testenv.ClickHouse(b)
		start := time.Now()
		if err := generatePosts(ctx, conn, n, 0, benchEnd, 90*24*time.Hour); err != nil {
			b.Fatalf("generating posts: %v", err)
		}
		if err := generateCustomers(ctx, conn, 50_000); err != nil {
			b.Fatalf("generating customers: %v", err)
		}
		b.Logf("generated %d posts and 50000 linked customers in %s", n, time.Since(start).Round(time.Millisecond))
		r = kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil)
		st, err := r.Rebuild(ctx)
		if err != nil {
			b.Fatalf("rebuilding rollups: %v", err)
		}
		var rows uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM kpi_hourly").Scan(&rows); err != nil {
			b.Fatal(err)
		}
		b.Logf("rebuilt %d hours, %d days into %d kpi_hourly rows in %s", st.Hours, st.Days, rows, st.Duration.Round(time.Millisecond))
	}
	var posts uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM posts").Scan(&posts); err != nil {
		b.Fatal(err)
	}
	b.Logf("posts table: %d rows", posts)

	eng := kpi.NewEngine(conn)
	for _, days := range []int{30, 90} {
		q := kpi.Query{Brand: "acme", From: benchEnd.Add(-time.Duration(days) * 24 * time.Hour), To: benchEnd}
		b.Run(fmt.Sprintf("values_%dd", days), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v, err := eng.Values(ctx, q, kpi.Leadership())
				if err != nil {
					b.Fatal(err)
				}
				if !v[kpi.TrustIndex].Valid || v[kpi.Opinions].Value == 0 {
					b.Fatalf("leadership values are empty: %+v", v)
				}
			}
		})
		var withoutLoyalty []string
		for _, name := range kpi.Leadership() {
			if name != kpi.LoyaltyIndex && name != kpi.ChurnRiskCustomers {
				withoutLoyalty = append(withoutLoyalty, name)
			}
		}
		b.Run(fmt.Sprintf("values_without_loyalty_%dd", days), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := eng.Values(ctx, q, withoutLoyalty); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("loyalty_only_%dd", days), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := eng.Values(ctx, q, []string{kpi.LoyaltyIndex, kpi.ChurnRiskCustomers}); err != nil {
					b.Fatal(err)
				}
			}
		})
		q.Interval = 24 * time.Hour
		b.Run(fmt.Sprintf("daily_series_%dd", days), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s, err := eng.SeriesMany(ctx, q, kpi.Leadership())
				if err != nil {
					b.Fatal(err)
				}
				if len(s[kpi.TrustIndex]) != days {
					b.Fatalf("got %d daily points; want %d", len(s[kpi.TrustIndex]), days)
				}
			}
		})
	}
	// The steady state of `rapport run`: a thousand new posts arrive in the current hour, one refresh.
	b.Run("refresh_1000_new_posts", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if err := generatePosts(ctx, conn, 1000, n+uint64(i+1)*1000, time.Now().UTC(), 10*time.Minute); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			st, err := r.Refresh(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if st.Hours == 0 {
				b.Fatal("refresh saw no new hour")
			}
		}
	})
}
