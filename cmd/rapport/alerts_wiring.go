package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// alertsMonitorConfig turns the alerts config section into the monitor's configuration.
func alertsMonitorConfig(a config.Alerts) (alerting.MonitorConfig, error) {
	m := alerting.DefaultMonitorConfig()
	d := &m.Detector
	d.Bucket, d.Warmup, d.MinVolume, d.WarnZ, d.CritZ = a.Bucket, a.Warmup, a.MinVolume, a.WarnZ, a.CritZ
	d.Persist, d.Window, d.ResolveAfter, d.Cooldown = a.Persist, a.Window, a.ResolveAfter, a.Cooldown
	d.ImmediateZ = max(0, a.ImmediateZ)
	d.CusumShift, d.CusumRunLength = max(0, a.CusumShift), a.CusumRunLength
	if d.SlotWidth < d.Bucket {
		d.SlotWidth = d.Bucket
	}
	loc, err := time.LoadLocation(a.Location)
	if err != nil {
		return m, fmt.Errorf("alerts.location: %w", err)
	}
	d.Location = loc
	m.Mode = alerting.Mode(a.Mode)
	m.ByProduct, m.ByNetwork, m.Competitors = *a.ByProduct, a.ByNetwork, a.Competitors
	m.Lateness, m.MaxSeries, m.NarrowFamily = a.Lateness, a.MaxSeries, a.NarrowFamily
	return m, m.Validate()
}

// alertDelivery is the running delivery side of the alerts stage: the dispatcher's goroutines and the
// Kafka producer. closeAlertDelivery stops every one this process started.
type alertDelivery struct {
	disp   *alerting.Dispatcher
	done   chan struct{}
	client *kgo.Client
}

var (
	alertDeliveriesMu sync.Mutex
	alertDeliveries   []*alertDelivery
)

// closeAlertDelivery delivers what is queued (waiting at most timeout) and stops the dispatchers and
// producers started by alertsStage. The pipeline calls it after its stages drained.
func closeAlertDelivery(timeout time.Duration) {
	alertDeliveriesMu.Lock()
	list := alertDeliveries
	alertDeliveries = nil
	alertDeliveriesMu.Unlock()
	deadline := time.After(timeout)
	for _, d := range list {
		d.disp.Close()
		select {
		case <-d.done:
		case <-deadline:
		}
		if d.client != nil {
			d.client.Close()
		}
	}
}

// passStage is what the alerts stage is when alerting is disabled.
type passStage struct{}

func (passStage) Name() string { return "alerts" }
func (passStage) Process(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
	return posts, nil
}

// alertsStage builds the alerting stage and starts its delivery (Kafka topic, ClickHouse table,
// webhooks) as configured in the alerts section.
func alertsStage(c *config.Config, conn driver.Conn, reg prometheus.Registerer, log *zap.Logger) processors.Stage {
	a := c.Alerts
	if a.Enabled != nil && !*a.Enabled {
		return passStage{}
	}
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String("component", "alerts"))
	mc, err := alertsMonitorConfig(a)
	if err != nil { // config.Validate checked the fields; this only guards detector-level limits
		log.Error("alerting disabled: invalid configuration", zap.Error(err))
		return passStage{}
	}
	mon, _ := alerting.NewMonitor(mc)
	metrics := alerting.NewMetrics(reg)
	var dests []alerting.Destination
	var client *kgo.Client
	if a.Topic != "off" {
		client, err = kgo.NewClient(kgo.SeedBrokers(c.Kafka.Brokers...), kgo.AllowAutoTopicCreation(),
			kgo.ProducerLinger(0), kgo.RecordDeliveryTimeout(30*time.Second))
		if err != nil {
			log.Error("alerts topic off: cannot create the producer", zap.Error(err))
		} else {
			dests = append(dests, &alerting.KafkaDestination{Client: client, Topic: a.Topic})
		}
	}
	if *a.ClickHouse && conn != nil {
		dests = append(dests, &alerting.ClickHouseDestination{Conn: conn})
	}
	for _, w := range a.Webhooks {
		dests = append(dests, &alerting.WebhookDestination{URL: w.URL, Format: w.Format, Attempts: w.Attempts,
			Timeout: w.Timeout, Client: &http.Client{Timeout: w.Timeout}})
	}
	disp := alerting.NewDispatcher(alerting.DispatchConfig{QueueSize: a.QueueSize}, metrics, log, dests...)
	d := &alertDelivery{disp: disp, done: make(chan struct{}), client: client}
	go func() {
		defer close(d.done)
		disp.Run(context.Background())
	}()
	alertDeliveriesMu.Lock()
	alertDeliveries = append(alertDeliveries, d)
	alertDeliveriesMu.Unlock()
	stage := alerting.NewStage(mon, disp.Offer, metrics, nil)
	stage.Warm = alertsWarmup(a, conn, log)
	return stage
}
