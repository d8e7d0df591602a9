package sentiment

import (
	"strings"

	"github.com/rapport-dev/rapport/post"
)

// Per-entity sentiment: the sentiment a post aims at each brand or product it mentions.
//
// The text is scored once by the rule engine; every driver (after negation and degree adverbs, before the
// global contrast weighting) is then attached to one entity:
//
//  1. The text is cut into segments at sentence ends (. ! ? ; … and line breaks) and at contrast and
//     concession words ("but", "however", "although", "while", "whereas", "unlike", "vs"). Commas, colons,
//     brackets and "and"/"or"/"plus" are soft boundaries inside a segment.
//  2. A driver in a segment that mentions entities goes to the nearest mention, the distance counted in
//     tokens plus softPenalty per soft boundary crossed; a tie goes to the mention before the driver (the
//     subject of "Acme is great").
//  3. Comparisons: in "X is better than Y", drivers before "than" go to X and their opposite, scaled by
//     comparedWeight, to every entity mentioned after "than".
//  4. A driver in a segment without a mention carries over, at carryWeight, to the last mention before it
//     (or the first after it, when none is before): "Got the Acme X2. Love it."
//  5. Drivers in a question ("Is the Acme X2 any good?") count at questionWeight.
//  6. Loyalty phrases that carry no lexicon valence ("stopped working", "switched from Acme") add an
//     implicit opinion of signalWeight to the entity they are about (see signals.go).
//
// Words inside an entity's own mention ("Best Buy") are never opinions about anything. An entity's
// compound is squash(sum of its attached weights) and its label is LabelOf(compound): the rules, not the
// learned layer, which reads whole texts. An entity found outside the text (Start < 0 and its name not in
// the text) gets the post's own compound and label.
const (
	softPenalty    = 3
	comparedWeight = 0.8
	carryWeight    = 0.5
	questionWeight = 0.5
	signalWeight   = 1.5
)

// EntityResult is the sentiment aimed at one entity of a post.
type EntityResult struct {
	Compound float64  `json:"compound"` // in [-1, 1]
	Label    Label    `json:"label"`
	Drivers  []Driver `json:"drivers,omitempty"` // the opinions attached to it, weights as attached
	InText   bool     `json:"in_text"`           // false: the entity is not in the text; the post's sentiment stands for it
}

// Detail is the full analysis of a post: its sentiment, the sentiment aimed at each entity and its
// loyalty signals.
type Detail struct {
	Result
	Entities []EntityResult // one per entity given, in the same order
	Signals  []post.Signal
}

// AnalyzeEntities scores text and returns the sentiment aimed at each of ents (whose Start/End are byte
// offsets into text). It is AnalyzePost without a rating or title.
func (a *Analyzer) AnalyzeEntities(text string, ents []post.Entity) []EntityResult {
	var d Detail
	a.AnalyzePost(text, 0, ents, 0, &d)
	return d.Entities
}

// ApplyEntities copies entity results into the post's entities (Scored, Sentiment, Label).
func ApplyEntities(ents []post.Entity, res []EntityResult) {
	for i := range ents {
		if i >= len(res) {
			break
		}
		ents[i].Scored = true
		ents[i].Sentiment = round3(res[i].Compound)
		ents[i].Label = labelValue(res[i].Label)
	}
}

// AnalyzePost scores text, the sentiment aimed at each entity and the loyalty signals (including the star
// rating's, when rating is 1–5) into d. The entities' Start/End are byte offsets into text[offset:] (offset
// is the length of a title put before the post's text, else 0). Text is assumed to be English.
func (a *Analyzer) AnalyzePost(text string, offset int, ents []post.Entity, rating int8, d *Detail) {
	s := a.pool.Get().(*scratch)
	defer a.pool.Put(s)
	a.analyze(text, s, &d.Result)
	d.Entities = d.Entities[:0]
	d.Signals = d.Signals[:0]
	v := newView(text, s)
	ms := v.mentions(text, offset, ents)
	implicit := make([]float64, len(ents))
	d.Signals = v.signals(text, ents, ms, implicit, d.Signals)
	acc := v.attach(text, ents, ms, &d.Result)
	for k := range ents {
		er := EntityResult{InText: acc[k].inText}
		if !acc[k].inText {
			er.Compound, er.Label = d.Compound, d.Label
		} else {
			sum := acc[k].sum + implicit[k]
			er.Compound = squash(sum)
			er.Label = LabelOf(er.Compound)
			er.Drivers = acc[k].drivers
		}
		d.Entities = append(d.Entities, er)
	}
	d.Signals = v.opinionSignals(text, ents, acc, d, d.Signals)
	d.Signals = RatingSignals(rating, ents, d.Signals)
	if len(d.Signals) == 0 {
		d.Signals = nil
	}
}

