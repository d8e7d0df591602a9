package ingest

import (
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
)

var (
	tpA = TopicPartition{Topic: "social.raw.x", Partition: 0}
	tpB = TopicPartition{Topic: "social.raw.x", Partition: 1}
	tpC = TopicPartition{Topic: "social.raw.reddit", Partition: 0}
)

// trackAll tracks offsets of tp in order and fails the test if any is refused.
func trackAll(t *testing.T, tr *Tracker, tp TopicPartition, offsets ...int64) {
	t.Helper()
	for _, o := range offsets {
		if !tr.Track(tp, o, 1) {
			t.Fatalf("Track(%v, %d): got false; want true", tp, o)
		}
	}
}

// wantCommit checks what Committable reports for tp: the offset, or nothing when want < 0.
func wantCommit(t *testing.T, tr *Tracker, tp TopicPartition, want int64) {
	t.Helper()
	got, ok := tr.Committable(tp)[tp]
	switch {
	case want < 0 && ok:
		t.Errorf("Committable(%v): got offset %d; want nothing to commit", tp, got.Offset)
	case want >= 0 && !ok:
		t.Errorf("Committable(%v): got nothing; want offset %d", tp, want)
	case want >= 0 && got.Offset != want:
		t.Errorf("Committable(%v): got offset %d; want %d", tp, got.Offset, want)
	}
}

func TestTrackerInOrder(t *testing.T) {
	tr := NewTracker()
	tr.Assign(tpA)
	trackAll(t, tr, tpA, 10, 11, 12)
	wantCommit(t, tr, tpA, -1) // nothing done: the group already starts at 10
	tr.Done(tpA, 10)
	wantCommit(t, tr, tpA, 11)
	tr.Done(tpA, 11)
	wantCommit(t, tr, tpA, 12)
	tr.Done(tpA, 12)
	wantCommit(t, tr, tpA, 13)
	if got := tr.Pending(tpA); got != 0 {
		t.Errorf("Pending after all done: got %d; want 0", got)
	}
}

func TestTrackerOutOfOrder(t *testing.T) {
	tr := NewTracker()
	tr.Assign(tpA)
	trackAll(t, tr, tpA, 0, 1, 2, 3, 4)
	f := func(done int64, want int64) {
		t.Helper()
		tr.Done(tpA, done)
		wantCommit(t, tr, tpA, want)
	}
	f(3, -1) // 0 still pending: nothing to commit
	f(1, -1)
	f(4, -1)
	f(0, 2) // 0 and 1 done: the restart point is 2
	f(2, 5) // 2 closes the gap up to 4, which is already done
	if got := tr.Pending(tpA); got != 0 {
		t.Errorf("Pending: got %d; want 0", got)
	}
}

func TestTrackerOffsetGaps(t *testing.T) {
	// Compacted topics and transaction markers leave holes in the offsets a consumer sees.
	tr := NewTracker()
	tr.Assign(tpA)
	trackAll(t, tr, tpA, 5, 9, 20)
	tr.Done(tpA, 5)
	wantCommit(t, tr, tpA, 9) // 6..8 were never delivered; the next record to read is 9
	tr.Done(tpA, 20)
	wantCommit(t, tr, tpA, 9)
	tr.Done(tpA, 9)
	wantCommit(t, tr, tpA, 21)
}

func TestTrackerDoneIgnoresUnknown(t *testing.T) {
	tr := NewTracker()
	tr.Done(tpA, 1) // unassigned partition: ignored
	tr.Assign(tpA)
	trackAll(t, tr, tpA, 3, 4)
	tr.Done(tpA, 2) // below everything tracked
	tr.Done(tpA, 7) // above everything tracked
	tr.Done(tpB, 3) // other partition
	tr.Done(tpA, 3) // real
	tr.Done(tpA, 3) // repeated
	wantCommit(t, tr, tpA, 4)
	if got := tr.Pending(tpA); got != 1 {
		t.Errorf("Pending: got %d; want 1", got)
	}
}

