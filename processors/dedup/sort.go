package dedup

import (
	"cmp"
	"slices"

	"github.com/rapport-dev/rapport/post"
)

// sortByTime orders posts by creation time, then uid: the order in which copies are told from originals.
func sortByTime(ps []*post.Post) {
	slices.SortFunc(ps, func(a, b *post.Post) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.UID(), b.UID())
	})
}
