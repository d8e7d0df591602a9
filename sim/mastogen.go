package sim

import (
	"strconv"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// Mastodon: Status entities as the REST and streaming APIs of the collecting instance (mastodon.social)
// deliver them. Ids are the collecting instance's snowflakes; url/uri point to the author's instance.
// Content and profile notes are HTML; hashtags and mentions are links.

var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;", "'", "&#39;")

// htmlText appends plain text as HTML: blank lines split paragraphs, single newlines become <br />.
func htmlText(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(b, htmlEscape.Replace(s)...)
		}
		b = append(b, htmlEscape.Replace(s[:i])...)
		if strings.HasPrefix(s[i:], "\n\n") {
			b = append(b, "</p><p>"...)
			s = strings.TrimLeft(s[i:], "\n")
		} else {
			b = append(b, "<br />"...)
			s = s[i+1:]
		}
	}
}

func mastoMentionHTML(b []byte, a *account) []byte {
	b = append(b, `<span class="h-card" translate="no"><a href="`...)
	b = append(b, a.profileURL()...)
	b = append(b, `" class="u-url mention">@<span>`...)
	b = append(b, a.username...)
	return append(b, `</span></a></span>`...)
}

func mastoTagHTML(b []byte, tag string) []byte {
	b = append(b, `<a href="https://`+homeInstance+`/tags/`...)
	b = append(b, strings.ToLower(tag)...)
	b = append(b, `" class="mention hashtag" rel="tag">#<span>`...)
	b = append(b, tag...)
	return append(b, `</span></a>`...)
}

func mastoLinkHTML(b []byte, u string) []byte {
	rest := strings.TrimPrefix(u, "https://")
	b = append(b, `<a href="`...)
	b = append(b, htmlEscape.Replace(u)...)
	b = append(b, `" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span>`...)
	if len(rest) > 30 {
		b = append(b, `<span class="ellipsis">`...)
		b = append(b, htmlEscape.Replace(rest[:30])...)
		b = append(b, `</span><span class="invisible">`...)
		b = append(b, htmlEscape.Replace(rest[30:])...)
		b = append(b, `</span>`...)
	} else {
		b = append(b, `<span class="">`...)
		b = append(b, htmlEscape.Replace(rest)...)
		b = append(b, `</span><span class="invisible"></span>`...)
	}
	return append(b, `</a>`...)
}

// mastoContent renders a status body as HTML. It returns the HTML and the accounts and tags it mentions.
func mastoContent(replyTo *account, segs []seg, quoteURL string) (string, []*account, []string) {
	b := make([]byte, 0, 256)
	var mentions []*account
	var tags []string
	if quoteURL != "" {
		b = append(b, `<p class="quote-inline">RE: `...)
		b = mastoLinkHTML(b, quoteURL)
		b = append(b, `</p>`...)
	}
	b = append(b, "<p>"...)
	if replyTo != nil {
		b = mastoMentionHTML(b, replyTo)
		b = append(b, ' ')
		mentions = append(mentions, replyTo)
	}
	for _, s := range segs {
		switch s.kind {
		case sText:
			b = htmlText(b, s.s)
		case sTag:
			b = mastoTagHTML(b, s.s)
			tags = append(tags, s.s)
		case sCash:
			b = append(b, '$')
			b = append(b, s.s...)
		case sMention:
			b = mastoMentionHTML(b, s.acc)
			mentions = append(mentions, s.acc)
		case sURL:
			b = mastoLinkHTML(b, s.s)
		}
	}
	b = append(b, "</p>"...)
	return string(b), mentions, tags
}

// originID is the id the status has on its author's own instance (remote instances number independently).
func originID(localID string, a *account) string {
	if a.domain == homeInstance {
		return localID
	}
	v, _ := strconv.ParseUint(localID, 10, 64)
	return strconv.FormatUint(v&^0xffff|mix64(v^hashString(a.domain))&0xffff, 10)
}

func statusURLs(id string, a *account) (url, uri string) {
	oid := originID(id, a)
	return "https://" + a.domain + "/@" + a.username + "/" + oid, "https://" + a.domain + "/users/" + a.username + "/statuses/" + oid
}

