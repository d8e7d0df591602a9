package sentiment

import (
	"sort"
	"strconv"
	"strings"

	"github.com/rapport-dev/rapport/post"
)

// Loyalty signals: recommend, praise, purchase, complaint, question and churn, each with the phrase that
// triggered it and, when clear, the entity it is about.
//
// Three sources feed them:
//
//   - Phrases (signalPatterns below), matched on the lower-case words of one sentence, longest first, each
//     word used by one phrase at most. A phrase preceded in its clause by a negator (up to three words
//     back) does not fire as itself: a negated recommendation ("wouldn't recommend") is a complaint, other
//     negated phrases ("not switching", "didn't buy") fire nothing. A recommend, praise, complaint or churn
//     phrase weighs at least ±signalWeight in its entity's sentiment: what its own words' lexicon valence
//     lacks of that is added as an implicit opinion.
//   - Opinions: an entity whose aimed sentiment is positive with an attached driver of weight ≥
//     strongOpinion is praised (the phrase is that driver); negative with one ≤ −strongOpinion, complained
//     about; both, whatever the label, when such drivers of both signs stand in one sentence ("great
//     phones, terrible network"). Comparisons and opinions that no longer hold ("used to be good") do not
//     count. A post without entities is judged the same way from its own label and drivers.
//   - The star rating of a review: 4–5 stars is praise, 1–2 stars a complaint, 3 stars neither; the phrase
//     is "rating:N" and the entity the post's only entity, if it has exactly one.
//
// Entity: the nearest mention in the phrase's sentence (after the phrase first, for phrases whose object
// follows them: "recommend Acme", "switching from Acme"); for "switching to Y" it is the entity left, not
// Y; a question is about every entity its sentence mentions. Without a mention in the sentence, the post's
// only entity when it has exactly one; otherwise the post as a whole (Entity ""). One signal per kind and
// entity, the first found.
const strongOpinion = 1.5

// Where a phrase's entity is looked for.
const (
	dirNear  = iota // nearest mention in the sentence
	dirAfter        // the first mention after the phrase, else the nearest before
	dirAway         // a mention that is not the one right after the phrase (the target of a switch)
)

type signalPattern struct {
	kind  post.SignalKind
	words []string // "*" suffix: prefix match; "~": zero to two words of any kind
	dir   int
	// neg is the kind the phrase signals when negated ("" for none).
	neg post.SignalKind
}

