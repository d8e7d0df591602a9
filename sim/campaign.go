package sim

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// A spam campaign is a burst of near-identical posts by bot-like accounts: a promotion ("50% off, click
// here") or an astroturfed attack on a brand, pasted over and over within minutes to an hour, with small
// changes that defeat exact-match filters (another emoji, an extra word, a different tracking parameter in
// the link, hashtags in another order, casing), sometimes the same bot posting the same text on two
// networks. The dedup stage has to find these copies, and analysts must not read them as opinion. Each
// campaign post carries its campaign's ID in Truth.Campaign.

// Campaign summarises one spam campaign.
type Campaign struct {
	ID       string    // "campaign-<n>", n from 1 in order of start
	Brand    string    // brand promoted or attacked
	Attack   bool      // astroturfed complaints rather than a promotion
	Start    time.Time // event time of its first post
	End      time.Time // event time of its latest post
	Accounts int       // accounts that have posted
	Posts    int       // posts so far (not counting redeliveries)
	// Template is the text every copy varies, with brand and product filled in ("{pct}", "{emoji}" and
	// "{link}" left as placeholders): campaigns with the same Template post near-identical text.
	Template string
}

// Limits of the campaign machinery, so that memory stays bounded on endless streams.
const (
	maxActiveCampaigns = 8
	maxCampaignLog     = 4096 // finished campaigns kept for Campaigns
)

// campaignNetWeights is where campaign posts go: mostly X, some Mastodon, Reddit and YouTube comments.
var campaignNetWeights = [numNets]float64{nX: 0.66, nMastodon: 0.12, nReddit: 0.09, nYouTube: 0.13}

type campTemplate struct{ title, body string }

var promoTemplates = []campTemplate{
	{"{product} {pct}% off today only", "{emoji} {product} is {pct}% OFF today only! Grab yours before it's gone {link}"},
	{"Crazy deal on the {product}", "I can't believe this deal on the {product} {emoji} Limited stock, get it here {link}"},
	{"{brand} giveaway still open", "Just got my {product} for almost nothing!! The {brand} giveaway is still open, claim yours {emoji} {link}"},
	{"FREE {product} giveaway", "FREE {product} giveaway {emoji} Follow and click {link} to enter. Winners announced tonight!"},
}

var attackTemplates = []campTemplate{
	{"Stay away from {brand}", "Stay away from {brand}. My {product} died after a week and they refused a refund {emoji} Read the truth: {link}"},
	{"{brand} is scamming customers", "{brand} is scamming customers. Thousands affected, share before they delete this {emoji} {link}"},
	{"Why is nobody talking about the {product}?", "Why is nobody talking about the {product} overheating?? {brand} is hiding it {emoji} {link}"},
}

var (
	campEmoji      = []string{"🔥", "😱", "🎁", "💥", "⚡", "👉", "‼️", "🚨", "😡", "💯"}
	campExtraWords = []string{"really", "now", "guys", "honestly", "seriously", "omg", "literally", "btw"}
	promoDomains   = []string{"best-deals-now.example", "gadget-promo.example", "flash-offer.example", "mega-sale.example"}
	attackDomains  = []string{"truth-about.example", "consumer-alert.example", "scam-watch.example"}
	promoTags      = []string{"deal", "giveaway", "sale", "free", "discount"}
	attackTags     = []string{"scam", "boycott", "warning", "ripoff"}
	campFirst      = []string{"jenny", "mike", "sara", "alex", "tom", "kate", "leo", "nina", "dave", "emma", "mark", "lucy", "amber", "kyle"}
	campLast       = []string{"smith", "jones", "lee", "brown", "miller", "davis", "garcia", "wilson", "moore", "clark"}
	campInstances  = []string{"mastodon.social", "mstdn.social", "mas.to", "mastodon.online"}
)

// campBot is one bot identity of a campaign: an account on its home network and sometimes one on another.
type campBot struct {
	id   int // Truth.Bot
	acc  [2]*account
	ni   [2]int
	used [2]bool
}

// campCross is a cross-post waiting for the campaign's next slot: the same text by the same bot elsewhere.
type campCross struct {
	bot  int
	k    int // which of the bot's accounts
	segs []seg
}

// campState is a running campaign.
type campState struct {
	Campaign
	brand, product int
	tmpl           campTemplate
	emoji          string
	link           string // without the ref parameter
	tags           []string
	until          float64 // clock after which it posts no more
	budget         int     // posts left
	bots           []campBot
	cross          *campCross
	started        bool
}

// campaignNets returns the cumulative campaign network weights allowed by the mix; nil when none is.
func campaignNets(mix map[post.Network]float64) []float64 {
	var cum []float64
	acc := 0.0
	for i, n := range networks {
		if mix[n] > 0 {
			acc += campaignNetWeights[i]
		}
		cum = append(cum, acc)
	}
	if acc == 0 {
		return nil
	}
	for i := range cum {
		cum[i] /= acc
	}
	return cum
}

