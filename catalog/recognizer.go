package catalog

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-dev/rapport/post"
)

// Recognizer finds the catalogue's entities in posts. It is immutable once built and safe for concurrent
// use.
//
// Names are matched on token boundaries by walking a trie of normalised tokens from every token of the
// text, taking the longest name that starts there (so "Acme Pulse 3" wins over "Acme"); the scan then goes on
// after it. Hashtags, cashtags and mentions are looked up whole. A token that matches nothing and is at least
// fuzzy_min_len long is looked up with one edit against the unambiguous single-token names of that length
// through a deletion index; such a match of an entity that has ambiguous names is decided like them. Ambiguous names are decided after the scan, once it is known which brands the
// post mentions unambiguously (see the package documentation for the rule).
type Recognizer struct {
	ents     []entry
	root     map[string]*node
	tags     map[string]int32
	cash     map[string]int32
	handles  map[string]int32
	fuzzy    map[string][]int32 // a fuzzy form or one of its one-rune deletions → indices into fforms
	fforms   []fform
	fuzzyMin int
	window   int
	pool     sync.Pool
}

type entry struct {
	id, brand  string
	kind       post.EntityKind
	competitor bool
	brandIdx   int32
	rule       string
	hasAmb     bool // some of its names are ambiguous: its fuzzy matches are decided like them
	confirm    map[string]bool
	veto       map[string]bool
}

type node struct {
	next map[string]*node
	ent  int32 // entity whose name ends here; -1 none
	amb  bool  // that name is ambiguous
}

type fform struct {
	s   string
	ent int32
}

// candidate is one match found by the scan.
type candidate struct {
	ent        int32
	field      uint8 // fieldText, fieldTitle, fieldTag
	amb        bool
	start, end int   // byte span in the field's text
	ti, tj     int32 // token range in scratch.toks
	lo, hi     int32 // token range of the field
	// tag is, for fieldTag, the tag as listed with its sign ("#acme", "$ACME", "@acmesupport").
	tag string
}

const (
	fieldText uint8 = iota
	fieldTitle
	fieldTag
)

type findScratch struct {
	scratch
	cands []candidate
	seen  []uint32 // per entity: == gen when already emitted
	bseen []uint32 // per entity (brands only): == gen when mentioned unambiguously
	gen   uint32
}

// Recognizer builds the recognizer of the catalogue. A nil or empty catalogue gives a recognizer that finds
// nothing.
func (c *Catalog) Recognizer() *Recognizer {
	r := &Recognizer{
		root: map[string]*node{}, tags: map[string]int32{}, cash: map[string]int32{}, handles: map[string]int32{},
		fuzzy: map[string][]int32{}, fuzzyMin: DefaultFuzzyMinLen, window: DefaultWindow,
	}
	r.pool.New = func() any { return &findScratch{} }
	if c == nil {
		return r
	}
	if c.Window > 0 {
		r.window = c.Window
	}
	if c.FuzzyMinLen != 0 {
		r.fuzzyMin = c.FuzzyMinLen
	}
	var local []struct {
		h   string
		ent int32
	}
	for _, b := range c.Brands {
		bi := int32(len(r.ents))
		r.ents = append(r.ents, entry{
			id: b.ID, brand: b.ID, kind: post.EntityBrand, competitor: b.Competitor, brandIdx: bi, rule: b.Rule,
			confirm: wordSet(b.Context.Confirm), veto: wordSet(b.Context.Veto),
		})
		r.addNames(bi, b.Ambiguous, append(append([]string{b.Name}, b.Aliases...), b.Misspellings...))
		for _, h := range b.Hashtags {
			setOnce(r.tags, fold(strings.TrimPrefix(h, "#")), bi)
		}
		for _, s := range b.Cashtags {
			setOnce(r.cash, strings.ToUpper(strings.TrimPrefix(s, "$")), bi)
		}
		for network, hs := range b.Handles {
			for _, h := range hs {
				h = strings.ToLower(strings.TrimPrefix(h, "@"))
				setOnce(r.handles, h, bi)
				// On its own instance a Mastodon account is mentioned without the instance.
				if user, _, ok := strings.Cut(h, "@"); ok && strings.EqualFold(network, "mastodon") {
					local = append(local, struct {
						h   string
						ent int32
					}{user, bi})
				}
			}
		}
		for _, p := range b.Products {
			pi := int32(len(r.ents))
			e := entry{
				id: b.ID + "/" + p.ID, brand: b.ID, kind: post.EntityProduct, competitor: b.Competitor, brandIdx: bi,
				rule: p.Rule, confirm: wordSet(p.Context.Confirm), veto: wordSet(p.Context.Veto),
			}
			if e.rule == "" {
				e.rule = b.Rule
			}
			for w := range r.ents[bi].confirm {
				e.confirm[w] = true
			}
			for w := range r.ents[bi].veto {
				e.veto[w] = true
			}
			r.ents = append(r.ents, e)
			r.addNames(pi, p.Ambiguous, append(append([]string{p.Name}, p.Aliases...), p.Misspellings...))
			for _, h := range p.Hashtags {
				setOnce(r.tags, fold(strings.TrimPrefix(h, "#")), pi)
			}
		}
	}
	for _, l := range local {
		setOnce(r.handles, l.h, l.ent)
	}
	return r
}

