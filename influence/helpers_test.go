package influence_test

import (
	"slices"
	"strings"

	"github.com/rapport-dev/rapport/influence"
)

func sortAuthors(a []influence.Author) {
	slices.SortFunc(a, func(x, y influence.Author) int {
		return strings.Compare(x.Network+"\x00"+x.ID, y.Network+"\x00"+y.ID)
	})
}

func sortLinks(l []influence.Link) {
	slices.SortFunc(l, func(x, y influence.Link) int {
		return strings.Compare(x.Network+"\x00"+x.From+"\x00"+x.To, y.Network+"\x00"+y.From+"\x00"+y.To)
	})
}
