package sim

import (
	"math"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// A draft is a post decided on but not yet encoded for its network.
type draft struct {
	ni      int
	net     post.Network
	kind    postKind
	pe      *person // nil for brand, bot and moderator accounts
	author  *account
	parent  *hpost
	in      intent
	lang    string
	xlang   string // X lang override for texts without a language
	brand   int
	product int
	sent    int8
	segs    []seg
	title   []seg // Reddit submission title
	now     time.Time
	vir     float64

	// Reddit
	sub      string
	link     string // link post target
	linkOnly bool   // link or title-only submission: no selftext
	automod  bool
	deleted  bool
	cw       string // Mastodon content warning

	anon   bool   // Facebook, Instagram: the payload leaves the commenter out
	rating int8   // review: stars
	edit   *hpost // the post an edit replaces; nil for a new post
	inc    int    // incident of the post, plus one; 0: none
	incID  string
	campID string // spam campaign of the post
}

// pickKind decides what the next post of network ni is.
func (g *Generator) pickKind(ni int) postKind {
	h := g.hist[ni]
	if h.recent.n == 0 {
		return kOriginal
	}
	u := g.rng.float()
	switch networks[ni] {
	case post.NetworkX:
		switch {
		case u < 0.45:
			return kOriginal
		case u < 0.75:
			return kReply
		case u < 0.93:
			return kRepost
		}
		return kQuote
	case post.NetworkMastodon:
		switch {
		case u < 0.55:
			return kOriginal
		case u < 0.80:
			return kReply
		case u < 0.97:
			return kRepost
		}
		return kQuote
	case post.NetworkYouTube, post.NetworkFacebook, post.NetworkInstagram:
		// A top-level comment on an object, or a reply to one.
		if h.roots.n == 0 || u < 0.7 {
			return kOriginal
		}
		return kReply
	case post.NetworkReview:
		return kOriginal
	default:
		if h.roots.n == 0 || u < 0.2 {
			return kOriginal
		}
		if u < 0.98 {
			return kReply
		}
		return kRepost
	}
}

func (g *Generator) compose(ni int, now time.Time, keep bool) *draft {
	d := &g.d
	*d = draft{ni: ni, net: networks[ni], now: now, brand: -1, segs: d.segs[:0]}
	d.vir = g.rng.lognormal(0, 1.2)
	if g.curInc > 0 {
		d.kind, d.inc, d.incID = kOriginal, g.curInc, g.incs[g.curInc-1].ID
		g.curInc = 0
		g.composeIncident(d)
		return d
	}
	d.kind = g.pickKind(ni)
	switch d.kind {
	case kOriginal:
		g.composeOriginal(d)
	case kReply:
		g.composeReply(d, keep)
	case kQuote:
		g.composeQuote(d, keep)
	default:
		g.composeRepost(d, keep)
	}
	return d
}

// recentParent picks a post to react to: mostly very recent ones, sometimes a post with unusual reach.
func (g *Generator) recentParent(r, hot *ring, hotShare float64) *hpost {
	if hot != nil && hot.n > 0 && g.rng.chance(hotShare) {
		return hot.back(g.rng.intn(hot.n))
	}
	k := g.rng.geometric(120)
	if k >= r.n {
		k = g.rng.intn(r.n)
	}
	return r.back(k)
}

func (g *Generator) pickBrand(pe *person) int {
	if pe != nil {
		u := g.rng.float()
		if pe.favBrand >= 0 && u < 0.3 {
			return int(pe.favBrand)
		}
		if pe.badBrand >= 0 && u > 0.75 {
			return int(pe.badBrand)
		}
	}
	return g.rng.weighted(brandWeights)
}

var originalIntents = []intent{iPraise, iComplaint, iQuestion, iRecommend, iPurchase, iChurn, iNews, iCompare, iNoise}
var originalWeights = []float64{0.20, 0.22, 0.14, 0.07, 0.09, 0.05, 0.06, 0.05, 0.07}

func (g *Generator) pickIntent(pe *person, brand int) intent {
	var w [9]float64
	copy(w[:], originalWeights)
	if pe != nil && brand >= 0 {
		switch brand {
		case int(pe.favBrand):
			w[0], w[3], w[4] = w[0]*2.5, w[3]*2.5, w[4]*2
			w[1], w[5] = w[1]*0.3, w[5]*0.2
		case int(pe.badBrand):
			w[1], w[5] = w[1]*2.5, w[5]*3
			w[0], w[3] = w[0]*0.3, w[3]*0.3
		}
	}
	return originalIntents[g.rng.weighted(w[:])]
}

// pickTmpl picks a template of the language and intent that fits the brand (a template about a rival
// needs a brand that has one); sent, when not 2, asks for a template of that sentiment.
func (g *Generator) pickTmpl(set *[5][numIntents][]*tmpl, lang string, in intent, brand int, sent int8) *tmpl {
	li := langIndex(lang)
	list := set[li][in]
	if len(list) == 0 {
		list = set[li][iQuestion]
		if len(list) == 0 {
			list = set[li][iPraise]
		}
	}
	for range 12 {
		t := list[g.rng.intn(len(list))]
		if brand < 0 && t.needsBrand {
			continue
		}
		if t.needsRival && (brand < 0 || brands[brand].Rival < 0) {
			continue
		}
		if sent != 2 && t.hasSent && t.sentiment != sent {
			continue
		}
		return t
	}
	// Nothing fits: fall back to chatter, which needs no brand.
	chatter := set[li][iChatter]
	if len(chatter) == 0 {
		chatter = compiledText[0][iChatter]
	}
	for _, t := range chatter {
		if !t.needsBrand {
			return t
		}
	}
	return chatter[0]
}

func (g *Generator) ctx(d *draft) *textCtx {
	c := &g.tc
	*c = textCtx{lang: d.lang, brand: d.brand, product: d.product}
	if d.brand >= 0 {
		c.rivalProd = g.rng.intn(3)
		switch d.net {
		case post.NetworkX:
			c.brandAcc, c.support = g.brandX[d.brand][0], g.brandX[d.brand][1]
		case post.NetworkMastodon:
			c.brandAcc = g.brandM[d.brand][0]
		}
	}
	if d.ni != nReddit && d.ni != nReview && d.ni != nFacebook {
		c.friendNet = d.ni + 1
	}
	return c
}

// write renders template t for the draft into d.segs and sets its sentiment.
func (g *Generator) write(d *draft, t *tmpl, c *textCtx) {
	g.w.reset()
	g.render(&g.w, t, c)
	d.segs = tidy(append(d.segs[:0], g.w.segs...))
	if len(d.segs) == 0 {
		d.segs = []seg{{kind: sText, s: pick(g.rng, emojiLaugh)}}
	}
	if t.hasSent {
		d.sent = t.sentiment
	} else {
		d.sent = intentSentiment[d.in]
	}
	d.xlang = t.xlang
}

func (g *Generator) pickProduct(brand int) int {
	n := len(brands[brand].Products)
	u := g.rng.float()
	switch {
	case u < 0.5 || n == 1:
		return 0
	case u < 0.8 || n == 2:
		return 1
	}
	return 2
}

func (g *Generator) composeOriginal(d *draft) {
	if d.ni == nReview {
		g.composeReview(d)
		return
	}
	u := g.rng.float()
	switch {
	case d.ni >= nYouTube:
		// Brands answer on these networks but do not comment on objects themselves.
	case d.net == post.NetworkMastodon && u < 0.05:
		d.author = g.bots[g.rng.intn(len(g.bots))]
		d.lang = d.author.lang
		d.brand = g.rng.weighted(brandWeights)
		d.in = iNews
		if g.rng.chance(0.4) {
			d.in = iDeal
		}
	case u < 0.012 || d.net == post.NetworkMastodon && u >= 0.05 && u < 0.062:
		// A brand's own announcement.
		d.brand = g.rng.weighted(brandWeights)
		switch d.net {
		case post.NetworkX:
			d.author = g.brandX[d.brand][0]
		case post.NetworkMastodon:
			d.author = g.brandM[d.brand][0]
		default:
			d.author = g.brandR[d.brand][0]
		}
		if d.author == nil {
			d.brand = -1
			break
		}
		d.lang = "en"
		d.in = iAnnounce
	}
	if d.author == nil {
		d.pe, d.author = g.personAccount(d.ni)
		d.brand = g.pickBrand(d.pe)
		d.in = g.pickIntent(d.pe, d.brand)
		if d.in == iNoise {
			d.brand = -1
		}
		d.lang = d.pe.postLang(g.rng.float())
	}
	if d.brand >= 0 {
		d.product = g.pickProduct(d.brand)
	}
	c := g.ctx(d)
	g.write(d, g.pickTmpl(&compiledText, d.lang, d.in, d.brand, 2), c)

	switch d.net {
	case post.NetworkX:
		if d.brand >= 0 && g.rng.chance(0.35) {
			g.trailingTags(d, " ")
		}
	case post.NetworkMastodon:
		if d.brand >= 0 && g.rng.chance(0.45) {
			g.trailingTags(d, "\n\n")
		}
		if d.in == iComplaint && g.rng.chance(0.08) {
			d.cw = pick(g.rng, []string{"customer service rant", "tech rant", "long complaint, sorry", "rant"})
		}
	case post.NetworkReddit:
		g.composeSubmission(d, c)
	case post.NetworkInstagram:
		if d.brand >= 0 && g.rng.chance(0.3) {
			g.trailingTags(d, " ")
		}
	}
	if d.ni == nFacebook || d.ni == nInstagram {
		d.anon = g.rng.chance(0.2)
	}
	g.style(d)
}

// trailingTags appends one or two hashtags after the text, the way people tag posts.
func (g *Generator) trailingTags(d *draft, sep string) {
	b := &brands[d.brand]
	tags := []string{pick(g.rng, b.Hashtags)}
	if g.rng.chance(0.4) {
		t := pick(g.rng, b.Products[d.product].Hashtags)
		if t != tags[0] {
			tags = append(tags, t)
		}
	}
	d.segs = append(d.segs, seg{kind: sText, s: sep})
	for i, t := range tags {
		if i > 0 {
			d.segs = append(d.segs, seg{kind: sText, s: " "})
		}
		d.segs = append(d.segs, seg{kind: sTag, s: t})
	}
}

// style applies casing habits: some people never use capitals, some shout when angry.
func (g *Generator) style(d *draft) {
	if d.author.person < 0 {
		return
	}
	u := g.rng.float()
	switch {
	case (d.in == iComplaint || d.in == iChurn) && u < 0.04:
		casing(d.segs, 2)
	case u < 0.12:
		casing(d.segs, 1)
	}
}

func subredditsFor(cat Category, lang string) []string {
	var out []string
	for _, s := range subreddits {
		if s.lang != lang {
			continue
		}
		if len(s.category) == 0 {
			out = append(out, s.name)
			continue
		}
		for _, c := range s.category {
			if c == cat {
				out = append(out, s.name)
			}
		}
	}
	return out
}

func (g *Generator) composeSubmission(d *draft, c *textCtx) {
	cat := Electronics
	if d.brand >= 0 {
		cat = brands[d.brand].Category
	}
	switch {
	case d.lang != "en":
		d.sub = pick(g.rng, subredditsFor(cat, d.lang))
	case d.brand >= 0 && (g.rng.chance(0.4) || d.author.brand >= 0):
		d.sub = brands[d.brand].Subreddit
	default:
		d.sub = pick(g.rng, subredditsFor(cat, "en"))
	}
	body := d.segs
	g.w.reset()
	t := g.pickTmpl(&compiledTitles, d.lang, d.in, d.brand, 2)
	g.render(&g.w, t, c)
	d.title = tidy(append([]seg(nil), g.w.segs...))
	switch u := g.rng.float(); {
	case d.in == iNews || u < 0.12 && d.brand >= 0:
		d.linkOnly = true
		d.link = g.newsURL(c)
		if d.in != iNews {
			d.link = g.productURL(c)
		}
	case u < 0.25 || d.in == iNoise:
		d.linkOnly = true // title only
	default:
		// Body: the text, sometimes with an extra sentence or two.
		li := langIndex(d.lang)
		for k := g.rng.intn(3); k > 0 && d.brand >= 0; k-- {
			g.w.reset()
			g.render(&g.w, compiledExtras[li][g.rng.intn(len(compiledExtras[li]))], c)
			body = append(body, seg{kind: sText, s: "\n\n"})
			body = append(body, tidy(append([]seg(nil), g.w.segs...))...)
		}
		d.segs = body
	}
}

// replyIntent picks how a reply relates to the post it answers.
func (g *Generator) replyIntent(parent intent) intent {
	u := g.rng.float()
	switch parent {
	case iComplaint, iChurn:
		switch {
		case u < 0.45:
			return iAgree
		case u < 0.6:
			return iDisagree
		case u < 0.75:
			return iAnswer
		}
	case iPraise, iRecommend, iPurchase:
		switch {
		case u < 0.4:
			return iAgree
		case u < 0.6:
			return iDisagree
		}
	case iQuestion:
		switch {
		case u < 0.6:
			return iAnswer
		case u < 0.8:
			return iAgree
		}
	default:
		switch {
		case u < 0.25:
			return iAgree
		case u < 0.5:
			return iDisagree
		}
	}
	return iChatter
}

// replyLang: people usually answer in the language of the post, if they speak it.
func (g *Generator) replyLang(pe *person, parentLang string) string {
	if parentLang == "en" || parentLang == pe.cult.lang {
		if g.rng.chance(0.9) {
			return parentLang
		}
	}
	return pe.postLang(g.rng.float())
}

func (g *Generator) composeReply(d *draft, keep bool) {
	h := g.hist[d.ni]
	if d.net == post.NetworkReddit && g.rng.chance(0.03) {
		p := h.roots.back(min(g.rng.geometric(3), h.roots.n-1))
		d.parent, d.author, d.automod = p, automod, true
		d.brand, d.product, d.lang, d.in = int(p.brand), int(p.product), "en", iChatter
		g.w.reset()
		text := compiledAutomd[g.rng.intn(len(compiledAutomd))].parts[0].lit
		d.segs = []seg{{kind: sText, s: strings.ReplaceAll(text, "{sub}", p.sub)}}
		g.linkParent(d, keep)
		return
	}
	var p *hpost
	if d.ni >= nYouTube || d.net == post.NetworkReddit && g.rng.chance(0.4) {
		p = g.recentParent(h.roots, nil, 0)
	} else {
		p = g.recentParent(h.recent, h.hot, 0.25)
	}
	d.parent = p
	d.pe, d.author = g.personAccount(d.ni)
	if d.author.id == p.author.id && g.rng.chance(0.9) {
		d.pe, d.author = g.personAccount(d.ni)
	}
	d.brand, d.product = int(p.brand), int(p.product)
	d.lang = g.replyLang(d.pe, p.lang)
	if d.net == post.NetworkReddit && p.brand >= 0 && g.rng.chance(0.3) {
		// A comment that gives its own opinion rather than reacting.
		d.in = g.pickIntent(d.pe, d.brand)
		if d.in == iNoise || d.in == iNews {
			d.in = iPraise
		}
	} else {
		d.in = g.replyIntent(p.in)
	}
	want := int8(2)
	if d.in == iAgree {
		want = p.sent
		if want == 0 {
			want = 2
		}
	}
	g.write(d, g.pickTmpl(&compiledText, d.lang, d.in, d.brand, want), g.ctx(d))
	g.style(d)
	if d.ni == nFacebook || d.ni == nInstagram {
		d.anon = g.rng.chance(0.2)
	}
	if g.rng.chance(0.003) && d.net == post.NetworkReddit {
		d.deleted = true
	}
	g.linkParent(d, keep)
}

func (g *Generator) linkParent(d *draft, keep bool) {
	if !keep || d.parent == nil {
		return
	}
	switch d.kind {
	case kReply:
		d.parent.replies++
	default:
		d.parent.reposts++
	}
}

func (g *Generator) composeQuote(d *draft, keep bool) {
	h := g.hist[d.ni]
	p := g.recentParent(h.recent, h.hot, 0.5)
	d.parent = p
	d.pe, d.author = g.personAccount(d.ni)
	d.brand, d.product = int(p.brand), int(p.product)
	d.lang = g.replyLang(d.pe, p.lang)
	d.in = iQuote
	if g.rng.chance(0.1) {
		// A bare quote: no comment, just the quoted post.
		d.segs = nil
		d.sent = p.sent
		d.xlang = "zxx"
	} else {
		g.write(d, g.pickTmpl(&compiledText, d.lang, iQuote, d.brand, 2), g.ctx(d))
		g.style(d)
	}
	g.linkParent(d, keep)
}

func (g *Generator) composeRepost(d *draft, keep bool) {
	h := g.hist[d.ni]
	var p *hpost
	if d.net == post.NetworkReddit {
		p = g.recentParent(h.roots, nil, 0)
	} else {
		p = g.recentParent(h.recent, h.hot, 0.6)
	}
	d.parent = p
	d.pe, d.author = g.personAccount(d.ni)
	d.brand, d.product, d.lang, d.in, d.sent = int(p.brand), int(p.product), p.lang, p.in, p.sent
	if d.net == post.NetworkReddit {
		// A crosspost goes to another community.
		cat := Electronics
		if p.brand >= 0 {
			cat = brands[p.brand].Category
		}
		for range 4 {
			d.sub = pick(g.rng, subredditsFor(cat, p.lang))
			if d.sub != p.sub {
				break
			}
		}
		if d.sub == p.sub && p.brand >= 0 {
			d.sub = brands[p.brand].Subreddit
		}
		if d.sub == p.sub {
			d.sub = pick(g.rng, []string{"mildlyinfuriating", "BuyItForLife", "technology"})
		}
	}
	g.linkParent(d, keep)
}

// truth is the draft's ground truth.
func (d *draft) truth() Truth {
	t := Truth{Kind: kindNames[d.kind], Intent: intentNames[d.in], Sentiment: int(d.sent), Lang: d.lang, Person: -1}
	if d.kind == kRepost && d.parent != nil {
		t = d.parent.truth
		t.Kind = kindNames[kRepost]
	}
	if d.brand >= 0 {
		t.Brand = brands[d.brand].Name
		t.Product = brands[d.brand].Products[d.product].Name
	} else {
		t.Brand, t.Product = "", ""
	}
	t.Person = int(d.author.person)
	t.BrandAccount = d.author.brand >= 0
	switch {
	case d.incID != "":
		t.Incident = d.incID
	case d.parent != nil && d.parent.truth.Incident != "" && d.brand == int(d.parent.brand):
		t.Incident = d.parent.truth.Incident
	}
	t.Campaign = d.campID
	if d.ni >= nYouTube && d.ni != nReview {
		t.Kind = kindNames[kReply] // every comment answers its object or a comment
	}
	return t
}

// engagement returns the public counters of hp at age seconds: a heavy-tailed final reach (followers and
// virality) approached over a few hours, plus the replies and reposts the stream itself generated.
func engagement(hp *hpost, age float64, net post.Network) (likes, reposts, replies, quotes, views int64) {
	f := float64(hp.author.followers)
	tau := 3 * 3600.0
	switch net {
	case post.NetworkMastodon:
		tau = 6 * 3600
	case post.NetworkReddit:
		tau = 8 * 3600
		f = 400 // reach of a community rather than of followers
	case post.NetworkYouTube, post.NetworkFacebook, post.NetworkInstagram, post.NetworkReview:
		tau = 6 * 3600
		f = 0
	}
	if f < 0 {
		f = 0
	}
	nz := float64(mix64(hashString(hp.id))>>11) / (1 << 53)
	grow := 1 - math.Exp(-(age+30)/tau)
	final := math.Pow(f+20, 0.85) * 0.012 * hp.vir * (0.6 + 0.8*nz)
	switch net {
	case post.NetworkReddit:
		final = 4 * math.Pow(hp.vir, 1.6) * (0.6 + 0.8*nz)
	case post.NetworkYouTube, post.NetworkFacebook, post.NetworkInstagram, post.NetworkReview:
		final = 2 * math.Pow(hp.vir, 1.4) * (0.6 + 0.8*nz)
	}
	l := final * grow
	likes = int64(l)
	reposts = int64(l*0.14*(0.5+nz)) + hp.reposts
	replies = int64(l*0.07*(1.4-nz)) + hp.replies
	quotes = int64(l * 0.02 * nz)
	views = int64((f*0.25*math.Sqrt(hp.vir) + l*35) * grow)
	return
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
