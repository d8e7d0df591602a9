package kpi_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/post"
)

// referenceScores is the customer loyalty score (version 1) computed the straightforward way, from
// kpi_customer_daily read with FINAL, one bucket for the whole range. Arguments: from, to (Unix seconds),
// brand, the first day and the day after the last (YYYY-MM-DD), the segment twice (empty: all). Columns: customer_id, segment, the
// components, score, risk.
const referenceScores = `
SELECT customer_id, seg, rec, freq, adv, unres, ch, pos, neg,
	greatest(0, least(100, 0.35 * rec + 0.30 * freq + 0.35 * adv - 15 * least(unres, 2) - 30 * least(ch, 2))) AS score,
	ch > 0 OR (unres > 0 AND neg > pos) AS risk
FROM (
	SELECT customer_id, seg, unres, ch, pos, neg,
		if(lp = toDateTime(0), 0, 100 * exp(-greatest(0, toFloat64(bend) - toFloat64(toUInt32(lp))) / 2592000)) AS rec,
		100 * least(1, pdays * 30 / greatest(1, (bend - bstart) / 86400) / 4) AS freq,
		100 * least(1, (recs + 0.5 * praises) / 2) AS adv
	FROM (
		SELECT customer_id, toInt64(?) AS bstart, toInt64(?) AS bend,
			argMax(segment, last_post_at) AS seg, max(last_positive_at) AS lp,
			uniqExactIf(day, positive + recommend + praise + purchase > 0) AS pdays,
			sum(recommend) AS recs, sum(praise) AS praises,
			toInt64(sum(complaints)) - toInt64(sum(complaints_answered)) AS unres, sum(churn) AS ch,
			sum(positive) AS pos, sum(negative) AS neg
		FROM kpi_customer_daily FINAL
		WHERE brand = ? AND day >= toDate(?) AND day < toDate(?) AND (? = '' OR segment = ?)
		GROUP BY customer_id
		HAVING sum(posts) > 0
	)
)`

type referenceCustomer struct {
	segment               string
	rec, freq, adv, score float64
	unres                 int64
	ch, pos, neg          uint64
	risk                  uint8
}

