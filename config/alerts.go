package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Alerts configures the negative-spike alerting stage and where its alerts go. Floats, booleans and
// webhooks are not settable from the environment.
type Alerts struct {
	Enabled *bool  `yaml:"enabled"` // run the alerting stage; default true
	Mode    string `yaml:"mode"`    // count, share (negative share of scored posts too) or reach (weighted by followers and influence); default count
	// Series watched next to each brand's own.
	ByProduct   *bool `yaml:"by_product"`  // one series per product of a brand; default true
	ByNetwork   bool  `yaml:"by_network"`  // one series per network of a brand; default false
	Competitors bool  `yaml:"competitors"` // also watch competitor brands; default false
	// Narrowed series (product, network) raise their thresholds so that a brand's narrowed series together
	// false-alarm about as often as its own series: z becomes sqrt(z² + 2 ln k) and run lengths grow k times.
	NarrowFamily int `yaml:"narrow_family"` // k, the narrowed series expected per brand; default 8; 1: no correction
	// Detector.
	Bucket     time.Duration `yaml:"bucket"`      // width of one bucket of event time; default 15s
	Lateness   time.Duration `yaml:"lateness"`    // event time a bucket waits for late posts; default 5s
	Warmup     time.Duration `yaml:"warmup"`      // data a series observes before it may fire; default 24h
	Location   string        `yaml:"location"`    // IANA time zone whose clock defines time-of-day and day-of-week; default UTC
	MinVolume  float64       `yaml:"min_volume"`  // smallest bucket value that may count towards an alert; default 3
	WarnZ      float64       `yaml:"warn_z"`      // robust z (quasi-Poisson deviance) at which a bucket is hot; default 5
	ImmediateZ float64       `yaml:"immediate_z"` // z at which 15-60 s of posts fire at once if also the series' highest in a week; default 5; negative: off
	CritZ      float64       `yaml:"crit_z"`      // robust z from which an alert is critical; default 8
	// Sequential tier: a Poisson CUSUM of the negative count against its baseline.
	CusumShift     float64       `yaml:"cusum_shift"`      // relative rise the CUSUM is tuned to (0.5: +50 %); default 0.5; negative: off
	CusumRunLength time.Duration `yaml:"cusum_run_length"` // target time between false alarms of one series on ordinary data (threshold ln(run length/bucket)); default 720h
	Persist        int           `yaml:"persist"`          // hot buckets among the last `window` needed to fire; default 2
	Window         int           `yaml:"window"`           // persistence window in buckets (at most 64); default 4
	ResolveAfter   int           `yaml:"resolve_after"`    // consecutive calm buckets that resolve an alert; default 20
	Cooldown       time.Duration `yaml:"cooldown"`         // quiet time after an alert resolves; default 1h
	MaxSeries      int           `yaml:"max_series"`       // most series watched at once; default 10000
	// Restart: the event time of stored posts replayed from ClickHouse, silently, when the stage starts, so
	// a restart neither waits for the warm-up nor forgets the seasonal baseline, and the alerts table's open
	// alerts are carried on instead of paging again.
	History time.Duration `yaml:"history"` // default 168h (a week: every hour-of-week slot), or warmup if longer; negative: off (the stage starts empty)
	// Delivery.
	Topic      string    `yaml:"topic"`      // Kafka topic the alerts are produced to; default rapport.alerts; "off" disables
	ClickHouse *bool     `yaml:"clickhouse"` // store alerts in the ClickHouse alerts table; default true
	Webhooks   []Webhook `yaml:"webhooks"`   // webhook receivers; default none
	QueueSize  int       `yaml:"queue_size"` // alerts queued per destination before new ones are dropped (never blocking the pipeline); default 1000
}

// Webhook is one HTTP receiver of alerts.
type Webhook struct {
	URL      string        `yaml:"url"`      // http(s) URL
	Format   string        `yaml:"format"`   // slack (incoming webhook), alertmanager (Alertmanager API v2 /api/v2/alerts) or json (the alert itself); default json
	Timeout  time.Duration `yaml:"timeout"`  // per attempt; default 5s
	Attempts int           `yaml:"attempts"` // attempts before the alert is given up for this receiver; default 5
}