func TestTrackerMarkCommitted(t *testing.T) {
	tr := NewTracker()
	tr.Assign(tpA)
	trackAll(t, tr, tpA, 0, 1, 2)
	tr.Done(tpA, 0)
	c, ok := tr.Committable()[tpA]
	if !ok || c.Offset != 1 {
		t.Fatalf("Committable: got %+v, %v; want offset 1", c, ok)
	}
	tr.MarkCommitted(tpA, c)
	wantCommit(t, tr, tpA, -1)
	wantCommit(t, tr, tpA, -1) // still nothing: repeats are suppressed
	tr.Done(tpA, 2)
	wantCommit(t, tr, tpA, -1) // 1 is pending, the safe offset is still 1
	tr.Done(tpA, 1)
	wantCommit(t, tr, tpA, 3)

	// An older commit acknowledged late does not move the mark back.
	tr.MarkCommitted(tpA, Commit{Offset: 3})
	tr.MarkCommitted(tpA, Commit{Offset: 1})
	wantCommit(t, tr, tpA, -1)

	// Marking an unknown partition is harmless.
	tr.MarkCommitted(tpB, Commit{Offset: 100})
	if got := tr.Committable(); len(got) != 0 {
		t.Errorf("Committable: got %v; want nothing", got)
	}
}

func TestTrackerLeaderEpoch(t *testing.T) {
	tr := NewTracker()
	tr.Assign(tpA)
	tr.Track(tpA, 0, 4)
	tr.Track(tpA, 1, 5)
	tr.Done(tpA, 0)
	tr.Done(tpA, 1)
	if got := tr.Committable()[tpA]; got != (Commit{Offset: 2, LeaderEpoch: 5}) {
		t.Errorf("Committable: got %+v; want {Offset:2 LeaderEpoch:5}", got)
	}
}

func TestTrackerTrackRefused(t *testing.T) {
	tr := NewTracker()
	f := func(tp TopicPartition, offset int64, want bool) {
		t.Helper()
		if got := tr.Track(tp, offset, 0); got != want {
			t.Errorf("Track(%v, %d): got %v; want %v", tp, offset, got, want)
		}
	}
	f(tpA, 0, false) // never assigned
	tr.Assign(tpA)
	f(tpA, 10, true)
	f(tpA, 10, false) // same offset again
	f(tpA, 9, false)  // below the last tracked
	f(tpA, 11, true)
	tr.Done(tpA, 10)
	tr.Done(tpA, 11)
	f(tpA, 11, false) // nothing pending, but 11 is already done
	f(tpA, 5, false)
	f(tpA, 12, true)

	tr.Close(tpA)
	f(tpA, 13, false) // closing: no new work
	// In-flight offsets of a closing partition still finish and commit.
	tr.Done(tpA, 12)
	wantCommit(t, tr, tpA, 13)
	if got := tr.Pending(tpA); got != 0 {
		t.Errorf("Pending of closed partition: got %d; want 0", got)
	}
	tr.Close(tpB) // closing an unknown partition is harmless
	f(tpB, 0, false)
}

func TestTrackerAssign(t *testing.T) {
	tr := NewTracker()
	tr.Assign(tpA)
	trackAll(t, tr, tpA, 0, 1)
	tr.Done(tpA, 0)
	tr.Assign(tpA) // re-assigning an owned partition keeps its state
	if got := tr.Pending(tpA); got != 1 {
		t.Errorf("Pending after re-Assign: got %d; want 1", got)
	}
	wantCommit(t, tr, tpA, 1)

	tr.Close(tpA)
	tr.Assign(tpA) // assigned again after a revoke: a fresh start
	if got := tr.Pending(tpA); got != 0 {
		t.Errorf("Pending after Assign of a closed partition: got %d; want 0", got)
	}
	wantCommit(t, tr, tpA, -1)
	trackAll(t, tr, tpA, 0) // the new owner's position may be anywhere, even behind
}

func TestTrackerForget(t *testing.T) {
	tr := NewTracker()
	tr.Assign(tpA)
	tr.Assign(tpB)
	trackAll(t, tr, tpA, 0, 1, 2)
	trackAll(t, tr, tpB, 0)
	tr.Done(tpA, 0)
	tr.MarkCommitted(tpA, Commit{Offset: 1})
	tr.Forget(tpA)

	if got := tr.Pending(tpA); got != 0 {
		t.Errorf("Pending(forgotten): got %d; want 0", got)
	}
	if got := tr.Pending(); got != 1 {
		t.Errorf("Pending(): got %d; want 1 (only tpB)", got)
	}
	if tr.Track(tpA, 3, 0) {
		t.Errorf("Track on a forgotten partition: got true; want false")
	}
	tr.Done(tpA, 1) // ignored
	if _, ok := tr.Committable()[tpA]; ok {
		t.Errorf("Committable reports a forgotten partition")
	}

	// Assigned again: a fresh state whose first commit is reported even if it equals an old one.
	tr.Assign(tpA)
	trackAll(t, tr, tpA, 0)
	tr.Done(tpA, 0)
	wantCommit(t, tr, tpA, 1)
}

