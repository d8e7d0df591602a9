package identity

import (
	"fmt"
	"slices"
	"strconv"
)

// Missing is the level of a comparison where either value is empty: it carries no evidence either way.
const Missing = -1

// A Comparator turns two normalised values into an agreement level: 0 is full disagreement, len(Levels())-1
// is exact agreement, the levels in between are degrees of closeness, and Missing means either value is
// empty. Comparators are pure functions of their arguments and safe for concurrent use.
type Comparator interface {
	// Levels names the levels, from disagreement (index 0) to exact agreement (last).
	Levels() []string
	// Compare returns the level reached by a and b, or Missing.
	Compare(a, b string) int
}

// Exact agrees only on equal values: levels "disagree" and "exact".
type Exact struct{}

// Levels implements Comparator.
func (Exact) Levels() []string { return []string{"disagree", "exact"} }

// Compare implements Comparator.
func (Exact) Compare(a, b string) int {
	switch {
	case a == "" || b == "":
		return Missing
	case a == b:
		return 1
	}
	return 0
}

// JaroWinklerLevels grades two strings by their Jaro–Winkler similarity: exact, then one level per
// threshold (from the highest threshold down), then disagree. Thresholds must be in decreasing order.
type JaroWinklerLevels struct {
	Thresholds []float64
}

// Levels implements Comparator.
func (c JaroWinklerLevels) Levels() []string {
	l := make([]string, 0, len(c.Thresholds)+2)
	l = append(l, "disagree")
	for i := len(c.Thresholds) - 1; i >= 0; i-- {
		l = append(l, "jw>="+strconv.FormatFloat(c.Thresholds[i], 'f', -1, 64))
	}
	return append(l, "exact")
}

// Compare implements Comparator.
func (c JaroWinklerLevels) Compare(a, b string) int {
	switch {
	case a == "" || b == "":
		return Missing
	case a == b:
		return len(c.Thresholds) + 1
	}
	s := JaroWinkler(a, b)
	for i, t := range c.Thresholds {
		if s >= t {
			return len(c.Thresholds) - i
		}
	}
	return 0
}

// Digits compares numbers written as digit strings (postcodes, identity numbers, phone numbers, house
// numbers) with typo tolerance: "exact", "one edit" (one digit substituted, inserted or deleted, or two
// adjacent digits swapped) and "disagree".
type Digits struct{}

// Levels implements Comparator.
func (Digits) Levels() []string { return []string{"disagree", "one edit", "exact"} }

// Compare implements Comparator.
func (Digits) Compare(a, b string) int {
	switch {
	case a == "" || b == "":
		return Missing
	case a == b:
		return 2
	case withinOneEdit(a, b):
		return 1
	}
	return 0
}

// Date compares dates normalised to YYYYMMDD (see NormalizeDate): "exact"; "typo" (one edit apart, or day
// and month swapped, as when one source wrote month first); "near" (two edits apart, or the same year and
// month); and "disagree". Keeping the near misses apart lets a plain disagreement weigh what it should: two
// people with the same name but birth dates years apart are rarely one person.
type Date struct{}

// Levels implements Comparator.
func (Date) Levels() []string { return []string{"disagree", "near", "typo", "exact"} }

// Compare implements Comparator.
func (Date) Compare(a, b string) int {
	switch {
	case a == "" || b == "":
		return Missing
	case a == b:
		return 3
	case len(a) == 8 && len(b) == 8 && a[:4] == b[:4] && a[4:6] == b[6:8] && a[6:8] == b[4:6]:
		return 2
	case withinOneEdit(a, b):
		return 2
	case len(a) == 8 && len(b) == 8 && a[:6] == b[:6]:
		return 1
	case EditDistance(a, b) <= 2:
		return 1
	}
	return 0
}

// LevelName returns the name of level l of c, "missing" for Missing.
func LevelName(c Comparator, l int) string {
	if l == Missing {
		return "missing"
	}
	names := c.Levels()
	if l < 0 || l >= len(names) {
		return fmt.Sprintf("level %d", l)
	}
	return names[l]
}

