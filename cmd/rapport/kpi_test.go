package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/kpi"
)

func TestKPIFlags(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 4, 0, 0, time.UTC)
	from, to, err := kpiRange("", "", now)
	if err != nil || !to.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) || to.Sub(from) != 30*24*time.Hour {
		t.Errorf("default range = %s → %s, %v; want the 30 days up to the end of today", from, to, err)
	}
	from, to, err = kpiRange("2026-11-01", "2026-11-02T12:00:00Z", now)
	if err != nil || !from.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("range = %s → %s, %v", from, to, err)
	}
	for _, c := range [][2]string{{"2026-11-02", "2026-11-01"}, {"yesterday", ""}, {"", "11/02/2026"}} {
		if _, _, err := kpiRange(c[0], c[1], now); err == nil {
			t.Errorf("kpiRange(%q, %q) accepted a bad range", c[0], c[1])
		}
	}
	for s, want := range map[string]time.Duration{"": 24 * time.Hour, "1h": time.Hour, "6h": 6 * time.Hour, "7d": 7 * 24 * time.Hour} {
		if got, err := kpiInterval(s, 30*24*time.Hour); err != nil || got != want {
			t.Errorf("kpiInterval(%q) = %s, %v; want %s", s, got, err, want)
		}
	}
	if got, _ := kpiInterval("", 24*time.Hour); got != time.Hour {
		t.Errorf("default interval for a day = %s; want 1h", got)
	}
	for _, s := range []string{"90m", "0d", "x", "-1h"} {
		if _, err := kpiInterval(s, time.Hour); err == nil {
			t.Errorf("kpiInterval(%q) accepted a bad interval", s)
		}
	}
	if bh, err := parseBusinessHours("9-17"); err != nil || bh.Start != 9 || bh.End != 17 {
		t.Errorf("parseBusinessHours(9-17) = %+v, %v", bh, err)
	}
	for _, s := range []string{"17-9", "9", "a-b", "0-25"} {
		if _, err := parseBusinessHours(s); err == nil {
			t.Errorf("parseBusinessHours(%q) accepted a bad schedule", s)
		}
	}
	if err := kpiCmd(context.Background(), []string{"-from", "2026-11-01"}); err == nil || !strings.Contains(err.Error(), "-brand") {
		t.Errorf("kpi without -brand: %v; want an error naming -brand", err)
	}
	if err := kpiCmd(context.Background(), []string{"-brand", "a", "-kpis", "nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("kpi with an unknown KPI: %v; want an error naming it", err)
	}
}

func f(v float64) *float64 { return &v }

func sampleReport() *kpiReport {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rep := &kpiReport{Brand: "acme", From: from, To: from.Add(3 * 24 * time.Hour), Interval: "24h0m0s", prevFrom: from.Add(-3 * 24 * time.Hour)}
	for _, l := range []kpiLine{
		{Name: kpi.TrustIndex, Title: "Trust index", Unit: kpi.UnitIndex, Version: 1, Value: f(60), Previous: f(55), N: 4, better: true,
			Components: map[string]float64{"sentiment": 50, "advocacy": 37.5}},
		{Name: kpi.FirstResponseMedian, Title: "First-response time (median)", Unit: kpi.UnitSeconds, Version: 1, Value: f(1800), Previous: f(3600), N: 1},
		{Name: kpi.NPSProxy, Title: "Social NPS proxy", Unit: kpi.UnitScore, Version: 1, Value: nil, Previous: f(-10)},
	} {
		for i := 0; i < 3; i++ {
			var v *float64
			if l.Value != nil && i != 1 {
				v = f(*l.Value + float64(i))
			}
			l.Series = append(l.Series, kpiPoint{Time: from.Add(time.Duration(i) * 24 * time.Hour), Value: v})
		}
		rep.KPIs = append(rep.KPIs, l)
	}
	return rep
}

func TestKPIReportFormats(t *testing.T) {
	var buf bytes.Buffer
	if err := writeKPIReport(&buf, "table", sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"KPIs for acme, 2026-11-01 00:00 → 2026-11-04 00:00", "Trust index", "60.0", "55.0", "+5.0", "▲",
		"30m0s", "-30m0s", "▼", "Trust index = sentiment 50, advocacy 37.5, responsiveness –", "▁ █"} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q:\n%s", want, out)
		}
	}

	buf.Reset()
	if err := writeKPIReport(&buf, "json", sampleReport()); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Brand string
		KPIs  []struct {
			Name     string
			Value    *float64
			Previous *float64
			Series   []struct{ Value *float64 }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("json output does not parse: %v\n%s", err, buf.String())
	}
	if back.Brand != "acme" || len(back.KPIs) != 3 || *back.KPIs[0].Value != 60 || back.KPIs[2].Value != nil || len(back.KPIs[0].Series) != 3 || back.KPIs[0].Series[1].Value != nil {
		t.Errorf("json output = %+v", back)
	}

	buf.Reset()
	if err := writeKPIReport(&buf, "csv", sampleReport()); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// header + per KPI: current, previous and three buckets
	if len(recs) != 1+3*5 || recs[1][0] != kpi.TrustIndex || recs[1][3] != "current" || recs[1][5] != "60" || recs[2][3] != "previous" || recs[2][5] != "55" {
		t.Errorf("csv output = %v", recs)
	}
}

func TestSparklineAndArrows(t *testing.T) {
	pts := []kpiPoint{{Value: f(0)}, {Value: f(5)}, {}, {Value: f(10)}}
	if got := sparkline(pts); got != "▁▅ █" {
		t.Errorf("sparkline = %q; want %q", got, "▁▅ █")
	}
	if got := sparkline([]kpiPoint{{Value: f(3)}, {Value: f(3)}}); got != "▅▅" {
		t.Errorf("flat sparkline = %q", got)
	}
	for _, c := range []struct {
		cur, prev float64
		higher    bool
		want      string
	}{{2, 1, true, "▲"}, {1, 2, true, "▽"}, {2, 1, false, "△"}, {1, 2, false, "▼"}, {1, 1, true, "="}} {
		if got := arrow(f(c.cur), f(c.prev), c.higher); got != c.want {
			t.Errorf("arrow(%v, %v, %v) = %q; want %q", c.cur, c.prev, c.higher, got, c.want)
		}
	}
	if arrow(nil, f(1), true) != "" {
		t.Error("arrow without a current value is not empty")
	}
}

func TestFormatKPIPercentKeepsSmallShares(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{30.14, "30.1%"}, {0.1, "0.1%"}, {0.0209, "0.021%"}, {0.00005, "0.000050%"}, {0, "0.0%"}, {-0.05, "-0.050%"},
	} {
		v := tc.v
		if got := formatKPI(&v, kpi.UnitPercent); got != tc.want {
			t.Errorf("formatKPI(%v, percent) = %q; want %q", tc.v, got, tc.want)
		}
	}
}