func TestTrackerPendingPerPartition(t *testing.T) {
	tr := NewTracker()
	for _, tp := range []TopicPartition{tpA, tpB, tpC} {
		tr.Assign(tp)
	}
	trackAll(t, tr, tpA, 0, 1, 2)
	trackAll(t, tr, tpB, 100, 101)
	trackAll(t, tr, tpC, 7)
	f := func(want int, tps ...TopicPartition) {
		t.Helper()
		if got := tr.Pending(tps...); got != want {
			t.Errorf("Pending(%v): got %d; want %d", tps, got, want)
		}
	}
	f(6)
	f(3, tpA)
	f(2, tpB)
	f(1, tpC)
	f(3, tpB, tpC, TopicPartition{Topic: "unknown", Partition: 9})
	tr.Done(tpA, 0)
	tr.Done(tpB, 100)
	tr.Done(tpB, 101)
	f(2, tpA)
	f(0, tpB)
	f(3)
}

func TestTrackerCommittableFilter(t *testing.T) {
	tr := NewTracker()
	for _, tp := range []TopicPartition{tpA, tpB, tpC} {
		tr.Assign(tp)
		trackAll(t, tr, tp, 0)
		tr.Done(tp, 0)
	}
	all := tr.Committable()
	want := map[TopicPartition]Commit{tpA: {Offset: 1, LeaderEpoch: 1}, tpB: {Offset: 1, LeaderEpoch: 1}, tpC: {Offset: 1, LeaderEpoch: 1}}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("Committable(): got %v; want %v", all, want)
	}
	some := tr.Committable(tpB, tpC)
	delete(want, tpA)
	if !reflect.DeepEqual(some, want) {
		t.Errorf("Committable(tpB, tpC): got %v; want %v", some, want)
	}
}

// TestTrackerRandomOrder tracks many offsets (with holes) and completes them in random order, interleaved
// with more tracking and with commits. After every step the committable offset must be the lowest offset
// not done yet, and must never go backwards.
func TestTrackerRandomOrder(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xdecafbad))
		tr := NewTracker()
		tr.Assign(tpA)

		// The offsets the consumer will see: ascending, with occasional holes.
		const n = 1500
		offsets := make([]int64, n)
		o := int64(rng.IntN(1000))
		for i := range offsets {
			offsets[i] = o
			o += 1 + int64(rng.IntN(4)/3)*int64(rng.IntN(5))
		}

		var (
			tracked    int              // offsets[:tracked] are tracked
			prefix     int              // offsets[:prefix] are all done
			done       = map[int]bool{} // index into offsets
			notDone    []int            // tracked and not done, unordered
			committed  = int64(-1)      // what the test marked committed
			lastReport = int64(-1)      // highest offset Committable ever reported
		)
		for step := 0; tracked < n || len(notDone) > 0; step++ {
			if tracked < n && (len(notDone) == 0 || rng.IntN(3) == 0) {
				if !tr.Track(tpA, offsets[tracked], 0) {
					t.Fatalf("seed %d step %d: Track(%d): got false; want true", seed, step, offsets[tracked])
				}
				notDone = append(notDone, tracked)
				tracked++
			} else {
				k := rng.IntN(len(notDone))
				i := notDone[k]
				notDone[k] = notDone[len(notDone)-1]
				notDone = notDone[:len(notDone)-1]
				done[i] = true
				tr.Done(tpA, offsets[i])
			}

			// The model: the lowest tracked offset not done, or one past the last tracked when all are done.
			for prefix < tracked && done[prefix] {
				prefix++
			}
			var want int64
			if prefix < tracked {
				want = offsets[prefix]
			} else {
				want = offsets[tracked-1] + 1
			}
			c, ok := tr.Committable(tpA)[tpA]
			switch {
			case prefix == 0:
				if ok {
					t.Fatalf("seed %d step %d: Committable: got %d before the first offset is done; want nothing", seed, step, c.Offset)
				}
			case want == committed:
				if ok {
					t.Fatalf("seed %d step %d: Committable: got %d, already marked committed; want nothing", seed, step, c.Offset)
				}
			case !ok:
				t.Fatalf("seed %d step %d: Committable: got nothing; want %d", seed, step, want)
			case c.Offset != want:
				t.Fatalf("seed %d step %d: Committable: got %d; want %d (lowest offset not done)", seed, step, c.Offset, want)
			}
			if ok {
				if c.Offset < lastReport {
					t.Fatalf("seed %d step %d: Committable went backwards: %d after %d", seed, step, c.Offset, lastReport)
				}
				lastReport = c.Offset
				if rng.IntN(2) == 0 {
					tr.MarkCommitted(tpA, c)
					committed = c.Offset
				}
			}
			// Offsets done behind a pending one may or may not count as pending; the ones not done must.
			if got := tr.Pending(tpA); got < len(notDone) || got > tracked-prefix {
				t.Fatalf("seed %d step %d: Pending: got %d; want between %d (not done) and %d (tracked from the first not done on)",
					seed, step, got, len(notDone), tracked-prefix)
			}
		}
		if lastReport != offsets[n-1]+1 {
			t.Fatalf("seed %d: final committable %d; want %d", seed, lastReport, offsets[n-1]+1)
		}
	}
}

