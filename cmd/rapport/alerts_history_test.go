package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sim"
)

// TestAlertsBacktestHistory stores a simulated stream with one incident in ClickHouse, backtests the
// brand's history and checks it finds the same single alert (same id) as the stage did on the stream.
func TestAlertsBacktestHistory(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	start := sim.DefaultStart
	incident := sim.Incident{ID: "acme-outage", Brand: "Acme", Start: start.Add(90 * time.Minute),
		Duration: 30 * time.Minute, Factor: 6, Ramp: 30 * time.Second}
	end := start.Add(140 * time.Minute)
	posts, _ := warmSimPosts(t, 4, []sim.Incident{incident}, end, end)
	mc := alerting.DefaultMonitorConfig()
	mc.Detector.Warmup = time.Hour
	mon, _ := alerting.NewMonitor(mc)
	var streamed []alerting.Notice
	stage := alerting.NewStage(mon, func(n alerting.Notice) { streamed = append(streamed, n) }, nil, func() time.Time { return end })
	if _, err := stage.Process(context.Background(), posts); err != nil {
		t.Fatal(err)
	}
	var streamFired []alerting.Notice
	for _, n := range streamed {
		if n.Event == "fired" {
			streamFired = append(streamFired, n)
		}
	}
	if len(streamFired) != 1 {
		t.Fatalf("stream: %d fired alerts; want 1", len(streamFired))
	}

	storePosts(t, conn, posts)
	var buf bytes.Buffer
	if err := alertsReplayHistory(context.Background(), conn, mc, "acme", start, end, &buf); err != nil {
		t.Fatal(err)
	}
	var fired []alerting.Notice
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var n alerting.Notice
		if err := dec.Decode(&n); err != nil {
			t.Fatal(err)
		}
		if n.Event == "fired" {
			fired = append(fired, n)
		}
	}
	if len(fired) != 1 || fired[0].ID != streamFired[0].ID {
		t.Fatalf("history: fired %+v; want the stream's one alert %s", fired, streamFired[0].ID)
	}
	if len(fired[0].Drivers.TopPosts) == 0 || len(fired[0].Drivers.Phrases) == 0 {
		t.Errorf("history alert drivers %+v; want top posts and phrases", fired[0].Drivers)
	}
}
