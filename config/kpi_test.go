package config

import (
	"strings"
	"testing"
	"time"
)

func TestKPIConfig(t *testing.T) {
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if !*c.KPI.Refresh || c.KPI.RefreshInterval != 5*time.Second || c.KPI.RefreshSlack != 5*time.Minute {
		t.Errorf("kpi defaults: got %v %s %s; want true 5s 5m", *c.KPI.Refresh, c.KPI.RefreshInterval, c.KPI.RefreshSlack)
	}
	c, err = Load("testdata/kpi/refresh.good.yml", []string{"RAPPORT_KPI_REFRESH_SLACK=2m"})
	if err != nil {
		t.Fatal(err)
	}
	if *c.KPI.Refresh || c.KPI.RefreshInterval != 30*time.Second || c.KPI.RefreshSlack != 2*time.Minute {
		t.Errorf("kpi from file and env: got %v %s %s; want false 30s 2m", *c.KPI.Refresh, c.KPI.RefreshInterval, c.KPI.RefreshSlack)
	}
	_, err = Load("testdata/kpi/refresh.bad.yml", []string{})
	for _, want := range []string{"kpi.refresh_interval: must be between 1s and 1h, got 100ms", "kpi.refresh_slack: must be a positive duration, got -1m0s"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad kpi config: got error %v; want it to contain %q", err, want)
		}
	}
}