func (g *Generator) pickCampaignNet() int {
	u := g.rng.float()
	for i, c := range g.campNets {
		if u < c {
			return i
		}
	}
	return nX
}

// Campaigns returns the spam campaigns so far (the latest 4096 finished ones and those still running), in
// order of start.
func (g *Generator) Campaigns() []Campaign {
	out := slices.Clone(g.campLog)
	for _, c := range g.camps {
		if c.started {
			out = append(out, c.Campaign)
		}
	}
	slices.SortStableFunc(out, func(a, b Campaign) int { return a.Start.Compare(b.Start) })
	return out
}

// campaignSlot turns the next new post into a campaign post: it retires finished campaigns, sometimes
// starts one, and writes a copy for one of the running campaigns.
func (g *Generator) campaignSlot() Record {
	g.camps = slices.DeleteFunc(g.camps, func(c *campState) bool {
		if c.budget > 0 && g.clock <= c.until {
			return false
		}
		if c.started {
			g.campLog = append(g.campLog, c.Campaign)
			if len(g.campLog) > maxCampaignLog {
				g.campLog = slices.Delete(g.campLog, 0, len(g.campLog)-maxCampaignLog)
			}
		}
		return true
	})
	if len(g.camps) == 0 || len(g.camps) < maxActiveCampaigns && g.rng.chance(0.1) {
		g.camps = append(g.camps, g.newCampaign())
	}
	c := g.camps[g.rng.intn(len(g.camps))]
	var bi, k int
	var segs []seg
	x := c.cross
	if x != nil {
		bi, k, segs = x.bot, x.k, x.segs
		c.cross = nil
	} else {
		bi = g.rng.intn(len(c.bots))
		if c.bots[bi].acc[1] != nil && g.rng.chance(0.3) {
			k = 1
		}
		segs = g.campaignCopy(c)
	}
	b := &c.bots[bi]
	ni := b.ni[k]
	rec := g.campaignPost(c, ni, b.acc[k], segs)
	rec.Truth.Bot = b.id
	if !b.used[k] {
		b.used[k] = true
		c.Accounts++
	}
	if !c.started {
		c.started = true
		c.Start = rec.EventTime
	}
	c.End = rec.EventTime
	c.Posts++
	c.budget--
	if x == nil && b.acc[1] != nil && g.rng.chance(0.5) {
		c.cross = &campCross{bot: bi, k: 1 - k, segs: segs}
	}
	st := &g.stats[ni]
	st.Records++
	st.Unique++
	g.campPosts++
	g.redeliverLater(rec)
	return rec
}

// newCampaign starts a campaign at the current clock.
func (g *Generator) newCampaign() *campState {
	g.campN++
	c := &campState{}
	c.ID = "campaign-" + strconv.Itoa(g.campN)
	c.brand = g.rng.weighted(brandWeights)
	c.product = g.pickProduct(c.brand)
	c.Brand = brands[c.brand].Name
	c.Attack = g.rng.chance(0.4)
	// Minutes to an hour, and a few dozen to a few hundred posts.
	c.until = g.clock + 60*math.Exp(math.Log(5)+g.rng.float()*math.Log(12))
	c.budget = min(400, 6+int(g.rng.lognormal(math.Log(30), 0.8)))
	b := &brands[c.brand]
	p := &b.Products[c.product]
	domains, generic, list := promoDomains, promoTags, promoTemplates
	if c.Attack {
		domains, generic, list = attackDomains, attackTags, attackTemplates
	}
	c.tmpl = pick(g.rng, list)
	c.emoji = pick(g.rng, campEmoji)
	c.link = "https://" + pick(g.rng, domains) + "/" + slug(p.Name) + "?utm_source=social&utm_campaign=" +
		strconv.FormatUint(g.rng.u64()%(36*36*36*36*36), 36)
	c.tags = []string{pick(g.rng, b.Hashtags), pick(g.rng, generic)}
	if t := pick(g.rng, p.Hashtags); !slices.Contains(c.tags, t) {
		c.tags = append(c.tags, t)
	}
	pct := strconv.Itoa(5 * g.rng.between(6, 18))
	r := strings.NewReplacer("{brand}", b.Name, "{product}", p.Name, "{pct}", pct)
	c.Template = strings.NewReplacer("{brand}", b.Name, "{product}", p.Name).Replace(c.tmpl.body)
	c.tmpl.title = r.Replace(c.tmpl.title)
	c.tmpl.body = r.Replace(c.tmpl.body)
	now := g.timeAt(g.clock)
	nb := 3 + g.rng.intn(30)
	for range nb {
		g.campBots++
		cb := campBot{id: g.campBots}
		cb.ni[0] = g.pickCampaignNet()
		cb.ni[1] = -1
		if g.rng.chance(0.25) {
			if o := g.pickCampaignNet(); o != cb.ni[0] {
				cb.ni[1] = o
			}
		}
		handle := pick(g.rng, campFirst) + pick(g.rng, []string{"", "_"}) + pick(g.rng, campLast) +
			strconv.Itoa(g.rng.between(1000, 99999999))
		created := now.Add(-time.Duration(1+g.rng.intn(60*24)) * time.Minute * 60).Truncate(time.Second)
		for k, ni := range cb.ni {
			if ni >= 0 {
				cb.acc[k] = g.campAccount(ni, handle, created)
			}
		}
		c.bots = append(c.bots, cb)
	}
	return c
}