// signalPhrases, by kind; see signalPattern for the word syntax. Written for Rapport.
var signalPhrases = []struct {
	kind    post.SignalKind
	dir     int
	neg     post.SignalKind
	phrases []string
}{
	{post.SignalRecommend, dirAfter, post.SignalComplaint, []string{
		"recommend*", "would recommend", "highly recommend*", "you should try", "you should get",
		"you should buy", "you need to try", "you need to get", "check out", "must have",
		"can't go wrong with", "cant go wrong with", "do yourself a favor", "do yourself a favour",
		"get yourself", "worth checking out", "give ~ a try", "won't regret", "wont regret", "go for it",
	}},
	{post.SignalRecommend, dirAfter, "", []string{
		"can't recommend ~ enough", "cant recommend ~ enough", "cannot recommend ~ enough",
	}},
	{post.SignalPraise, dirNear, "", []string{
		"thank you", "thanks", "shoutout", "shout out", "kudos", "props to", "hats off", "well done",
		"great job", "good job", "nailed it", "game changer", "gamechanger", "life saver", "lifesaver",
		"worth every penny", "worth it", "exceeded ~ expectations", "above and beyond", "top notch",
		"blown away", "hands down", "never disappoints", "never lets me down", "never let me down",
		"never let us down", "never had ~ issue", "never had ~ problem", "never had ~ problems", "no complaints",
		"works perfectly", "works great", "does the job", "does what it says", "exactly as described",
		"as described", "on time", "arrived quickly", "miles ahead", "five stars",
	}},
	{post.SignalPurchase, dirAfter, "", []string{
		"just bought", "just got a", "just got an", "just got the", "just got my", "just ordered",
		"bought", "buying", "purchased", "ordered", "preordered", "pre ordered", "preorder*", "went with",
		"picked up a", "picked up the", "picked up an", "my new", "upgraded to", "upgrading to",
		"signed up for", "subscribed to", "i renewed", "renewing my", "booked with", "booked a", "take my money", "added ~ to cart", "add* to cart",
		"in the market for", "thinking of buying", "thinking of getting", "thinking about buying",
		"thinking about getting", "planning to buy", "planning to get", "plan to buy", "about to buy",
		"about to order", "gonna buy", "gonna get", "going to buy", "going to get", "will buy", "i'll buy",
		"want to buy", "want to get", "need to buy", "i want one", "i need one", "saving up for",
		"can't wait to get", "cant wait to get", "should i buy", "should i get", "worth buying",
	}},
	{post.SignalComplaint, dirNear, "", []string{
		"doesn't work", "doesnt work", "does not work", "don't work", "not working", "stopped working",
		"won't turn on", "wont turn on", "won't charge", "wont charge", "keeps crashing", "keeps dropping",
		"keeps freezing", "keeps disconnecting", "keeps breaking", "crashed", "crashes", "crashing",
		"still waiting", "still broken", "still no", "no response", "no reply", "no answer",
		"never responded", "never replied", "never arrived", "never received", "never came", "hasn't arrived",
		"hasnt arrived", "didn't arrive", "didnt arrive", "on hold", "charged twice", "double charged",
		"overcharged", "want a refund", "want my money back", "where is my", "where's my", "wheres my",
		"waste of money", "waste of time", "rip off", "ripoff", "a joke", "fix your", "fix this",
		"sort it out", "not happy", "don't buy", "dont buy", "do not buy", "stay away", "avoid",
		"overpriced", "too expensive", "slow", "laggy", "buggy", "glitchy", "outage", "is down",
		"went down", "dropped calls", "dead on arrival", "fell apart", "broke", "broken", "died", "dies",
		"false advertising", "hidden fees", "hidden fee", "fees are hidden", "no signal", "rude", "been down",
		"down again", "down for", "down since", "won't connect", "wont connect", "won't load", "wont load",
		"won't let", "wont let", "won't open", "won't update", "won't sync", "can't log in", "cant log in",
		"can't login", "can't connect", "can't reach", "nobody answers", "no one answers", "nobody cared",
		"nobody cares", "no one cares", "charged ~ twice", "raised ~ prices", "raised ~ bill", "raised ~ price",
		"price hike", "prices went up", "pricing ~ went up", "doubled my", "doubled the",
		"lost my", "deleted my", "wiped my", "never delivered", "never showed up", "didn't show up",
		"didnt show up", "not the same", "isn't the same", "not what it used to be", "used to be good",
		"used to be great", "used to be better", "nowhere near as", "without asking", "without telling",
		"without notice", "without warning", "without explanation", "no warning", "way too", "too small",
		"too slow", "too dim", "too loud", "barely last*", "barely work*", "hardly work*", "not worth",
		"isn't worth", "wasn't worth", "keeps logging", "keep* disconnecting", "keeps showing", "overheat*",
		"leaks", "leaking", "wrong order", "got my order wrong", "missing",
	}},
	{post.SignalChurn, dirAfter, "", []string{
		"switching from", "switched from", "switch from", "moving from", "moved from", "leaving for",
		"cancel my", "cancelling my", "canceling my", "i cancelled", "i canceled", "i've cancelled",
		"i've canceled", "just cancelled", "just canceled", "going to cancel", "gonna cancel", "will cancel",
		"about to cancel", "cancel ~ subscription", "cancel ~ account", "cancel ~ membership", "cancel ~ contract",
		"ditching", "ditched", "dumping", "dumped", "done with", "quitting",
		"unsubscrib*", "never buying ~ again", "never buy ~ again", "never ordering ~ again",
		"never using ~ again", "never flying ~ again", "not renewing", "won't renew", "wont renew",
		"looking at alternatives", "looking for alternatives", "looking for an alternative", "alternative to",
		"shop around", "shopping around", "evaluating other", "other vendors", "other options", "time to switch",
		"won't be renewing", "goodbye", "last time i", "never again", "jumping ship", "jump ship",
	}},
	{post.SignalChurn, dirAway, "", []string{
		"switching to", "switched to", "switch to", "switching over to", "switched over to", "moving to",
		"moved to", "going back to", "went back to", "porting my number", "ported my number",
		"closing my account", "closed my account",
	}},
	{post.SignalQuestion, dirNear, "", []string{
		"does anyone", "anyone know", "anyone tried", "anyone else", "any recommendations",
		"any suggestions", "how do i", "how can i", "how do you", "is it worth", "should i", "which one",
		"what's the best", "whats the best", "can someone", "can anyone", "is there a way",
	}},
}

