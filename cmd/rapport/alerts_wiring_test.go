package main

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/config"
)

func TestAlertsStageFromConfig(t *testing.T) {
	c, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	c.Alerts.Bucket, c.Alerts.Persist, c.Alerts.ByNetwork, c.Alerts.Mode = 30*time.Second, 3, true, "reach"
	mc, err := alertsMonitorConfig(c.Alerts)
	if err != nil {
		t.Fatal(err)
	}
	if mc.Detector.Bucket != 30*time.Second || mc.Detector.Persist != 3 || !mc.ByNetwork || mc.Mode != alerting.ModeReach {
		t.Errorf("monitor config %+v; want the alerts section's values", mc)
	}
	reg := prometheus.NewRegistry()
	s := alertsStage(c, nil, reg, nil)
	if _, ok := s.(*alerting.Stage); !ok || s.Name() != "alerts" {
		t.Errorf("stage %T %q; want the alerting stage", s, s.Name())
	}
	closeAlertDelivery(time.Second)

	off := false
	c.Alerts.Enabled = &off
	if _, ok := alertsStage(c, nil, nil, nil).(passStage); !ok {
		t.Error("alerts.enabled false: want the pass-through stage")
	}
}
