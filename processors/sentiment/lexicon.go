package sentiment

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Embedded data; sources and licences are in data/NOTICE.
var (
	//go:embed data/vader_lexicon.txt
	vaderLexicon []byte
	//go:embed data/emoji_sentiment.csv
	emojiSentiment []byte
	//go:embed data/slang.txt
	slangLexicon []byte
	//go:embed data/afinn165.tsv
	afinnLexicon []byte
	//go:embed data/subjectivity.tsv
	subjectivityLexicon []byte
)

// afinnScale converts AFINN's [-5, 5] integer ratings to the VADER lexicon's [-4, 4] units. AFINN words
// fill only the gaps of the VADER lexicon: where both rate a word, VADER's finer mean rating stands.
const afinnScale = 0.8

// Word roles other than carrying valence.
const (
	roleNone       uint8 = iota
	roleNegator          // flips and dampens the valence of what follows in its clause
	roleContrast         // "but", "however": the clause after it outweighs the one before
	roleConcessive       // "although", "though": its own clause is weighed down
	roleSubject          // licenses the verb reading of "like" ("I like", "would like")
	roleLike             // "like": valence only as a verb
	roleKind             // "kind"/"sort": a dampener when followed by "of"
	roleCant             // "can't", "cannot": a negator, except in "can't wait"
	roleWait             // "wait": positive after "can't"
	roleEnough           // "enough": "can't recommend it enough" is not negation but emphasis
)

// entry is what the analyzer knows about one lower-case word.
type entry struct {
	val   float32 // valence on the lexicon's [-4, 4] scale; 0 when none
	boost float32 // intensifier (>0) or dampener (<0) of the next sentiment word
	role  uint8
	vocab int32 // 1 + the word's id in the learned layer's vocabulary; 0 when not in it
	subj  uint8 // subjectivity of the word as an adjective, on [0, 100] (data/subjectivity.tsv); 0 when none
}

// onlySubjectivity reports whether the entry carries nothing but a subjectivity: the rules treat such a
// word as unknown.
func (e entry) onlySubjectivity() bool {
	return e.val == 0 && e.boost == 0 && e.role == roleNone && e.vocab == 0
}

// Degree adverbs. The magnitudes are in lexicon units added to (or taken from) the modified word.
const (
	boostUp   = 0.293
	boostDown = -0.293
)

var intensifiers = []string{
	"absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly", "deeply", "effing",
	"enormously", "entirely", "especially", "exceptionally", "extremely", "fabulously", "flipping",
	"flippin", "fricking", "frickin", "frigging", "friggin", "fully", "fucking", "fuckin", "freaking",
	"freakin", "greatly", "hella", "highly", "hugely", "incredibly", "intensely", "majorly", "more", "most",
	"particularly", "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly", "totally",
	"tremendously", "uber", "unbelievably", "unusually", "utterly", "very", "super", "mega", "af", "soo",
	"sooo", "truly", "seriously", "insanely", "bloody", "too", "such",
}

var dampeners = []string{
	"almost", "kinda", "kindof", "less", "little", "marginally", "occasionally",
	"partly", "scarcely", "slightly", "somewhat", "sorta", "sortof", "fairly", "mildly", "bit", "rather",
}

var negators = []string{
	"aint", "arent", "cannot", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent",
	"isnt", "mightnt", "mustnt", "neednt", "shant", "shouldnt", "wasnt", "werent", "wont", "wouldnt",
	"ain't", "aren't", "can't", "couldn't", "didn't", "doesn't", "don't", "hadn't", "hasn't", "haven't",
	"isn't", "mightn't", "mustn't", "needn't", "shan't", "shouldn't", "wasn't", "weren't", "won't",
	"wouldn't", "not", "never", "neither", "nor", "none", "nothing", "nobody", "nowhere", "no", "nope",
	"without", "lack", "lacks", "lacking", "rarely", "seldom", "hardly", "barely", "dnt", "didn", "doesn", "isn", "wasn", "aren", "weren", "couldn", "wouldn", "shouldn",
}

var contrasts = []string{"but", "however", "nevertheless", "nonetheless"}

var concessives = []string{"although", "though", "despite", "albeit"}

var subjects = []string{
	"i", "we", "you", "u", "they", "he", "she", "ya", "y'all", "yall", "people", "would", "i'd", "we'd",
	"you'd", "they'd", "really", "totally", "definitely", "actually", "also", "just", "do", "does", "did",
	"don't", "dont", "didn't", "didnt", "doesn't", "doesnt", "to", "i'll", "you'll", "we'll", "gonna",
	"will", "might", "may", "could", "should", "must", "'d", "d",
}

