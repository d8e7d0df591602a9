package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// kpiCmd prints the KPIs of a brand over a time range, with the previous period of the same length and a
// sparkline per interval.
func kpiCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("kpi", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file (ClickHouse connection)")
	brand := fs.String("brand", "", "catalogue brand id; required")
	product := fs.String("product", "", "catalogue product id (brand/product); default the whole brand")
	network := fs.String("network", "", "one network; default all")
	lang := fs.String("lang", "", "one language; default all")
	segment := fs.String("segment", "", "one customer segment; default all")
	fromS := fs.String("from", "", "start of the range, RFC 3339 or YYYY-MM-DD (UTC); default 30 days before -to")
	toS := fs.String("to", "", "end of the range (exclusive), RFC 3339 or YYYY-MM-DD (UTC); default the end of today (UTC)")
	intervalS := fs.String("interval", "", "bucket of the trend: a whole number of hours or days, e.g. 1h, 6h, 1d, 7d; default 1d (1h for ranges up to two days)")
	format := fs.String("format", "table", "output: table, json or csv")
	names := fs.String("kpis", "", "comma-separated KPI names; default the leadership KPIs (-kpis all for every KPI)")
	business := fs.String("business-hours", "", "measure first-response times in business hours, e.g. 9-17 (Monday to Friday, UTC)")
	refresh := fs.Bool("refresh", false, "bring the rollups up to date from posts first (as `rapport run` does continuously)")
	rebuild := fs.Bool("rebuild", false, "recompute every hour of the rollups from posts first (after an erasure or a bulk relink)")
	risk := fs.Int("churn-risk", 5, "list this many churn-risk customers in the table output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *brand == "" {
		return errors.New("-brand is required")
	}
	q := kpi.Query{Brand: *brand, Product: *product, Network: *network, Lang: *lang, Segment: *segment}
	var err error
	if q.From, q.To, err = kpiRange(*fromS, *toS, time.Now()); err != nil {
		return err
	}
	if q.Interval, err = kpiInterval(*intervalS, q.To.Sub(q.From)); err != nil {
		return err
	}
	if *business != "" {
		if q.BusinessHours, err = parseBusinessHours(*business); err != nil {
			return err
		}
	}
	list := kpi.Leadership()
	switch *names {
	case "":
	case "all":
		list = nil
		for _, d := range kpi.Catalog() {
			list = append(list, d.Name)
		}
	default:
		list = strings.Split(*names, ",")
		for i := range list {
			list[i] = strings.TrimSpace(list[i])
			if _, ok := kpi.Lookup(list[i]); !ok {
				return fmt.Errorf("-kpis: unknown KPI %q", list[i])
			}
		}
	}
	if *format != "table" && *format != "json" && *format != "csv" {
		return fmt.Errorf("-format %q: want table, json or csv", *format)
	}

	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(ctx, connConfig(cfg), false)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	switch {
	case *rebuild:
		if _, err := kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil).Rebuild(ctx); err != nil {
			return err
		}
	case *refresh:
		if _, err := kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil).Refresh(ctx); err != nil {
			return err
		}
	}
	rep, err := buildKPIReport(ctx, kpi.NewEngine(conn), q, list, *risk)
	if err != nil {
		return err
	}
	return writeKPIReport(os.Stdout, *format, rep)
}