func setOnce(m map[string]int32, k string, v int32) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

func wordSet(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		for _, t := range normTokens(w) {
			m[t] = true
		}
	}
	return m
}

// addNames puts the names of entity ent into the trie, plus the form with the words run together
// ("Home Hub" → "homehub") when that is not taken, and registers the long unambiguous single-token forms for
// fuzzy matching.
func (r *Recognizer) addNames(ent int32, ambiguous []string, names []string) {
	r.ents[ent].hasAmb = len(ambiguous) > 0
	amb := map[string]bool{}
	for _, a := range ambiguous {
		amb[strings.Join(normTokens(a), " ")] = true
	}
	for _, name := range names {
		toks := normTokens(name)
		if len(toks) == 0 {
			continue
		}
		isAmb := amb[strings.Join(toks, " ")]
		r.insert(toks, ent, isAmb)
		if len(toks) > 1 {
			var b strings.Builder
			for _, t := range toks {
				if t != "&" && t != "+" {
					b.WriteString(t)
				}
			}
			if joined := b.String(); len(joined) >= 4 {
				if n := r.root[joined]; n == nil || n.ent < 0 {
					r.insert([]string{joined}, ent, isAmb)
				}
				toks = []string{joined}
			}
		}
		if len(toks) == 1 && !isAmb && r.fuzzyMin > 0 && len(toks[0]) >= r.fuzzyMin {
			r.addFuzzy(toks[0], ent)
		}
	}
}

func (r *Recognizer) insert(toks []string, ent int32, amb bool) {
	m := r.root
	var n *node
	for _, t := range toks {
		if m == nil {
			m = map[string]*node{}
			n.next = m
		}
		next := m[t]
		if next == nil {
			next = &node{ent: -1}
			m[t] = next
		}
		n = next
		m = n.next
	}
	if n.ent < 0 {
		n.ent, n.amb = ent, amb
	}
}

func (r *Recognizer) addFuzzy(form string, ent int32) {
	idx := int32(len(r.fforms))
	r.fforms = append(r.fforms, fform{form, ent})
	add := func(k string) {
		l := r.fuzzy[k]
		if len(l) > 0 && l[len(l)-1] == idx {
			return
		}
		r.fuzzy[k] = append(l, idx)
	}
	add(form)
	for i, w := 0, 0; i < len(form); i += w {
		_, w = utf8.DecodeRuneInString(form[i:])
		add(form[:i] + form[i+w:])
	}
}

// lookupFuzzy returns the entity of the fuzzy form within one edit of t, or -1 (also when several
// entities are that close).
func (r *Recognizer) lookupFuzzy(t string) int32 {
	found := int32(-1)
	check := func(k string) bool {
		for _, fi := range r.fuzzy[k] {
			f := &r.fforms[fi]
			if f.ent == found || !withinOneEdit(f.s, t) {
				continue
			}
			if found >= 0 {
				found = -2
				return false
			}
			found = f.ent
		}
		return true
	}
	if !check(t) {
		return -1
	}
	buf := make([]byte, 0, len(t))
	for i, w := 0, 0; i < len(t); i += w {
		_, w = utf8.DecodeRuneInString(t[i:])
		buf = append(append(buf[:0], t[:i]...), t[i+w:]...)
		if !check(string(buf)) {
			return -1
		}
	}
	if found < 0 {
		return -1
	}
	return found
}

// withinOneEdit reports whether a and b differ by at most one insertion, deletion, substitution or
// transposition of adjacent runes.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		diff := -1
		for i := range ra {
			if ra[i] != rb[i] {
				if diff >= 0 {
					// a second difference is fine only as the transposition of the first
					return i == diff+1 && ra[diff] == rb[i] && ra[i] == rb[diff] && string(ra[i+1:]) == string(rb[i+1:])
				}
				diff = i
			}
		}
		return true
	case 1:
		i := 0
		for i < len(rb) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i+1:]) == string(rb[i:])
	}
	return false
}

