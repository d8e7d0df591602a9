package sim

import (
	"strconv"
	"strings"
)

// A text is kept as segments until it is rendered for a network: each network writes hashtags, mentions and
// links differently (X plain text with entities and t.co links, Mastodon HTML, Reddit markdown).

type segKind uint8

const (
	sText    segKind = iota
	sTag             // s: tag without '#'
	sCash            // s: symbol without '$'
	sMention         // acc: who is mentioned
	sURL             // s: expanded URL
)

type seg struct {
	kind segKind
	s    string
	acc  *account
}

type phCode uint8

const (
	phNone phCode = iota
	phProduct
	phAlias
	phBrand
	phRival
	phRivalBrand
	phHashtag
	phCashtag
	phMention
	phSupport
	phFriend
	phURL
	phNews
	phFeature
	phIssue
	phNum
	phSo
	phEmoPos
	phEmoNeg
	phEmoThink
	phEmoLaugh
	phName
	phSig
	phCat
)

var phNames = map[string]phCode{
	"P": phProduct, "p": phAlias, "B": phBrand, "C": phRival, "D": phRivalBrand, "H": phHashtag, "$": phCashtag,
	"M": phMention, "S": phSupport, "f": phFriend, "U": phURL, "N": phNews, "F": phFeature, "I": phIssue, "n": phNum,
	"so": phSo, "e+": phEmoPos, "e-": phEmoNeg, "e?": phEmoThink, "e!": phEmoLaugh, "name": phName, "sig": phSig,
	"cat": phCat,
}

type tpart struct {
	lit string
	ph  phCode
}

type tmpl struct {
	parts      []tpart
	sentiment  int8
	hasSent    bool
	xlang      string
	needsRival bool
	needsBrand bool
}

// compiled[lang][intent]
var (
	compiledText   [5][numIntents][]*tmpl
	compiledTitles [5][numIntents][]*tmpl
	compiledExtras [5][]*tmpl
	compiledAutomd []*tmpl
)

func langIndex(l string) int {
	switch l {
	case "es":
		return 1
	case "de":
		return 2
	case "fr":
		return 3
	case "pt":
		return 4
	}
	return 0
}

func init() {
	for li, l := range langs {
		for in, list := range textTemplates[l] {
			for _, s := range list {
				compiledText[li][in] = append(compiledText[li][in], compile(s))
			}
		}
		for in, list := range titleTemplates[l] {
			for _, s := range list {
				compiledTitles[li][in] = append(compiledTitles[li][in], compile(s))
			}
		}
		for _, s := range redditExtras[l] {
			compiledExtras[li] = append(compiledExtras[li], compile(s))
		}
	}
	for _, s := range automodTexts {
		compiledAutomd = append(compiledAutomd, &tmpl{parts: []tpart{{lit: s}}})
	}
}

func compile(s string) *tmpl {
	t := &tmpl{}
	for strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		opt := s[1:end]
		s = s[end+1:]
		switch {
		case opt == "+":
			t.sentiment, t.hasSent = 1, true
		case opt == "-":
			t.sentiment, t.hasSent = -1, true
		case opt == "0":
			t.sentiment, t.hasSent = 0, true
		case strings.HasPrefix(opt, "x:"):
			t.xlang = opt[2:]
		default:
			panic("sim: bad template option " + opt)
		}
	}
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t.parts = append(t.parts, tpart{lit: s})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		code, ok := phNames[s[i+1:i+j]]
		if !ok {
			// Not a placeholder: keep the brace literally.
			t.parts = append(t.parts, tpart{lit: s[:i+1]})
			s = s[i+1:]
			continue
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{lit: s[:i]})
		}
		t.parts = append(t.parts, tpart{ph: code})
		switch code {
		case phRival, phRivalBrand:
			t.needsRival = true
		case phProduct, phAlias, phBrand, phHashtag, phCashtag, phMention, phSupport, phURL, phFeature, phIssue:
			t.needsBrand = true
		}
		s = s[i+j+1:]
	}
	return t
}

// textCtx is what a template is filled with.
type textCtx struct {
	lang      string
	brand     int // -1: none
	product   int
	rivalProd int // product index of the rival brand, when the brand has a rival
	brandAcc  *account
	support   *account
	friendNet int    // 1 + index of the network to draw a friend from; 0: no friends to mention
	name      string // first name of the author replied to
}

// writer accumulates segments; text is gathered in buf and flushed as one sText segment.
type writer struct {
	segs []seg
	buf  []byte
}

func (w *writer) reset() { w.segs = w.segs[:0]; w.buf = w.buf[:0] }

func (w *writer) text(s string) { w.buf = append(w.buf, s...) }

func (w *writer) flush() {
	if len(w.buf) > 0 {
		w.segs = append(w.segs, seg{kind: sText, s: string(w.buf)})
		w.buf = w.buf[:0]
	}
}

func (w *writer) add(s seg) {
	w.flush()
	w.segs = append(w.segs, s)
}

