package sim

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-dev/rapport/post"
)

// X API v2: the filtered stream / tweet lookup envelope
//
//	{"data": tweet, "includes": {"users": [...], "tweets": [...]}, "matching_rules": [...]}
//
// requested with expansions=author_id,referenced_tweets.id,referenced_tweets.id.author_id,
// entities.mentions.username. Tweet text is HTML-escaped (&amp; &lt; &gt;) as X delivers it; created_at has
// whole seconds; ids are snowflakes.

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func (g *Generator) tcoLink() string {
	g.tco = append(g.tco[:0], "https://t.co/"...)
	for range 10 {
		g.tco = append(g.tco, base62[g.rng.intn(62)])
	}
	return string(g.tco)
}

// tcoFor is the stable t.co link of a URL that belongs to an entity (a profile link).
func tcoFor(seed uint64) string {
	b := []byte("https://t.co/")
	h := newHashStream(seed, 0x74636f)
	for range 10 {
		b = append(b, base62[h.intn(62)])
	}
	return string(b)
}

func displayURL(u string) string {
	u = strings.TrimPrefix(u, "https://")
	u = strings.TrimPrefix(u, "http://")
	u = strings.TrimPrefix(u, "www.")
	if utf8.RuneCountInString(u) > 26 {
		r := []rune(u)
		return string(r[:25]) + "…"
	}
	return u
}

// xEntity is an entity of a tweet's text, with code-point offsets.
type xEntity struct {
	kind       segKind
	start, end int
	s          string   // tag, cashtag, t.co url
	expanded   string   // url: expanded
	acc        *account // mention
}

// xText renders the text of a tweet from its segments: mentions prefix (a reply's "@handle "), body and an
// optional trailing link (a quote's permalink). It returns the text and its entities.
func (g *Generator) xText(prefix []*account, segs []seg, trailingURL string) (string, []xEntity) {
	var b []byte
	var ents []xEntity
	n := 0
	add := func(s string) {
		b = append(b, s...)
		n += utf8.RuneCountInString(s)
	}
	for _, a := range prefix {
		start := n
		add("@" + a.username)
		ents = append(ents, xEntity{kind: sMention, start: start, end: n, acc: a})
		add(" ")
	}
	for _, s := range segs {
		start := n
		switch s.kind {
		case sText:
			add(s.s)
			continue
		case sTag:
			add("#" + s.s)
			ents = append(ents, xEntity{kind: sTag, start: start, end: n, s: s.s})
		case sCash:
			add("$" + s.s)
			ents = append(ents, xEntity{kind: sCash, start: start, end: n, s: s.s})
		case sMention:
			add("@" + s.acc.username)
			ents = append(ents, xEntity{kind: sMention, start: start, end: n, acc: s.acc})
		case sURL:
			t := g.tcoLink()
			add(t)
			ents = append(ents, xEntity{kind: sURL, start: start, end: n, s: t, expanded: s.s})
		}
	}
	if trailingURL != "" {
		if n > 0 {
			add(" ")
		}
		start := n
		t := g.tcoLink()
		add(t)
		ents = append(ents, xEntity{kind: sURL, start: start, end: n, s: t, expanded: trailingURL})
	}
	return string(b), ents
}

// xEscape is how X escapes tweet text.
var xEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func (w *jw) xEntities(ents []xEntity) {
	if len(ents) == 0 {
		return
	}
	w.key("entities")
	w.obj()
	for _, k := range []segKind{sURL, sTag, sMention, sCash} {
		first := true
		for _, e := range ents {
			if e.kind != k {
				continue
			}
			if first {
				switch k {
				case sURL:
					w.key("urls")
				case sTag:
					w.key("hashtags")
				case sMention:
					w.key("mentions")
				default:
					w.key("cashtags")
				}
				w.arr()
				first = false
			}
			w.obj()
			w.kint("start", int64(e.start))
			w.kint("end", int64(e.end))
			switch k {
			case sURL:
				w.kstr("url", e.s)
				w.kstr("expanded_url", e.expanded)
				w.kstr("display_url", displayURL(e.expanded))
			case sMention:
				w.kstr("username", e.acc.username)
				w.kstr("id", e.acc.id)
			default:
				w.kstr("tag", e.s)
			}
			w.endObj()
		}
		if !first {
			w.endArr()
		}
	}
	w.endObj()
}

