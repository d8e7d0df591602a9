package sentiment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Item kinds.
const (
	kindWord uint8 = iota
	kindEmoji
	kindEmoticon
	kindBreak // clause punctuation: ends negation and degree-adverb scope
)

// Item flags.
const (
	flagCaps    uint8 = 1 << iota // ALL CAPS word of two or more letters
	flagElong                     // a letter repeated three or more times
	flagHashtag                   // part of a hashtag
)

// item is one token of the text, by byte offsets, with what the lexicons say of it.
type item struct {
	start, end int32
	vocab      int32 // entry.vocab
	val        float32
	boost      float32
	kind       uint8
	flags      uint8
	role       uint8
}

// scratch is the per-call working memory, pooled so that scoring does not allocate.
type scratch struct {
	items     []item
	caseWords int // words with two or more letters
	capsWords int // of those, words in ALL CAPS
	exclaims  int
	questions int
	urls      int
	mentions  int
	hashtags  int
	numbers   int // tokens of digits without letters ("2", "10:30", "$17")
	propers   int // capitalised words inside a sentence ("went to Austin"), as names are written
	firstPers int // first-person pronouns ("I", "my", "I'm")
	subj      int // summed subjectivity of the words, in hundredths
	ev        evidence
	opinions  []opinion // one per driver, in order: its item and its weight before contrast weighting
	view      view      // entity and signal analysis, reused
}

// opinion is one driver as entity analysis sees it.
type opinion struct {
	item   int32
	weight float64
}

func (s *scratch) reset() {
	s.items = s.items[:0]
	s.opinions = s.opinions[:0]
	s.caseWords, s.capsWords, s.exclaims, s.questions, s.urls, s.mentions, s.hashtags = 0, 0, 0, 0, 0, 0, 0
	s.numbers, s.propers, s.firstPers, s.subj = 0, 0, 0, 0
	s.ev.reset()
}

func (s *scratch) brk() {
	if n := len(s.items); n > 0 && s.items[n-1].kind != kindBreak {
		s.items = append(s.items, item{kind: kindBreak})
	}
}

// maxWord is the longest word, in bytes, looked up in the lexicon; longer ones carry no valence.
const maxWord = 40

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// wordRune reports whether the rune at text[i:] continues a word, and its size.
func wordRune(text string, i int) (bool, int) {
	c := text[i]
	if c < utf8.RuneSelf {
		return isLetter(c) || isDigit(c), 1
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r) || unicode.IsMark(r), size
}

// apostrophe reports the size of an apostrophe (' or ’) at text[i:] that sits inside a word, or 0.
func apostrophe(text string, i int) int {
	size := 0
	switch {
	case text[i] == '\'':
		size = 1
	case len(text)-i >= 3 && text[i] == 0xE2 && text[i+1] == 0x80 && text[i+2] == 0x99: // ’
		size = 3
	}
	if size == 0 || i+size >= len(text) || !isLetter(text[i+size]) {
		return 0
	}
	return size
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i] {
			return false
		}
	}
	return true
}

// skipNonSpace returns the index of the first space at or after i.
func skipNonSpace(text string, i int) int {
	for i < len(text) && !isSpace(text[i]) {
		i++
	}
	return i
}

// tokenize splits text into items.
func (a *Analyzer) tokenize(text string, s *scratch) {
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		switch {
		case isSpace(c):
			i++
		case c == '@' && i+1 < n && (isLetter(text[i+1]) || isDigit(text[i+1]) || text[i+1] == '_'):
			i++ // a mention: skip the handle (and a Mastodon @instance)
			s.mentions++
			for i < n && (isLetter(text[i]) || isDigit(text[i]) || text[i] == '_' || text[i] == '.' || text[i] == '@') {
				i++
			}
		case c == '#' && i+1 < n && isLetter(text[i+1]):
			i = a.hashtag(text, i+1, s)
			s.hashtags++
		case (c == 'h' || c == 'H' || c == 'w' || c == 'W') && (hasPrefixFold(text[i:], "http://") ||
			hasPrefixFold(text[i:], "https://") || hasPrefixFold(text[i:], "www.")):
			i = skipNonSpace(text, i)
			s.urls++
		case c < utf8.RuneSelf && (isLetter(c) || isDigit(c)):
			i = a.word(text, i, s, 0)
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(text[i:])
			switch {
			case unicode.IsLetter(r):
				i = a.word(text, i, s, 0)
				continue
			case r == '…' || r == '—' || r == '–' || r == '“' || r == '”':
				s.brk()
			default:
				if v, ok := a.lx.emoji[r]; ok {
					s.items = append(s.items, item{start: int32(i), end: int32(i + size), val: v, kind: kindEmoji})
				}
			}
			i += size
		default:
			if l := a.emoticon(text, i); l > 0 {
				s.items = append(s.items, item{start: int32(i), end: int32(i + l), val: a.lx.emoticons[text[i:i+l]], kind: kindEmoticon})
				i += l
				continue
			}
			switch c {
			case '!':
				s.exclaims++
				s.brk()
			case '?':
				s.questions++
				s.brk()
			case '.', ',', ';', ':', '(', ')', '[', ']', '"', '|', '/':
				s.brk()
			}
			i++
		}
	}
}

