// Package seed fills a ClickHouse database with a small simulated stream for the dashboard and plugin tests:
// posts decoded from the simulator's raw payloads by the real normalizers and written by the real posts
// writer, plus the shared tables the dashboards read (catalogue, customers and links, author influence,
// alerts), and the KPI rollups rebuilt from them by the kpi refresher.
//
// The text feature and sentiment stages run as in the pipeline. The enrichment stages that fill entities,
// loyalty signals, duplicate status and influence are not run here: those fields are set from the
// simulator's ground truth (what the stages are meant to find), so the queries see the same shapes of data
// the pipeline writes.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/processors/sentiment"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// Config says what to generate. Zero values take the defaults.
type Config struct {
	Records int       // simulator records (default 20000)
	Seed    int64     // simulator seed (default 1)
	Rate    float64   // simulator posts per second of event time (default 0.12: about 2 days for 20000 records)
	Start   time.Time // event time of the first post (default sim.DefaultStart)
}

// Result describes what was written.
type Result struct {
	From, To time.Time // event time of the first and the last record written
	Posts    int       // post rows written (upserts, edits, redeliveries and tombstones)
	Brands   []string  // catalogue ids of the brands, watched ones first
	Products []string  // catalogue ids of the products
}

// Competitors are the simulator's brands treated as competitors of the watched ones.
var Competitors = map[string]bool{"Zentro": true, "Bean & Co": true}

// Segments are the customer segments the seeded CRM directory uses.
var Segments = []string{"consumer", "business", "vip"}

// ID returns the catalogue id of a simulator brand or product name: lower case, words joined by '-'.
func ID(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == '&':
			if b.Len() > 0 {
				b.WriteString("-and")
			}
			dash = true
		default:
			dash = true
		}
	}
	return b.String()
}

// Load generates the stream and writes it, with the shared tables, into the database of conn.
func Load(ctx context.Context, conn driver.Conn, cfg Config) (Result, error) {
	if cfg.Records <= 0 {
		cfg.Records = 20000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 0.12
	}
	if cfg.Start.IsZero() {
		cfg.Start = sim.DefaultStart
	}
	gen := sim.New(sim.Config{Seed: cfg.Seed, Start: cfg.Start, EventRate: cfg.Rate, Authors: 3000,
		Incidents: sim.DefaultIncidents(cfg.Start)})
	norms := ingest.Normalizers()
	var dec ingest.Decoder
	var (
		res    Result
		posts  []*post.Post
		truths []sim.Truth
	)
	for i := 0; i < cfg.Records; i++ {
		rec := gen.Next()
		if rec.Malformed {
			continue
		}
		p := &post.Post{Source: post.Source{Topic: rec.Topic, Offset: int64(i)}, IngestedAt: rec.EventTime.Add(2 * time.Second)}
		if err := dec.Decode(norms[rec.Network], rec.Value, p); err != nil {
			if errors.Is(err, ingest.ErrIgnore) {
				continue
			}
			return res, fmt.Errorf("decoding simulated %s record %s: %w", rec.Network, rec.PostID, err)
		}
		posts = append(posts, p)
		truths = append(truths, rec.Truth)
		if res.From.IsZero() || rec.EventTime.Before(res.From) {
			res.From = rec.EventTime
		}
		if rec.EventTime.After(res.To) {
			res.To = rec.EventTime
		}
	}
	an, err := sentiment.New()
	if err != nil {
		return res, fmt.Errorf("loading the sentiment model: %w", err)
	}
	for _, st := range []processors.Stage{features.Stage{}, sentiment.NewStage(an, "", nil)} {
		if _, err := st.Process(ctx, posts); err != nil {
			return res, fmt.Errorf("running stage %s: %w", st.Name(), err)
		}
	}
	for i, p := range posts {
		enrich(p, truths[i])
	}
	if err := writePosts(ctx, conn, posts); err != nil {
		return res, err
	}
	res.Posts = len(posts)
	brands, products, err := writeCatalog(ctx, conn)
	if err != nil {
		return res, err
	}
	res.Brands, res.Products = brands, products
	if err := writePeople(ctx, conn, posts); err != nil {
		return res, err
	}
	if err := writeAlerts(ctx, conn, gen.Incidents(), res.To); err != nil {
		return res, err
	}
	if _, err := kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil).Rebuild(ctx); err != nil {
		return res, fmt.Errorf("building the KPI rollups: %w", err)
	}
	return res, nil
}

