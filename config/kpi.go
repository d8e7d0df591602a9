package config

import "time"

// KPI configures the KPI rollup refresher that `rapport run` runs next to the pipeline (package kpi).
type KPI struct {
	Refresh         *bool         `yaml:"refresh"`          // keep the KPI rollups up to date from this process; default true
	RefreshInterval time.Duration `yaml:"refresh_interval"` // time between refreshes; default 5s
	RefreshSlack    time.Duration `yaml:"refresh_slack"`    // how far behind its watermark a refresh looks for late inserts; default 5m
}

func (k *KPI) setDefaults() {
	if k.Refresh == nil {
		t := true
		k.Refresh = &t
	}
	setDuration(&k.RefreshInterval, 5*time.Second)
	setDuration(&k.RefreshSlack, 5*time.Minute)
}

func (k *KPI) validate(bad func(string, string, ...any)) {
	if k.RefreshInterval < time.Second || k.RefreshInterval > time.Hour {
		bad("kpi.refresh_interval", "must be between 1s and 1h, got %s", k.RefreshInterval)
	}
	checkPositive(bad, "kpi.refresh_slack", k.RefreshSlack)
}