// emoticon returns the length of the longest emoticon starting at text[i:] that ends at a space, the end,
// or punctuation, or 0.
func (a *Analyzer) emoticon(text string, i int) int {
	if !a.lx.emoFirst[text[i]] {
		return 0
	}
	if i > 0 && (isLetter(text[i-1]) || isDigit(text[i-1])) && text[i] != ':' && text[i] != ';' {
		return 0
	}
	for l := min(a.lx.maxEmo, len(text)-i); l >= 2; l-- {
		if e := i + l; e < len(text) && (isLetter(text[e]) || isDigit(text[e])) {
			continue
		}
		if _, ok := a.lx.emoticons[text[i:i+l]]; ok {
			return l
		}
	}
	return 0
}

// word reads the word at text[i:] and appends it; flags are added to the item's. It returns the index past
// the word. The word is folded for the lexicon as it is read, in the same pass.
func (a *Analyzer) word(text string, i int, s *scratch, flags uint8) int {
	start := i
	var f folded
	f.reset()
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if isLetter(c) || isDigit(c) {
				f.add(c)
				i++
				continue
			}
			if c == '\'' && i > start && i+1 < len(text) && isLetter(text[i+1]) {
				f.add('\'')
				i++
				continue
			}
			break
		}
		if ok, size := wordRune(text, i); ok {
			for j := i; j < i+size; j++ {
				f.add(text[j])
			}
			i += size
			continue
		}
		if size := apostrophe(text, i); size > 0 && i > start {
			f.add('\'')
			i += size
			continue
		}
		break
	}
	// A host name or path glued to the word ("pic.twitter.com/x", "example.com/a"): skip it all.
	if i < len(text) && (text[i] == '.' || text[i] == '/') && i+1 < len(text) && isLetter(text[i+1]) {
		end := skipNonSpace(text, i)
		for j := i; j < end; j++ {
			if text[j] == '/' {
				return end
			}
		}
	}
	a.appendFolded(text, start, i, s, flags, &f)
	return i
}

// hashtag reads the hashtag whose text starts at text[i:] (after '#'). A hashtag the lexicon knows whole
// ("#blessed") is one word; otherwise it is split at case changes ("#NotHappy" → "Not", "Happy"), digits and
// underscores. It stands as its own clause.
func (a *Analyzer) hashtag(text string, i int, s *scratch) int {
	end := i
	for end < len(text) && (isLetter(text[end]) || isDigit(text[end]) || text[end] == '_') {
		end++
	}
	s.brk()
	var buf [maxWord]byte
	if w, _ := lower(text[i:end], &buf); w != nil {
		if e, ok := a.lx.table.get(w); ok && (e.val != 0 || e.role != roleNone) {
			a.appendWord(text, i, end, s, flagHashtag)
			s.brk()
			return end
		}
	}
	for p := i; p < end; {
		q := p + 1
		for q < end && isLetter(text[q]) {
			// A new part starts at an upper-case letter after a lower-case one ("NotHappy"), or at the last
			// upper-case letter of a run followed by lower case ("BADDay" → "BAD", "Day").
			up := text[q] < 'a'
			if up && text[q-1] >= 'a' {
				break
			}
			if up && q+1 < end && text[q+1] >= 'a' && isLetter(text[q+1]) && text[q-1] < 'a' {
				break
			}
			q++
		}
		switch {
		case isDigit(text[p]) || text[p] == '_':
			q = p + 1
		case !a.segmentTag(text, p, q, s):
			a.appendWord(text, p, q, s, flagHashtag)
		}
		p = q
	}
	s.brk()
	return end
}