var intentSignals = map[string]post.SignalKind{
	"praise": post.SignalPraise, "complaint": post.SignalComplaint, "question": post.SignalQuestion,
	"recommendation": post.SignalRecommend, "purchase_intent": post.SignalPurchase, "churn_intent": post.SignalChurn,
}

// enrich sets what the enrichment stages would find from the simulator's ground truth.
func enrich(p *post.Post, t sim.Truth) {
	if p.Action == post.ActionDelete {
		return
	}
	p.Author.Brand = t.BrandAccount
	var (
		scored bool
		score  float64
		label  int8
	)
	if s := p.Sentiment; s != nil {
		scored, score, label = true, s.Score, s.Label
	}
	if t.Brand != "" {
		b := ID(t.Brand)
		p.Entities = append(p.Entities, post.Entity{ID: b, Brand: b, Kind: post.EntityBrand,
			Competitor: Competitors[t.Brand], Matched: t.Brand, Start: -1, End: -1, Scored: scored, Sentiment: score, Label: label})
		if t.Product != "" {
			p.Entities = append(p.Entities, post.Entity{ID: b + "/" + ID(t.Product), Brand: b, Kind: post.EntityProduct,
				Competitor: Competitors[t.Brand], Matched: t.Product, Start: -1, End: -1, Scored: scored, Sentiment: score, Label: label})
		}
		if k, ok := intentSignals[t.Intent]; ok {
			p.Signals = append(p.Signals, post.Signal{Kind: k, Phrase: t.Intent, Entity: b})
		}
	}
	switch {
	case t.Campaign != "":
		p.Dup = post.Dup{Level: post.DupNearText, Cluster: post.UID(p.Network, t.Campaign), Spam: true}
	case t.Kind == "repost":
		p.Dup = post.Dup{Level: post.DupRepost, Of: post.UID(p.Network, p.Refs.RepostOfID)}
	}
	p.Influence = influence(p.Author.Followers)
}

func influence(followers int64) float32 {
	if followers <= 0 {
		return 0
	}
	return float32(math.Min(100, 15*math.Log10(1+float64(followers))))
}

func writePosts(ctx context.Context, conn driver.Conn, posts []*post.Post) error {
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 10000, FlushInterval: time.Hour}, nil, nil)
	in := make(chan *processors.Batch, 1)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, in) }()
	for i := 0; i < len(posts); i += 1000 {
		select {
		case in <- &processors.Batch{Posts: posts[i:min(i+1000, len(posts))]}:
		case err := <-done:
			return fmt.Errorf("writing posts: %w", err)
		}
	}
	close(in)
	if err := <-done; err != nil {
		return fmt.Errorf("writing posts: %w", err)
	}
	return nil
}

