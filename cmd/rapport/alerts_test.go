package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/sim"
)

func alertsWriteFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// alertsSeasonalCSV writes a "timestamp,value" series of n five-minute rows with a daily cycle and a
// tripled stretch at rows [spike, spike+12), and returns its timestamps.
func alertsSeasonalCSV(n, spike int) (string, []string) {
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2015, 3, 2, 0, 0, 0, 0, time.UTC)
	var ts []string
	for i := range n {
		v := 40 + 30*math.Sin(2*math.Pi*float64(i%288)/288) + float64((i*7919)%11) - 5
		if i >= spike && i < spike+12 {
			v *= 3
		}
		s := t0.Add(time.Duration(i) * 5 * time.Minute).Format("2006-01-02 15:04:05")
		ts = append(ts, s)
		fmt.Fprintf(&b, "%s,%.0f\n", s, v)
	}
	return b.String(), ts
}

func TestAlertsBacktestOneLinePerRow(t *testing.T) {
	data, _ := alertsSeasonalCSV(5*288, 4*288+100)
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	lines[10] = "2015-03-02 00:45:00,lots"        // bad value
	lines[20] = "yesterday,12"                    // bad timestamp
	lines[30] = "2015-03-02 02:25:00,1,2,3"       // too many fields
	lines[40] = `2015-03-02 03:15:00,"unclosed,4` // broken CSV quoting
	path := filepath.Join(t.TempDir(), "series.csv")
	alertsWriteFile(t, path, strings.Join(lines, "\n")+"\n")

	var out bytes.Buffer
	if err := alertsMain(context.Background(), []string{"backtest", "-csv", path, "-bucket", "5m"}, &out); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != len(lines)-1 {
		t.Fatalf("got %d output lines for %d rows; want one per row", len(got), len(lines)-1)
	}
	var fired, errs int
	for i, l := range got {
		var rec alertsLine
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
		if rec.Row != i+1 {
			t.Errorf("line %d says row %d; want %d", i+1, rec.Row, i+1)
		}
		if rec.Error != "" {
			errs++
			if bad := map[int]bool{10: true, 20: true, 30: true, 40: true}; !bad[i+1] {
				t.Errorf("row %d: unexpected error %q", i+1, rec.Error)
			}
			continue
		}
		if rec.Timestamp == "" || rec.Value == nil || rec.Baseline == nil || rec.Score == nil || rec.State == "" {
			t.Errorf("row %d: missing fields in %s", i+1, l)
		}
		if rec.Event == "fired" {
			fired++
			if rec.Severity == "" || rec.State != "firing" {
				t.Errorf("row %d: fired without severity or firing state: %s", i+1, l)
			}
		}
	}
	if errs != 4 {
		t.Errorf("got %d error lines; want 4", errs)
	}
	if fired != 1 {
		t.Errorf("got %d alerts; want exactly one for the one spike", fired)
	}
}

func TestAlertsBacktestShareMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "share.csv")
	alertsWriteFile(t, path, "timestamp,value,total\n2015-03-02 00:00:00,3,40\n2015-03-02 00:05:00,4,2\n")
	var out bytes.Buffer
	if err := alertsMain(context.Background(), []string{"backtest", "-csv", path}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"total":40`) || !strings.Contains(out.String(), `"share":0.075`) {
		t.Errorf("got %s; want totals and the share of the first row", out.String())
	}
	if strings.Count(out.String(), "\n") != 2 {
		t.Errorf("got %q; want two lines", out.String())
	}
}

func TestAlertsFlagErrors(t *testing.T) {
	f := func(args []string, want string) {
		t.Helper()
		err := alertsMain(context.Background(), args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("alerts %v: got %v; want an error containing %q", args, err, want)
		}
	}
	if err := alertsCmd(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "missing subcommand") {
		t.Errorf("alerts with no subcommand: got %v; want missing subcommand", err)
	}
	f(nil, "missing subcommand")
	f([]string{"page"}, `unknown subcommand "page"`)
	f([]string{"backtest"}, "-csv is required")
	f([]string{"backtest", "-csv", "x.csv", "-k", "9"}, "alerting.persist: must be between 1 and window (5), got 9")
	f([]string{"backtest", "-csv", "x.csv", "-tz", "Mars/Olympus"}, "-tz")
	f([]string{"backtest", "-csv", filepath.Join(t.TempDir(), "none.csv")}, "no such file")
	f([]string{"eval"}, "-nab is required")
	f([]string{"eval", "-nab", t.TempDir()}, "combined_windows.json")
}

func TestAlertsEvalHandMadeCorpus(t *testing.T) {
	dir := t.TempDir()
	data, ts := alertsSeasonalCSV(10*288, 8*288)
	alertsWriteFile(t, filepath.Join(dir, "series.csv"), data)
	windows := fmt.Sprintf(`{"synthetic/series.csv": [["%s.000000", "%s.000000"]], "synthetic/absent.csv": []}`, ts[8*288-50], ts[8*288+50])
	alertsWriteFile(t, filepath.Join(dir, "combined_windows.json"), windows)
	alertsWriteFile(t, filepath.Join(dir, "combined_labels.json"), fmt.Sprintf(`{"synthetic/series.csv": [%q]}`, ts[8*288]))
	var out bytes.Buffer
	if err := alertsMain(context.Background(), []string{"eval", "-nab", dir}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"synthetic/series.csv", "combined", "rolling gaussian", "windowed Gaussian 39.6"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// The one spike, caught within persistence, early in its window: a high score and no FN.
	var name string
	var score float64
	var det, tp, fp, fn int
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "synthetic/series.csv") {
			if _, err := fmt.Sscan(l, &name, &score, &det, &tp, &fp, &fn); err != nil {
				t.Fatalf("parsing %q: %v", l, err)
			}
		}
	}
	if tp != 1 || fn != 0 || fp != 0 || score < 60 {
		t.Errorf("got score %.1f TP %d FP %d FN %d; want the window caught without FPs\n%s", score, tp, fp, fn, s)
	}
}

// TestAlertsEvalNAB runs the real evaluation when the NAB Twitter files are present (they are not
// part of this repository): set RAPPORT_NAB_DIR, or they are looked for in the shared datasets.
func TestAlertsEvalNAB(t *testing.T) {
	dir := os.Getenv("RAPPORT_NAB_DIR")
	if dir == "" {
		dir = "../../../shared/datasets/alerting/nab-twitter"
	}
	if _, err := os.Stat(filepath.Join(dir, "combined_windows.json")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NAB data not found in %s (set RAPPORT_NAB_DIR): %v", dir, err)
		}
		t.Skipf("NAB data not found (set RAPPORT_NAB_DIR): %v", err)
	}
	var out bytes.Buffer
	if err := alertsMain(context.Background(), []string{"eval", "-nab", dir}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Twitter_volume_AAPL.csv") {
		t.Errorf("output lacks the AAPL row:\n%s", out.String())
	}
	t.Log("\n" + out.String())
}

func TestIncidentBound(t *testing.T) {
	in := sim.Incident{Start: sim.DefaultStart, Duration: 1000 * time.Second, Ramp: time.Second}
	steady := make([]float64, 1000)
	for i := range steady {
		steady[i] = 1 // λ = 1 per second, no more spread than Poisson is assumed
	}
	// 1000 incident posts over an incident that fades to 0.3 (integral 649.5 s, its first second half
	// ramped): E(s) ≈ 1000·(s − 0.5)/649.5, which reaches 3·sqrt(s) at s = 5 (6.9 ≥ 6.7) and 5·sqrt(s)
	// at s = 12 (17.6 ≥ 17.3)
	if got := incidentBound(in, steady, 1000, 3); got != 5*time.Second {
		t.Errorf("3σ bound %v; want 5s", got)
	}
	if got := incidentBound(in, steady, 1000, 5); got != 12*time.Second {
		t.Errorf("5σ bound %v; want 12s", got)
	}
	// the same rate in bursts of 20 every 20 s varies far more than Poisson: the bound comes later
	bursty := make([]float64, 1000)
	for i := 0; i < 1000; i += 20 {
		bursty[i] = 20
	}
	if got := incidentBound(in, bursty, 1000, 3); got <= 5*time.Second {
		t.Errorf("bursty calm day: 3σ bound %v; want later than 5s", got)
	}
	if got := incidentBound(in, steady, 0, 3); got != 0 {
		t.Errorf("no incident posts: bound %v; want 0", got)
	}
}
