package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/sentiment"
	"github.com/rapport-dev/rapport/sim"
)

// alertsSimIncidents are the incidents of the simulator evaluation, all on the last of the days simulated
// (at least 3), after the warm-up days and one calm day: the simulator's two default incidents (bursts that
// ramp up over a tenth of their window) and two sudden outages of other brands (30 s ramp).
func alertsSimIncidents(start time.Time, days int) []sim.Incident {
	last := start.Add(time.Duration(days-1) * 24 * time.Hour)
	return []sim.Incident{
		{ID: "acme-home-hub-outage", Brand: "Acme", Product: "Acme Home Hub", Start: last.Add(6 * time.Hour),
			Duration: 4 * time.Hour, Factor: 5},
		{ID: "fluxbank-card-declines", Brand: "Fluxbank", Product: "Flux Metal card", Start: last.Add(11 * time.Hour),
			Duration: 6 * time.Hour, Factor: 5},
		{ID: "zentro-watch-sync-outage", Brand: "Zentro", Product: "Zentro Watch S", Start: last.Add(18 * time.Hour),
			Duration: 2 * time.Hour, Factor: 5, Ramp: 30 * time.Second},
		{ID: "brewhaus-app-outage", Brand: "Brewhaus", Start: last.Add(21 * time.Hour),
			Duration: 2 * time.Hour, Factor: 5, Ramp: 30 * time.Second},
	}
}

// simPost turns a simulator record into the post the pipeline's stages would hand the alerting stage.
// The stages that are not part of this evaluation are stood in for by the record's ground truth:
// entity linking (brand and product), sentiment (the intended label, every language), the duplicate
// stage (reposts, copy-paste spam campaigns) and brand accounts. Author, text and URL come from the
// real normalizer. ok is false for records the pipeline never hands to a stage twice or at all
// (malformed payloads, redeliveries, edits, deletes).
func simPost(rec *sim.Record, norms map[post.Network]ingest.Normalizer, an *sentiment.Analyzer) (*post.Post, bool) {
	if rec.Malformed || rec.Duplicate || rec.Edit || rec.Action == post.ActionDelete {
		return nil, false
	}
	t := &rec.Truth
	p := &post.Post{Network: rec.Network, ID: rec.PostID, CreatedAt: rec.EventTime}
	if t.Brand != "" && t.Sentiment < 0 {
		// explanations need author, text and URL; only negative posts are explained
		if n := norms[rec.Network]; n != nil {
			_ = n.Normalize(rec.Value, p)
		}
		p.CreatedAt = rec.EventTime
	}
	if t.Kind == "repost" {
		p.Dup.Level = post.DupRepost
	}
	p.Dup.Spam = t.Campaign != ""
	p.Author.Brand = t.BrandAccount
	if t.Brand == "" {
		return p, true
	}
	brand := strings.ToLower(t.Brand)
	p.Entities = append(p.Entities, post.Entity{ID: brand, Brand: brand, Kind: post.EntityBrand, Start: -1, End: -1})
	if t.Product != "" {
		p.Entities = append(p.Entities, post.Entity{ID: simProductID(t.Brand, t.Product),
			Brand: brand, Kind: post.EntityProduct, Start: -1, End: -1})
	}
	p.Sentiment = &post.Sentiment{Label: int8(t.Sentiment), Score: float64(t.Sentiment) / 2}
	if t.Sentiment < 0 && an != nil && an.Supports(t.Lang) {
		// the words that drive the explanation come from the real analyzer
		r := an.Analyze(p.Text)
		ds := slices.Clone(r.Drivers)
		sort.SliceStable(ds, func(i, j int) bool { return ds[i].Weight < ds[j].Weight })
		for _, d := range ds {
			if d.Weight < 0 {
				p.Sentiment.Drivers = append(p.Sentiment.Drivers, strings.ToLower(d.Token))
			}
		}
	}
	return p, true
}

// simProductID is the catalogue id the evaluation gives a simulator product.
func simProductID(brand, product string) string {
	return strings.ToLower(brand) + "/" + strings.ToLower(strings.ReplaceAll(product, " ", "-"))
}

// boundZ are the numbers of standard deviations of the calm count by which incidentBound's test must be
// expected to exceed it: 3, an optimistic single test, and 5, about where a detector that watches every
// brand and product around the clock for weeks has to put its thresholds.
var boundZ = [2]float64{3, 5}