// lexicon is the immutable data an Analyzer works from.
type lexicon struct {
	words     map[string]entry   // lower-case words, slang, degree adverbs, negators, connectives
	table     *wordTable         // words, frozen for lookups by freeze
	emoticons map[string]float32 // case-sensitive emoticons such as ":)" and ":-("
	emoji     map[rune]float32   // single code points
	maxEmo    int                // longest emoticon in bytes
	emoFirst  [256]bool          // bytes an emoticon can start with
}

func loadLexicon() (*lexicon, error) {
	lx := &lexicon{
		words:     make(map[string]entry, 1<<17), // with inflections, about 80,000 words
		emoticons: make(map[string]float32, 256),
		emoji:     make(map[rune]float32, 1024),
	}
	if err := lx.readValences(vaderLexicon, "vader_lexicon.txt"); err != nil {
		return nil, err
	}
	if err := lx.readEmoji(emojiSentiment); err != nil {
		return nil, err
	}
	if err := lx.readGapValences(afinnLexicon, "afinn165.tsv", afinnScale); err != nil {
		return nil, err
	}
	if err := lx.readValences(slangLexicon, "slang.txt"); err != nil {
		return nil, err
	}
	lx.addInflections()
	set := func(words []string, f func(*entry)) {
		for _, w := range words {
			e := lx.words[w]
			f(&e)
			lx.words[w] = e
		}
	}
	set(intensifiers, func(e *entry) { e.boost = boostUp })
	set(dampeners, func(e *entry) { e.boost = boostDown })
	// A negator's own lexicon valence (VADER scores "no" at -1.2) would count against every "no problem".
	set(negators, func(e *entry) { e.role, e.val = roleNegator, 0 })
	set([]string{"can't", "cant", "cannot", "couldn't", "couldnt"}, func(e *entry) { e.role = roleCant })
	set([]string{"enough"}, func(e *entry) { e.role = roleEnough })
	set([]string{"wait"}, func(e *entry) { e.role = roleWait })
	set(contrasts, func(e *entry) { e.role = roleContrast })
	set(concessives, func(e *entry) { e.role = roleConcessive })
	set(subjects, func(e *entry) {
		if e.role == roleNone {
			e.role = roleSubject
		}
	})
	set([]string{"like", "likes"}, func(e *entry) { e.role = roleLike })
	set([]string{"kind", "sort"}, func(e *entry) { e.role = roleKind })
	// Words whose lexicon valence belongs to another sense in everyday short text.
	for _, w := range []string{"pretty", "well", "please", "ok", "okay", "yes", "sure", "wait"} {
		e := lx.words[w]
		e.val = 0
		lx.words[w] = e
	}
	e := lx.words["pretty"]
	e.boost = boostUp
	lx.words["pretty"] = e
	if err := lx.readSubjectivity(subjectivityLexicon, "subjectivity.tsv"); err != nil {
		return nil, err
	}
	return lx, nil
}

// readSubjectivity reads "word TAB subjectivity" lines (subjectivity on [0, 1]) into the words' entries,
// adding the words the lexicon lacks as entries that carry nothing else.
func (lx *lexicon) readSubjectivity(data []byte, name string) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w, vs, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("reading %s line %d: no tab", name, n)
		}
		v, err := strconv.ParseFloat(vs, 64)
		if err != nil || v < 0 || v > 1 {
			return fmt.Errorf("reading %s line %d: subjectivity %q not in [0, 1]", name, n, vs)
		}
		e := lx.words[w]
		e.subj = uint8(v*100 + 0.5)
		lx.words[w] = e
	}
	return sc.Err()
}

// readValences reads "token TAB valence [TAB …]" lines. Tokens made of letters (and apostrophes or
// hyphens) are words, matched case-insensitively; anything else is an emoticon, matched exactly.
func (lx *lexicon) readValences(data []byte, name string) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tok, rest, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("reading %s line %d: no tab", name, n)
		}
		vs, _, _ := strings.Cut(rest, "\t")
		v, err := strconv.ParseFloat(vs, 32)
		if err != nil {
			return fmt.Errorf("reading %s line %d: %w", name, n, err)
		}
		if r, size := utf8.DecodeRuneInString(tok); size == len(tok) && r >= utf8.RuneSelf {
			lx.emoji[r] = float32(v) // a single emoji: slang.txt corrects the ranking's weakest readings
			continue
		}
		if isWordToken(tok) {
			w := strings.ToLower(tok)
			e := lx.words[w]
			e.val = float32(v)
			lx.words[w] = e
			continue
		}
		lx.emoticons[tok] = float32(v)
		lx.emoFirst[tok[0]] = true
		if len(tok) > lx.maxEmo {
			lx.maxEmo = len(tok)
		}
	}
	return sc.Err()
}

