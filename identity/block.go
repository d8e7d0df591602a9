package identity

import (
	"cmp"
	"slices"
	"strings"
)

// A Pass is one sorted-neighbourhood blocking pass: records are sorted by a key built from the values of
// some roles, and each record becomes a candidate with the next Window-1 records in that order.
//
// Several passes with different leading roles keep recall near 1: a typo in the surname moves a record
// away from its duplicate in the surname pass but not in the birth-date or identity-number pass. Reversed
// passes sort on the key read backwards, so an error in the first characters does not separate a pair.
type Pass struct {
	Name     string
	Roles    []Role
	Reversed bool
}

// DefaultPasses are the blocking passes used when Options.Passes is empty. A pass whose first role has no
// field in the dataset is skipped; roles after the first that are absent are left out of the key.
var DefaultPasses = []Pass{
	{Name: "surname+given", Roles: []Role{Surname, GivenName}},
	{Name: "given+surname", Roles: []Role{GivenName, Surname}},
	{Name: "surname reversed", Roles: []Role{Surname, GivenName}, Reversed: true},
	{Name: "given reversed", Roles: []Role{GivenName, Surname}, Reversed: true},
	{Name: "dob+surname", Roles: []Role{BirthDate, Surname}},
	{Name: "id", Roles: []Role{ID}},
	{Name: "id reversed", Roles: []Role{ID}, Reversed: true},
	{Name: "phone", Roles: []Role{Phone}},
	{Name: "email", Roles: []Role{Email}},
	{Name: "postcode+address", Roles: []Role{Postcode, Address, StreetNumber}},
	{Name: "address+number", Roles: []Role{Address, StreetNumber, Postcode}},
}

// DefaultWindow is the sorted-neighbourhood window used when Options.Window is 0: each record is paired
// with the 6 records that follow it in every pass, enough for a person with five duplicates when the key
// keeps them together, and for a smaller group with unrelated records sorted in between.
const DefaultWindow = 7

// Candidates returns the candidate pairs of d chosen by the passes, each pair once as (i, j) with i < j
// indices into d.Records, sorted. With d.Link, only pairs across the two sources are returned. At most
// len(passes)·len(d.Records)·(window-1) pairs are produced.
func Candidates(d *Dataset, passes []Pass, window int) [][2]int32 {
	if window < 2 {
		window = 2
	}
	seen := make(map[uint64]struct{}, len(d.Records)*4)
	type keyed struct {
		key string
		i   int32
	}
	keys := make([]keyed, 0, len(d.Records))
	for _, p := range passes {
		idx := make([]int, 0, len(p.Roles))
		for n, r := range p.Roles {
			fi := d.fieldIndex(r)
			if fi < 0 && n == 0 {
				break
			}
			if fi >= 0 {
				idx = append(idx, fi)
			}
		}
		if len(idx) == 0 {
			continue
		}
		keys = keys[:0]
		for i, rec := range d.Records {
			if rec.Values[idx[0]] == "" {
				continue
			}
			keys = append(keys, keyed{blockKey(rec.Values, idx, p.Reversed), int32(i)})
		}
		slices.SortFunc(keys, func(a, b keyed) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		for x := range keys {
			for y := x + 1; y < len(keys) && y < x+window; y++ {
				a, b := keys[x].i, keys[y].i
				if d.Link && d.Records[a].Source == d.Records[b].Source {
					continue
				}
				if a > b {
					a, b = b, a
				}
				seen[uint64(a)<<32|uint64(b)] = struct{}{}
			}
		}
	}
	pairs := make([][2]int32, 0, len(seen))
	for k := range seen {
		pairs = append(pairs, [2]int32{int32(k >> 32), int32(k & 0xffffffff)})
	}
	slices.SortFunc(pairs, func(a, b [2]int32) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return cmp.Compare(a[1], b[1])
	})
	return pairs
}

// blockKey joins the values at idx with a separator that sorts before any character, optionally reversed.
func blockKey(values []string, idx []int, reversed bool) string {
	var b strings.Builder
	for n, i := range idx {
		if n > 0 {
			b.WriteByte(0)
		}
		v := values[i]
		if reversed {
			r := []rune(v)
			slices.Reverse(r)
			v = string(r)
		}
		b.WriteString(v)
	}
	return b.String()
}