// view is the tokenized text as entity and signal analysis read it: the non-break items with their
// lower-case words, segment and sentence indices.
type view struct {
	s     *scratch
	idx   []int      // item indices of the non-break items, in order
	words []string   // lower-case form (’ as ') of each, "" for emoji and emoticons
	seg   []int      // hard segment of each
	soft  []int      // soft boundaries before each, cumulative
	sent  []int      // sentence of each
	quest []bool     // by sentence: it is a question
	pos   []int      // by item index: position in idx, -1 for breaks
	used  []bool     // by position: part of a phrase that fired a signal
	low   []byte     // storage of the lower-case words
	spans [][2]int32 // by item index: its lower-case word in low
}

var segmentWords = map[string]bool{
	"but": true, "however": true, "although": true, "though": true, "while": true, "whereas": true,
	"unlike": true, "vs": true, "versus": true, "nevertheless": true, "nonetheless": true, "except": true,
	"meanwhile": true, "despite": true, "yet": true,
}

var softWords = map[string]bool{"and": true, "or": true, "plus": true, "also": true, "&": true}

func newView(text string, s *scratch) *view {
	// The view's slices are the scratch's, reused from call to call.
	v := &s.view
	*v = view{
		s: s, pos: v.pos[:0], idx: v.idx[:0], words: v.words[:0], seg: v.seg[:0], soft: v.soft[:0],
		sent: v.sent[:0], quest: v.quest[:0], used: v.used[:0], low: v.low[:0], spans: v.spans[:0],
	}
	for range s.items {
		v.pos = append(v.pos, -1)
	}
	// The lower-case words, written into one buffer and sliced from one string.
	low, spans := v.low, v.spans
	var buf [maxWord]byte
	for i := range s.items {
		it := &s.items[i]
		sp := [2]int32{}
		if it.kind == kindWord {
			if lw, _ := lower(text[it.start:it.end], &buf); lw != nil {
				sp = [2]int32{int32(len(low)), int32(len(low) + len(lw))}
				low = append(low, lw...)
			}
		}
		spans = append(spans, sp)
	}
	v.low, v.spans = low, spans
	lows := string(low)
	seg, soft, sent := 0, 0, 0
	prevEnd := -1
	for i := range s.items {
		it := &s.items[i]
		v.pos[i] = -1
		if it.kind == kindBreak {
			continue
		}
		w := lows[spans[i][0]:spans[i][1]]
		if prevEnd >= 0 {
			gap := text[prevEnd:it.start]
			switch {
			case strings.ContainsAny(gap, ".!?;\n…"):
				if strings.ContainsRune(gap, '?') {
					v.markQuestion(sent)
				}
				sent++
				seg++
			case strings.ContainsAny(gap, ",:()[]\"“”–—-"):
				soft++
			}
		}
		if segmentWords[w] || it.role == roleContrast || it.role == roleConcessive {
			seg++
		} else if softWords[w] {
			soft++
		}
		v.pos[i] = len(v.idx)
		v.idx = append(v.idx, i)
		v.words = append(v.words, w)
		v.seg = append(v.seg, seg)
		v.soft = append(v.soft, soft)
		v.sent = append(v.sent, sent)
		prevEnd = int(it.end)
	}
	if prevEnd >= 0 && strings.ContainsRune(text[prevEnd:], '?') {
		v.markQuestion(sent)
	}
	for len(v.quest) <= sent {
		v.quest = append(v.quest, false)
	}
	for range v.idx {
		v.used = append(v.used, false)
	}
	return v
}

func (v *view) markQuestion(sent int) {
	for len(v.quest) <= sent {
		v.quest = append(v.quest, false)
	}
	v.quest[sent] = true
}

// mention is one occurrence of an entity in the text, by positions in the view: it covers [lo, hi]; a
// mention that covers no token (a @handle) sits at lo = hi = the position before which it stands, minus
// one half.
type mention struct {
	ent        int
	start, end int
	lo, hi     float64
	seg, sent  int
}

