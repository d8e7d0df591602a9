package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/sentiment"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// warmSimPosts returns the simulator's posts (5 per second) from sim.DefaultStart to end, split at restart.
func warmSimPosts(t *testing.T, seed int64, incidents []sim.Incident, restart, end time.Time) (before, after []*post.Post) {
	t.Helper()
	gen := sim.New(sim.Config{Seed: seed, EventRate: 5, Incidents: incidents})
	norms := ingest.Normalizers()
	an, err := sentiment.New()
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec := gen.Next()
		if !rec.EventTime.Before(end) {
			return before, after
		}
		p, ok := simPost(&rec, norms, an)
		if !ok {
			continue
		}
		p.SchemaVersion = post.SchemaVersion
		if p.CreatedAt.Before(restart) {
			before = append(before, p)
		} else {
			after = append(after, p)
		}
	}
}

func storePosts(t *testing.T, conn driver.Conn, posts []*post.Post) {
	t.Helper()
	w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{BatchRows: 5000, FlushInterval: 50 * time.Millisecond}, nil, nil)
	in := make(chan *processors.Batch, 1)
	in <- &processors.Batch{Posts: posts}
	close(in)
	if err := w.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// warmTestAlerts is the alerts section of these tests: pipeline defaults, one hour of warm-up and three
// hours of history.
func warmTestAlerts(t *testing.T) (config.Alerts, alerting.MonitorConfig) {
	t.Helper()
	c, err := config.Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alerts
	a.Warmup, a.History = time.Hour, 3*time.Hour
	mc, err := alertsMonitorConfig(a)
	if err != nil {
		t.Fatal(err)
	}
	return a, mc
}

// feed runs a fresh stage (warmed up by w when not nil) over posts in batches and returns its notices.
func feed(t *testing.T, mc alerting.MonitorConfig, w *alerting.Warmup, posts []*post.Post, now time.Time, deliver func(alerting.Notice)) []alerting.Notice {
	t.Helper()
	mon, err := alerting.NewMonitor(mc)
	if err != nil {
		t.Fatal(err)
	}
	var got []alerting.Notice
	s := alerting.NewStage(mon, func(n alerting.Notice) {
		got = append(got, n)
		if deliver != nil {
			deliver(n)
		}
	}, nil, func() time.Time { return now })
	s.Warm = w
	for i := 0; i < len(posts); i += 500 {
		if _, err := s.Process(context.Background(), posts[i:min(i+500, len(posts))]); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// brief lists notices as event, id, scope and time, for failure messages.
func brief(ns []alerting.Notice) string {
	var b strings.Builder
	b.WriteString("[")
	for i, n := range ns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s %s at %s", n.Event, n.ID, n.ScopeKey, n.FiredAt.Format(time.TimeOnly))
	}
	b.WriteString("]")
	return b.String()
}

func noticesOf(ns []alerting.Notice, event string) []alerting.Notice {
	var out []alerting.Notice
	for _, n := range ns {
		if n.Event == event {
			out = append(out, n)
		}
	}
	return out
}

// TestAlertsWarmupFromClickHouse stores three hours of simulated posts, restarts the alerting stage and
// feeds it an incident that starts a minute later: warmed up from ClickHouse it fires within a minute of
// the incident's start; without the warm-up it cannot (it is still learning); on a calm
// continuation the warmed-up stage stays silent.
func TestAlertsWarmupFromClickHouse(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	restart := sim.DefaultStart.Add(3 * time.Hour)
	end := restart.Add(40 * time.Minute)
	incident := sim.Incident{ID: "acme-outage", Brand: "Acme", Start: restart.Add(time.Minute),
		Duration: 20 * time.Minute, Factor: 6, Ramp: 30 * time.Second}
	history, live := warmSimPosts(t, 5, []sim.Incident{incident}, restart, end)
	storePosts(t, conn, history)
	a, mc := warmTestAlerts(t)

	began := time.Now()
	got := feed(t, mc, alertsWarmup(a, conn, nil), live, end, nil)
	t.Logf("warm-up of %d stored posts and %d live posts in %v", len(history), len(live), time.Since(began))
	for _, n := range noticesOf(got, "fired") {
		t.Logf("alert known %v after the incident started", n.FiredAt.Add(mc.Detector.Bucket).Sub(incident.Start))
	}
	fired := noticesOf(got, "fired")
	if len(fired) != 1 || fired[0].Brand != "acme" {
		t.Fatalf("warmed up: fired %s; want one alert for acme", brief(fired))
	}
	if d := fired[0].FiredAt.Add(mc.Detector.Bucket).Sub(incident.Start); d < 0 || d > time.Minute {
		t.Errorf("warmed up: alert known %v after the incident started; want at most a minute", d)
	}
	if len(fired[0].Drivers.TopPosts) == 0 {
		t.Errorf("warmed up: alert without drivers %+v", fired[0].Drivers)
	}
	if cold := feed(t, mc, nil, live, end, nil); len(cold) != 0 {
		t.Errorf("without warm-up: notices %s; want none (still learning)", brief(cold))
	}
	_, calm := warmSimPosts(t, 6, nil, restart, end)
	if got := feed(t, mc, alertsWarmup(a, conn, nil), calm, end, nil); len(got) != 0 {
		t.Errorf("calm continuation: notices %s; want none", brief(got))
	}
}

// TestAlertsWarmupDoesNotPageAgain runs the stage up to a restart in the middle of an incident, with its
// alert delivered to the alerts table, and restarts it: the restarted stage does not page again and
// resolves the alert under the id it was delivered with. (Without the table it would page again: the
// test fails when Warmup.Prior is left out.)
func TestAlertsWarmupDoesNotPageAgain(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	restart := sim.DefaultStart.Add(3 * time.Hour)
	end := restart.Add(50 * time.Minute)
	incident := sim.Incident{ID: "acme-outage", Brand: "Acme", Start: restart.Add(-6 * time.Minute),
		Duration: 20 * time.Minute, Factor: 6, Ramp: 30 * time.Second}
	history, live := warmSimPosts(t, 7, []sim.Incident{incident}, restart, end)
	storePosts(t, conn, history)
	a, mc := warmTestAlerts(t)
	table := &alerting.ClickHouseDestination{Conn: conn}
	store := func(n alerting.Notice) {
		if err := table.Deliver(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	before := noticesOf(feed(t, mc, nil, history, restart, store), "fired")
	if len(before) != 1 {
		t.Fatalf("before the restart: fired %s; want one alert", brief(before))
	}
	id := before[0].ID

	// The restarted stage replays only its warm-up (one hour), so the replay alone cannot know of the
	// alert (its detectors are warm only at the restart): the alerts table must tell it.
	a.History = a.Warmup
	after := feed(t, mc, alertsWarmup(a, conn, nil), live, end, store)
	if f := noticesOf(after, "fired"); len(f) != 0 {
		t.Errorf("after the restart: fired %s; want no second page for alert %s", brief(f), id)
	}
	if r := noticesOf(after, "resolved"); len(r) != 1 || r[0].ID != id {
		t.Errorf("after the restart: resolved %s; want the resolution of %s", brief(r), id)
	}
	var rows uint64
	var state string
	if err := conn.QueryRow(context.Background(), "SELECT count(), any(state) FROM alerts FINAL WHERE brand = 'acme'").Scan(&rows, &state); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || state != "resolved" {
		t.Errorf("alerts table: %d rows, state %q; want the one alert, resolved", rows, state)
	}
}
