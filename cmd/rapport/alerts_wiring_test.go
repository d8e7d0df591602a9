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
	c.Alerts.CusumShift, c.Alerts.CusumRunLength = 1, 7*24*time.Hour
	mc, err := alertsMonitorConfig(c.Alerts)
	if err != nil {
		t.Fatal(err)
	}
	if mc.Detector.Bucket != 30*time.Second || mc.Detector.Persist != 3 || !mc.ByNetwork || mc.Mode != alerting.ModeReach ||
		mc.Detector.CusumShift != 1 || mc.Detector.CusumRunLength != 7*24*time.Hour {
		t.Errorf("monitor config %+v; want the alerts section's values", mc)
	}
	c.Alerts.CusumShift = -1
	if mc, err := alertsMonitorConfig(c.Alerts); err != nil || mc.Detector.CusumShift != 0 {
		t.Errorf("cusum_shift -1: got %v, %v; want the sequential tier off", mc.Detector.CusumShift, err)
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