func (a *Alerts) setDefaults() {
	if a.Enabled == nil {
		t := true
		a.Enabled = &t
	}
	if a.ByProduct == nil {
		t := true
		a.ByProduct = &t
	}
	setString(&a.Mode, "count")
	setDuration(&a.Bucket, 15*time.Second)
	setDuration(&a.Lateness, 5*time.Second)
	setDuration(&a.Warmup, 24*time.Hour)
	setDuration(&a.History, max(7*24*time.Hour, a.Warmup))
	setString(&a.Location, "UTC")
	setFloat(&a.MinVolume, 3)
	setFloat(&a.WarnZ, 5)
	setFloat(&a.CritZ, 8)
	setFloat(&a.ImmediateZ, 5)
	setFloat(&a.CusumShift, 0.5)
	setDuration(&a.CusumRunLength, 30*24*time.Hour)
	setInt(&a.Persist, 2)
	setInt(&a.Window, 4)
	setInt(&a.ResolveAfter, 20)
	setDuration(&a.Cooldown, time.Hour)
	setInt(&a.MaxSeries, 10000)
	setInt(&a.NarrowFamily, 8)
	setString(&a.Topic, "rapport.alerts")
	if a.ClickHouse == nil {
		t := true
		a.ClickHouse = &t
	}
	setInt(&a.QueueSize, 1000)
	for i := range a.Webhooks {
		w := &a.Webhooks[i]
		setString(&w.Format, "json")
		setDuration(&w.Timeout, 5*time.Second)
		setInt(&w.Attempts, 5)
	}
}

func (a *Alerts) validate(bad func(string, string, ...any)) {
	switch a.Mode {
	case "count", "share", "reach":
	default:
		bad("alerts.mode", "%q is not one of count, share, reach", a.Mode)
	}
	checkPositive(bad, "alerts.bucket", a.Bucket)
	if a.Bucket > 0 && (24*time.Hour)%a.Bucket != 0 {
		bad("alerts.bucket", "must divide 24h, got %s", a.Bucket)
	}
	if a.Lateness < 0 {
		bad("alerts.lateness", "must not be negative, got %s", a.Lateness)
	}
	if a.Warmup < 0 {
		bad("alerts.warmup", "must not be negative, got %s", a.Warmup)
	}
	if a.History >= 0 && a.History < a.Warmup {
		bad("alerts.history", "must be negative (off) or at least warmup (%s): a shorter replay leaves the detector blind, got %s", a.Warmup, a.History)
	}
	if _, err := time.LoadLocation(a.Location); err != nil {
		bad("alerts.location", "%q is not a time zone: %v", a.Location, err)
	}
	if !(a.MinVolume >= 0) {
		bad("alerts.min_volume", "must not be negative, got %v", a.MinVolume)
	}
	if !(a.WarnZ > 0) {
		bad("alerts.warn_z", "must be positive, got %v", a.WarnZ)
	}
	if !(a.ImmediateZ < 0 || a.ImmediateZ >= a.WarnZ) {
		bad("alerts.immediate_z", "must be negative (off) or at least warn_z (%v), got %v", a.WarnZ, a.ImmediateZ)
	}
	if !(a.CritZ >= a.WarnZ) {
		bad("alerts.crit_z", "must be at least warn_z (%v), got %v", a.WarnZ, a.CritZ)
	}
	if !(a.CusumShift < 0 || (a.CusumShift > 0 && a.CusumShift <= 10)) {
		bad("alerts.cusum_shift", "must be negative (off) or a relative rise in (0, 10], got %v", a.CusumShift)
	}
	if a.CusumRunLength < 2*a.Bucket {
		bad("alerts.cusum_run_length", "must be at least two buckets (%s), got %s", 2*a.Bucket, a.CusumRunLength)
	}
	checkRange(bad, "alerts.window", a.Window, 1, 64)
	checkRange(bad, "alerts.persist", a.Persist, 1, max(a.Window, 1))
	checkRange(bad, "alerts.resolve_after", a.ResolveAfter, 1, 100_000)
	if a.Cooldown < 0 {
		bad("alerts.cooldown", "must not be negative, got %s", a.Cooldown)
	}
	checkRange(bad, "alerts.max_series", a.MaxSeries, 1, 10_000_000)
	checkRange(bad, "alerts.narrow_family", a.NarrowFamily, 1, 10000)
	if a.Topic != "off" && (strings.TrimSpace(a.Topic) == "" || strings.ContainsAny(a.Topic, " /\\")) {
		bad("alerts.topic", "%q is not a Kafka topic name or \"off\"", a.Topic)
	}
	checkRange(bad, "alerts.queue_size", a.QueueSize, 1, 1_000_000)
	for i, w := range a.Webhooks {
		f := fmt.Sprintf("alerts.webhooks[%d]", i)
		if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(f+".url", "%q is not an http(s) URL", w.URL)
		}
		switch w.Format {
		case "slack", "alertmanager", "json":
		default:
			bad(f+".format", "%q is not one of slack, alertmanager, json", w.Format)
		}
		checkPositive(bad, f+".timeout", w.Timeout)
		checkRange(bad, f+".attempts", w.Attempts, 1, 100)
	}
}
