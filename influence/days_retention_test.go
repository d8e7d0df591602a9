package influence_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sim"
)

// storedDays is the number of distinct days table holds rows of in [from, to).
func storedDays(t *testing.T, conn driver.Conn, table string, from, to time.Time) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), fmt.Sprintf("SELECT uniqExact(day) FROM %s WHERE day >= toDateTime(%d) AND day < toDateTime(%d)",
		table, from.Unix(), to.Unix())).Scan(&n); err != nil {
		t.Fatalf("counting the days of %s: %v", table, err)
	}
	return n
}

// TestDaysRetention checks that a run drops the months of authors and edges that ended before the window
// (less the retention), keeps the rest, and that a later window over the dropped days recomputes them: the
// per-day path gives Load's inputs before, after and again over the dropped days, and after a rebuild. The
// handle holders are rolled up in several statements (a small HandlesPerQuery).
func TestDaysRetention(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	start := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	cfg := sim.Config{Seed: 11, Authors: 800, EventRate: 0.004, Start: start}
	end := time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)
	store(t, conn, simulated(t, cfg, start, end, time.Hour))
	days := influence.NewDays(conn, influence.DaysConfig{ChunkDays: 8, HandlesPerQuery: 150, Retain: 24 * time.Hour})
	april := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	tables := []string{"influence_day_authors", "influence_day_links"}

	// Window 1, March 21 09:00 to April 10: whole days March 22 .. April 9, nothing to drop.
	early := influence.Window{From: time.Date(2026, 3, 21, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC), HalfLife: 3 * 24 * time.Hour}
	st := sameInputs(t, conn, days, early, "early window")
	if !st.Rebuild || st.HandleParts < 2 || len(st.Dropped) != 0 {
		t.Errorf("early window: %+v; want a rebuild in several handle statements, nothing dropped", st)
	}
	for _, table := range tables {
		if n := storedDays(t, conn, table, start, april); n != 10 {
			t.Errorf("early window: %s holds %d March days; want 10", table, n)
		}
	}

	// Window 2, April 12 09:00 to May 5 12:00: the oldest day kept is April 12 (April 13 less a day), so
	// March is dropped and April 1 .. 9 stay.
	late := influence.Window{From: time.Date(2026, 4, 12, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 5, 12, 0, 0, 0, time.UTC), HalfLife: early.HalfLife}
	st = sameInputs(t, conn, days, late, "late window")
	want := []string{"influence_day_authors:202603", "influence_day_links:202603"}
	if st.Rebuild || !slices.Equal(st.Dropped, want) {
		t.Errorf("late window: %+v; want no rebuild and %v dropped", st, want)
	}
	for _, table := range tables {
		if n := storedDays(t, conn, table, start, april); n != 0 {
			t.Errorf("late window: %s still holds %d March days", table, n)
		}
		if n := storedDays(t, conn, table, april, april.Add(9*24*time.Hour)); n != 9 {
			t.Errorf("late window: %s holds %d of the days April 1 .. 9; want 9", table, n)
		}
	}
	st = sameInputs(t, conn, days, late, "late window again")
	if len(st.Dropped) != 0 || st.GraphDays != 0 {
		t.Errorf("late window again: %+v; want nothing dropped or recomputed", st)
	}

	// Window 1 again: its ten March days were dropped and are recomputed; its April days were kept.
	st = sameInputs(t, conn, days, early, "early window again")
	if st.GraphDays != 10 {
		t.Errorf("early window again: %d days recomputed; want the 10 dropped March days", st.GraphDays)
	}

	// A rebuild (as after an erasure) recomputes every handle, in parts, and gives the same inputs.
	if err := influence.Invalidate(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	st = sameInputs(t, conn, days, late, "late window after a rebuild")
	if !st.Rebuild || st.HandleParts < 2 {
		t.Errorf("rebuild: %+v; want a rebuild in several handle statements", st)
	}
}