// mentions finds every occurrence of each entity: its given span, and its matched text wherever else it
// stands as whole words (case-insensitive).
func (v *view) mentions(text string, offset int, ents []post.Entity) []mention {
	var ms []mention
	for k, e := range ents {
		name := e.Matched
		if e.Start >= 0 && e.End > e.Start && offset+e.End <= len(text) {
			if name == "" {
				name = text[offset+e.Start : offset+e.End]
			}
			ms = append(ms, v.mention(k, offset+e.Start, offset+e.End))
		}
		if len(strings.TrimSpace(name)) < 2 {
			continue
		}
		for from := 0; from < len(text); {
			j := indexFold(text[from:], name)
			if j < 0 {
				break
			}
			st, en := from+j, from+j+len(name)
			from = en
			if (st > 0 && isWordByte(text[st-1])) || (en < len(text) && isWordByte(text[en])) {
				continue
			}
			if e.Start >= 0 && st == offset+e.Start {
				continue
			}
			ms = append(ms, v.mention(k, st, en))
		}
	}
	return ms
}

func isWordByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

func (v *view) mention(k, start, end int) mention {
	m := mention{ent: k, start: start, end: end, lo: -1, hi: -1}
	next := len(v.idx)
	for p, i := range v.idx {
		it := &v.s.items[i]
		if int(it.end) > start && int(it.start) < end {
			if m.lo < 0 {
				m.lo = float64(p)
			}
			m.hi = float64(p)
		}
		if int(it.start) >= end && next == len(v.idx) {
			next = p
		}
	}
	ref := 0
	if m.lo < 0 {
		m.lo, m.hi = float64(next)-0.5, float64(next)-0.5
		ref = min(next, len(v.idx)-1)
	} else {
		ref = int(m.lo)
	}
	if ref >= 0 && ref < len(v.idx) {
		m.seg, m.sent = v.seg[ref], v.sent[ref]
	}
	return m
}

// inMention reports whether view position p lies inside some mention.
func inMention(ms []mention, p int) bool {
	for i := range ms {
		if float64(p) >= ms[i].lo && float64(p) <= ms[i].hi {
			return true
		}
	}
	return false
}

// entityAcc accumulates what is attached to one entity.
type entityAcc struct {
	inText  bool
	sum     float64
	drivers []Driver
	pos     []int // view position of each driver
}

// attach assigns every opinion to an entity (see the package comment above).
func (v *view) attach(text string, ents []post.Entity, ms []mention, r *Result) []entityAcc {
	acc := make([]entityAcc, len(ents))
	for i := range ms {
		acc[ms[i].ent].inText = true
	}
	if len(ms) == 0 {
		return acc
	}
	var p int
	add := func(k int, d Driver, w float64, rule string) {
		d.Weight = round3(w)
		if rule != "" {
			if d.Rules != "" {
				d.Rules += "+"
			}
			d.Rules += rule
		}
		acc[k].sum += w
		acc[k].drivers = append(acc[k].drivers, d)
		acc[k].pos = append(acc[k].pos, p)
	}
	for n, o := range v.s.opinions {
		p = v.pos[o.item]
		if p < 0 || inMention(ms, p) || n >= len(r.Drivers) {
			continue
		}
		d := r.Drivers[n]
		// An opinion near a mention weighs as it stands (contrast weighting is for the text as a whole:
		// "love the camera but Acme support is a joke" is about two things); a carried one keeps the
		// contrast weighting ("looks great but the battery dies by lunch" leans on the battery).
		w, carried := o.weight, d.Weight
		past := ""
		if v.quest[v.sent[p]] {
			w *= questionWeight
			carried *= questionWeight
		}
		if v.pastAt(p) {
			w *= pastWeight // "used to be good"
			carried *= pastWeight
			past = "past"
		}
		seg := v.seg[p]
		than := v.comparison(p)
		best, bestDist := -1, 0.0
		for i := range ms {
			m := &ms[i]
			if m.seg != seg || (than >= 0 && m.lo > float64(than)) {
				continue
			}
			dist := v.distance(p, m)
			if best < 0 || dist < bestDist || (dist == bestDist && m.hi < float64(p) && ms[best].lo > float64(p)) {
				best, bestDist = i, dist
			}
		}
		// Entities after "than" (or "over", after "prefer"), and in an "unlike" clause just before, get the
		// opposite.
		unlike := v.unlikeSegment(p)
		for i := range ms {
			m := &ms[i]
			if !(than >= 0 && m.seg == seg && m.lo > float64(than)) && !(unlike >= 0 && m.seg == unlike) {
				continue
			}
			dup := false
			for j := 0; j < i; j++ {
				if ms[j].ent == m.ent && ((than >= 0 && ms[j].seg == seg && ms[j].lo > float64(than)) || (unlike >= 0 && ms[j].seg == unlike)) {
					dup = true
				}
			}
			if !dup {
				dc := d
				dc.Rules = withoutContrast(dc.Rules)
				add(m.ent, dc, -comparedWeight*w, joinRules(past, "compared"))
			}
		}
		if best >= 0 {
			d.Rules = withoutContrast(d.Rules)
			add(ms[best].ent, d, w, past)
			continue
		}
		if than >= 0 {
			continue // "nothing is better than Acme": the comparison carried it
		}
		// No mention in the segment: carry over to the last mention before, else the first after; fully
		// within the sentence, at carryWeight beyond it.
		carry, carryPos := -1, 0.0
		for i := range ms {
			m := &ms[i]
			if m.seg == unlike {
				continue
			}
			if m.hi < float64(p) && (carry < 0 || m.hi > carryPos || (m.hi == carryPos && ms[carry].lo > float64(p))) {
				carry, carryPos = i, m.hi
			}
		}
		if carry < 0 {
			for i := range ms {
				m := &ms[i]
				if m.seg != unlike && (carry < 0 || m.lo < carryPos) {
					carry, carryPos = i, m.lo
				}
			}
		}
		if carry < 0 {
			continue
		}
		if ms[carry].sent != v.sent[p] {
			carried *= carryWeight
		}
		add(ms[carry].ent, d, carried, joinRules(past, "carried"))
	}
	return acc
}