func writeCatalog(ctx context.Context, conn driver.Conn) (brands, products []string, err error) {
	b, err := conn.PrepareBatch(ctx, "INSERT INTO catalog_entities (entity_id, brand, kind, name, competitor, aliases, version, loaded_at)")
	if err != nil {
		return nil, nil, fmt.Errorf("preparing catalogue insert: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var rivals []string
	for _, br := range sim.Brands() {
		id := ID(br.Name)
		if Competitors[br.Name] {
			rivals = append(rivals, id)
		} else {
			brands = append(brands, id)
		}
		if err := b.Append(id, id, "brand", br.Name, boolByte(Competitors[br.Name]), br.Aliases, uint64(1), now); err != nil {
			return nil, nil, err
		}
		for _, pr := range br.Products {
			pid := id + "/" + ID(pr.Name)
			products = append(products, pid)
			if err := b.Append(pid, id, "product", pr.Name, boolByte(Competitors[br.Name]), pr.Aliases, uint64(1), now); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := b.Send(); err != nil {
		return nil, nil, fmt.Errorf("inserting catalogue: %w", err)
	}
	return append(brands, rivals...), products, nil
}

// writePeople links every third distinct author to a CRM customer with a segment, and gives every author an
// influence row.
func writePeople(ctx context.Context, conn driver.Conn, posts []*post.Post) error {
	type key struct{ network, author string }
	seen := map[key]*post.Post{}
	var order []key
	for _, p := range posts {
		if p.Action == post.ActionDelete || p.Author.ID == "" {
			continue
		}
		k := key{string(p.Network), p.Author.ID}
		if _, ok := seen[k]; !ok {
			order = append(order, k)
		}
		seen[k] = p
	}
	now := time.Now().UTC().Truncate(time.Second)
	cust, err := conn.PrepareBatch(ctx, "INSERT INTO customers (customer_id, name, email_hmacs, phone_hmacs, city, region, country, handles, consent, segment, lifetime_value, deleted, version, updated_at)")
	if err != nil {
		return fmt.Errorf("preparing customers insert: %w", err)
	}
	links, err := conn.PrepareBatch(ctx, "INSERT INTO customer_links (network, author_id, customer_id, status, probability, evidence, decided_by, version, updated_at)")
	if err != nil {
		return fmt.Errorf("preparing customer links insert: %w", err)
	}
	infl, err := conn.PrepareBatch(ctx, "INSERT INTO author_influence (network, author_id, handle, score, audience, engagement, centrality, followers, computed_at, version)")
	if err != nil {
		return fmt.Errorf("preparing influence insert: %w", err)
	}
	for i, k := range order {
		p := seen[k]
		score := p.Influence
		if err := infl.Append(k.network, k.author, p.Author.Handle, score, score, float32(math.Min(100, float64(p.Engagement.Likes))),
			float32(i%50), p.Author.Followers, now, uint64(1)); err != nil {
			return err
		}
		if i%3 != 0 || p.Author.Brand {
			continue
		}
		id := fmt.Sprintf("c%05d", i)
		seg := Segments[(i/3)%len(Segments)]
		if err := cust.Append(id, p.Author.DisplayName, []string{}, []string{}, "", "", "", []string{k.network + ":" + p.Author.Handle},
			uint8(1), seg, float64(100+i%900), uint8(0), uint64(1), now); err != nil {
			return err
		}
		status := "auto"
		if i%2 == 0 {
			status = "confirmed"
		}
		if err := links.Append(k.network, k.author, id, status, float32(0.97), []string{"handle"}, "seed", uint64(1), now); err != nil {
			return err
		}
	}
	for name, b := range map[string]driver.Batch{"author influence": infl, "customers": cust, "customer links": links} {
		if err := b.Send(); err != nil {
			return fmt.Errorf("inserting %s: %w", name, err)
		}
	}
	return nil
}

// writeAlerts writes one alert per simulated incident (resolved when the incident ended before the end of
// the stream), as the spike detector would, plus one still firing at the end of the stream.
func writeAlerts(ctx context.Context, conn driver.Conn, incidents []sim.Incident, end time.Time) error {
	b, err := conn.PrepareBatch(ctx, `INSERT INTO alerts (alert_id, scope, brand, product, network, severity, state, started_at,
 fired_at, resolved_at, negative, total, negative_share, baseline_share, score, summary, top_post_uids, top_phrases,
 top_authors, top_networks, version)`)
	if err != nil {
		return fmt.Errorf("preparing alerts insert: %w", err)
	}
	type al struct {
		id, brand, product, severity, state string
		start, fired, resolved              time.Time
	}
	var list []al
	for _, in := range incidents {
		a := al{id: in.ID, brand: ID(in.Brand), severity: "critical", state: "resolved", start: in.Start,
			fired: in.Start.Add(20 * time.Minute), resolved: in.Start.Add(in.Duration)}
		if in.Product != "" {
			a.product = a.brand + "/" + ID(in.Product)
		}
		if a.resolved.After(end) {
			a.state, a.resolved = "firing", time.Unix(0, 0).UTC()
		}
		list = append(list, a)
	}
	list = append(list, al{id: "brewhaus-late-spike", brand: "brewhaus", severity: "warning", state: "firing",
		start: end.Add(-90 * time.Minute), fired: end.Add(-60 * time.Minute), resolved: time.Unix(0, 0).UTC()})
	for i, a := range list {
		scope := "brand"
		if a.product != "" {
			scope = "product"
		}
		if err := b.Append(a.id, scope, a.brand, a.product, "", a.severity, a.state, a.start.UTC(), a.fired.UTC(), a.resolved,
			uint32(120+i*10), uint32(300+i*10), float32(0.4+0.05*float64(i)), float32(0.18), float32(4+i),
			"negative share "+a.brand+" above baseline", []uint64{uint64(i + 1)}, []string{"outage", "declined", "refund"},
			[]string{"x:someone"}, []string{"x", "reddit"}, uint64(a.fired.Unix())); err != nil {
			return err
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("inserting alerts: %w", err)
	}
	return nil
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