// Len returns the number of entities (brands and products) the recognizer knows.
func (r *Recognizer) Len() int { return len(r.ents) }

// FindText returns the entities mentioned in text, in order of first mention, each once.
func (r *Recognizer) FindText(text string) []post.Entity {
	return r.find(text, "", nil, nil, nil)
}

// Find returns the entities p mentions in its text, title, hashtags, cashtags and mentions, in order of
// first mention (text before title before tags), each once. Start and End are byte offsets into p.Text, or
// -1 when the entity was found only in the title or the tag lists. Matched is never empty: the words as
// written, or the tag with its sign ("#acme", "$ACME", "@acmesupport"), so that it tells an entity found in
// the post from one the post inherits from its thread (Matched "").
func (r *Recognizer) Find(p *post.Post) []post.Entity {
	return r.find(p.Text, p.Title, p.Hashtags, p.Cashtags, p.Mentions)
}

func (r *Recognizer) find(text, title string, hashtags, cashtags, mentions []string) []post.Entity {
	if len(r.ents) == 0 {
		return nil
	}
	s := r.pool.Get().(*findScratch)
	defer r.pool.Put(s)
	s.toks, s.norm, s.cands = s.toks[:0], s.norm[:0], s.cands[:0]
	if len(s.seen) < len(r.ents) {
		s.seen = make([]uint32, len(r.ents))
		s.bseen = make([]uint32, len(r.ents))
		s.gen = 0
	}
	s.gen++
	if s.gen == 0 { // wrapped: forget everything
		clear(s.seen)
		clear(s.bseen)
		s.gen = 1
	}
	r.scan(s, text, fieldText)
	if title != "" {
		r.scan(s, title, fieldTitle)
	}
	for _, tag := range hashtags {
		h := fold(tag)
		if e, ok := r.tags[h]; ok {
			if n := r.root[h]; n != nil && n.ent >= 0 && !n.amb && r.ents[e].kind == post.EntityBrand && r.ents[n.ent].brandIdx == e {
				e = n.ent
			}
			s.cands = append(s.cands, candidate{ent: e, field: fieldTag, start: -1, end: -1, tag: "#" + tag})
		}
	}
	for _, c := range cashtags {
		if e, ok := r.cash[strings.ToUpper(c)]; ok {
			s.cands = append(s.cands, candidate{ent: e, field: fieldTag, start: -1, end: -1, tag: "$" + c})
		}
	}
	for _, m := range mentions {
		if e, ok := r.handles[strings.ToLower(m)]; ok {
			s.cands = append(s.cands, candidate{ent: e, field: fieldTag, start: -1, end: -1, tag: "@" + m})
		}
	}
	// Brands mentioned unambiguously, by themselves or through a product.
	for i := range s.cands {
		if c := &s.cands[i]; !c.amb {
			s.bseen[r.ents[c.ent].brandIdx] = s.gen
		}
	}
	var out []post.Entity
	for i := range s.cands {
		c := &s.cands[i]
		if c.amb && !r.accept(s, c, text, title) {
			continue
		}
		e := &r.ents[c.ent]
		if e.kind == post.EntityProduct {
			out = r.emit(s, out, c, e.brandIdx, text, title)
		}
		out = r.emit(s, out, c, c.ent, text, title)
	}
	return out
}

func (r *Recognizer) emit(s *findScratch, out []post.Entity, c *candidate, ent int32, text, title string) []post.Entity {
	if s.seen[ent] == s.gen {
		return out
	}
	s.seen[ent] = s.gen
	e := &r.ents[ent]
	pe := post.Entity{ID: e.id, Brand: e.brand, Kind: e.kind, Competitor: e.competitor, Start: -1, End: -1}
	switch c.field {
	case fieldText:
		pe.Matched, pe.Start, pe.End = text[c.start:c.end], c.start, c.end
	case fieldTitle:
		pe.Matched = title[c.start:c.end]
	case fieldTag:
		pe.Matched = c.tag
	}
	if out == nil {
		out = make([]post.Entity, 0, 4)
	}
	return append(out, pe)
}