// Jaro returns the Jaro similarity of a and b (0 when nothing matches, 1 when equal), computed on runes.
//
// Source: M. A. Jaro, "Advances in record-linkage methodology as applied to matching the 1985 census of
// Tampa, Florida", JASA 84(406), 1989; matching window max(|a|,|b|)/2 - 1 as in Winkler (1990).
func Jaro(a, b string) float64 {
	if isASCII(a) && isASCII(b) {
		return jaro([]byte(a), []byte(b))
	}
	var bufA, bufB [48]rune
	return jaro(appendRunes(bufA[:0], a), appendRunes(bufB[:0], b))
}

// jaro computes the Jaro similarity on bytes (ASCII values, the common case) or runes.
func jaro[E byte | rune](ra, rb []E) float64 {
	la, lb := len(ra), len(rb)
	if la == 0 || lb == 0 {
		return 0
	}
	if slices.Equal(ra, rb) {
		return 1
	}
	window := max(max(la, lb)/2-1, 0)
	var bufA, bufB [48]bool
	var matchA, matchB []bool
	if la <= len(bufA) && lb <= len(bufB) {
		matchA, matchB = bufA[:la], bufB[:lb]
	} else {
		matchA, matchB = make([]bool, la), make([]bool, lb)
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for j := lo; j <= hi; j++ {
			if !matchB[j] && ra[i] == rb[j] {
				matchA[i], matchB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !matchA[i] {
			continue
		}
		for !matchB[j] {
			j++
		}
		if ra[i] != rb[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	return (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
}

// JaroWinkler returns the Jaro–Winkler similarity of a and b: the Jaro similarity raised for a common
// prefix of up to four characters (scaling factor 0.1), applied when the Jaro similarity exceeds 0.7.
//
// Source: W. E. Winkler, "String comparator metrics and enhanced decision rules in the Fellegi–Sunter model
// of record linkage", Proceedings of the Section on Survey Research Methods, ASA, 1990.
func JaroWinkler(a, b string) float64 {
	if isASCII(a) && isASCII(b) {
		return jaroWinkler([]byte(a), []byte(b))
	}
	var bufA, bufB [48]rune
	return jaroWinkler(appendRunes(bufA[:0], a), appendRunes(bufB[:0], b))
}

func jaroWinkler[E byte | rune](ra, rb []E) float64 {
	j := jaro(ra, rb)
	if j <= 0.7 {
		return j
	}
	p := 0
	for p < 4 && p < len(ra) && p < len(rb) && ra[p] == rb[p] {
		p++
	}
	return j + float64(p)*0.1*(1-j)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// EditDistance returns the optimal-string-alignment distance of a and b: the number of single-rune
// insertions, deletions, substitutions and adjacent transpositions that turn one into the other, when no
// substring is edited twice (Damerau, 1964).
func EditDistance(a, b string) int {
	var bufA, bufB [48]rune
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	la, lb := len(ra), len(rb)
	if la == 0 {
		return lb
	}
	if lb == 0 {
		return la
	}
	// Three rows: two back (for transpositions), previous, current.
	var rows [3][49]int
	var prev2, prev, cur []int
	if lb < len(rows[0]) {
		prev2, prev, cur = rows[0][:lb+1], rows[1][:lb+1], rows[2][:lb+1]
	} else {
		prev2, prev, cur = make([]int, lb+1), make([]int, lb+1), make([]int, lb+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// withinOneEdit reports whether EditDistance(a, b) <= 1, in one pass over the bytes. It is used on digit
// strings, where bytes and runes coincide.
func withinOneEdit(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(b) {
		return true
	}
	if len(a) != len(b) {
		return a[i+1:] == b[i:]
	}
	if a[i+1:] == b[i+1:] {
		return true
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// appendRunes appends the runes of s to buf; callers pass a stack buffer so short values do not allocate.
func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}