// render fills t into w.
func (g *Generator) render(w *writer, t *tmpl, c *textCtx) {
	l := c.lang
	var b *Brand
	if c.brand >= 0 {
		b = &brands[c.brand]
	}
	for _, p := range t.parts {
		if p.ph == phNone {
			w.text(p.lit)
			continue
		}
		switch p.ph {
		case phProduct:
			pr := &b.Products[c.product]
			if g.rng.chance(0.55) {
				w.text(pr.Name)
			} else {
				w.text(alias(g.rng, pr, l))
			}
		case phAlias:
			w.text(alias(g.rng, &b.Products[c.product], l))
		case phBrand:
			if g.rng.chance(0.8) {
				w.text(b.Name)
			} else {
				w.text(pick(g.rng, b.Aliases))
			}
		case phRival:
			if b.Rival >= 0 {
				pr := &brands[b.Rival].Products[c.rivalProd%len(brands[b.Rival].Products)]
				if g.rng.chance(0.5) {
					w.text(pr.Name)
				} else {
					w.text(pick(g.rng, pr.Aliases))
				}
			} else {
				w.text(rivalFallback[l][0])
			}
		case phRivalBrand:
			if b.Rival >= 0 {
				w.text(brands[b.Rival].Name)
			} else {
				w.text(rivalFallback[l][1])
			}
		case phHashtag:
			w.add(seg{kind: sTag, s: g.hashtag(c)})
		case phCashtag:
			if b.Cashtag != "" {
				w.add(seg{kind: sCash, s: b.Cashtag})
			} else {
				w.add(seg{kind: sTag, s: b.Hashtags[0]})
			}
		case phMention:
			if c.brandAcc != nil {
				w.add(seg{kind: sMention, acc: c.brandAcc})
			} else {
				w.text(b.Name)
			}
		case phSupport:
			switch {
			case c.support != nil:
				w.add(seg{kind: sMention, acc: c.support})
			case c.brandAcc != nil:
				w.add(seg{kind: sMention, acc: c.brandAcc})
			default:
				w.text(b.Name)
			}
		case phFriend:
			if c.friendNet > 0 {
				_, friend := g.personAccount(c.friendNet - 1)
				w.add(seg{kind: sMention, acc: friend})
			}
		case phURL:
			w.add(seg{kind: sURL, s: g.productURL(c)})
		case phNews:
			w.add(seg{kind: sURL, s: g.newsURL(c)})
		case phFeature:
			w.text(pick(g.rng, features[b.Category][l]))
		case phIssue:
			w.text(pick(g.rng, issues[b.Category][l]))
		case phNum:
			w.buf = strconv.AppendInt(w.buf, int64(g.rng.between(2, 14)), 10)
		case phSo:
			w.text(pick(g.rng, intensifiers[l]))
		case phEmoPos:
			g.emoji(w, emojiPos)
		case phEmoNeg:
			g.emoji(w, emojiNeg)
		case phEmoThink:
			g.emoji(w, emojiThink)
		case phEmoLaugh:
			g.emoji(w, emojiLaugh)
		case phName:
			w.text(c.name)
		case phSig:
			w.buf = append(w.buf, byte('A'+g.rng.intn(26)), byte('A'+g.rng.intn(26)))
		case phCat:
			cat := Electronics
			if b != nil {
				cat = b.Category
			}
			w.text(categoryNoun[cat][l])
		}
	}
	w.flush()
}

// alias picks what a person calls the product; English-only forms ("the Pulse") are not used in other
// languages.
func alias(r rng, pr *Product, lang string) string {
	a := pick(r, pr.Aliases)
	if lang != "en" && strings.HasPrefix(a, "the ") {
		return pr.Aliases[0]
	}
	return a
}

func (g *Generator) emoji(w *writer, set []string) {
	u := g.rng.float()
	switch {
	case u < 0.35:
		// none
	case u < 0.85:
		w.text(pick(g.rng, set))
	default:
		e := pick(g.rng, set)
		w.text(e)
		w.text(e)
	}
}

func (g *Generator) hashtag(c *textCtx) string {
	b := &brands[c.brand]
	if g.rng.chance(0.5) {
		return pick(g.rng, b.Products[c.product].Hashtags)
	}
	return pick(g.rng, b.Hashtags)
}

func slug(s string) string {
	var out []byte
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			out = append(out, byte(r))
			dash = false
		case r == '&':
		default:
			if !dash && len(out) > 0 {
				out = append(out, '-')
				dash = true
			}
		}
	}
	return strings.TrimRight(string(out), "-")
}

func (g *Generator) productURL(c *textCtx) string {
	b := &brands[c.brand]
	u := "https://" + b.Domain + "/products/" + g.slugs[c.brand][c.product]
	switch g.rng.intn(4) {
	case 0:
		u += "?utm_source=social&utm_medium=share"
	case 1:
		u += "?ref=" + strconv.FormatUint(g.rng.u64()%1e6, 36)
	}
	return u
}

func (g *Generator) newsURL(c *textCtx) string {
	site := pick(g.rng, newsSites)
	s := "https://" + site + "/"
	if c.brand >= 0 {
		s += slug(brands[c.brand].Name) + "/"
	}
	return s + strconv.FormatUint(100000+g.rng.u64()%900000, 10) + "-" + pick(g.rng, []string{"review", "report", "analysis", "launch", "prices", "outage", "earnings"})
}

// tidy collapses the double spaces that empty placeholders leave and trims the ends of the text.
func tidy(segs []seg) []seg {
	for i := range segs {
		if segs[i].kind != sText {
			continue
		}
		s := segs[i].s
		if strings.Contains(s, "  ") {
			for strings.Contains(s, "  ") {
				s = strings.ReplaceAll(s, "  ", " ")
			}
		}
		if i == 0 {
			s = strings.TrimLeft(s, " ")
		}
		if i == len(segs)-1 {
			s = strings.TrimRight(s, " ")
		}
		segs[i].s = s
	}
	// Drop text segments that became empty.
	out := segs[:0]
	for _, s := range segs {
		if s.kind == sText && s.s == "" {
			continue
		}
		out = append(out, s)
	}
	return out
}

// casing applies a writing style to the text segments: all lower case, or shouting.
func casing(segs []seg, style int) {
	if style == 0 {
		return
	}
	for i := range segs {
		if segs[i].kind != sText {
			continue
		}
		if style == 1 {
			segs[i].s = strings.ToLower(segs[i].s)
		} else {
			segs[i].s = strings.ToUpper(segs[i].s)
		}
	}
}
