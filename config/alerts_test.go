package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAlertsDefaults(t *testing.T) {
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alerts
	if !*a.Enabled || a.Mode != "count" || a.Bucket != 15*time.Second || a.Lateness != 5*time.Second ||
		a.Persist != 2 || a.Window != 4 || a.WarnZ != 5 || a.ImmediateZ != 5 || a.CritZ != 8 || a.Topic != "rapport.alerts" ||
		!*a.ClickHouse || a.QueueSize != 1000 || a.Location != "UTC" || a.CusumShift != 0.5 || a.CusumRunLength != 30*24*time.Hour ||
		a.History != 7*24*time.Hour || !*a.ByProduct || a.ByNetwork || a.NarrowFamily != 8 {
		t.Errorf("alerts defaults %+v", a)
	}
}

func TestAlertsGood(t *testing.T) {
	c, err := Load("testdata/alerts.good.yml", []string{})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alerts
	if a.Mode != "share" || !*a.ByProduct || a.Bucket != 30*time.Second || len(a.Webhooks) != 2 ||
		a.CusumShift != 1 || a.CusumRunLength != 7*24*time.Hour || a.History != 14*24*time.Hour {
		t.Fatalf("alerts %+v", a)
	}
	if w := a.Webhooks[0]; w.Format != "slack" || w.Timeout != 5*time.Second || w.Attempts != 5 {
		t.Errorf("webhook defaults %+v", w)
	}
	if w := a.Webhooks[1]; w.Timeout != 2*time.Second || w.Attempts != 3 {
		t.Errorf("webhook %+v", w)
	}
}

// TestAlertsHistory checks that the replayed history follows a longer warm-up by default, and that a
// negative one (off) is accepted.
func TestAlertsHistory(t *testing.T) {
	for env, want := range map[string]time.Duration{
		"RAPPORT_ALERTS_WARMUP=240h": 240 * time.Hour,
		"RAPPORT_ALERTS_WARMUP=2h":   7 * 24 * time.Hour,
		"RAPPORT_ALERTS_HISTORY=-1s": -time.Second,
	} {
		c, err := Load("", []string{env})
		if err != nil {
			t.Errorf("%s: %v", env, err)
			continue
		}
		if c.Alerts.History != want {
			t.Errorf("%s: history %v; want %v", env, c.Alerts.History, want)
		}
	}
}

func TestAlertsBad(t *testing.T) {
	want := map[string]string{
		"mode.alerts-bad.yml":           `alerts.mode: "loud" is not one of count, share, reach`,
		"bucket.alerts-bad.yml":         "alerts.bucket: must divide 24h, got 7s",
		"persist.alerts-bad.yml":        "alerts.persist: must be between 1 and 4, got 5",
		"crit.alerts-bad.yml":           "alerts.crit_z: must be at least warn_z (6), got 5",
		"immediate.alerts-bad.yml":      "alerts.immediate_z: must be negative (off) or at least warn_z (6), got 4",
		"location.alerts-bad.yml":       `alerts.location: "Mars/Olympus" is not a time zone`,
		"webhook_url.alerts-bad.yml":    `alerts.webhooks[0].url: "hooks.example/x" is not an http(s) URL`,
		"webhook_format.alerts-bad.yml": `alerts.webhooks[0].format: "teams" is not one of slack, alertmanager, json`,
		"topic.alerts-bad.yml":          `alerts.topic: "my alerts" is not a Kafka topic name`,
		"cusum_shift.alerts-bad.yml":    "alerts.cusum_shift: must be negative (off) or a relative rise in (0, 10], got 50",
		"cusum_run.alerts-bad.yml":      "alerts.cusum_run_length: must be at least two buckets (30s), got 20s",
		"narrow_family.alerts-bad.yml":  "alerts.narrow_family: must be between 1 and 10000, got -2",
		"history.alerts-bad.yml":        "alerts.history: must be negative (off) or at least warmup (48h0m0s): a shorter replay leaves the detector blind, got 36h0m0s",
	}
	files, _ := filepath.Glob("testdata/*.alerts-bad.yml")
	if len(files) != len(want) {
		t.Fatalf("found %d alerts fixtures; want %d", len(files), len(want))
	}
	for _, f := range files {
		_, err := Load(f, []string{})
		if err == nil || !strings.Contains(err.Error(), want[filepath.Base(f)]) {
			t.Errorf("Load(%s): got %v; want an error containing %q", f, err, want[filepath.Base(f)])
		}
	}
}
