package kpi_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// t0 is a Monday, 10:00 UTC.
var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func entity(id, brand string, kind post.EntityKind, competitor bool, label int8, score float64) post.Entity {
	return post.Entity{ID: id, Brand: brand, Kind: kind, Competitor: competitor, Matched: id, Start: -1, End: -1,
		Scored: label != 9, Sentiment: score, Label: max(-1, min(1, label))}
}

func mk(id, author string, at time.Duration, ents []post.Entity, sigs ...post.SignalKind) *post.Post {
	p := &post.Post{SchemaVersion: post.SchemaVersion, Network: post.NetworkX, ID: id, CreatedAt: t0.Add(at),
		IngestedAt: time.Now().UTC(), Author: post.Author{ID: author, Handle: author, Followers: -1, Following: -1},
		Text: "post " + id, Lang: "en", Entities: ents}
	for _, s := range sigs {
		p.Signals = append(p.Signals, post.Signal{Kind: s, Phrase: string(s)})
	}
	return p
}

// fixture returns the posts of the worked example in docs/KPIS.md ("Worked example").
func fixture() []*post.Post {
	acme := func(label int8, score float64) []post.Entity {
		return []post.Entity{entity("acme", "acme", post.EntityBrand, false, label, score)}
	}
	p1 := mk("1", "u1", 5*time.Minute, acme(1, 0.8), post.SignalRecommend)
	p1.Author.Followers, p1.Engagement = 1000, post.Engagement{Likes: 10, Reposts: 5}
	p1.Influence = 50
	p2 := mk("2", "u2", 10*time.Minute, acme(-1, -0.6), post.SignalComplaint, post.SignalChurn)
	reply := mk("3", "acme_help", 40*time.Minute, nil)
	reply.Author.Brand, reply.Refs.ReplyToID, reply.Refs.ReplyToAuthorID = true, "2", "u2"
	repost := mk("4", "u3", 15*time.Minute, acme(1, 0.8))
	repost.Refs.RepostOfID, repost.Dup = "1", post.Dup{Level: post.DupRepost}
	spam := mk("5", "u4", 16*time.Minute, acme(-1, -0.9))
	spam.Dup = post.Dup{Level: post.DupNearText, Spam: true}
	review := mk("6", "u5", 70*time.Minute, []post.Entity{entity("acme/phone", "acme", post.EntityProduct, false, 9, 0)})
	review.Network, review.Rating = post.NetworkReview, 2
	globex := mk("7", "u6", 20*time.Minute, []post.Entity{entity("globex", "globex", post.EntityBrand, true, 1, 0.5)})
	both := mk("8", "u7", 30*time.Minute, []post.Entity{entity("acme", "acme", post.EntityBrand, false, 0, 0),
		entity("globex", "globex", post.EntityBrand, true, 0, 0)}, post.SignalQuestion)
	both.Author.Followers = 500
	gone := mk("9", "u8", 50*time.Minute, acme(1, 0.9))
	return []*post.Post{p1, p2, reply, repost, spam, review, globex, both, gone}
}

func tombstone(network post.Network, id string) *post.Post {
	return &post.Post{SchemaVersion: post.SchemaVersion, Action: post.ActionDelete, Network: network, ID: id,
		IngestedAt: time.Now().UTC()}
}

func write(t *testing.T, conn driver.Conn, posts []*post.Post) {
	t.Helper()
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{}, nil, nil)
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: posts}
	close(in)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.Run(ctx, in); err != nil {
		t.Fatalf("writing posts: %v", err)
	}
}

