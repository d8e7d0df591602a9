package ingest

import (
	"sort"
	"sync"
)

// TopicPartition names one Kafka partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Tracker knows, per partition, which fetched offsets are still in flight and which are done (written to
// ClickHouse or to the dead-letter topic), and derives the offset that is safe to commit: the lowest offset
// not yet done. Offsets may finish in any order; the committable offset only ever moves past a contiguous run
// of done offsets, so a commit never covers a record whose output is not durable.
//
// Tracker is safe for concurrent use.
type Tracker struct {
	mu    sync.Mutex
	parts map[TopicPartition]*partState
}

type partState struct {
	pending []pendingOffset // ascending by offset
	// next is the offset to commit when nothing is pending: one past the highest offset ever done.
	next      int64
	epoch     int32 // leader epoch of the newest tracked record, for the commit
	committed int64 // last offset marked committed, to report only changes
	inFlight  int   // pending offsets not yet done
	closing   bool  // revoked: no new offsets are tracked, in-flight ones may still finish
}

type pendingOffset struct {
	offset int64
	done   bool
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker { return &Tracker{parts: map[TopicPartition]*partState{}} }

// Assign starts tracking tp, after the group assigned it to this member. Assigning a partition already
// assigned keeps its state.
func (t *Tracker) Assign(tp TopicPartition) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ps := t.parts[tp]; ps == nil || ps.closing {
		t.parts[tp] = &partState{next: -1, committed: -1}
	}
}

// Track registers offset of tp as in flight and reports whether it did: records of a partition that is not
// assigned (revoked while the record was on its way) are not tracked and must not be processed, since
// another member now owns them. Offsets of one partition must be tracked in ascending order (as a consumer
// reads them); an offset at or below one already tracked is refused too.
func (t *Tracker) Track(tp TopicPartition, offset int64, leaderEpoch int32) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.parts[tp]
	if ps == nil || ps.closing {
		return false
	}
	if n := len(ps.pending); n > 0 && ps.pending[n-1].offset >= offset {
		return false
	}
	if offset < ps.next {
		return false
	}
	ps.pending = append(ps.pending, pendingOffset{offset: offset})
	ps.inFlight++
	ps.epoch = leaderEpoch
	return true
}

// Done marks offset of tp as durable. Unknown partitions or offsets (e.g. of a partition revoked since) are
// ignored.
func (t *Tracker) Done(tp TopicPartition, offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.parts[tp]
	if ps == nil {
		return
	}
	i := sort.Search(len(ps.pending), func(i int) bool { return ps.pending[i].offset >= offset })
	if i == len(ps.pending) || ps.pending[i].offset != offset || ps.pending[i].done {
		return
	}
	ps.pending[i].done = true
	ps.inFlight--
	// Advance past the contiguous done prefix.
	j := 0
	for j < len(ps.pending) && ps.pending[j].done {
		ps.next = ps.pending[j].offset + 1
		j++
	}
	if j > 0 {
		// Reslicing drops the done prefix without copying; append moves the live tail to a new array when
		// the old one is used up, so the cost stays constant per offset.
		ps.pending = ps.pending[j:]
	}
}

// Commit is an offset to commit for one partition: the next offset to read.
type Commit struct {
	Offset      int64
	LeaderEpoch int32
}

// Committable returns, for each partition whose safe offset moved since it was last marked committed, the
// offset to commit: the lowest offset not yet done, i.e. the next record a restarted consumer must read.
// With partitions given, only those are considered.
func (t *Tracker) Committable(only ...TopicPartition) map[TopicPartition]Commit {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[TopicPartition]Commit{}
	for tp, ps := range t.parts {
		if len(only) > 0 && !containsTP(only, tp) {
			continue
		}
		safe := ps.next
		if len(ps.pending) > 0 {
			safe = ps.pending[0].offset
		}
		if safe < 0 || safe == ps.committed {
			continue
		}
		if len(ps.pending) > 0 && ps.next < 0 {
			// Nothing of this partition is done yet: the first pending offset is where a restart begins,
			// which the group already knows. Committing it is harmless but noisy; skip.
			continue
		}
		out[tp] = Commit{Offset: safe, LeaderEpoch: ps.epoch}
	}
	return out
}

// MarkCommitted records that c was committed for tp, so Committable stops reporting it.
func (t *Tracker) MarkCommitted(tp TopicPartition, c Commit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ps := t.parts[tp]; ps != nil && c.Offset > ps.committed {
		ps.committed = c.Offset
	}
}

// Pending returns how many offsets of the given partitions are tracked and not yet done; with no
// partitions, of all.
func (t *Tracker) Pending(tps ...TopicPartition) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	if len(tps) == 0 {
		for _, ps := range t.parts {
			n += ps.inFlight
		}
		return n
	}
	for _, tp := range tps {
		if ps := t.parts[tp]; ps != nil {
			n += ps.inFlight
		}
	}
	return n
}

// Close stops tracking new offsets of tp (Track refuses them) while offsets in flight may still finish and
// be committed. Forget ends the partition's state.
func (t *Tracker) Close(tp TopicPartition) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ps := t.parts[tp]; ps != nil {
		ps.closing = true
	}
}

// Forget drops the state of tp, after the partition was revoked or lost. Later Track and Done calls for tp
// are ignored until it is assigned again.
func (t *Tracker) Forget(tp TopicPartition) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.parts, tp)
}

func containsTP(list []TopicPartition, tp TopicPartition) bool {
	for _, have := range list {
		if have == tp {
			return true
		}
	}
	return false
}