// scan tokenizes one field and appends its matches to s.cands.
func (r *Recognizer) scan(s *findScratch, text string, field uint8) {
	lo := int32(len(s.toks))
	s.tokenize(text)
	hi := int32(len(s.toks))
	for i := lo; i < hi; {
		t := &s.toks[i]
		norm := s.norm[t.na:t.nb]
		switch t.kind {
		case tokHashtag, tokCashtag, tokMention:
			var m map[string]int32
			switch t.kind {
			case tokHashtag:
				m = r.tags
			case tokCashtag:
				m = r.cash
			default:
				m = r.handles
			}
			if e, ok := m[string(norm)]; ok {
				// A brand's hashtag that is also the name of one of its products ("#ZentroZ9") names the product.
				if t.kind == tokHashtag && r.ents[e].kind == post.EntityBrand {
					if n := r.root[string(norm)]; n != nil && n.ent >= 0 && !n.amb && r.ents[n.ent].brandIdx == e {
						e = n.ent
					}
				}
				s.cands = append(s.cands, candidate{ent: e, field: field, start: t.start, end: t.end, ti: i, tj: i + 1, lo: lo, hi: hi})
			} else if t.kind == tokHashtag {
				if n := r.root[string(norm)]; n != nil && n.ent >= 0 {
					s.cands = append(s.cands, candidate{ent: n.ent, amb: n.amb, field: field, start: t.start, end: t.end, ti: i, tj: i + 1, lo: lo, hi: hi})
				}
			}
			i++
			continue
		}
		// Longest name starting at token i, over word tokens within one sentence.
		best, bestEnd := (*node)(nil), i
		m := r.root
		for j := i; j < hi && m != nil; j++ {
			u := &s.toks[j]
			if u.kind != tokWord || j > i && u.brk {
				break
			}
			w := s.norm[u.na:u.nb]
			n := m[string(w)]
			if n == nil {
				// A plural ("iPhones", "Targets") ends a name.
				if len(w) > 3 && w[len(w)-1] == 's' {
					if n = m[string(w[:len(w)-1])]; n != nil && n.ent >= 0 {
						best, bestEnd = n, j+1
					}
				}
				break
			}
			if n.ent >= 0 {
				best, bestEnd = n, j+1
			}
			m = n.next
		}
		if best != nil {
			s.cands = append(s.cands, candidate{
				ent: best.ent, amb: best.amb, field: field, start: t.start, end: s.toks[bestEnd-1].end,
				ti: i, tj: bestEnd, lo: lo, hi: hi,
			})
			i = bestEnd
			continue
		}
		if r.fuzzyMin > 0 && len(norm) >= r.fuzzyMin && len(r.fforms) > 0 {
			if e := r.lookupFuzzy(string(norm)); e >= 0 {
				s.cands = append(s.cands, candidate{ent: e, amb: r.ents[e].hasAmb, field: field, start: t.start, end: t.end, ti: i, tj: i + 1, lo: lo, hi: hi})
			}
		}
		i++
	}
}

// accept decides an ambiguous candidate.
func (r *Recognizer) accept(s *findScratch, c *candidate, text, title string) bool {
	e := &r.ents[c.ent]
	a, b := c.ti-int32(r.window), c.tj+int32(r.window)
	if a < c.lo {
		a = c.lo
	}
	if b > c.hi {
		b = c.hi
	}
	confirm, veto := 0, 0
	for k := a; k < b; k++ {
		if k >= c.ti && k < c.tj {
			continue
		}
		t := &s.toks[k]
		w := string(s.norm[t.na:t.nb])
		switch {
		case inSet(e.veto, w):
			veto++
		case inSet(e.confirm, w):
			confirm++
		}
	}
	if veto > 0 && confirm <= veto {
		return false
	}
	if confirm > 0 || s.bseen[e.brandIdx] == s.gen {
		return true
	}
	switch e.rule {
	case RuleVeto:
		return true
	case RuleContext:
		return false
	}
	src := text
	if c.field == fieldTitle {
		src = title
	}
	for k := c.ti; k < c.tj; k++ {
		if t := &s.toks[k]; t.upper && (k > c.ti || !t.sentStart) {
			return !shouting(src)
		}
	}
	return false
}

// inSet reports whether w or, for a plural, its singular is in set.
func inSet(set map[string]bool, w string) bool {
	if len(set) == 0 {
		return false
	}
	if set[w] {
		return true
	}
	return len(w) > 3 && w[len(w)-1] == 's' && set[w[:len(w)-1]]
}

// shouting reports whether text is written mostly in capitals, so a capital letter says nothing.
func shouting(text string) bool {
	upper, lower := 0, 0
	for _, r := range text {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	return upper >= 6 && upper > 2*lower
}