// xUserPrefix is the static part of an X user object (everything but public_metrics), cached.
func (a *account) xUserPrefix() []byte {
	if a.cache != nil {
		return a.cache
	}
	var w jw
	w.reset()
	w.obj()
	w.kstr("id", a.id)
	w.kstr("name", a.name)
	w.kstr("username", a.username)
	w.key("created_at")
	w.timeMillis(a.created)
	w.kstr("description", a.bio)
	if a.location != "" {
		w.kstr("location", a.location)
	}
	if a.url != "" {
		t := tcoFor(hashString(a.id))
		w.kstr("url", t)
		w.key("entities")
		w.obj()
		w.key("url")
		w.obj()
		w.key("urls")
		w.arr()
		w.obj()
		w.kint("start", 0)
		w.kint("end", int64(len(t)))
		w.kstr("url", t)
		w.kstr("expanded_url", a.url)
		w.kstr("display_url", displayURL(a.url))
		w.endObj()
		w.endArr()
		w.endObj()
		w.endObj()
	} else {
		w.kstr("url", "")
	}
	w.kbool("protected", false)
	w.kbool("verified", a.verified)
	w.kstr("verified_type", a.vtype)
	w.kstr("profile_image_url", "https://pbs.twimg.com/profile_images/"+strconv.FormatUint(a.imageID, 10)+"/"+strconv.FormatUint(hashString(a.id)%(1<<40), 36)+"_normal.jpg")
	a.cache = w.b
	return a.cache
}

// grown returns a counter of the account at t: accounts keep gaining followers and posting.
func grown(base int64, perHour float64, since time.Duration) int64 {
	if base < 0 {
		return base
	}
	return base + int64(perHour*since.Hours())
}

func (g *Generator) xUser(w *jw, a *account, now time.Time) {
	w.value()
	p := a.xUserPrefix()
	w.b = append(w.b, p...)
	since := now.Sub(g.cfg.Start)
	w.key("public_metrics")
	w.obj()
	w.kint("followers_count", grown(a.followers, float64(a.followers)*2e-5+0.01, since))
	w.kint("following_count", a.following)
	w.kint("tweet_count", grown(a.posts, 0.2, since))
	w.kint("listed_count", a.listed)
	w.kint("like_count", a.likes)
	w.kint("media_count", a.posts/9)
	w.endObj()
	w.endObj()
}

func xMetrics(w *jw, hp *hpost, age float64) {
	likes, reposts, replies, quotes, views := engagement(hp, age, post.NetworkX)
	w.key("public_metrics")
	w.obj()
	w.kint("retweet_count", reposts)
	w.kint("reply_count", replies)
	w.kint("like_count", likes)
	w.kint("quote_count", quotes)
	w.kint("bookmark_count", likes/20)
	w.kint("impression_count", views)
	w.endObj()
}

// xEmbed writes a referenced tweet as includes.tweets shows it, with its counters at now.
func xEmbed(w *jw, hp *hpost, now time.Time) {
	w.value()
	w.b = append(w.b, '{')
	w.b = append(w.b, hp.core...)
	w.first = false
	xMetrics(w, hp, now.Sub(hp.created).Seconds())
	w.endObj()
}

var xRuleIDs = func() []string {
	out := make([]string, len(brands)+1)
	for i := range out {
		out[i] = strconv.FormatUint(1880000000000000000+mix64(uint64(i)+77)%1e17, 10)
	}
	return out
}()