// incidentBound is the time after the incident's start at which a test that knows when the incident
// starts, which product it hits and how many posts it brings is expected to exceed the scope's calm count
// since the start by z standard deviations: the expected incident posts by t, E(t) (incident posts
// spread over the incident by its Intensity), reach z·σ(t), where σ(t)² is how much the scope's count over
// t seconds varies on the calm day: λt (Poisson, λ the calm rate) times the calm counts' variance-to-mean
// ratio over windows of t seconds when that is above 1 (replies and reposts of one post arrive together,
// so social counts vary more than Poisson). No detector that has to find the start and the product is
// expected to beat it; it shows how much of a delay lies in the data rather than in the detector. calm
// holds the scope's negative posts per second over the incident's length, the day before; incident
// counts the incident's posts in the scope. The bound is 0 without them.
func incidentBound(in sim.Incident, calm []float64, incident int, z float64) time.Duration {
	secs := len(calm)
	if secs == 0 || incident == 0 {
		return 0
	}
	pre := make([]float64, secs+1) // prefix sums of calm
	cum := make([]float64, secs+1) // integral of the incident's intensity
	for s := 1; s <= secs; s++ {
		pre[s] = pre[s-1] + calm[s-1]
		cum[s] = cum[s-1] + in.Intensity(in.Start.Add(time.Duration(s)*time.Second-time.Second/2))
	}
	if pre[secs] == 0 {
		return 0
	}
	lambda := pre[secs] / float64(secs)
	// dispersion over windows of w seconds; at least 8 windows, so longer t reuse the longest such w
	dispersion := func(w int) float64 {
		w = min(w, secs/8)
		if w < 1 {
			return 1
		}
		n := secs / w
		var sum, sq float64
		for i := range n {
			x := pre[(i+1)*w] - pre[i*w]
			sum += x
			sq += x * x
		}
		mean := sum / float64(n)
		if mean <= 0 {
			return 1
		}
		return math.Max(1, (sq/float64(n)-mean*mean)/mean)
	}
	for s := 1; s <= secs; s++ {
		expected := float64(incident) * cum[s] / cum[secs]
		if expected >= z*math.Sqrt(lambda*float64(s)*dispersion(s)) {
			return time.Duration(s) * time.Second
		}
	}
	return in.Duration
}

type simIncidentResult struct {
	inc       sim.Incident
	firstPost time.Time
	// bound is the earliest delay from the first post at which a test that knows the incident's start,
	// product and expected size is expected to see it, at each of boundZ: see incidentBound.
	bound      [2]time.Duration
	alerts     int
	detectedAt time.Time
	tier       string // of the first alert
}

type simFalseAlert struct {
	scope string
	at    time.Time
	score float64
}

// simOutcome is what one monitor configuration did over a simulated stream.
type simOutcome struct {
	incidents []simIncidentResult
	falses    []simFalseAlert
}

