package alerting

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/rapport-dev/rapport/post"
)

// store is an in-memory post store for Warmup.Load; failAfter > 0 makes the first call fail after
// feeding that many posts, as a ClickHouse that goes away mid-read would.
type store struct {
	posts     []*post.Post
	failAfter int
	calls     int
}

func newStore(posts []*post.Post) *store {
	s := &store{posts: append([]*post.Post(nil), posts...)}
	sort.SliceStable(s.posts, func(i, j int) bool {
		a, b := s.posts[i], s.posts[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.UID() < b.UID()
	})
	return s
}

func (s *store) load(ctx context.Context, from, to time.Time, fn func(*post.Post) error) error {
	s.calls++
	fed := 0
	for _, p := range s.posts {
		if p.CreatedAt.Before(from) || !p.CreatedAt.Before(to) {
			continue
		}
		if s.failAfter > 0 && fed == s.failAfter {
			s.failAfter = 0
			return errors.New("connection reset")
		}
		if err := fn(p); err != nil {
			return err
		}
		fed++
	}
	return nil
}

// split returns the posts before at and those from at on.
func split(posts []*post.Post, at time.Time) (before, after []*post.Post) {
	for _, p := range posts {
		if p.CreatedAt.Before(at) {
			before = append(before, p)
		} else {
			after = append(after, p)
		}
	}
	return before, after
}

func events(ns []Notice, event string) []Notice {
	var out []Notice
	for _, n := range ns {
		if n.Event == event {
			out = append(out, n)
		}
	}
	return out
}

// restarted returns a stage whose monitor warms up from st (History h) and the alerts prior returns.
func restarted(t *testing.T, st *store, h time.Duration, prior []PriorAlert, now time.Time, got *[]Notice) *Stage {
	t.Helper()
	mon, err := NewMonitor(testMonitorConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := NewStage(mon, func(n Notice) { *got = append(*got, n) }, nil, func() time.Time { return now })
	s.Warm = &Warmup{History: h, Chunk: 20 * time.Minute, Load: st.load}
	if prior != nil {
		s.Warm.Prior = func(context.Context, time.Time) ([]PriorAlert, error) { return prior, nil }
	}
	return s
}

// TestWarmupFiresRightAfterRestart restarts the stage three hours into a calm stream (the detector's
// warm-up is one hour): with the warm-up from stored posts, a spike right after the restart fires within
// a minute, a calm continuation does not, and nothing is delivered for the replayed history; without it
// the same spike is not seen.
func TestWarmupFiresRightAfterRestart(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	restart := from.Add(3 * time.Hour)
	spike := restart.Add(2 * time.Minute)
	end := restart.Add(30 * time.Minute)
	history, live := split(stream(3, from, end, spike, 2, 0.2, 3), restart)
	_, calm := split(stream(3, from, end, spike, 2, 0.2, 0), restart)

	st := newStore(history)
	st.failAfter = 50
	var got []Notice
	s := restarted(t, st, 4*time.Hour, nil, end, &got) // all of the stored posts
	runStage(t, s, live)
	fired := events(got, "fired")
	if len(fired) != 1 {
		t.Fatalf("warm stage: %d fired notices %+v; want one", len(fired), fired)
	}
	if d := fired[0].FiredAt.Add(testMonitorConfig().Detector.Bucket).Sub(spike); d < 0 || d > time.Minute {
		t.Errorf("fired %v after the spike; want under a minute", d)
	}
	if n := testutil.ToFloat64(s.m.WarmPosts); n != float64(len(history)) {
		t.Errorf("replayed %v posts; want the %d stored before the restart, once each despite the failed read", n, len(history))
	}
	if e := testutil.ToFloat64(s.m.WarmErrors); e != 1 {
		t.Errorf("warm-up errors %v; want the one failed read", e)
	}
	if n := testutil.ToFloat64(s.m.Skipped.WithLabelValues("no_brand")) + testutil.ToFloat64(s.m.Late); n != 0 {
		t.Errorf("replay counted in the live metrics: %v", n)
	}

	got = nil
	runStage(t, restarted(t, newStore(history), 3*time.Hour, nil, end, &got), calm)
	if len(got) != 0 {
		t.Errorf("calm continuation: notices %+v; want none", got)
	}

	got = nil
	cold, _ := NewMonitor(testMonitorConfig())
	runStage(t, NewStage(cold, func(n Notice) { got = append(got, n) }, nil, func() time.Time { return end }), live)
	if len(got) != 0 {
		t.Errorf("stage without warm-up: notices %+v; want none (it is still warming up)", got)
	}
}

// TestWarmupDoesNotPageTwice restarts the stage while an incident is going on: when the alerts table says
// the alert was delivered, the restarted stage carries it on without a new page and resolves it under the
// same id; when it was never delivered, the restarted stage pages once.
func TestWarmupDoesNotPageTwice(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	spike := from.Add(3 * time.Hour)
	restart := spike.Add(5 * time.Minute)
	end := spike.Add(time.Hour)
	posts := stream(4, from, spike.Add(20*time.Minute), spike, 2, 0.2, 3)
	posts = append(posts, stream(5, spike.Add(20*time.Minute), end, end, 2, 0.2, 0)...)
	history, live := split(posts, restart)

	// the process before the restart
	var before []Notice
	mon, _ := NewMonitor(testMonitorConfig())
	runStage(t, NewStage(mon, func(n Notice) { before = append(before, n) }, nil, func() time.Time { return restart }), history)
	// one page (the open bucket fires it; its closing may escalate it)
	fired := events(before, "fired")
	if len(fired) != 1 || len(events(before, "resolved")) != 0 {
		t.Fatalf("before the restart: notices %+v; want one fired and still open", before)
	}
	a := fired[0]
	for _, n := range before {
		if n.ID != a.ID {
			t.Fatalf("before the restart: notice %+v; want every notice about %s", n, a.ID)
		}
	}
	prior := []PriorAlert{{ID: a.ID, Scope: a.Scope, Severity: ParseSeverity(a.Severity), Peak: a.Peak,
		StartedAt: a.StartedAt, FiredAt: a.FiredAt, Negative: a.Negative, Total: a.Total}}

	var got []Notice
	s := restarted(t, newStore(history), 3*time.Hour, prior, end, &got)
	runStage(t, s, live)
	if f := events(got, "fired"); len(f) != 0 {
		t.Errorf("delivered alert: fired again %+v; want no new page", f)
	}
	if r := events(got, "resolved"); len(r) != 1 || r[0].ID != a.ID {
		t.Errorf("delivered alert: resolved %+v; want one resolution of %s", r, a.ID)
	}
	if v := testutil.ToFloat64(s.m.Firing.WithLabelValues("acme", a.Severity)); v != 0 {
		t.Errorf("firing gauge after the resolution %v; want 0", v)
	}

	// The replay alone reaches the same alert; a prior alert under another id (an earlier start, as a
	// process started at another time may have seen it) must win over the replay's.
	other := prior[0]
	other.StartedAt = a.StartedAt.Add(-time.Minute)
	other.ID = AlertID(a.Scope, other.StartedAt)
	got = nil
	runStage(t, restarted(t, newStore(history), 3*time.Hour, []PriorAlert{other}, end, &got), live)
	if f, r := events(got, "fired"), events(got, "resolved"); len(f) != 0 || len(r) != 1 || r[0].ID != other.ID {
		t.Errorf("prior alert %s: fired %+v resolved %+v; want no page and its resolution", other.ID, f, r)
	}

	// The alerts table is readable and does not hold the alert: it was never delivered, page now.
	got = nil
	runStage(t, restarted(t, newStore(history), 3*time.Hour, []PriorAlert{}, end, &got), live)
	if f := events(got, "fired"); len(f) != 1 {
		t.Errorf("undelivered alert: fired %+v; want one page after the restart", f)
	}
}

// TestReconcileCooldownFromResolvedAlert: an alert the table says resolved ten minutes before the restart
// keeps its scope quiet for the cooldown, even when the replayed history did not see it.
func TestReconcileCooldownFromResolvedAlert(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	restart := from.Add(3 * time.Hour)
	spike := restart.Add(2 * time.Minute)
	end := restart.Add(30 * time.Minute)
	history, live := split(stream(6, from, end, spike, 2, 0.2, 3), restart)
	sc := Scope{Brand: "acme"}
	started := restart.Add(-50 * time.Minute)
	// the resolved alert peaked above the spike to come (a bigger rise would page through the cooldown)
	prior := []PriorAlert{{ID: AlertID(sc, started), Scope: sc, Severity: SeverityCritical, Peak: 30, StartedAt: started,
		FiredAt: started.Add(30 * time.Second), ResolvedAt: restart.Add(-10 * time.Minute)},
		{ID: "x", Scope: Scope{Brand: "acme", Network: "x"}, StartedAt: started, FiredAt: started}} // not watched
	var got []Notice
	s := restarted(t, newStore(history), 3*time.Hour, prior, end, &got)
	runStage(t, s, live)
	if len(got) != 0 {
		t.Errorf("within the cooldown of a resolved alert: notices %+v; want none", got)
	}
	if s.mon.series[prior[1].Scope] != nil {
		t.Errorf("a series for %s; want none (by_network is off)", prior[1].Scope.Key())
	}
	got = nil
	runStage(t, restarted(t, newStore(history), 3*time.Hour, prior[:0], end, &got), live)
	if len(events(got, "fired")) != 1 {
		t.Errorf("without the resolved alert: notices %+v; want one page", got)
	}
}

// replayUntilPeek feeds m a sudden outage, as a silent warm-up replay would, and stops right after the
// open bucket fired; it returns the last observation's time.
func replayUntilPeek(t *testing.T, m *Monitor, spike time.Time) time.Time {
	t.Helper()
	var obs []Observation
	for _, p := range stream(8, spike.Add(-3*time.Hour), spike.Add(10*time.Minute), spike, 2, 0.2, 4) {
		for _, o := range Observations(obs[:0], p, false) {
			ns, _ := m.Observe(o)
			for _, n := range ns {
				if n.Event == "fired" && !m.series[n.Scope].early.Start.IsZero() {
					return o.Time
				}
			}
		}
	}
	t.Fatal("the outage did not fire on an open bucket")
	return time.Time{}
}

// TestReconcileAlertFiredOnTheOpenBucket: the replay before a restart can end inside a bucket that fired
// while still open. Reconcile treats that alert like any other of the replay: without a delivered prior
// alert it is set back to calm (so the closing bucket pages anew, and every resolution follows a page),
// and a delivered prior alert wins over it (its id resolves, no other).
func TestReconcileAlertFiredOnTheOpenBucket(t *testing.T) {
	spike := time.Date(2026, 3, 2, 11, 0, 4, 0, time.UTC)
	sc := Scope{Brand: "acme"}
	check := func(name string, ns []Notice, m *Monitor, wantResolved string) {
		t.Helper()
		fired := map[string]bool{}
		resolved := 0
		for _, n := range ns {
			switch n.Event {
			case "fired":
				fired[n.ID] = true
			case "resolved":
				resolved++
				if !fired[n.ID] && n.ID != wantResolved {
					t.Errorf("%s: resolved %s (%s), which was neither paged nor carried on", name, n.ID, n.ScopeKey)
				}
			}
		}
		if resolved == 0 || m.open["acme"] != 0 || m.Firing() != 0 {
			t.Errorf("%s: %d resolutions, %d open for acme, %d firing at the end; want resolutions and none open", name, resolved, m.open["acme"], m.Firing())
		}
	}

	m, _ := NewMonitor(testMonitorConfig())
	last := replayUntilPeek(t, m, spike)
	m.Reconcile(nil) // nothing was delivered before the restart
	ns := m.Advance(last.Add(2 * time.Hour))
	if len(events(ns, "fired")) != 1 {
		t.Errorf("undelivered: fired %+v; want one page after the restart", events(ns, "fired"))
	}
	check("undelivered", ns, m, "")

	m, _ = NewMonitor(testMonitorConfig())
	last = replayUntilPeek(t, m, spike)
	old := spike.Add(-20 * time.Minute).Truncate(15 * time.Second)
	prior := PriorAlert{ID: AlertID(sc, old), Scope: sc, Severity: SeverityWarning, Peak: 6, StartedAt: old, FiredAt: old}
	if r := m.Reconcile([]PriorAlert{prior}); r.Resumed != 1 {
		t.Fatalf("reconciled %+v; want the prior alert resumed", r)
	}
	if o := m.Open(); len(o) != 1 || o[0].ID != prior.ID {
		t.Errorf("open alerts %+v; want the prior %s", o, prior.ID)
	}
	ns = m.Advance(last.Add(2 * time.Hour))
	if f, r := events(ns, "fired"), events(ns, "resolved"); len(f) != 0 || len(r) != 1 || r[0].ID != prior.ID {
		t.Errorf("delivered under another id: fired %+v, resolved %+v; want no page and the prior's resolution", f, r)
	}
	check("delivered", ns, m, prior.ID)
}