// readGapValences reads "word TAB valence" lines and adds each word, its valence times scale, that the
// lexicon does not know yet. Entries that are not single words are skipped.
func (lx *lexicon) readGapValences(data []byte, name string, scale float64) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tok, vs, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("reading %s line %d: no tab", name, n)
		}
		v, err := strconv.ParseFloat(vs, 64)
		if err != nil {
			return fmt.Errorf("reading %s line %d: %w", name, n, err)
		}
		if !isWordToken(tok) {
			continue
		}
		w := strings.ToLower(tok)
		if _, known := lx.words[w]; known {
			continue
		}
		lx.words[w] = entry{val: float32(v * scale)}
	}
	return sc.Err()
}

func isWordToken(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && c != '\'' && c != '-' {
			return false
		}
	}
	return true
}

// Emoji valence from the Emoji Sentiment Ranking: (positive − negative) / (occurrences + 3), a mean
// polarity in [-1, 1] shrunk towards zero for rarely seen emoji, scaled by emojiScale into lexicon units.
// Emoji seen fewer than emojiMinCount times or with a mean under emojiMinPolarity carry no valence.
const (
	emojiScale       = 3.0
	emojiMinCount    = 5
	emojiMinPolarity = 0.05
)

func (lx *lexicon) readEmoji(data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Scan() // header
	for n := 2; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), ",")
		if len(f) < 7 {
			return fmt.Errorf("reading emoji_sentiment.csv line %d: %d fields", n, len(f))
		}
		r, size := utf8.DecodeRuneInString(f[0])
		if r == utf8.RuneError || size != len(f[0]) {
			continue // multi-code-point sequences are not in v1.0; skip anything else
		}
		var c [4]float64
		for i, s := range []string{f[2], f[4], f[5], f[6]} {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("reading emoji_sentiment.csv line %d: %w", n, err)
			}
			c[i] = v
		}
		occ, neg, pos := c[0], c[1], c[3]
		if occ < emojiMinCount {
			continue
		}
		p := (pos - neg) / (occ + 3)
		if p > -emojiMinPolarity && p < emojiMinPolarity {
			continue
		}
		lx.emoji[r] = float32(p * emojiScale)
	}
	return sc.Err()
}

// addInflections gives the inflected forms of every word carrying valence the valence of their base, where
// the lexicons do not list the form themselves: "ruin" → "ruins", "ruined", "ruining"; "hate" → "hated",
// "hating"; "happy" → "happily", "happier"; "loving" → "lovin". Forms are made up front, so that scoring
// needs one lookup per word.
func (lx *lexicon) addInflections() {
	bases := make([]string, 0, len(lx.words))
	for w, e := range lx.words {
		if e.val != 0 && len(w) >= 3 && isAlpha(w) {
			bases = append(bases, w)
		}
	}
	sort.Strings(bases) // a form reachable from two bases takes the first one's valence, every time
	for _, b := range bases {
		val := lx.words[b].val
		last := b[len(b)-1]
		stem := b[:len(b)-1]
		forms := []string{b + "s", b + "'s", b + "ly", b + "ness"}
		switch {
		case last == 'e':
			forms = append(forms, b+"d", stem+"ing", b+"s", b+"r", b+"st")
		case last == 'y':
			forms = append(forms, stem+"ied", stem+"ies", stem+"ily", stem+"iness", stem+"ier", stem+"iest", b+"ing")
		default:
			forms = append(forms, b+"ed", b+"ing", b+"es", b+"er", b+"est")
			if isConsonant(last) && !isConsonant(b[len(b)-2]) {
				forms = append(forms, b+string(last)+"ed", b+string(last)+"ing")
			}
		}
		switch {
		case strings.HasSuffix(b, "ing"):
			forms = append(forms, stem, stem+"'")
		case last == 'e':
			forms = append(forms, stem+"in", stem+"in'")
		default:
			forms = append(forms, b+"in", b+"in'")
		}
		for _, f := range forms {
			if _, ok := lx.words[f]; !ok {
				lx.words[f] = entry{val: val}
			}
		}
	}
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return true
}

func isConsonant(c byte) bool { return isLetter(c) && !strings.ContainsRune("aeiouy", rune(c|0x20)) }

// freeze builds the lookup table; the lexicon is not changed after.
func (lx *lexicon) freeze() { lx.table = newWordTable(lx.words) }