// signalPatterns is signalPhrases compiled, longest first; byFirst indexes them by their first word
// (prefix patterns under "").
var signalPatterns, signalByFirst = func() ([]signalPattern, map[string][]int) {
	var ps []signalPattern
	for _, g := range signalPhrases {
		for _, ph := range g.phrases {
			ps = append(ps, signalPattern{kind: g.kind, words: strings.Fields(ph), dir: g.dir, neg: g.neg})
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	by := map[string][]int{}
	for i, p := range ps {
		f := p.words[0]
		if strings.HasSuffix(f, "*") {
			f = ""
		}
		by[f] = append(by[f], i)
	}
	return ps, by
}()

// match reports whether p matches the view's words from position at (within sentence sent), and the
// position past the match.
func (v *view) match(p *signalPattern, at int) (int, bool) {
	q := at
	sent := v.sent[at]
	for wi := 0; wi < len(p.words); wi++ {
		w := p.words[wi]
		if w == "~" {
			next := p.words[wi+1] // a pattern never ends with "~"
			for skip := 0; skip <= 2; skip++ {
				if q+skip < len(v.idx) && v.sent[q+skip] == sent && wordMatches(v.words[q+skip], next) {
					q += skip
					break
				}
				if skip == 2 {
					return 0, false
				}
			}
			continue
		}
		if q >= len(v.idx) || v.sent[q] != sent || !wordMatches(v.words[q], w) {
			return 0, false
		}
		q++
	}
	return q, true
}

func wordMatches(word, pat string) bool {
	if strings.HasSuffix(pat, "*") {
		return strings.HasPrefix(word, pat[:len(pat)-1])
	}
	return word == pat
}

// negatedAt reports whether a negator stands up to three words before view position p in its clause.
func (v *view) negatedAt(p int) bool {
	for q, k := p-1, 0; q >= 0 && k < negWindow; q-- {
		if v.seg[q] != v.seg[p] || v.soft[q] != v.soft[p] {
			return false
		}
		it := &v.s.items[v.idx[q]]
		if it.role == roleNegator || it.role == roleCant {
			return true
		}
		k++
	}
	return false
}

// signals finds the phrase signals and their entities, and adds the implicit opinions of phrases without
// lexicon valence to implicit (by entity).
func (v *view) signals(text string, ents []post.Entity, ms []mention, implicit []float64, out []post.Signal) []post.Signal {
	for at := 0; at < len(v.idx); {
		// Candidates: the patterns starting with this word and the prefix patterns, merged in compiled
		// order (longest first).
		exact, prefix := signalByFirst[v.words[at]], signalByFirst[""]
		end := -1
		var pat *signalPattern
		for i, j := 0, 0; i < len(exact) || j < len(prefix); {
			var c int
			if j >= len(prefix) || (i < len(exact) && exact[i] < prefix[j]) {
				c, i = exact[i], i+1
			} else {
				c, j = prefix[j], j+1
			}
			if e, ok := v.match(&signalPatterns[c], at); ok {
				end, pat = e, &signalPatterns[c]
				break
			}
		}
		if pat == nil {
			at++
			continue
		}
		kind := pat.kind
		first := v.words[at]
		if kind == post.SignalQuestion || (first == "should" && len(pat.words) > 1 && pat.words[1] == "i") {
			v.markQuestion(v.sent[at])
		}
		if kind == post.SignalQuestion {
			at = end
			continue // emitted with the sentence's other questions below
		}
		startsNegated := v.s.items[v.idx[at]].role == roleNegator || v.s.items[v.idx[at]].role == roleCant
		if !startsNegated && first != "never" && v.negatedAt(at) {
			kind = pat.neg
		}
		if kind != "" {
			phraseStart := at
			if kind != pat.kind {
				for phraseStart > 0 && v.seg[phraseStart-1] == v.seg[at] && at-phraseStart < negWindow {
					phraseStart--
					it := &v.s.items[v.idx[phraseStart]]
					if it.role == roleNegator || it.role == roleCant {
						break
					}
				}
			}
			for q := at; q < end; q++ {
				v.used[q] = true
			}
			phrase := text[v.s.items[v.idx[phraseStart]].start:v.s.items[v.idx[end-1]].end]
			ent := v.signalEntity(ms, ents, at, end, pat.dir)
			out = addSignal(out, kind, phrase, entityID(ents, ent))
			if ent >= 0 {
				// The phrase weighs at least signalWeight in its direction, its own words' valence included.
				switch val := v.valence(at, end); kind {
				case post.SignalComplaint, post.SignalChurn:
					implicit[ent] += min(0, -signalWeight-val)
				case post.SignalRecommend, post.SignalPraise:
					implicit[ent] += max(0, signalWeight-val)
				}
			}
		}
		at = end
	}
	// Questions: every sentence that is one, about each entity it mentions.
	for sent, q := range v.quest {
		if !q {
			continue
		}
		lo, hi := -1, -1
		for p := range v.idx {
			if v.sent[p] == sent {
				if lo < 0 {
					lo = p
				}
				hi = p
			}
		}
		if lo < 0 {
			continue
		}
		phrase := questionPhrase(text, int(v.s.items[v.idx[lo]].start), int(v.s.items[v.idx[hi]].end))
		found := false
		for i := range ms {
			if ms[i].sent == sent {
				out = addSignal(out, post.SignalQuestion, phrase, ents[ms[i].ent].ID)
				found = true
			}
		}
		if !found {
			out = addSignal(out, post.SignalQuestion, phrase, entityID(ents, soleEntity(ents)))
		}
	}
	return out
}

// questionPhrase is the question's text up to its '?', at most 80 bytes cut at a space.
func questionPhrase(text string, start, end int) string {
	if q := strings.IndexByte(text[end:], '?'); q >= 0 && q < 8 {
		end += q + 1
	}
	ph := text[start:end]
	if len(ph) > 80 {
		cut := strings.LastIndexByte(ph[:80], ' ')
		if cut <= 0 {
			cut = 80
		}
		ph = ph[:cut] + "…"
	}
	return ph
}

// valence is the summed lexicon valence of the words at view positions [from, to).
func (v *view) valence(from, to int) float64 {
	var sum float64
	for p := from; p < to; p++ {
		sum += float64(v.s.items[v.idx[p]].val)
	}
	return sum
}

// signalEntity picks the entity a phrase at view positions [from, to) is about, or -1.
func (v *view) signalEntity(ms []mention, ents []post.Entity, from, to, dir int) int {
	sent := v.sent[from]
	after, before, near := -1, -1, -1
	var nearDist float64
	for i := range ms {
		m := &ms[i]
		if m.sent != sent {
			continue
		}
		if m.lo >= float64(to)-0.5 && (after < 0 || m.lo < ms[after].lo) {
			after = i
		}
		if m.hi < float64(from) && (before < 0 || m.hi > ms[before].hi) {
			before = i
		}
		d := v.distance(from, m)
		if m.lo >= float64(to)-0.5 {
			d = v.distance(to-1, m)
		}
		if near < 0 || d < nearDist {
			near, nearDist = i, d
		}
	}
	switch dir {
	case dirAfter:
		if after >= 0 {
			return ms[after].ent
		}
		if before >= 0 {
			return ms[before].ent
		}
	case dirAway:
		target := -1
		if after >= 0 {
			target = ms[after].ent
		}
		if before >= 0 && ms[before].ent != target {
			return ms[before].ent
		}
		// The one entity of the post that is not the target.
		other := -1
		for k := range ents {
			if k == target {
				continue
			}
			if other >= 0 {
				return -1
			}
			other = k
		}
		return other
	default:
		if near >= 0 {
			return ms[near].ent
		}
	}
	return soleEntity(ents)
}

func soleEntity(ents []post.Entity) int {
	if len(ents) == 1 {
		return 0
	}
	return -1
}

func entityID(ents []post.Entity, k int) string {
	if k < 0 {
		return ""
	}
	return ents[k].ID
}

func addSignal(out []post.Signal, kind post.SignalKind, phrase, entity string) []post.Signal {
	for _, s := range out {
		if s.Kind == kind && s.Entity == entity {
			return out
		}
	}
	return append(out, post.Signal{Kind: kind, Phrase: phrase, Entity: entity})
}

// opinionSignals adds praise and complaints read from the sentiment aimed at each entity (or, for a post
// without entities in its text, at the post).
func (v *view) opinionSignals(text string, ents []post.Entity, acc []entityAcc, d *Detail, out []post.Signal) []post.Signal {
	anyInText := false
	for k := range ents {
		if !acc[k].inText {
			continue
		}
		anyInText = true
		out = v.opinionSignal(out, d.Entities[k].Label, d.Entities[k].Drivers, acc[k].pos, ents[k].ID)
	}
	if !anyInText {
		ent := entityID(ents, soleEntity(ents))
		if len(ents) == 1 && !acc[0].inText {
			ent = ents[0].ID
		}
		pos := make([]int, len(d.Drivers))
		for n := range pos {
			pos[n] = -1
			if n < len(v.s.opinions) {
				pos[n] = v.pos[v.s.opinions[n].item]
			}
		}
		out = v.opinionSignal(out, d.Label, d.Drivers, pos, ent)
	}
	return out
}

func (v *view) opinionSignal(out []post.Signal, label Label, ds []Driver, pos []int, entity string) []post.Signal {
	bestPos, bestNeg := -1, -1
	for i, dr := range ds {
		if strings.Contains(dr.Rules, "compared") || strings.Contains(dr.Rules, "past") {
			continue // "better than Globex" is a comparison, not a complaint about Globex
		}
		if pos[i] >= 0 && v.used[pos[i]] {
			continue // already read as a phrase ("can't recommend them enough")
		}
		switch {
		case dr.Weight >= strongOpinion && (bestPos < 0 || dr.Weight > ds[bestPos].Weight):
			bestPos = i
		case dr.Weight <= -strongOpinion && (bestNeg < 0 || dr.Weight < ds[bestNeg].Weight):
			bestNeg = i
		}
	}
	// Both sides when both stand in one sentence ("great phones, terrible network"); else the side of the
	// label.
	both := bestPos >= 0 && bestNeg >= 0 && pos[bestPos] >= 0 && pos[bestNeg] >= 0 && v.sent[pos[bestPos]] == v.sent[pos[bestNeg]]
	if bestPos >= 0 && (label == Positive || both) {
		out = addSignal(out, post.SignalPraise, ds[bestPos].Token, entity)
	}
	if bestNeg >= 0 && (label == Negative || both) {
		out = addSignal(out, post.SignalComplaint, ds[bestNeg].Token, entity)
	}
	return out
}

// RatingSignals adds the star rating's signal: 4–5 stars praise, 1–2 stars a complaint.
func RatingSignals(rating int8, ents []post.Entity, out []post.Signal) []post.Signal {
	var kind post.SignalKind
	switch {
	case rating >= 4 && rating <= 5:
		kind = post.SignalPraise
	case rating >= 1 && rating <= 2:
		kind = post.SignalComplaint
	default:
		return out
	}
	return addSignal(out, kind, "rating:"+strconv.Itoa(int(rating)), entityID(ents, soleEntity(ents)))
}
