package dedup

import "github.com/rapport-dev/rapport/post"

// entry is one remembered text.
type entry struct {
	seq     uint64 // position in the ring, from 1
	uid     uint64
	at      int64  // creation time, Unix milliseconds
	account uint64 // network and author id: one account
	person  uint64 // authorKey of the handle: the same person on several networks; 0 when unknown
	cluster uint64 // near-duplicate cluster the text belongs to; 0 when none
	net     post.Network
	short   bool
	key     uint64 // exactKey of the words
	sig     signature
	prev    [numBands]uint64 // next older seq in the same bucket of each band (band 0 only for short texts)
	stamp   uint64           // last probe that visited it
	susp    account2
}

// account2 says what the author's profile tells about the account.
type account2 uint8

const (
	profileKnown account2 = 1 << iota // the profile says something (age, followers or a bot flag)
	disposable                        // new, few followers or a declared bot
)

// before orders texts by creation time, then by uid, so that which of two posts is the copy does not
// depend on the order they arrive in.
func (e *entry) before(at int64, uid uint64) bool {
	return e.at < at || e.at == at && e.uid < uid
}

// index is a ring of the latest texts with LSH buckets over them. Buckets map a key to the newest entry
// holding it; each entry links to the next older one, so a bucket costs one map slot however many entries
// it holds, and evicted entries simply end the chains.
type index struct {
	ring    []entry // grows by doubling up to capacity
	cap     int
	head    uint64 // seq of the next entry
	tail    uint64 // seq of the oldest live entry
	buckets map[uint64]uint64
	stamp   uint64
	sweepAt uint64
}

func newIndex(capacity int) *index {
	return &index{ring: make([]entry, min(capacity, 1024)), cap: capacity, head: 1, tail: 1, buckets: map[uint64]uint64{}}
}

// grow doubles the ring (up to cap), keeping every live entry at its seq's new slot.
func (x *index) grow() {
	ring := make([]entry, min(2*len(x.ring), x.cap))
	for seq := x.tail; seq < x.head; seq++ {
		ring[seq%uint64(len(ring))] = x.ring[seq%uint64(len(x.ring))]
	}
	x.ring = ring
}

func (x *index) len() int { return int(x.head - x.tail) }

func (x *index) live(seq uint64) *entry {
	if seq < x.tail || seq >= x.head {
		return nil
	}
	return &x.ring[seq%uint64(len(x.ring))]
}

// evictBefore forgets entries created before cutoff from the oldest end (entries arrive roughly in time
// order; a late straggler is forgotten with its neighbours) and returns how many it forgot.
func (x *index) evictBefore(cutoff int64) int {
	n := 0
	for x.tail < x.head && x.ring[x.tail%uint64(len(x.ring))].at < cutoff {
		x.tail++
		n++
	}
	x.maybeSweep()
	return n
}

// add appends e (its seq and prev are set here), evicting the oldest entry when full, and returns it and
// whether an entry was evicted.
func (x *index) add(e entry) (*entry, bool) {
	evicted := false
	if x.len() == len(x.ring) {
		if len(x.ring) < x.cap {
			x.grow()
		} else {
			x.tail++
			evicted = true
		}
	}
	e.seq = x.head
	x.head++
	if e.short {
		k := e.key
		e.prev[0] = x.buckets[k]
		x.buckets[k] = e.seq
	} else {
		for b := range numBands {
			k := bandKey(&e.sig, b)
			e.prev[b] = x.buckets[k]
			x.buckets[k] = e.seq
		}
	}
	slot := &x.ring[e.seq%uint64(len(x.ring))]
	*slot = e
	x.maybeSweep()
	return slot, evicted
}

// maybeSweep drops buckets whose newest entry was evicted, once per ring's worth of insertions.
func (x *index) maybeSweep() {
	if x.head < x.sweepAt {
		return
	}
	x.sweepAt = x.head + uint64(x.cap)
	for k, s := range x.buckets {
		if s < x.tail {
			delete(x.buckets, k)
		}
	}
}

// probe calls visit for each live entry sharing a bucket with the text (at most limit per bucket, newest
// first), once per entry.
func (x *index) probe(short bool, key uint64, sig *signature, limit int, visit func(*entry)) {
	x.stamp++
	walk := func(k uint64, band int) {
		s := x.buckets[k]
		for n := 0; n < limit; n++ {
			e := x.live(s)
			if e == nil {
				return
			}
			if e.stamp != x.stamp {
				e.stamp = x.stamp
				visit(e)
			}
			s = e.prev[band]
		}
	}
	if short {
		walk(key, 0)
		return
	}
	for b := range numBands {
		walk(bandKey(sig, b), b)
	}
}