// TestTrackerConcurrent runs producers, completers and a committer on several partitions at once. Run it
// with -race.
func TestTrackerConcurrent(t *testing.T) {
	tr := NewTracker()
	tps := []TopicPartition{tpA, tpB, tpC}
	for _, tp := range tps {
		tr.Assign(tp)
	}
	const perPartition = 3000
	type item struct {
		tp     TopicPartition
		offset int64
	}
	work := make(chan item, 64)

	var producers sync.WaitGroup
	for i, tp := range tps {
		producers.Add(1)
		go func() {
			defer producers.Done()
			for o := int64(0); o < perPartition; o++ {
				if !tr.Track(tp, o, int32(i)) {
					t.Errorf("Track(%v, %d): got false; want true", tp, o)
					return
				}
				work <- item{tp, o}
			}
		}()
	}
	var completers sync.WaitGroup
	for range 8 {
		completers.Add(1)
		go func() {
			defer completers.Done()
			for it := range work {
				tr.Done(it.tp, it.offset)
			}
		}()
	}

	stop := make(chan struct{})
	committerDone := make(chan struct{})
	last := map[TopicPartition]int64{}
	go func() {
		defer close(committerDone)
		for {
			for tp, c := range tr.Committable() {
				if c.Offset < last[tp] {
					t.Errorf("%v: commit went backwards: %d after %d", tp, c.Offset, last[tp])
				}
				last[tp] = c.Offset
				tr.MarkCommitted(tp, c)
			}
			_ = tr.Pending()
			select {
			case <-stop:
				return
			default:
			}
		}
	}()

	producers.Wait()
	close(work)
	completers.Wait()
	close(stop)
	<-committerDone

	if got := tr.Pending(); got != 0 {
		t.Errorf("Pending after everything is done: got %d; want 0", got)
	}
	for tp, c := range tr.Committable() {
		last[tp] = c.Offset
	}
	for _, tp := range tps {
		if last[tp] != perPartition {
			t.Errorf("%v: final committed offset %d; want %d", tp, last[tp], perPartition)
		}
	}
}

// BenchmarkTracker tracks batches of 1000 offsets and completes them out of order, with 50 batches in
// flight, as the pipeline does.
func BenchmarkTracker(b *testing.B) {
	tr := NewTracker()
	tr.Assign(tpA)
	const batch, inFlight = 1000, 50
	var next int64
	var open [][]int64
	b.ReportAllocs()
	for b.Loop() {
		offs := make([]int64, batch)
		for i := range offs {
			offs[i] = next
			tr.Track(tpA, next, 1)
			next++
		}
		open = append(open, offs)
		if len(open) > inFlight {
			// Finish the second-oldest batch first, then the oldest: completions arrive out of order.
			for _, k := range []int{1, 0} {
				for _, o := range open[k] {
					tr.Done(tpA, o)
				}
			}
			open = open[2:]
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "offsets/s")
}