// campAccount builds a fresh bot-like account: new, few followers, a generated handle with digits.
func (g *Generator) campAccount(ni int, handle string, created time.Time) *account {
	n := networks[ni]
	first, _, _ := strings.Cut(handle, "_")
	first = strings.TrimRight(first, "0123456789")
	a := &account{
		net: n, username: handle, name: capFirst(first), first: capFirst(first), created: created, person: -1, brand: -1,
		lang: "en", imageID: g.rng.u64() >> 4, followers: int64(g.rng.intn(25)), following: int64(g.rng.between(80, 900)),
		posts: int64(g.rng.between(20, 600)),
	}
	unique := uint64(g.campBots)
	switch ni {
	case nX:
		a.vtype = "none"
		a.id = strconv.FormatUint(uint64(created.UnixMilli()-1288834974657)<<22|(unique*7919+g.rng.u64()%7919)&(1<<22-1), 10)
		a.likes = int64(g.rng.intn(50))
	case nMastodon:
		a.username = strings.ToLower(handle)
		a.domain = pick(g.rng, campInstances)
		a.acct = a.username
		if a.domain != homeInstance {
			a.acct += "@" + a.domain
		}
		a.id = mastodonID(created, unique)
	case nReddit:
		a.id = strconv.FormatUint(uint64(math.Pow(36, 8))+unique*46656+g.rng.u64()%46656, 36)
		a.followers, a.following = -1, -1
	default:
		a.id = "UC" + g.randB64(22)
		a.acct = "@" + strings.ToLower(handle)
		a.followers, a.following = -1, -1
	}
	return a
}

// campaignCopy writes one copy of the campaign's text with small variations.
func (g *Generator) campaignCopy(c *campState) []seg {
	emoji := c.emoji
	if g.rng.chance(0.35) {
		emoji = pick(g.rng, campEmoji)
	}
	body := strings.ReplaceAll(c.tmpl.body, "{emoji}", emoji)
	// An extra word in front or before the link, never inside a brand or product name.
	switch u := g.rng.float(); {
	case u < 0.15:
		body = capFirst(pick(g.rng, campExtraWords)) + " " + body
	case u < 0.3:
		body = strings.Replace(body, "{link}", pick(g.rng, campExtraWords)+" {link}", 1)
	}
	link := c.link + "&ref=" + strconv.FormatUint(g.rng.u64()%(36*36*36*36), 36)
	before, after, _ := strings.Cut(body, "{link}")
	segs := []seg{{kind: sText, s: before}, {kind: sURL, s: link}, {kind: sText, s: after + " "}}
	tags := c.tags
	if g.rng.chance(0.4) {
		tags = slices.Clone(tags)
		i, j := g.rng.intn(len(tags)), g.rng.intn(len(tags))
		tags[i], tags[j] = tags[j], tags[i]
	}
	for i, t := range tags {
		if i > 0 {
			segs = append(segs, seg{kind: sText, s: " "})
		}
		segs = append(segs, seg{kind: sTag, s: t})
	}
	switch u := g.rng.float(); {
	case u < 0.1:
		casing(segs, 1)
	case u < 0.15:
		casing(segs, 2)
	}
	return tidy(segs)
}

// campaignPost encodes a campaign copy as a new post of network ni by account a.
func (g *Generator) campaignPost(c *campState, ni int, a *account, segs []seg) Record {
	d := &g.d
	*d = draft{ni: ni, net: networks[ni], now: g.timeAt(g.clock), kind: kOriginal, author: a, brand: c.brand,
		product: c.product, lang: "en", in: iDeal, sent: 1, vir: g.rng.lognormal(-1, 0.5), campID: c.ID}
	if c.Attack {
		d.in, d.sent = iComplaint, -1
	}
	d.segs = append(d.segs[:0], segs...)
	if ni == nReddit {
		d.sub = brands[c.brand].Subreddit
		if g.rng.chance(0.5) {
			d.sub = pick(g.rng, subredditsFor(brands[c.brand].Category, "en"))
		}
		d.title = []seg{{kind: sText, s: c.tmpl.title}}
	}
	rec, _ := g.encode(d)
	return rec
}
