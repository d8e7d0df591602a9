package entities

import "github.com/rapport-dev/rapport/post"

// ThreadEntity is an entity as the thread cache keeps it: what a reply, quote or repost inherits.
type ThreadEntity struct {
	ID         string
	Brand      string
	Kind       post.EntityKind
	Competitor bool
}

// Remembered is one post as the thread cache keeps it: its UID, its event time (creation, Unix milliseconds)
// and its entities, own or inherited (none is an answer too: the post is known to be about nothing).
type Remembered struct {
	UID      uint64
	Time     int64
	Entities []ThreadEntity
}

// threadCache remembers the entities of recent posts by UID. It is a ring in insertion order: the oldest entry
// goes first when the cache is full, and entries older than the horizon (by event time, against the newest
// event time seen) are dropped from the front as new ones come in. An entry's entity slice is reused when its
// slot is, so a full cache allocates nothing in steady state.
type threadCache struct {
	horizon int64 // milliseconds
	max     int
	slots   []slot
	head, n int
	index   map[uint64]int
	newest  int64 // newest event time seen, Unix milliseconds
}

type slot struct {
	uid  uint64
	t    int64
	live bool // false once deleted
	ents []ThreadEntity
}

func newThreadCache(horizonMs int64, max int) *threadCache {
	return &threadCache{horizon: horizonMs, max: max, index: map[uint64]int{}}
}

// Len is the number of posts remembered.
func (c *threadCache) Len() int { return len(c.index) }

// get returns the entry of uid, or nil.
func (c *threadCache) get(uid uint64) *slot {
	i, ok := c.index[uid]
	if !ok {
		return nil
	}
	return &c.slots[i]
}

// remove forgets uid (a deleted post).
func (c *threadCache) remove(uid uint64) {
	if i, ok := c.index[uid]; ok {
		c.slots[i].live = false
		delete(c.index, uid)
	}
}

// put remembers uid at event time t and returns its entry, whose entities the caller appends to s.ents
// (emptied, its storage kept). A uid already remembered (an edit, a redelivery) is updated in place.
func (c *threadCache) put(uid uint64, t int64) *slot {
	if t > c.newest {
		c.newest = t
	}
	if i, ok := c.index[uid]; ok {
		s := &c.slots[i]
		s.t = t
		s.ents = s.ents[:0]
		return s
	}
	c.expire()
	if c.n == len(c.slots) {
		if len(c.slots) < c.max {
			c.grow()
		} else {
			c.evictHead()
		}
	}
	i := (c.head + c.n) % len(c.slots)
	s := &c.slots[i]
	s.uid, s.t, s.live = uid, t, true
	s.ents = s.ents[:0]
	c.index[uid] = i
	c.n++
	return s
}

// expire drops entries from the front while they are deleted or older than the horizon.
func (c *threadCache) expire() {
	cut := c.newest - c.horizon
	for c.n > 0 {
		s := &c.slots[c.head]
		if s.live && s.t >= cut {
			return
		}
		c.evictHead()
	}
}

func (c *threadCache) evictHead() {
	s := &c.slots[c.head]
	if s.live {
		delete(c.index, s.uid)
		s.live = false
	}
	c.head = (c.head + 1) % len(c.slots)
	c.n--
}

// grow doubles the ring (up to max), keeping the order of entries.
func (c *threadCache) grow() {
	size := 2 * len(c.slots)
	if size < 64 {
		size = 64
	}
	if size > c.max {
		size = c.max
	}
	slots := make([]slot, size)
	for k := 0; k < c.n; k++ {
		s := c.slots[(c.head+k)%len(c.slots)]
		slots[k] = s
		if s.live {
			c.index[s.uid] = k
		}
	}
	c.slots, c.head = slots, 0
}