// mastoAccount writes the account entity.
func (g *Generator) mastoAccount(w *jw, a *account, now time.Time) {
	if a.cache == nil {
		var c jw
		c.reset()
		c.obj()
		c.kstr("id", a.id)
		c.kstr("username", a.username)
		c.kstr("acct", a.acct)
		c.kstr("display_name", a.name)
		c.kbool("locked", false)
		c.kbool("bot", a.bot)
		c.kbool("discoverable", true)
		c.kbool("indexable", a.person >= 0)
		c.kbool("group", false)
		c.key("created_at")
		c.timeMillis(a.created)
		note := ""
		if a.bio != "" {
			note = "<p>" + string(htmlText(nil, a.bio)) + "</p>"
		}
		c.kstr("note", note)
		c.kstr("url", a.profileURL())
		c.kstr("uri", "https://"+a.domain+"/users/"+a.username)
		img := strconv.FormatUint(a.imageID%1e15+1e15, 10)[1:]
		avatar := "https://files.mastodon.social/cache/accounts/avatars/" + img[:3] + "/" + img[3:6] + "/" + img[6:9] + "/original/" + strconv.FormatUint(a.imageID>>20, 16) + ".png"
		c.kstr("avatar", avatar)
		c.kstr("avatar_static", avatar)
		c.kstr("header", "https://mastodon.social/headers/original/missing.png")
		c.kstr("header_static", "https://mastodon.social/headers/original/missing.png")
		c.key("emojis")
		c.arr()
		c.endArr()
		c.key("fields")
		c.arr()
		if a.location != "" {
			c.obj()
			c.kstr("name", "Location")
			c.kstr("value", htmlEscape.Replace(a.location))
			c.knull("verified_at")
			c.endObj()
		}
		if a.url != "" {
			c.obj()
			c.kstr("name", "Website")
			c.kstr("value", string(mastoLinkHTML(nil, a.url)))
			if a.verified {
				c.key("verified_at")
				c.timeMillis(a.created.Add(26 * time.Hour))
			} else {
				c.knull("verified_at")
			}
			c.endObj()
		}
		c.endArr()
		a.cache = c.b
	}
	w.value()
	w.b = append(w.b, a.cache...)
	w.first = false
	since := now.Sub(g.cfg.Start)
	w.kint("followers_count", grown(a.followers, float64(a.followers)*1e-5+0.005, since))
	w.kint("following_count", a.following)
	w.kint("statuses_count", grown(a.posts, 0.1, since))
	w.kstr("last_status_at", now.Format("2006-01-02"))
	w.endObj()
}

func mastoCounts(w *jw, hp *hpost, age float64) {
	likes, reposts, replies, _, _ := engagement(hp, age, post.NetworkMastodon)
	w.kint("replies_count", replies)
	w.kint("reblogs_count", reposts)
	w.kint("favourites_count", likes)
}

func mastoEmbed(w *jw, hp *hpost, now time.Time) {
	w.value()
	w.b = append(w.b, '{')
	w.b = append(w.b, hp.core...)
	w.first = false
	mastoCounts(w, hp, now.Sub(hp.created).Seconds())
	w.endObj()
}