func (g *Generator) encodeX(d *draft) (Record, *hpost) {
	id := g.nextXID(d.now)
	created := d.now.Truncate(time.Second)
	hp := &hpost{
		id: id, full: id, author: d.author, created: created, lang: d.lang, brand: int8(d.brand), product: int8(d.product),
		in: d.in, sent: d.sent, vir: d.vir, conv: id,
	}
	lang := d.lang
	if d.xlang != "" {
		lang = d.xlang
	}
	var ents []xEntity
	switch d.kind {
	case kRepost:
		p := d.parent
		prefix := "RT @" + p.author.username + ": "
		text := prefix + p.text
		if utf8.RuneCountInString(text) > 140 {
			r := []rune(text)
			text = string(r[:139]) + "…"
		}
		hp.text = text
		ents = []xEntity{{kind: sMention, start: 3, end: 4 + utf8.RuneCountInString(p.author.username), acc: p.author}}
		lang = p.lang
		if lang == "" {
			lang = "und"
		}
	case kReply:
		prefix := []*account{d.parent.author}
		if d.parent.author == d.author {
			prefix = nil
		}
		hp.text, ents = g.xText(prefix, d.segs, "")
		hp.conv = d.parent.conv
	case kQuote:
		p := d.parent
		hp.text, ents = g.xText(nil, d.segs, "https://x.com/"+p.author.username+"/status/"+p.id)
	default:
		hp.text, ents = g.xText(nil, d.segs, "")
	}
	hp.truth = d.truth()
	postID := id
	if e := d.edit; e != nil {
		// An edit is a new tweet whose edit history starts with the original.
		postID = e.id
		hp.conv = e.conv
	}

	// The tweet object without its counters, kept for later embedding.
	c := &g.cj
	c.reset()
	c.obj()
	c.key("edit_history_tweet_ids")
	c.arr()
	if d.edit != nil {
		c.str(d.edit.id)
	}
	c.str(id)
	c.endArr()
	c.key("text")
	c.str(xEscape.Replace(hp.text))
	c.kstr("id", id)
	c.kstr("author_id", d.author.id)
	c.key("created_at")
	c.timeMillis(created)
	c.kstr("conversation_id", hp.conv)
	c.kstr("lang", lang)
	c.kbool("possibly_sensitive", false)
	c.kstr("reply_settings", "everyone")
	if d.kind == kReply {
		c.kstr("in_reply_to_user_id", d.parent.author.id)
	}
	if d.parent != nil {
		c.key("referenced_tweets")
		c.arr()
		c.obj()
		switch d.kind {
		case kReply:
			c.kstr("type", "replied_to")
		case kQuote:
			c.kstr("type", "quoted")
		default:
			c.kstr("type", "retweeted")
		}
		c.kstr("id", d.parent.id)
		c.endObj()
		c.endArr()
	}
	c.xEntities(ents)
	c.key("edit_controls")
	c.obj()
	if d.edit != nil {
		c.kint("edits_remaining", 4)
	} else {
		c.kint("edits_remaining", 5)
	}
	c.kbool("is_edit_eligible", d.kind != kRepost)
	c.key("editable_until")
	if d.edit != nil {
		c.timeMillis(d.edit.created.Add(time.Hour))
	} else {
		c.timeMillis(created.Add(time.Hour))
	}
	c.endObj()
	hp.core = append([]byte(nil), c.b[1:]...)

	w := &g.j
	w.reset()
	w.obj()
	w.key("data")
	w.value()
	w.b = append(w.b, '{')
	w.b = append(w.b, hp.core...)
	w.first = false
	if d.kind == kRepost {
		// A retweet reports the original's retweet count and nothing else.
		_, rts, _, _, _ := engagement(d.parent, d.now.Sub(d.parent.created).Seconds(), post.NetworkX)
		w.key("public_metrics")
		w.obj()
		w.kint("retweet_count", rts)
		w.kint("reply_count", 0)
		w.kint("like_count", 0)
		w.kint("quote_count", 0)
		w.kint("bookmark_count", 0)
		w.kint("impression_count", 0)
		w.endObj()
	} else {
		xMetrics(w, hp, g.rng.lognormal(4.8, 1.6))
	}
	w.endObj()

	w.key("includes")
	w.obj()
	w.key("users")
	w.arr()
	g.users = append(g.users[:0], d.author)
	if d.parent != nil {
		g.users = appendUnique(g.users, d.parent.author)
	}
	for _, e := range ents {
		if e.kind == sMention && len(g.users) < 5 {
			g.users = appendUnique(g.users, e.acc)
		}
	}
	for _, u := range g.users {
		g.xUser(w, u, d.now)
	}
	w.endArr()
	if d.parent != nil {
		w.key("tweets")
		w.arr()
		xEmbed(w, d.parent, d.now)
		w.endArr()
	}
	w.endObj()
	w.key("matching_rules")
	w.arr()
	w.obj()
	if d.brand >= 0 {
		w.kstr("id", xRuleIDs[d.brand])
		w.kstr("tag", "brand:"+slug(brands[d.brand].Name))
	} else {
		w.kstr("id", xRuleIDs[len(brands)])
		w.kstr("tag", "keywords:catalogue")
	}
	w.endObj()
	w.endArr()
	w.endObj()

	rec := Record{
		Topic: TopicFor(post.NetworkX), Key: []byte(postID), Value: append([]byte(nil), w.b...), EventTime: created,
		Network: post.NetworkX, PostID: postID, Truth: hp.truth,
	}
	if d.kind == kRepost {
		return rec, nil
	}
	return rec, hp
}

func appendUnique(s []*account, a *account) []*account {
	for _, x := range s {
		if x.id == a.id {
			return s
		}
	}
	return append(s, a)
}