// lower writes the lower-case form of w into buf (with ’ as ') and reports whether a letter repeats three
// or more times in a row. It returns nil when w does not fit.
func lower(w string, buf *[maxWord]byte) ([]byte, bool) {
	n, run, elong := 0, 0, false
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == 0xE2 && i+2 < len(w) && w[i+1] == 0x80 && w[i+2] == 0x99 {
			c = '\''
			i += 2
		} else if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if n == maxWord {
			return nil, false
		}
		if n > 0 && buf[n-1] == c && isLetter(c) {
			run++
			if run >= 2 {
				elong = true
			}
		} else {
			run = 0
		}
		buf[n] = c
		n++
	}
	return buf[:n], elong
}

// folded is a word as the lexicon looks it up, built a byte at a time: lower-cased (the caller passes ’ as
// '), hashed with hashWord, with its ASCII letters and the upper-case ones among them counted, and whether a
// letter repeats three or more times in a row. Letters are counted over the whole word even when it does not
// fit in maxWord bytes (over).
type folded struct {
	buf     [maxWord]byte
	n       int
	h       uint64
	prev    byte
	run     int
	elong   bool
	over    bool
	letters int
	uppers  int
}

func (f *folded) reset() {
	f.n, f.h, f.prev, f.run, f.elong, f.over, f.letters, f.uppers = 0, hashOffset, 0, 0, false, false, 0, 0
}

// add appends byte c of the word.
func (f *folded) add(c byte) {
	if c-'a' < 26 {
		f.letters++
	} else if c-'A' < 26 {
		f.letters++
		f.uppers++
		c += 'a' - 'A'
	}
	if f.n == maxWord {
		f.over = true
		return
	}
	if c == f.prev && isLetter(c) {
		f.run++
		if f.run >= 2 {
			f.elong = true
		}
	} else {
		f.run = 0
	}
	f.prev = c
	f.buf[f.n] = c
	f.n++
	f.h = (f.h ^ uint64(c)) * hashPrime
}

// addString appends the bytes of w, with ’ as '.
func (f *folded) addString(w string) {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == 0xE2 && i+2 < len(w) && w[i+1] == 0x80 && w[i+2] == 0x99 {
			c = '\''
			i += 2
		}
		f.add(c)
	}
}

// word returns the folded word, or nil when it does not fit.
func (f *folded) word() []byte {
	if f.over {
		return nil
	}
	return f.buf[:f.n]
}

// collapse shortens every run of a repeated letter longer than keep to keep letters.
func collapse(w []byte, keep int, out *[maxWord]byte) []byte {
	n, run := 0, 0
	for i, c := range w {
		if i > 0 && w[i-1] == c {
			run++
		} else {
			run = 1
		}
		if run <= keep {
			out[n] = c
			n++
		}
	}
	return out[:n]
}

// cantWaitValence is the valence of "wait" in "can't wait", as strong as "glad" or "enjoy".
const cantWaitValence = 2

// appendWord looks the word text[start:end] up and appends it, applying the rules that depend only on its
// neighbours ("kind of", "can't wait", "like" as a verb).
func (a *Analyzer) appendWord(text string, start, end int, s *scratch, flags uint8) {
	var f folded
	f.reset()
	f.addString(text[start:end])
	a.appendFolded(text, start, end, s, flags, &f)
}

