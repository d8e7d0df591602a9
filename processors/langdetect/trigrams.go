package langdetect

//go:generate go run ./internal/genprofiles

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// The scoring constants of whatlanggo's trigram method: a profile trigram missing from the text costs
// maxTrigramDistance, and scores are maxTotalDistance minus a language's distance.
const (
	maxTrigramDistance = 300
	maxTotalDistance   = 90000
)

// latinIndex scores Latin-script text against the trigram profiles of the allowed languages (profiles.go)
// with the method of whatlanggo — out-of-place distance between the text's trigram ranking and each
// profile, then the confidence of the best language over the second — and gives the same language and
// confidence as whatlanggo.DetectWithOptions for Latin text, which the tests check.
//
// whatlanggo looks every profile trigram up in a map of the text's trigrams (300 lookups per language);
// the index turns this around: every language starts at the distance of a text sharing no trigram, and
// each distinct trigram of the text, looked up once, corrects the languages whose profile holds it. Text
// trigrams are packed into integers instead of strings, so detection allocates only its scratch slices.
type latinIndex struct {
	langs    []whatlanggo.Lang // the allowed languages with a Latin profile; a language's slot is its index
	base     []int             // per slot: the distance of text that shares no trigram with the profile
	postings map[uint64][]posting
}

// posting is one occurrence of a trigram in a profile: the language's slot and the trigram's rank there.
type posting struct {
	slot int32
	rank int32
}

// gramCount is a distinct trigram of a text and how often it occurs.
type gramCount struct {
	key   uint64
	count int
}

// scratch holds the buffers of one detection, reused across the posts of a batch.
type scratch struct {
	keys  []uint64
	grams []gramCount
	dist  []int
}

// newLatinIndex indexes the Latin profiles of the languages in allow; an empty allow means every
// language, as in whatlanggo.Options.
func newLatinIndex(allow map[whatlanggo.Lang]bool) *latinIndex {
	x := &latinIndex{postings: map[uint64][]posting{}}
	for _, p := range latinProfiles {
		if len(allow) != 0 && !allow[p.lang] {
			continue
		}
		slot := int32(len(x.langs))
		grams := strings.Split(p.trigrams, "|")
		x.langs = append(x.langs, p.lang)
		x.base = append(x.base, maxTrigramDistance*len(grams))
		for rank, g := range grams {
			k := gramKey(g)
			x.postings[k] = append(x.postings[k], posting{slot: slot, rank: int32(rank)})
		}
	}
	return x
}

// gramKey packs the three runes of a trigram into one integer whose order is the strings' byte order.
func gramKey(g string) uint64 {
	var k uint64
	n := 0
	for _, r := range g {
		k = k<<21 | uint64(r)
		n++
	}
	if n != 3 {
		panic("langdetect: profile entry " + g + " is not a trigram")
	}
	return k
}

// isStopRune reports whether r counts as a word break for trigrams: space, punctuation, symbol or digit.
func isStopRune(r rune) bool {
	return unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r)
}

// foldRune is a rune as trigrams see it: word breaks become a space, letters are lower-cased.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(asciiFold[r])
	}
	if isStopRune(r) {
		return ' '
	}
	return unicode.ToLower(r)
}

// asciiFold is foldRune of the ASCII runes, and asciiLatin tells the ASCII runes whatlanggo counts as Latin
// script (letters; word breaks are not counted, nor are control characters, which belong to no script).
var asciiFold, asciiLatin = func() (fold [utf8.RuneSelf]byte, latin [utf8.RuneSelf]bool) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		f := ' '
		if !isStopRune(r) {
			f = unicode.ToLower(r)
		}
		fold[r] = byte(f)
		latin[r] = !isStopRune(r) && unicode.Is(unicode.Latin, r)
	}
	return fold, latin
}()

// isLatinText reports whatlanggo.DetectScript(text) == unicode.Latin. whatlanggo counts the runes of each
// script, word breaks left out, and returns the script with most; when no rune of another script occurs,
// that is Latin as soon as one Latin rune does. Text with runes of other scripts goes to whatlanggo.
func isLatinText(text string) bool {
	latin := false
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			latin = latin || asciiLatin[c]
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case isStopRune(r):
		case unicode.Is(unicode.Latin, r):
			latin = true
		default:
			return whatlanggo.DetectScript(text) == unicode.Latin
		}
	}
	return latin
}

// detect returns the best language of text and the confidence in it, as whatlanggo does for Latin text.
func (x *latinIndex) detect(text string, sc *scratch) (whatlanggo.Lang, float64) {
	// The text's trigrams: a space before the text and after it, and none made of a space between two
	// spaces or a single letter between spaces.
	sc.keys = sc.keys[:0]
	r1, r2, first := ' ', ' ', true
	add := func(r3 rune) {
		if first {
			r2, first = r3, false
			return
		}
		if !(r2 == ' ' && (r1 == ' ' || r3 == ' ')) {
			sc.keys = append(sc.keys, uint64(r1)<<42|uint64(r2)<<21|uint64(r3))
		}
		r1, r2 = r2, r3
	}
	for _, r := range text {
		add(foldRune(r))
	}
	add(' ')

	// Distinct trigrams ranked by frequency, then by the trigram's bytes, both descending.
	slices.Sort(sc.keys)
	sc.grams = sc.grams[:0]
	for i, k := range sc.keys {
		if i > 0 && k == sc.keys[i-1] {
			sc.grams[len(sc.grams)-1].count++
			continue
		}
		sc.grams = append(sc.grams, gramCount{key: k, count: 1})
	}
	slices.SortFunc(sc.grams, func(a, b gramCount) int {
		if a.count != b.count {
			return b.count - a.count
		}
		if a.key > b.key {
			return -1
		}
		return 1 // keys are distinct
	})

	sc.dist = append(sc.dist[:0], x.base...)
	for rank, g := range sc.grams {
		for _, p := range x.postings[g.key] {
			d := rank - int(p.rank)
			if d < 0 {
				d = -d
			}
			sc.dist[p.slot] += d - maxTrigramDistance
		}
	}

	switch len(x.langs) {
	case 0:
		return -1, 0
	case 1:
		return x.langs[0], 1
	}
	best, second := -1, -1
	for slot, d := range sc.dist {
		switch {
		case best < 0 || d < sc.dist[best]:
			best, second = slot, best
		case second < 0 || d < sc.dist[second]:
			second = slot
		}
	}
	score1 := maxTotalDistance - sc.dist[best]
	score2 := maxTotalDistance - sc.dist[second]
	if score1 == 0 {
		return -1, 0
	}
	if score2 == 0 {
		// whatlanggo divides integers here: the confidence is 0 below a score of 500 and 1 from there on.
		return x.langs[best], min(float64(score1/500), 1)
	}
	rate := float64(score1-score2) / float64(score2)
	confidentRate := 12.0/float64(len(sc.grams)) + 0.05
	if rate > confidentRate {
		return x.langs[best], 1
	}
	return x.langs[best], rate / confidentRate
}