func joinRules(a, b string) string {
	if a == "" {
		return b
	}
	return a + "+" + b
}

// pastWeight weighs an opinion the author says no longer holds ("used to be good"): it flips, weakened.
const pastWeight = -0.5

// pastAt reports whether "used to" stands up to four words before view position p in its segment.
func (v *view) pastAt(p int) bool {
	for q := p - 1; q >= 1 && q >= p-4 && v.seg[q] == v.seg[p]; q-- {
		if v.words[q] == "to" && v.words[q-1] == "used" {
			return true
		}
	}
	return false
}

// comparison returns the position of the comparison marker after p in its segment: "than", or "over"
// when a "prefer" word comes before it; -1 when none.
func (v *view) comparison(p int) int {
	seg := v.seg[p]
	prefer := false
	for q := p; q >= 0 && v.seg[q] == seg; q-- {
		if strings.HasPrefix(v.words[q], "prefer") {
			prefer = true
		}
	}
	for q := p + 1; q < len(v.idx) && v.seg[q] == seg; q++ {
		switch w := v.words[q]; {
		case w == "than", w == "over" && prefer:
			return q
		case strings.HasPrefix(w, "prefer"):
			prefer = true
		}
	}
	return -1
}

// unlikeSegment returns the segment just before p's, in the same sentence, when it opens with "unlike";
// else -1.
func (v *view) unlikeSegment(p int) int {
	seg := v.seg[p]
	for q := p - 1; q >= 0 && v.sent[q] == v.sent[p]; q-- {
		if v.seg[q] == seg-1 {
			first := q
			for first > 0 && v.seg[first-1] == seg-1 {
				first--
			}
			if v.words[first] == "unlike" {
				return seg - 1
			}
			return -1
		}
	}
	return -1
}

// distance is the token distance from view position p to mention m, plus softPenalty per soft boundary in
// between.
func (v *view) distance(p int, m *mention) float64 {
	var d float64
	var a, b int // positions spanning the gap
	switch {
	case float64(p) > m.hi:
		d = float64(p) - m.hi
		a, b = int(m.hi+0.5), p
	default:
		d = m.lo - float64(p)
		a, b = p, int(m.lo+0.5)
	}
	a = max(0, min(a, len(v.idx)-1))
	b = max(0, min(b, len(v.idx)-1))
	return d + softPenalty*float64(v.soft[b]-v.soft[a])
}

// withoutContrast drops the whole-text contrast rules from a driver's rule names, for an opinion weighed
// without them.
func withoutContrast(rules string) string {
	if !strings.Contains(rules, "contrast-") {
		return rules
	}
	var keep []string
	for _, r := range strings.Split(rules, "+") {
		if !strings.HasPrefix(r, "contrast-") {
			keep = append(keep, r)
		}
	}
	return strings.Join(keep, "+")
}