// kpiRange parses -from and -to.
func kpiRange(fromS, toS string, now time.Time) (from, to time.Time, err error) {
	parse := func(flagName, s string) (time.Time, error) {
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("-%s %q: want RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01)", flagName, s)
	}
	to = now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if toS != "" {
		if to, err = parse("to", toS); err != nil {
			return
		}
	}
	from = to.Add(-30 * 24 * time.Hour)
	if fromS != "" {
		if from, err = parse("from", fromS); err != nil {
			return
		}
	}
	if !from.Before(to) {
		err = fmt.Errorf("-from %s is not before -to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return
}

// kpiInterval parses -interval: Go durations in whole hours, or Nd for days.
func kpiInterval(s string, span time.Duration) (time.Duration, error) {
	if s == "" {
		if span <= 48*time.Hour {
			return time.Hour, nil
		}
		return 24 * time.Hour, nil
	}
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("-interval %q: want e.g. 1h, 6h, 1d or 7d", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d <= 0 {
			return 0, fmt.Errorf("-interval %q: want e.g. 1h, 6h, 1d or 7d", s)
		}
	}
	if d%time.Hour != 0 {
		return 0, fmt.Errorf("-interval %q: must be a whole number of hours", s)
	}
	return d, nil
}

// parseBusinessHours parses "9-17".
func parseBusinessHours(s string) (*kpi.BusinessHours, error) {
	a, b, ok := strings.Cut(s, "-")
	start, err1 := strconv.Atoi(strings.TrimSpace(a))
	end, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || start < 0 || end > 24 || start >= end {
		return nil, fmt.Errorf("-business-hours %q: want START-END in hours, e.g. 9-17", s)
	}
	return &kpi.BusinessHours{Start: start, End: end}, nil
}

// kpiReport is what `rapport kpi` prints.
type kpiReport struct {
	Brand     string         `json:"brand"`
	Product   string         `json:"product,omitempty"`
	Network   string         `json:"network,omitempty"`
	Lang      string         `json:"lang,omitempty"`
	Segment   string         `json:"segment,omitempty"`
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Interval  string         `json:"interval"`
	KPIs      []kpiLine      `json:"kpis"`
	ChurnRisk []kpi.Customer `json:"churn_risk,omitempty"`
	prevFrom  time.Time      // start of the previous period
}

type kpiLine struct {
	Name       string             `json:"name"`
	Title      string             `json:"title"`
	Unit       kpi.Unit           `json:"unit"`
	Version    int                `json:"version"`
	Value      *float64           `json:"value"`    // null when there is no data
	Previous   *float64           `json:"previous"` // the same KPI over the previous period of the same length
	N          int64              `json:"n"`
	Components map[string]float64 `json:"components,omitempty"`
	Series     []kpiPoint         `json:"series"`
	better     bool
}

type kpiPoint struct {
	Time  time.Time `json:"time"`
	Value *float64  `json:"value"`
	N     int64     `json:"n"`
}

func valuePtr(p kpi.Point) *float64 {
	if !p.Valid {
		return nil
	}
	v := p.Value
	return &v
}

func buildKPIReport(ctx context.Context, eng *kpi.Engine, q kpi.Query, names []string, risk int) (*kpiReport, error) {
	cur, err := eng.Values(ctx, q, names)
	if err != nil {
		return nil, err
	}
	prevQ := q
	prevQ.From, prevQ.To = q.From.Add(-q.To.Sub(q.From)), q.From
	prev, err := eng.Values(ctx, prevQ, names)
	if err != nil {
		return nil, err
	}
	series, err := eng.SeriesMany(ctx, q, names)
	if err != nil {
		return nil, err
	}
	rep := &kpiReport{Brand: q.Brand, Product: q.Product, Network: q.Network, Lang: q.Lang, Segment: q.Segment,
		From: q.From, To: q.To, Interval: q.Interval.String(), prevFrom: prevQ.From}
	for _, name := range names {
		d, _ := kpi.Lookup(name)
		line := kpiLine{Name: name, Title: d.Title, Unit: d.Unit, Version: d.Version, Value: valuePtr(cur[name]),
			Previous: valuePtr(prev[name]), N: cur[name].N, Components: cur[name].Components, better: d.HigherIsBetter}
		for _, p := range series[name] {
			line.Series = append(line.Series, kpiPoint{Time: p.Time, Value: valuePtr(p), N: p.N})
		}
		rep.KPIs = append(rep.KPIs, line)
	}
	if risk > 0 {
		if rep.ChurnRisk, err = eng.ChurnRisk(ctx, q, risk); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func writeKPIReport(w io.Writer, format string, rep *kpiReport) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"kpi", "unit", "version", "period", "start", "value", "n"})
		num := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		for _, l := range rep.KPIs {
			_ = cw.Write([]string{l.Name, string(l.Unit), strconv.Itoa(l.Version), "current", rep.From.Format(time.RFC3339), num(l.Value), strconv.FormatInt(l.N, 10)})
			_ = cw.Write([]string{l.Name, string(l.Unit), strconv.Itoa(l.Version), "previous", rep.prevFrom.Format(time.RFC3339), num(l.Previous), ""})
			for _, p := range l.Series {
				_ = cw.Write([]string{l.Name, string(l.Unit), strconv.Itoa(l.Version), "bucket", p.Time.Format(time.RFC3339), num(p.Value), strconv.FormatInt(p.N, 10)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	scope := rep.Brand
	for _, s := range []string{rep.Product, rep.Network, rep.Lang, rep.Segment} {
		if s != "" {
			scope += " · " + s
		}
	}
	fmt.Fprintf(w, "KPIs for %s, %s → %s (previous period from %s), trend per %s\n\n", scope,
		rep.From.Format("2006-01-02 15:04"), rep.To.Format("2006-01-02 15:04"), rep.prevFrom.Format("2006-01-02 15:04"), shortDuration(rep.Interval))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "KPI\tvalue\tprevious\tchange\t\ttrend\tsample\t")
	for _, l := range rep.KPIs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Title, formatKPI(l.Value, l.Unit), formatKPI(l.Previous, l.Unit),
			change(l.Value, l.Previous, l.Unit), arrow(l.Value, l.Previous, l.better), sparkline(l.Series), thousands(l.N))
	}
	_ = tw.Flush()
	for _, l := range rep.KPIs {
		if len(l.Components) == 0 || l.Value == nil {
			continue
		}
		d, _ := kpi.Lookup(l.Name)
		var parts []string
		for _, c := range d.Components {
			if v, ok := l.Components[c]; ok {
				num := fmt.Sprintf("%.1f", v)
				if v == math.Trunc(v) && math.Abs(v) < 1e15 {
					num = thousands(int64(v))
				}
				parts = append(parts, strings.ReplaceAll(c, "_", " ")+" "+num)
			} else {
				parts = append(parts, c+" –")
			}
		}
		fmt.Fprintf(w, "  %s = %s\n", l.Title, strings.Join(parts, ", "))
	}
	if len(rep.ChurnRisk) > 0 {
		fmt.Fprintln(w, "\nCustomers at risk of churning (churn signal, or an unresolved complaint and mostly negative):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  customer\tsegment\tloyalty\tchurn signals\tunresolved complaints\tpositive/negative\tlast post")
		for _, c := range rep.ChurnRisk {
			fmt.Fprintf(tw, "  %s\t%s\t%.0f\t%d\t%d\t%d/%d\t%s\n", c.ID, c.Segment, c.Score, c.ChurnSignals, c.UnresolvedComplaints,
				c.Positive, c.Negative, c.LastPostAt.UTC().Format("2006-01-02 15:04"))
		}
		_ = tw.Flush()
	}
	fmt.Fprintln(w, "\nFormulas and versions: docs/KPIS.md. Duplicates, reposts and spam count as mentions, never as opinions.")
	return nil
}

func shortDuration(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return fmt.Sprintf("%dh", d/time.Hour)
}

func formatKPI(v *float64, u kpi.Unit) string {
	if v == nil {
		return "–"
	}
	switch u {
	case kpi.UnitCount:
		return thousands(int64(math.Round(*v)))
	case kpi.UnitPercent:
		// Small shares (an engagement rate of 0.02 %) keep two significant digits instead of showing 0.0%.
		if a := math.Abs(*v); a > 0 && a < 0.1 {
			return fmt.Sprintf("%.*f%%", 1-int(math.Floor(math.Log10(a))), *v)
		}
		return fmt.Sprintf("%.1f%%", *v)
	case kpi.UnitScore:
		return fmt.Sprintf("%+.1f", *v)
	case kpi.UnitSeconds:
		return (time.Duration(*v) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("%.1f", *v)
}

func change(cur, prev *float64, u kpi.Unit) string {
	if cur == nil || prev == nil {
		return ""
	}
	d := *cur - *prev
	switch u {
	case kpi.UnitSeconds:
		sign := "+"
		if d < 0 {
			sign, d = "-", -d
		}
		return sign + (time.Duration(d) * time.Second).Round(time.Second).String()
	case kpi.UnitCount:
		if *prev == 0 {
			return ""
		}
		return fmt.Sprintf("%+.0f%%", 100*d / *prev)
	case kpi.UnitPercent:
		return fmt.Sprintf("%+.1f pt", d)
	}
	return fmt.Sprintf("%+.1f", d)
}

// arrow shows the direction of the change, and whether it is good: ▲/▼ when better, △/▽ when worse.
func arrow(cur, prev *float64, higherIsBetter bool) string {
	if cur == nil || prev == nil {
		return ""
	}
	const eps = 1e-9
	switch {
	case *cur > *prev+eps:
		if higherIsBetter {
			return "▲"
		}
		return "△"
	case *cur < *prev-eps:
		if higherIsBetter {
			return "▽"
		}
		return "▼"
	}
	return "="
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the series scaled between its minimum and maximum; a bucket without data is a space.
// Long series are cut to their last 40 buckets.
func sparkline(s []kpiPoint) string {
	if len(s) > 40 {
		s = s[len(s)-40:]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range s {
		if p.Value != nil {
			lo, hi = math.Min(lo, *p.Value), math.Max(hi, *p.Value)
		}
	}
	var sb strings.Builder
	for _, p := range s {
		switch {
		case p.Value == nil:
			sb.WriteRune(' ')
		case hi == lo:
			sb.WriteRune(sparks[len(sparks)/2])
		default:
			sb.WriteRune(sparks[int(math.Round((*p.Value-lo)/(hi-lo)*float64(len(sparks)-1)))])
		}
	}
	return sb.String()
}