func linkCustomers(t *testing.T, conn driver.Conn) {
	t.Helper()
	ctx := context.Background()
	b, err := conn.PrepareBatch(ctx, "INSERT INTO customers (customer_id, name, segment, deleted, version, updated_at)")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"c1", "gold"}, {"c2", "standard"}} {
		if err := b.Append(c[0], "n", c[1], uint8(0), uint64(1), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	b, err = conn.PrepareBatch(ctx, "INSERT INTO customer_links (network, author_id, customer_id, status, probability, decided_by, version, updated_at)")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range [][3]string{{"u1", "c1", "confirmed"}, {"u2", "c2", "auto"}, {"u3", "c3", "rejected"}} {
		if err := b.Append("x", l[0], l[1], l[2], float32(0.99), "test", uint64(1), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-3*math.Max(1, math.Abs(b)) }

// checkAll compares every KPI for acme over [t0, t0+3h) with want (NaN: the KPI must be invalid).
func checkAll(t *testing.T, eng *kpi.Engine, want map[string]float64) map[string]kpi.Point {
	t.Helper()
	got, err := eng.Values(context.Background(), kpi.Query{Brand: "acme", From: t0, To: t0.Add(3 * time.Hour)}, nil)
	if err != nil {
		t.Fatalf("Values: %v", err)
	}
	for name, w := range want {
		p := got[name]
		switch {
		case math.IsNaN(w) && p.Valid:
			t.Errorf("%s = %v; want no value", name, p.Value)
		case !math.IsNaN(w) && (!p.Valid || !approx(p.Value, w)):
			t.Errorf("%s = %v (valid %v); want %v", name, p.Value, p.Valid, w)
		}
	}
	return got
}

// wantFixture are the KPIs of acme over the fixture, worked out by hand in docs/KPIS.md.
var wantFixture = map[string]float64{
	kpi.Mentions:             6,
	kpi.Opinions:             4,
	kpi.NetSentiment:         0,
	kpi.NegativeShare:        100.0 / 3,
	kpi.InfluencerSentiment:  100 * (51*0.8 - 0.6) / 53,
	kpi.NPSProxy:             -25,
	kpi.ShareOfVoice:         100 * 4.0 / 6,
	kpi.EngagementRate:       1,
	kpi.ResponseRate:         25,
	kpi.FirstResponseMedian:  1800,
	kpi.FirstResponseP90:     1800,
	kpi.UnresolvedComplaints: 0,
	kpi.TrustIndex:           60,
	kpi.AverageRating:        2,
	kpi.DuplicateShare:       100 * 2.0 / 6,
	kpi.LoyaltyIndex:         (0.35*100*math.Exp(-(3*3600-300)/2592000.0) + 30 + 17.5) / 2,
	kpi.ChurnRiskCustomers:   1,
}

func refresh(t *testing.T, r *kpi.Refresher) kpi.RefreshStats {
	t.Helper()
	st, err := r.Refresh(context.Background())
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	return st
}

func TestKPIsOnFixture(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	linkCustomers(t, conn)
	write(t, conn, fixture())
	write(t, conn, []*post.Post{tombstone(post.NetworkX, "9")})
	r := kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil)
	if st := refresh(t, r); st.Hours == 0 {
		t.Fatalf("first refresh recomputed no hour")
	}
	eng := kpi.NewEngine(conn)
	got := checkAll(t, eng, wantFixture)
	tr := got[kpi.TrustIndex].Components
	for name, w := range map[string]float64{"sentiment": 50, "advocacy": 37.5, "responsiveness": 25, "speed": 100, "resolution": 100} {
		if !approx(tr[name], w) {
			t.Errorf("trust component %s = %v; want %v", name, tr[name], w)
		}
	}

	// Product level: only the review mentions acme/phone.
	p, err := eng.Value(context.Background(), kpi.Query{KPI: kpi.NPSProxy, Brand: "acme", Product: "acme/phone", From: t0, To: t0.Add(3 * time.Hour)})
	if err != nil || !p.Valid || p.Value != -100 || p.N != 1 {
		t.Errorf("acme/phone NPS = %+v, %v; want −100 over 1", p, err)
	}

	// Hourly series: the second hour has only the review.
	s, err := eng.Series(context.Background(), kpi.Query{KPI: kpi.Opinions, Brand: "acme", From: t0, To: t0.Add(3 * time.Hour), Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 3 || s[0].Value != 3 || s[1].Value != 1 || s[2].Value != 0 || !s[2].Time.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("hourly opinions = %+v; want 3, 1, 0 from %s", s, t0)
	}

	// Segment filter: the gold customer's opinion only.
	p, err = eng.Value(context.Background(), kpi.Query{KPI: kpi.Opinions, Brand: "acme", Segment: "gold", From: t0, To: t0.Add(3 * time.Hour)})
	if err != nil || p.Value != 1 {
		t.Errorf("gold opinions = %+v, %v; want 1", p, err)
	}

	// Whole days read kpi_daily; a language filter forces kpi_hourly. Both must agree.
	day := kpi.Query{Brand: "acme", From: t0.Truncate(24 * time.Hour), To: t0.Truncate(24 * time.Hour).Add(24 * time.Hour)}
	daily, err := eng.Values(context.Background(), day, nil)
	if err != nil {
		t.Fatal(err)
	}
	day.Lang = "en"
	hourly, err := eng.Values(context.Background(), day, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range daily {
		if h := hourly[name]; !approx(d.Value, h.Value) || d.Valid != h.Valid || d.N != h.N {
			t.Errorf("%s over the day: %+v from kpi_daily, %+v from kpi_hourly", name, d, h)
		}
	}
	if daily[kpi.Opinions].Value != 4 {
		t.Errorf("opinions over the day = %v; want 4", daily[kpi.Opinions].Value)
	}

	risk, err := eng.ChurnRisk(context.Background(), kpi.Query{Brand: "acme", From: t0, To: t0.Add(3 * time.Hour)}, 10)
	if err != nil || len(risk) != 1 || risk[0].ID != "c2" || risk[0].ChurnSignals != 1 || risk[0].Segment != "standard" {
		t.Errorf("churn risk = %+v, %v; want c2 with one churn signal", risk, err)
	}

	// Business hours: 10:10 → 10:40 on a Monday is inside 9–17.
	p, err = eng.Value(context.Background(), kpi.Query{KPI: kpi.FirstResponseMedian, Brand: "acme", From: t0, To: t0.Add(3 * time.Hour),
		BusinessHours: &kpi.BusinessHours{Start: 9, End: 17}})
	if err != nil || p.Value != 1800 {
		t.Errorf("business-hours median = %+v, %v; want 1800", p, err)
	}
}

// TestReplayLeavesKPIsUnchanged inserts every post a second time, as a replay after a crash does, refreshes
// again, and requires every KPI of every bucket to be exactly what it was.
func TestReplayLeavesKPIsUnchanged(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	linkCustomers(t, conn)
	write(t, conn, fixture())
	write(t, conn, []*post.Post{tombstone(post.NetworkX, "9")})
	r := kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil)
	refresh(t, r)
	eng := kpi.NewEngine(conn)
	q := kpi.Query{Brand: "acme", From: t0.Add(-time.Hour), To: t0.Add(4 * time.Hour), Interval: time.Hour}
	before, err := eng.SeriesMany(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, eng, wantFixture)

	// The replay: the same posts (and the same tombstone) again, freshly ingested.
	write(t, conn, fixture())
	write(t, conn, []*post.Post{tombstone(post.NetworkX, "9")})
	if st := refresh(t, r); st.Hours == 0 {
		t.Fatalf("refresh after the replay recomputed no hour; the replay was not seen")
	}
	// A second refresher (another process, or a restart) over the same data changes nothing either.
	refresh(t, kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil))
	after, err := eng.SeriesMany(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, pts := range before {
		for i, p := range pts {
			a := after[name][i]
			if a.Valid != p.Valid || a.Value != p.Value || a.N != p.N {
				t.Errorf("%s at %s: %v (n %d) before the replay, %v (n %d) after", name, p.Time, p.Value, p.N, a.Value, a.N)
			}
		}
	}
	checkAll(t, eng, wantFixture)
}

// TestLateDeleteAndReplyAreFoldedIn checks that the refresher recomputes the hour of an old post when its
// deletion or a brand's answer arrives later.
func TestLateDeleteAndReplyAreFoldedIn(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	linkCustomers(t, conn)
	posts := fixture()
	write(t, conn, posts[:2]) // p1 and p2 only: p2 unanswered
	r := kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil)
	refresh(t, r)
	eng := kpi.NewEngine(conn)
	checkAll(t, eng, map[string]float64{kpi.Opinions: 2, kpi.ResponseRate: 0, kpi.UnresolvedComplaints: 1, kpi.FirstResponseMedian: math.NaN()})

	write(t, conn, []*post.Post{posts[2]}) // the brand's reply to p2
	refresh(t, r)
	checkAll(t, eng, map[string]float64{kpi.ResponseRate: 50, kpi.UnresolvedComplaints: 0, kpi.FirstResponseMedian: 1800})

	write(t, conn, []*post.Post{tombstone(post.NetworkX, "1")}) // p1 deleted at the source
	refresh(t, r)
	checkAll(t, eng, map[string]float64{kpi.Opinions: 1, kpi.Mentions: 1, kpi.NetSentiment: -100, kpi.ResponseRate: 100})
	// A customer link decided later moves the author's posts into the customer's segment.
	gold := kpi.Query{KPI: kpi.Opinions, Brand: "acme", Segment: "gold", From: t0, To: t0.Add(3 * time.Hour)}
	if p, err := eng.Value(context.Background(), gold); err != nil || p.Value != 0 {
		t.Fatalf("gold opinions before the link = %+v, %v; want 0 (p1, the gold customer's, is deleted)", p, err)
	}
	b, err := conn.PrepareBatch(context.Background(), "INSERT INTO customer_links (network, author_id, customer_id, status, probability, decided_by, version, updated_at)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("x", "u2", "c1", "confirmed", float32(1), "analyst", uint64(2), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	refresh(t, r)
	if p, err := eng.Value(context.Background(), gold); err != nil || p.Value != 1 {
		t.Errorf("gold opinions after linking u2 to c1 = %+v, %v; want 1", p, err)
	}
	// No refresh needed when nothing changed.
	if st := refresh(t, r); st.Hours != 0 {
		t.Errorf("refresh without changes recomputed %d hours", st.Hours)
	}
}

func TestQueryChecks(t *testing.T) {
	eng := kpi.NewEngine(nil)
	for _, q := range []kpi.Query{
		{KPI: kpi.Opinions, From: t0, To: t0.Add(time.Hour)},
		{KPI: kpi.Opinions, Brand: "acme", From: t0, To: t0},
		{KPI: kpi.Opinions, Brand: "acme", From: t0, To: t0.Add(time.Hour), Interval: 90 * time.Minute},
		{KPI: "nope", Brand: "acme", From: t0, To: t0.Add(time.Hour)},
		{KPI: kpi.FirstResponseP90, Brand: "acme", From: t0, To: t0.Add(time.Hour), BusinessHours: &kpi.BusinessHours{Start: 18, End: 9}},
	} {
		if _, err := eng.Series(context.Background(), q); err == nil {
			t.Errorf("Series(%+v) accepted a bad query", q)
		}
	}
}

func TestCatalog(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range kpi.Catalog() {
		if d.Name == "" || d.Title == "" || d.Unit == "" || d.Version < 1 || d.Description == "" || seen[d.Name] {
			t.Errorf("bad or repeated definition %+v", d)
		}
		seen[d.Name] = true
	}
	for _, n := range kpi.Leadership() {
		if !seen[n] {
			t.Errorf("leadership KPI %q is not in the catalogue", n)
		}
	}
}

func TestBusinessHoursBetween(t *testing.T) {
	bh := kpi.BusinessHours{Start: 9, End: 17}
	fri := time.Date(2026, 11, 6, 16, 0, 0, 0, time.UTC) // Friday 16:00
	for _, c := range []struct {
		from, to time.Time
		want     time.Duration
	}{
		{fri, fri.Add(30 * time.Minute), 30 * time.Minute},
		{fri, fri.Add(3 * 24 * time.Hour), 8 * time.Hour},               // Fri 16–17 and Mon 9–16
		{fri.Add(2 * time.Hour), fri.Add(2*time.Hour + 8*time.Hour), 0}, // Fri 18:00 → Sat 02:00
		{fri.Add(-8 * time.Hour), fri.Add(-7 * time.Hour), 0},           // 08:00 → 09:00
		{fri.Add(-7 * time.Hour), fri.Add(time.Hour), 8 * time.Hour},    // the whole day
		{fri.Add(time.Hour), fri, 0},                                    // reversed
	} {
		if got := bh.Between(c.from, c.to); got != c.want {
			t.Errorf("Between(%s, %s) = %s; want %s", c.from, c.to, got, c.want)
		}
	}
}