// appendFolded is appendWord for a word already folded into f.
func (a *Analyzer) appendFolded(text string, start, end int, s *scratch, flags uint8, f *folded) {
	letters, uppers := f.letters, f.uppers
	if letters >= 2 {
		s.caseWords++
		if uppers == letters {
			s.capsWords++
			flags |= flagCaps
		}
	}
	if letters == 0 {
		s.numbers++
		return
	}
	lw, h, elong := f.word(), f.h, f.elong
	if lw == nil {
		return // too long to be a word
	}
	if letters >= 2 && uppers < letters && w0IsUpper(text[start]) && flags&flagHashtag == 0 {
		if n := len(s.items); n > 0 && s.items[n-1].kind == kindWord {
			s.propers++
		}
	}
	if isFirstPerson(lw) {
		s.firstPers++
	}
	e, ok := a.lx.table.getHashed(lw, h)
	if !ok && elong {
		var alt [maxWord]byte
		if e, ok = a.lx.table.get(collapse(lw, 2, &alt)); !ok {
			e, ok = a.lx.table.get(collapse(lw, 1, &alt))
		}
	}
	if elong && ok {
		flags |= flagElong
	}
	s.subj += int(e.subj)
	it := item{start: int32(start), end: int32(end), vocab: e.vocab, val: e.val, boost: e.boost, kind: kindWord, flags: flags, role: e.role}
	var prev *item
	if n := len(s.items); n > 0 && s.items[n-1].kind == kindWord {
		prev = &s.items[n-1]
	}
	switch {
	case it.role == roleLike:
		if prev == nil || (prev.role != roleSubject && prev.role != roleNegator && prev.role != roleCant && prev.boost == 0) {
			it.val = 0
		}
	case it.role == roleWait && prev != nil && prev.role == roleCant:
		prev.role = roleNone // "can't wait" is eagerness, not negation
		it.val = cantWaitValence
	case prev != nil && string(lw) == "hand" && strings.EqualFold(text[prev.start:prev.end], "other"):
		it.val, it.role = 0, roleContrast // "on the other hand"
	case prev != nil && prev.role == roleKind && string(lw) == "of":
		prev.val = 0
		it.boost = boostDown
	}
	s.items = append(s.items, it)
}

func w0IsUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// isFirstPerson reports whether the lower-cased word is a first-person singular pronoun, a mark of a
// personal (often opinionated) post rather than an informational one.
func isFirstPerson(lw []byte) bool {
	if len(lw) == 0 || len(lw) > 6 || (lw[0] != 'i' && lw[0] != 'm') {
		return false
	}
	switch string(lw) {
	case "i", "me", "my", "mine", "myself", "i'm", "im", "i've", "ive", "i'll", "i'd":
		return true
	}
	return false
}

// segmentTag splits a one-case hashtag part the lexicon does not know ("bestdayever") into the fewest
// known words ("best", "day", "ever") and appends them, when such a split exists and one of its words
// carries valence or a role. It reports whether it appended anything.
func (a *Analyzer) segmentTag(text string, p, q int, s *scratch) bool {
	const minTag, maxTag, maxPiece = 6, 24, 10
	n := q - p
	if n < minTag || n > maxTag {
		return false
	}
	var buf [maxWord]byte
	w, _ := lower(text[p:q], &buf)
	if w == nil || len(w) != n {
		return false
	}
	if e, ok := a.lx.table.get(w); ok && !e.onlySubjectivity() {
		return false
	}
	// best[i]: fewest known words covering w[:i], or 0 when none; cut[i]: where the last one starts.
	var best, cut [maxTag + 1]int
	for i := 1; i <= n; i++ {
		for j := max(0, i-maxPiece); j < i; j++ {
			if (j > 0 && best[j] == 0) || i-j < 2 && !(w[j] == 'i' || w[j] == 'a') {
				continue
			}
			if e, ok := a.lx.table.get(w[j:i]); !ok || e.onlySubjectivity() {
				continue
			}
			if c := best[j] + 1; best[i] == 0 || c < best[i] {
				best[i], cut[i] = c, j
			}
		}
	}
	if best[n] < 2 {
		return false
	}
	var bounds [maxTag + 1]int
	k := best[n]
	for i := n; i > 0; i = cut[i] {
		k--
		bounds[k] = cut[i]
	}
	useful := false
	for i := 0; i < best[n]; i++ {
		end := n
		if i+1 < best[n] {
			end = bounds[i+1]
		}
		if e, _ := a.lx.table.get(w[bounds[i]:end]); e.val != 0 || e.role != roleNone || e.boost != 0 {
			useful = true
		}
	}
	if !useful {
		return false
	}
	for i := 0; i < best[n]; i++ {
		end := n
		if i+1 < best[n] {
			end = bounds[i+1]
		}
		a.appendWord(text, p+bounds[i], p+end, s, flagHashtag)
	}
	return true
}