func referenceLoyalty(t *testing.T, conn driver.Conn, q kpi.Query) map[string]referenceCustomer {
	t.Helper()
	fromDay := q.From.UTC().Truncate(24 * time.Hour)
	toDay := q.To.UTC().Truncate(24 * time.Hour)
	if !toDay.Equal(q.To.UTC()) {
		toDay = toDay.Add(24 * time.Hour)
	}
	rows, err := conn.Query(context.Background(), referenceScores, q.From.Unix(), q.To.Unix(), q.Brand,
		fromDay.Format(time.DateOnly), toDay.Format(time.DateOnly), q.Segment, q.Segment)
	if err != nil {
		t.Fatalf("reference loyalty query: %v", err)
	}
	defer rows.Close()
	out := map[string]referenceCustomer{}
	for rows.Next() {
		var (
			id string
			c  referenceCustomer
		)
		if err := rows.Scan(&id, &c.segment, &c.rec, &c.freq, &c.adv, &c.unres, &c.ch, &c.pos, &c.neg, &c.score, &c.risk); err != nil {
			t.Fatalf("reading reference loyalty: %v", err)
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// nearly reports whether a is b up to floating-point rounding (sums in another order).
func nearly(a, b float64) bool { return math.Abs(a-b) < 1e-6*math.Max(1, math.Abs(b)) }

// TestLoyaltyMatchesFinal checks that the KPI reads — which take the latest computation of each rollup
// bucket instead of reading with FINAL, and build long loyalty ranges from kpi_customer_monthly — return
// what FINAL returns, on rollups that hold several computations of the same keys (a rebuild, then deletions
// and replays folded in by a refresh) and zero rows for keys that lost their posts.
func TestLoyaltyMatchesFinal(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	end := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	const n = 40_000
	// 50 days: the end of September, all of October, the start of November.
	if err := generatePosts(ctx, conn, n, 0, end, 50*24*time.Hour); err != nil {
		t.Fatalf("generating posts: %v", err)
	}
	if err := generateCustomers(ctx, conn, 10_000); err != nil {
		t.Fatalf("generating customers: %v", err)
	}
	r := kpi.NewRefresher(conn, kpi.RefresherConfig{ChunkHours: 24 * 60}, nil, nil)
	if _, err := r.Rebuild(ctx); err != nil {
		t.Fatalf("rebuilding: %v", err)
	}
	// Deletions and replays of posts in five windows of about three hours (one in September, three in
	// October, one in November): the refresh recomputes the hours, days and months they fall in, next to the
	// rebuild's rows, with zero rows for the keys whose only posts were deleted.
	var later []*post.Post
	for _, w := range []int{700, 8_000, 20_000, 30_000, 38_500} {
		for id := w; id < w+150; id += 3 {
			later = append(later, tombstone(post.Network([]string{"x", "mastodon", "reddit", "youtube", "review"}[id%5]), fmt.Sprint(id)))
		}
		if err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO posts SELECT * FROM posts
			WHERE toUInt64OrZero(post_id) >= %d AND toUInt64OrZero(post_id) < %d AND toUInt64OrZero(post_id) %% 3 != 0`, w, w+150)); err != nil {
			t.Fatalf("replaying posts: %v", err)
		}
	}
	write(t, conn, later)
	if st := refresh(t, r); st.Days == 0 {
		t.Fatal("the refresh after deletions and replays recomputed nothing")
	}
	for _, table := range []string{"kpi_hourly", "kpi_daily", "kpi_customer_daily", "kpi_customer_monthly"} {
		var all, final uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&all); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+table+" FINAL").Scan(&final); err != nil {
			t.Fatal(err)
		}
		if all <= final {
			t.Fatalf("%s holds %d rows, %d with FINAL: no key has two computations, the test would prove nothing", table, all, final)
		}
	}

	eng := kpi.NewEngine(conn)
	at := func(day, hour int) time.Time { return time.Date(2026, 9, day, hour, 0, 0, 0, time.UTC) } // day 31 is Oct 1
	ranges := []kpi.Query{
		{From: at(21, 0), To: end},                           // everything: a September tail read by day, October by month, November by day
		{From: at(33, 0), To: at(31+38, 0)},                  // Oct 3 – Nov 8: October as the month minus two days
		{From: at(25, 0), To: at(31+31, 0)},                  // Sep 25 – Nov 1: the September days, then October's month row
		{From: at(31, 0), To: at(31+31, 0)},                  // October exactly
		{From: at(31+14, 10), To: at(31+33, 13)},             // mid-day bounds
		{From: at(31+2, 0), To: at(31+5, 0)},                 // days inside one month
		{From: at(31, 0), To: at(31+31, 0), Segment: "gold"}, // a segment: days only
	}
	for _, q := range ranges {
		q.Brand = "acme"
		name := fmt.Sprintf("%s–%s%s", q.From.Format("Jan 2 15h"), q.To.Format("Jan 2 15h"), q.Segment)
		t.Run(name, func(t *testing.T) {
			ref := referenceLoyalty(t, conn, q)
			if len(ref) == 0 {
				t.Fatal("the reference found no customer")
			}
			got, err := eng.Values(ctx, q, []string{kpi.LoyaltyIndex, kpi.ChurnRiskCustomers})
			if err != nil {
				t.Fatal(err)
			}
			var sum, rec, freq, adv, unres, churn, risk float64
			for _, c := range ref {
				sum, rec, freq, adv = sum+c.score, rec+c.rec, freq+c.freq, adv+c.adv
				if c.unres > 0 {
					unres++
				}
				if c.ch > 0 {
					churn++
				}
				risk += float64(c.risk)
			}
			nc := float64(len(ref))
			li := got[kpi.LoyaltyIndex]
			if li.N != int64(len(ref)) || !nearly(li.Value, sum/nc) {
				t.Errorf("loyalty index %v over %d customers; FINAL gives %v over %d", li.Value, li.N, sum/nc, len(ref))
			}
			for comp, want := range map[string]float64{"recency": rec / nc, "frequency": freq / nc, "advocacy": adv / nc,
				"unresolved_complaint_share": 100 * unres / nc, "churn_signal_share": 100 * churn / nc} {
				if !nearly(li.Components[comp], want) {
					t.Errorf("loyalty component %s = %v; FINAL gives %v", comp, li.Components[comp], want)
				}
			}
			if cr := got[kpi.ChurnRiskCustomers]; cr.Value != risk {
				t.Errorf("churn-risk customers = %v; FINAL gives %v", cr.Value, risk)
			}
			if q.Segment != "" {
				return
			}
			list, err := eng.ChurnRisk(ctx, q, 1_000_000)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != int(risk) {
				t.Errorf("ChurnRisk lists %d customers; FINAL has %v at risk", len(list), risk)
			}
			for _, c := range list {
				w, ok := ref[c.ID]
				if !ok || w.risk != 1 || !nearly(c.Score, w.score) || !nearly(c.Recency, w.rec) || !nearly(c.Frequency, w.freq) ||
					!nearly(c.Advocacy, w.adv) || c.UnresolvedComplaints != w.unres || c.ChurnSignals != w.ch ||
					c.Positive != w.pos || c.Negative != w.neg || c.Segment != w.segment {
					t.Errorf("at-risk customer %+v; FINAL gives %+v (found %v)", c, w, ok)
					break
				}
			}
		})
	}

	// Series and the other KPIs: what the reads return now, with several computations per key, must be what
	// they return once every rollup is merged down to its latest rows (what FINAL reads).
	series := []kpi.Query{
		{Brand: "acme", From: at(21, 0), To: end, Interval: 24 * time.Hour},              // kpi_daily
		{Brand: "acme", From: at(31+14, 10), To: at(31+20, 10), Interval: 6 * time.Hour}, // kpi_hourly
		{Brand: "acme", From: at(31, 0), To: at(31+31, 0), Lang: "de"},
		{Brand: "acme", Product: "acme/p1", From: at(21, 0), To: end, Network: "x"},
	}
	before := make([]map[string][]kpi.Point, len(series))
	for i, q := range series {
		var err error
		if before[i], err = eng.SeriesMany(ctx, q, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"kpi_hourly", "kpi_daily", "kpi_customer_daily", "kpi_customer_monthly"} {
		if err := conn.Exec(ctx, "OPTIMIZE TABLE "+table+" FINAL"); err != nil {
			t.Fatalf("merging %s: %v", table, err)
		}
	}
	for i, q := range series {
		after, err := eng.SeriesMany(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		valid := 0
		for name, pts := range before[i] {
			for j, p := range pts {
				a := after[name][j]
				if a.Valid != p.Valid || !nearly(a.Value, p.Value) || a.N != p.N {
					t.Errorf("series %d, %s at %s: %v (n %d) before merging, %v (n %d) merged", i, name, p.Time, p.Value, p.N, a.Value, a.N)
				}
				if p.Valid && p.N > 0 {
					valid++
				}
			}
		}
		if valid == 0 {
			t.Errorf("series %d has no value: it compares nothing", i)
		}
	}

	// First-response quantiles computed by ClickHouse agree with the Go computation over the packed delays
	// (business hours around the clock measure the plain delay).
	always := &kpi.BusinessHours{Start: 0, End: 24, Weekdays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	for _, q := range []kpi.Query{series[0], series[1], ranges[0]} {
		q.Brand = "acme"
		plain, err := eng.SeriesMany(ctx, q, []string{kpi.FirstResponseMedian, kpi.FirstResponseP90})
		if err != nil {
			t.Fatal(err)
		}
		q.BusinessHours = always
		inGo, err := eng.SeriesMany(ctx, q, []string{kpi.FirstResponseMedian, kpi.FirstResponseP90})
		if err != nil {
			t.Fatal(err)
		}
		answered := 0
		for name, pts := range plain {
			for j, p := range pts {
				g := inGo[name][j]
				if p.Valid != g.Valid || p.Value != g.Value || p.N != g.N {
					t.Errorf("%s at %s: %v (n %d) from ClickHouse, %v (n %d) in Go", name, p.Time, p.Value, p.N, g.Value, g.N)
				}
				answered += int(p.N)
			}
		}
		if answered == 0 {
			t.Errorf("no answered post from %s to %s: nothing compared", q.From, q.To)
		}
	}
}
