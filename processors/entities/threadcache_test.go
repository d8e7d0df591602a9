package entities

import (
	"math/rand/v2"
	"testing"
)

// TestThreadCacheInvariants drives the cache with random puts (new posts, edits), deletes and event times that
// mostly rise, and checks after every step that the index and the ring agree, that the size bound holds, that
// what was just put can be found with its entities, and that what was just deleted cannot.
func TestThreadCacheInvariants(t *testing.T) {
	for _, max := range []int{1, 3, 64, 100, 500} {
		rng := rand.New(rand.NewPCG(uint64(max), 9))
		c := newThreadCache(1000, max)
		now := int64(0)
		for step := 0; step < 20000; step++ {
			uid := uint64(rng.IntN(3 * max))
			switch r := rng.IntN(10); {
			case r < 7:
				now += int64(rng.IntN(20))
				tm := now - int64(rng.IntN(50)) // somewhat out of order
				s := c.put(uid, tm)
				for k := 0; k < int(uid%3); k++ {
					s.ents = append(s.ents, ThreadEntity{ID: "e"})
				}
				if g := c.get(uid); g == nil || g.t != tm || len(g.ents) != int(uid%3) {
					t.Fatalf("max %d step %d: put %d at %d, then got %+v", max, step, uid, tm, g)
				}
			default:
				c.remove(uid)
				if c.get(uid) != nil {
					t.Fatalf("max %d step %d: %d found after remove", max, step, uid)
				}
			}
			if c.Len() > max || c.n > len(c.slots) || len(c.slots) > max {
				t.Fatalf("max %d step %d: %d indexed, %d in the ring of %d", max, step, c.Len(), c.n, len(c.slots))
			}
			live := 0
			for k := 0; k < c.n; k++ {
				s := &c.slots[(c.head+k)%len(c.slots)]
				if !s.live {
					continue
				}
				live++
				if i, ok := c.index[s.uid]; !ok || &c.slots[i] != s {
					t.Fatalf("max %d step %d: live slot of %d not indexed to itself", max, step, s.uid)
				}
			}
			if live != c.Len() {
				t.Fatalf("max %d step %d: %d live slots, %d indexed", max, step, live, c.Len())
			}
		}
	}
}