func (g *Generator) encodeMastodon(d *draft) (Record, *hpost) {
	var id string
	created := d.now.Truncate(time.Millisecond)
	if e := d.edit; e != nil {
		id, created = e.id, e.created
	} else {
		id = g.nextMastodonID(d.now)
	}
	hp := &hpost{
		id: id, full: id, author: d.author, created: created, lang: d.lang, brand: int8(d.brand), product: int8(d.product),
		in: d.in, sent: d.sent, vir: d.vir,
	}
	hp.truth = d.truth()
	url, uri := statusURLs(id, d.author)
	hp.url = url

	c := &g.cj
	c.reset()
	c.obj()
	c.kstr("id", id)
	c.key("created_at")
	c.timeMillis(created)
	if d.kind == kReply {
		c.kstr("in_reply_to_id", d.parent.id)
		c.kstr("in_reply_to_account_id", d.parent.author.id)
	} else {
		c.knull("in_reply_to_id")
		c.knull("in_reply_to_account_id")
	}
	c.kbool("sensitive", d.cw != "")
	c.kstr("spoiler_text", d.cw)
	vis := "public"
	if g.rng.chance(0.15) || d.kind == kReply && g.rng.chance(0.2) {
		vis = "unlisted"
	}
	if d.kind == kRepost {
		vis = "public"
	}
	c.kstr("visibility", vis)
	switch {
	case d.kind == kRepost:
		c.knull("language")
	case g.rng.chance(0.04):
		c.knull("language") // posted from a client that does not set it
	default:
		c.kstr("language", d.lang)
	}
	if d.kind == kRepost {
		uri = "https://" + d.author.domain + "/users/" + d.author.username + "/statuses/" + originID(id, d.author) + "/activity"
		c.kstr("uri", uri)
		c.kstr("url", uri)
	} else {
		c.kstr("uri", uri)
		c.kstr("url", url)
	}
	if d.edit != nil {
		c.key("edited_at")
		c.timeMillis(d.now)
	} else {
		c.knull("edited_at")
	}
	var mentions []*account
	var tags []string
	if d.kind == kRepost {
		c.kstr("content", "")
		c.key("reblog")
		mastoEmbed(c, d.parent, d.now)
	} else {
		var replyTo *account
		if d.kind == kReply && d.parent.author != d.author {
			replyTo = d.parent.author
		}
		quoteURL := ""
		if d.kind == kQuote {
			quoteURL = d.parent.url
		}
		var content string
		content, mentions, tags = mastoContent(replyTo, d.segs, quoteURL)
		c.kstr("content", content)
		c.knull("reblog")
	}
	c.key("account")
	g.mastoAccount(c, d.author, d.now)
	c.key("media_attachments")
	c.arr()
	c.endArr()
	c.key("mentions")
	c.arr()
	for _, m := range mentions {
		c.obj()
		c.kstr("id", m.id)
		c.kstr("username", m.username)
		c.kstr("url", m.profileURL())
		c.kstr("acct", m.acct)
		c.endObj()
	}
	c.endArr()
	c.key("tags")
	c.arr()
	for _, t := range tags {
		c.obj()
		c.kstr("name", strings.ToLower(t))
		c.kstr("url", "https://"+homeInstance+"/tags/"+strings.ToLower(t))
		c.endObj()
	}
	c.endArr()
	c.key("emojis")
	c.arr()
	c.endArr()
	c.knull("card")
	c.knull("poll")
	if d.kind == kQuote {
		c.key("quote")
		c.obj()
		c.kstr("state", "accepted")
		c.key("quoted_status")
		mastoEmbed(c, d.parent, d.now)
		c.endObj()
	}
	hp.core = append([]byte(nil), c.b[1:]...)

	w := &g.j
	w.reset()
	w.b = append(w.b, '{')
	w.b = append(w.b, hp.core...)
	w.first = false
	if d.kind == kRepost {
		w.kint("replies_count", 0)
		w.kint("reblogs_count", 0)
		w.kint("favourites_count", 0)
	} else {
		mastoCounts(w, hp, g.rng.lognormal(5, 1.6))
	}
	w.endObj()

	rec := Record{
		Topic: TopicFor(post.NetworkMastodon), Key: []byte(id), Value: append([]byte(nil), w.b...), EventTime: created,
		Network: post.NetworkMastodon, PostID: id, Truth: hp.truth,
	}
	if d.edit != nil {
		// The streaming API's status.update event carries the edited Status as a JSON string.
		var e jw
		e.reset()
		e.obj()
		e.kstr("event", "status.update")
		e.key("payload")
		e.value()
		e.b = appendJSONString(e.b, string(w.b))
		e.endObj()
		rec.Value = e.b
		rec.EventTime = d.now.Truncate(time.Millisecond)
	}
	if d.kind == kRepost {
		return rec, nil
	}
	return rec, hp
}
