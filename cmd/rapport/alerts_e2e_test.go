package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/sentiment"
	"github.com/rapport-dev/rapport/sim"
)

// TestAlertsEndToEnd injects one sudden incident into the simulated stream, runs the alerting stage over
// it with its real destinations — a Kafka topic (embedded broker), the ClickHouse alerts table and three
// local webhook receivers (json, slack, alertmanager) — and checks that exactly one alert arrives at
// each, with its drivers.
func TestAlertsEndToEnd(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	const topic = "rapport.alerts"
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	producer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()

	var mu sync.Mutex
	received := map[string][][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		received[r.URL.Path] = append(received[r.URL.Path], b)
		mu.Unlock()
	}))
	defer srv.Close()

	metrics := alerting.NewMetrics(nil)
	disp := alerting.NewDispatcher(alerting.DispatchConfig{Backoff: 10 * time.Millisecond}, metrics, nil,
		&alerting.KafkaDestination{Client: producer, Topic: topic},
		&alerting.ClickHouseDestination{Conn: conn},
		&alerting.WebhookDestination{URL: srv.URL + "/json", Format: "json"},
		&alerting.WebhookDestination{URL: srv.URL + "/slack", Format: "slack"},
		&alerting.WebhookDestination{URL: srv.URL + "/am", Format: "alertmanager"})
	done := make(chan struct{})
	go func() { defer close(done); disp.Run(context.Background()) }()

	mc := alerting.DefaultMonitorConfig()
	mc.Detector.Warmup = time.Hour
	mon, err := alerting.NewMonitor(mc)
	if err != nil {
		t.Fatal(err)
	}
	start := sim.DefaultStart
	incident := sim.Incident{ID: "acme-outage", Brand: "Acme", Product: "Acme Home Hub", Start: start.Add(90 * time.Minute),
		Duration: 30 * time.Minute, Factor: 6, Ramp: 30 * time.Second}
	end := start.Add(140 * time.Minute)
	stage := alerting.NewStage(mon, disp.Offer, metrics, func() time.Time { return end })
	gen := sim.New(sim.Config{Seed: 3, EventRate: 10, Incidents: []sim.Incident{incident}})
	norms := ingest.Normalizers()
	an, err := sentiment.New()
	if err != nil {
		t.Fatal(err)
	}
	var batch []*post.Post
	for {
		rec := gen.Next()
		if !rec.EventTime.Before(end) {
			break
		}
		if p, ok := simPost(&rec, norms, an); ok {
			batch = append(batch, p)
		}
		if len(batch) == 500 {
			if _, err := stage.Process(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if _, err := stage.Process(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	disp.Close()
	<-done

	// Kafka: one alert id, fired once.
	consumer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	ids := map[string]bool{}
	firedOnTopic := 0
	var fromTopic alerting.Notice
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		fs := consumer.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			var n alerting.Notice
			if err := json.Unmarshal(r.Value, &n); err != nil {
				t.Errorf("topic record %s: %v", r.Value, err)
				return
			}
			ids[n.ID] = true
			if n.Event == "fired" {
				firedOnTopic++
				fromTopic = n
			}
		})
		if firedOnTopic > 0 && len(fs.Records()) == 0 {
			break
		}
	}
	if len(ids) != 1 || firedOnTopic != 1 {
		t.Fatalf("topic: %d alert id(s), %d fired; want exactly one alert", len(ids), firedOnTopic)
	}
	n := fromTopic
	if n.Brand != "acme" || n.StartedAt.Before(incident.Start) || n.FiredAt.After(incident.Start.Add(2*time.Minute)) {
		t.Errorf("alert %s for %s started %v fired %v; want acme within two minutes of %v", n.ID, n.Brand, n.StartedAt, n.FiredAt, incident.Start)
	}
	if len(n.Drivers.TopPosts) == 0 || len(n.Drivers.Phrases) == 0 || len(n.Drivers.Influencers) == 0 || len(n.Drivers.Networks) == 0 {
		t.Errorf("drivers %+v; want top posts, phrases, influencers and networks", n.Drivers)
	}

	// ClickHouse: one row for the alert, with its drivers, even after a replay delivers it again.
	if err := (&alerting.ClickHouseDestination{Conn: conn}).Deliver(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(context.Background(), "SELECT alert_id, brand, top_post_uids, top_phrases, top_networks FROM alerts FINAL")
	if err != nil {
		t.Fatal(err)
	}
	nrows := 0
	for rows.Next() {
		var id, brand string
		var uids []uint64
		var phrases, nets []string
		if err := rows.Scan(&id, &brand, &uids, &phrases, &nets); err != nil {
			t.Fatal(err)
		}
		nrows++
		if id != n.ID || brand != "acme" || len(uids) == 0 || len(phrases) == 0 || len(nets) == 0 {
			t.Errorf("alerts row %s %s uids %v phrases %v networks %v; want alert %s with drivers", id, brand, uids, phrases, nets, n.ID)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if nrows != 1 {
		t.Errorf("alerts table: %d rows; want 1", nrows)
	}

	// Webhooks: the json receiver got the same alert fired once; slack and alertmanager got it too.
	mu.Lock()
	defer mu.Unlock()
	fired := 0
	for _, b := range received["/json"] {
		var w alerting.Notice
		if err := json.Unmarshal(b, &w); err != nil {
			t.Fatalf("json webhook body %s: %v", b, err)
		}
		if w.ID != n.ID {
			t.Errorf("webhook alert %s; want %s", w.ID, n.ID)
		}
		if w.Event == "fired" {
			fired++
			if len(w.Drivers.TopPosts) == 0 {
				t.Error("webhook alert without top posts")
			}
		}
	}
	if fired != 1 {
		t.Errorf("json webhook: %d fired notices; want 1", fired)
	}
	if len(received["/slack"]) != len(received["/json"]) || len(received["/am"]) != len(received["/json"]) {
		t.Errorf("slack got %d, alertmanager %d, json %d notices; want the same", len(received["/slack"]), len(received["/am"]), len(received["/json"]))
	}
	var am []struct {
		Labels map[string]string `json:"labels"`
	}
	if err := json.Unmarshal(received["/am"][0], &am); err != nil || len(am) != 1 || am[0].Labels["alert_id"] != n.ID {
		t.Errorf("alertmanager body %s (%v)", received["/am"][0], err)
	}
}