// alertsSimRun generates days of the simulator's stream with the evaluation's incidents and runs one
// monitor per configuration over it; it returns the records generated and each monitor's outcome.
func alertsSimRun(ctx context.Context, seed int64, rate float64, days int, cfgs []alerting.MonitorConfig) (int, []simOutcome, error) {
	mons := make([]*alerting.Monitor, len(cfgs))
	for i, c := range cfgs {
		m, err := alerting.NewMonitor(c)
		if err != nil {
			return 0, nil, err
		}
		mons[i] = m
	}
	start := sim.DefaultStart
	end := start.Add(time.Duration(days) * 24 * time.Hour)
	gen := sim.New(sim.Config{Seed: seed, EventRate: rate, Incidents: alertsSimIncidents(start, days)})
	incs := gen.Incidents()
	firstPost := make([]time.Time, len(incs))
	byID := map[string]int{}
	for i, in := range incs {
		byID[in.ID] = i
	}
	// The incident's own scope (its product, or the brand when it names none): negative posts of the
	// scope in the same hours of the calm day (the day before), and the incident's posts in the scope.
	type scopeCount struct {
		brand, product, id string
		calmFrom           time.Time // the incident's start, the day before
		calm               []float64 // per second of the incident's length from calmFrom
		incident           int
	}
	scopes := make([]scopeCount, len(incs))
	for i, in := range incs {
		scopes[i] = scopeCount{brand: strings.ToLower(in.Brand), id: in.ID, calmFrom: in.Start.Add(-24 * time.Hour),
			calm: make([]float64, int(in.Duration.Seconds()))}
		if in.Product != "" {
			scopes[i].product = simProductID(in.Brand, in.Product)
		}
	}
	norms := ingest.Normalizers()
	an, err := sentiment.New()
	if err != nil {
		return 0, nil, fmt.Errorf("loading the sentiment model: %w", err)
	}
	type firing struct {
		n  alerting.Notice
		at time.Time
	}
	fired := make([][]firing, len(mons))
	var obs []alerting.Observation
	records := 0
	for {
		rec := gen.Next()
		if !rec.EventTime.Before(end) {
			break
		}
		records++
		if records%100000 == 0 && ctx.Err() != nil {
			return records, nil, ctx.Err()
		}
		if id := rec.Truth.Incident; id != "" && !rec.Duplicate && !rec.Malformed {
			if k, ok := byID[id]; ok && (firstPost[k].IsZero() || rec.EventTime.Before(firstPost[k])) {
				firstPost[k] = rec.EventTime
			}
		}
		p, ok := simPost(&rec, norms, an)
		if !ok || p.Dup.Level > 0 || p.Dup.Spam || p.Author.Brand {
			continue
		}
		obs = alerting.Observations(obs[:0], p, false)
		for _, o := range obs {
			for k := range scopes {
				sc := &scopes[k]
				if !o.Negative || o.Brand != sc.brand || (sc.product != "" && o.Product != sc.product) {
					continue
				}
				if d := o.Time.Sub(sc.calmFrom); d >= 0 && int(d/time.Second) < len(sc.calm) {
					sc.calm[d/time.Second]++
				}
				if rec.Truth.Incident == sc.id {
					sc.incident++
				}
			}
			for i, m := range mons {
				notices, _ := m.Observe(o)
				for _, n := range notices {
					if n.Event == "fired" {
						// o.Time is the event time at which the alert was known
						fired[i] = append(fired[i], firing{n, o.Time})
					}
				}
			}
		}
	}
	// The bounds depend on the stream only, not on the monitor.
	bounds := make([][2]time.Duration, len(incs))
	for k, in := range incs {
		for j, z := range boundZ {
			bounds[k][j] = incidentBound(in, scopes[k].calm, scopes[k].incident, z) - firstPost[k].Sub(in.Start)
		}
	}
	out := make([]simOutcome, len(mons))
	for i := range mons {
		res := make([]simIncidentResult, len(incs))
		for k := range incs {
			res[k] = simIncidentResult{inc: incs[k], firstPost: firstPost[k], bound: bounds[k]}
		}
		for _, f := range fired[i] {
			matched := false
			for k := range res {
				in := res[k].inc
				if strings.EqualFold(in.Brand, f.n.Brand) && !f.at.Before(in.Start) && f.at.Before(in.Start.Add(in.Duration+time.Hour)) {
					res[k].alerts++
					if res[k].detectedAt.IsZero() {
						res[k].detectedAt, res[k].tier = f.at, f.n.Tier
					}
					matched = true
					break
				}
			}
			if !matched {
				out[i].falses = append(out[i].falses, simFalseAlert{f.n.ScopeKey, f.at, f.n.Score})
			}
		}
		out[i].incidents = res
	}
	return records, out, nil
}

func alertsEvalSim(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("alerts eval -sim", flag.ContinueOnError)
	seed := fs.Int64("seed", 2, "simulator seed (1 was used while designing the streaming defaults; report another)")
	seeds := fs.String("seeds", "", "comma-separated simulator seeds to run one after the other, with a summary (overrides -seed)")
	rate := fs.Float64("rate", 10, "simulator posts per second of event time")
	days := fs.Int("days", 3, "days simulated: warm-up days, one calm day, the incidents' day")
	mode := fs.String("mode", "count", "count, share or reach")
	mc := alerting.DefaultMonitorConfig()
	fs.Float64Var(&mc.Detector.CusumShift, "cusum-shift", mc.Detector.CusumShift, "sequential tier: relative rise the CUSUM is tuned to (0: off)")
	fs.DurationVar(&mc.Detector.CusumRunLength, "cusum-run-length", mc.Detector.CusumRunLength, "sequential tier: target time between false alarms per series")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate <= 0 {
		return fmt.Errorf("-rate must be positive")
	}
	list := []int64{*seed}
	if *seeds != "" {
		list = nil
		for _, f := range strings.Split(*seeds, ",") {
			s, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			if err != nil {
				return fmt.Errorf("-seeds: %q is not a seed", f)
			}
			list = append(list, s)
		}
	}
	// The defaults (a series per brand and per product), and the same with the brand's series only, on one stream.
	mc.Mode = alerting.Mode(*mode)
	if err := mc.Validate(); err != nil {
		return err
	}
	bo := mc
	bo.ByProduct = false
	cfgs := []alerting.MonitorConfig{mc, bo}
	if *days < 3 {
		return fmt.Errorf("-days must be at least 3 (warm-up, calm day, incidents), got %d", *days)
	}
	var summary []string
	for _, seed := range list {
		records, outs, err := alertsSimRun(ctx, seed, *rate, *days, cfgs)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "simulator seed %d, %.0f posts/s, %d days (%d records); days 1-%d warm-up, day %d calm, incidents on day %d.\n",
			seed, *rate, *days, records, *days-2, *days-1, *days)
		for i, c := range cfgs {
			fmt.Fprintf(out, "\ndetector: mode %s, bucket %v, %d of %d buckets, warn z %.1f (scoring %s), sums up to %d buckets, sequential tier +%.0f%% (run length %v), lateness %v, by product %v (narrowed family %d).\n",
				c.Mode, c.Detector.Bucket, c.Detector.Persist, c.Detector.Window, c.Detector.WarnZ, c.Detector.Scoring, c.Detector.MaxScale,
				100*c.Detector.CusumShift, c.Detector.CusumRunLength, c.Lateness, c.ByProduct, c.NarrowFamily)
			if err := alertsSimReport(out, outs[i], *days); err != nil {
				return err
			}
			summary = append(summary, fmt.Sprintf("seed %d\tby product %v\t%s", seed, c.ByProduct, alertsSimSummary(outs[i])))
		}
		fmt.Fprintln(out)
	}
	if len(list) > 1 {
		fmt.Fprintf(out, "summary (delays of the four incidents in order, median, most alerts per incident, alerts outside incidents):\n")
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, l := range summary {
			fmt.Fprintln(tw, l)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nDelay: from the incident's first post to the event time at which the alert was known (the post that made the open bucket fire, or the bucket's closing).\n")
	fmt.Fprintf(out, "Bound: from the first post to when a test that knows the incident's start, product and size expects its posts since the start\n"+
		"to exceed the product's calm-day count by 3 or 5 standard deviations (as that count varied on the calm day, at least Poisson);\n"+
		"the part of a delay that lies in the data, not in the detector.\n")
	fmt.Fprintf(out, "Stand-ins from the simulator's truth: entity linking, sentiment (every language), reposts and spam campaigns, brand accounts.\n")
	return nil
}

