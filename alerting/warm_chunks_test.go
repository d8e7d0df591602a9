package alerting

import (
	"testing"
	"time"
)

func TestWarmChunks(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	at := func(h int, m int) time.Time { return t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	from, to := at(0, 30), at(10, 15)

	// Without counts: one read per chunk of event time, clamped to the range.
	got := chunks(from, to, 4*time.Hour, nil, false, 0)
	want := [][2]time.Time{{at(0, 30), at(4, 30)}, {at(4, 30), at(8, 30)}, {at(8, 30), at(10, 15)}}
	if !equalRanges(got, want) {
		t.Errorf("by event time: got %v; want %v", got, want)
	}

	// With counts: empty hours skipped, hours grouped up to the bound, the ends clamped.
	hours := []HourCount{{at(0, 0), 50}, {at(1, 0), 40}, {at(3, 0), 30}, {at(7, 0), 100}, {at(9, 0), 0}, {at(10, 0), 5}, {at(11, 0), 9}}
	got = chunks(from, to, time.Hour, hours, true, 100)
	want = [][2]time.Time{{at(0, 30), at(2, 0)}, {at(3, 0), at(4, 0)}, {at(7, 0), at(8, 0)}, {at(10, 0), at(10, 15)}}
	if !equalRanges(got, want) {
		t.Errorf("by counts: got %v; want %v", got, want)
	}
	if got := chunks(from, to, time.Hour, nil, true, 100); len(got) != 0 {
		t.Errorf("no stored posts: got reads %v; want none", got)
	}
}

func equalRanges(a, b [][2]time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i][0].Equal(b[i][0]) || !a[i][1].Equal(b[i][1]) {
			return false
		}
	}
	return true
}
