package config

import "time"

// Influence configures the author influence computation (`rapport influence`, and the periodic one inside
// `rapport run`) and the pipeline stage that puts the latest score on each post.
type Influence struct {
	Compute  *bool         `yaml:"compute"`   // whether `rapport run` recomputes scores every interval (turn off when a separate `rapport influence` job does); default true
	Interval time.Duration `yaml:"interval"`  // time between two computations; default 15m
	Window   time.Duration `yaml:"window"`    // posts created this long before the computation are looked at; default 720h (30 days)
	HalfLife time.Duration `yaml:"half_life"` // engagement on a post this much older counts half; default 168h (7 days)
	Refresh  time.Duration `yaml:"refresh"`   // how often the pipeline stage reloads newer scores from ClickHouse; default 1m
	Slack    time.Duration `yaml:"slack"`     // how far behind its watermark a computation looks for newly ingested posts (the longest a post may take from being read from Kafka to being stored); default 1h
	Retain   time.Duration `yaml:"retain"`    // per-day authors and edges are kept at least this long before the window (whole months older are dropped); default 168h (7 days)
}

func (c *Influence) setDefaults() {
	if c.Compute == nil {
		t := true
		c.Compute = &t
	}
	setDuration(&c.Interval, 15*time.Minute)
	setDuration(&c.Window, 30*24*time.Hour)
	setDuration(&c.HalfLife, 7*24*time.Hour)
	setDuration(&c.Refresh, time.Minute)
	setDuration(&c.Slack, time.Hour)
	setDuration(&c.Retain, 7*24*time.Hour)
}

func (c *Influence) validate(bad func(string, string, ...any)) {
	if c.Interval < time.Minute {
		bad("influence.interval", "must be at least 1m (a computation reads the whole window), got %s", c.Interval)
	}
	if c.Window < time.Hour {
		bad("influence.window", "must be at least 1h, got %s", c.Window)
	}
	checkPositive(bad, "influence.half_life", c.HalfLife)
	checkPositive(bad, "influence.refresh", c.Refresh)
	checkPositive(bad, "influence.slack", c.Slack)
	checkPositive(bad, "influence.retain", c.Retain)
}