func alertsSimReport(out io.Writer, o simOutcome, days int) error {
	res, falses := o.incidents, o.falses
	start := sim.DefaultStart
	calmFrom := start.Add(time.Duration(days-2) * 24 * time.Hour)
	calmTo := calmFrom.Add(24 * time.Hour)
	calm := 0
	for _, f := range falses {
		if !f.at.Before(calmFrom) && f.at.Before(calmTo) {
			calm++
		}
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "incident\tbrand\tramp\tstart\tdetected\tdelay from first incident post\tbound 3σ\tbound 5σ\ttier\talerts\n")
	var delays, sudden, ramped, bounds3, bounds5 []time.Duration
	detected := 0
	for _, r := range res {
		ramp := r.inc.Ramp
		bounds3, bounds5 = append(bounds3, r.bound[0]), append(bounds5, r.bound[1])
		det, delay, tier := "no", "-", "-"
		if !r.detectedAt.IsZero() {
			detected++
			d := r.detectedAt.Sub(r.firstPost)
			delays = append(delays, d)
			if ramp <= time.Minute {
				sudden = append(sudden, d)
			} else {
				ramped = append(ramped, d)
			}
			det, delay, tier = r.detectedAt.Format("2006-01-02 15:04:05"), d.Round(time.Second).String(), r.tier
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r.inc.ID, r.inc.Brand, ramp, r.inc.Start.Format("2006-01-02 15:04"), det, delay,
			r.bound[0].Round(time.Second), r.bound[1].Round(time.Second), tier, r.alerts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	maxPer := 0
	for _, r := range res {
		maxPer = max(maxPer, r.alerts)
	}
	fmt.Fprintf(out, "incidents detected: %d of %d; median delay %s of event time (sudden: %s, ramping: %s); at most %d alert(s) per incident;\n",
		detected, len(res), medianDelay(delays), medianDelay(sudden), medianDelay(ramped), maxPer)
	fmt.Fprintf(out, "alerts outside incidents: %d (on the calm day: %d); median bound %s (3σ), %s (5σ).\n", len(falses), calm, medianDelay(bounds3), medianDelay(bounds5))
	for _, f := range falses {
		fmt.Fprintf(out, "  false alert: %s at %s (z %.1f)\n", f.scope, f.at.Format(time.RFC3339), f.score)
	}
	return nil
}

// alertsSimSummary is one line of the multi-seed summary: each incident's delay, the median, the most
// alerts of one incident and the alerts outside incidents.
func alertsSimSummary(o simOutcome) string {
	var b strings.Builder
	var ds []time.Duration
	maxPer := 0
	for _, r := range o.incidents {
		maxPer = max(maxPer, r.alerts)
		if r.detectedAt.IsZero() {
			b.WriteString("missed\t")
			continue
		}
		d := r.detectedAt.Sub(r.firstPost)
		ds = append(ds, d)
		fmt.Fprintf(&b, "%s (%s)\t", d.Round(time.Second), r.tier)
	}
	fmt.Fprintf(&b, "median %s\t%d per incident\t%d outside", medianDelay(ds), maxPer, len(o.falses))
	return b.String()
}

func medianDelay(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	m := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		m = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	return m.Round(time.Second).String()
}
