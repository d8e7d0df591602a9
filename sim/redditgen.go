package sim

import (
	"strings"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// Reddit: things as listings return them ({"kind": "t3"|"t1", "data": {...}}), fetched with raw_json=1 so
// that body, selftext and title are not HTML-escaped (the *_html fields are, as always). created_utc is a
// float with whole seconds.

var deletedRedditor = &account{net: post.NetworkReddit, username: "[deleted]", name: "[deleted]", first: "there",
	followers: -1, following: -1, person: -1, brand: -1}

// redditMarkdown renders segments as a Reddit body (markdown) and as its body_html.
func redditMarkdown(segs []seg, linkStyle []bool) (md string, htmlBody string) {
	var m, h []byte
	h = append(h, `<!-- SC_OFF --><div class="md"><p>`...)
	li := 0
	for _, s := range segs {
		switch s.kind {
		case sText:
			m = append(m, s.s...)
			h = htmlText(h, s.s)
		case sTag:
			m = append(m, s.s...)
			h = append(h, htmlEscape.Replace(s.s)...)
		case sCash:
			m = append(m, '$')
			m = append(m, s.s...)
			h = append(h, '$')
			h = append(h, s.s...)
		case sMention:
			m = append(m, "u/"+s.acc.username...)
			h = append(h, `<a href="/u/`+s.acc.username+`">u/`+s.acc.username+`</a>`...)
		case sURL:
			named := li < len(linkStyle) && linkStyle[li]
			li++
			if named {
				m = append(m, "[link]("+s.s+")"...)
				h = append(h, `<a href="`+htmlEscape.Replace(s.s)+`">link</a>`...)
			} else {
				m = append(m, s.s...)
				h = append(h, `<a href="`+htmlEscape.Replace(s.s)+`">`+htmlEscape.Replace(s.s)+`</a>`...)
			}
		}
	}
	h = append(h, "</p>\n</div><!-- SC_ON -->"...)
	return string(m), string(h)
}

func redditSlug(title string) string {
	var b []byte
	under := false
	for _, r := range strings.ToLower(title) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if f, found := asciiFold[r]; found {
			b = append(b, strings.ToLower(f)...)
			under = false
			continue
		}
		if ok {
			b = append(b, byte(r))
			under = false
		} else if !under && len(b) > 0 {
			b = append(b, '_')
			under = true
		}
		if len(b) >= 50 {
			break
		}
	}
	return strings.TrimRight(string(b), "_")
}

func plain(segs []seg) string {
	var b strings.Builder
	for _, s := range segs {
		switch s.kind {
		case sMention:
			b.WriteString("u/" + s.acc.username)
		case sCash:
			b.WriteString("$" + s.s)
		default:
			b.WriteString(s.s)
		}
	}
	return b.String()
}

func redditScore(w *jw, hp *hpost, age float64, t3 bool) {
	likes, _, replies, _, _ := engagement(hp, age, post.NetworkReddit)
	score := likes + 1 // the author's own upvote
	w.kint("score", score)
	w.kint("ups", score)
	w.kint("downs", 0)
	if t3 {
		w.kint("num_comments", replies)
		ratio := 0.7 + float64(mix64(hashString(hp.id))%30)/100
		w.key("upvote_ratio")
		w.float(ratio, 2)
	}
}

func createdUTC(w *jw, t time.Time) {
	w.key("created_utc")
	w.float(float64(t.Unix()), 1)
	w.key("created")
	w.float(float64(t.Unix()), 1)
}

func (g *Generator) authorFields(w *jw, a *account, deleted bool) {
	if deleted {
		w.kstr("author", "[deleted]")
		w.knull("author_flair_text")
		return
	}
	w.kstr("author", a.username)
	w.kstr("author_fullname", "t2_"+a.id)
	w.kbool("author_premium", a.person >= 0 && a.id[len(a.id)-1] < '3')
	w.kstrOrNull("author_flair_text", a.flair)
}

var linkFlairs = map[intent]string{iQuestion: "Question", iComplaint: "Rant", iPraise: "Review", iNews: "News", iRecommend: "PSA", iCompare: "Discussion", iChurn: "Discussion"}

func (g *Generator) encodeReddit(d *draft) (Record, *hpost) {
	switch {
	case d.kind == kOriginal || d.kind == kRepost:
		return g.encodeSubmission(d)
	default:
		return g.encodeComment(d)
	}
}

func (g *Generator) encodeSubmission(d *draft) (Record, *hpost) {
	var id string
	created := d.now.Truncate(time.Second)
	if e := d.edit; e != nil {
		id, created = e.id, e.created
	} else {
		id = g.nextRedditID('3')
	}
	full := "t3_" + id
	hp := &hpost{
		id: id, full: full, rkind: '3', author: d.author, created: created, lang: d.lang, brand: int8(d.brand),
		product: int8(d.product), in: d.in, sent: d.sent, vir: d.vir, conv: id, sub: d.sub,
	}
	hp.truth = d.truth()
	hp.subID = g.subIDs[d.sub]
	var title, selftext, selfHTML, linkURL, domain string
	isSelf := true
	if d.kind == kRepost {
		p := d.parent
		title = p.text
		linkURL = p.url
		domain = "self." + p.sub
	} else {
		title = plain(d.title)
		if !d.linkOnly {
			selftext, selfHTML = redditMarkdown(d.segs, []bool{g.rng.chance(0.3), g.rng.chance(0.3)})
		}
		if d.link != "" {
			isSelf = false
			linkURL = d.link
			domain = strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(d.link, "https://"), "/", 2)[0], "www.")
		}
	}
	slug := redditSlug(title)
	if slug == "" {
		slug = "post"
	}
	permalink := "/r/" + d.sub + "/comments/" + id + "/" + slug + "/"
	if linkURL == "" {
		linkURL = "https://www.reddit.com" + permalink
		domain = "self." + d.sub
	}
	hp.text, hp.url, hp.linkAuthor, hp.linkURL = title, permalink, d.author.username, linkURL

	c := &g.cj
	c.reset()
	c.obj()
	c.knull("approved_at_utc")
	c.kstr("subreddit", d.sub)
	c.kstr("selftext", selftext)
	g.authorFields(c, d.author, false)
	c.kbool("saved", false)
	c.kint("gilded", 0)
	c.kstr("title", title)
	c.kstrOrNull("link_flair_text", linkFlairs[d.in])
	c.kstr("subreddit_name_prefixed", "r/"+d.sub)
	c.kbool("hidden", false)
	c.kint("total_awards_received", 0)
	redditEdited(c, d)
	c.kbool("is_self", isSelf)
	c.kstr("domain", domain)
	c.kstrOrNull("selftext_html", selfHTML)
	c.kstr("subreddit_type", "public")
	c.kstr("id", id)
	c.kstr("name", full)
	c.kstr("permalink", permalink)
	c.kstr("url", linkURL)
	c.kstr("subreddit_id", hp.subID)
	c.kint("num_crossposts", 0)
	c.kbool("over_18", false)
	c.kbool("spoiler", false)
	c.kbool("locked", false)
	c.kbool("stickied", false)
	c.knull("removed_by_category")
	c.knull("distinguished")
	createdUTC(c, created)
	if d.kind == kRepost {
		c.kstr("crosspost_parent", d.parent.full)
		c.key("crosspost_parent_list")
		c.arr()
		c.value()
		c.b = append(c.b, '{')
		c.b = append(c.b, d.parent.core...)
		c.first = false
		redditScore(c, d.parent, d.now.Sub(d.parent.created).Seconds(), true)
		c.endObj()
		c.endArr()
	}
	hp.core = append([]byte(nil), c.b[1:]...)
	return g.redditRecord("t3", hp, full, d.now, true), hp
}

func (g *Generator) encodeComment(d *draft) (Record, *hpost) {
	p := d.parent
	var id string
	created := d.now.Truncate(time.Second)
	if e := d.edit; e != nil {
		id, created = e.id, e.created
	} else {
		id = g.nextRedditID('1')
	}
	full := "t1_" + id
	root := p
	linkID := p.conv
	hp := &hpost{
		id: id, full: full, rkind: '1', author: d.author, created: created, lang: d.lang, brand: int8(d.brand),
		product: int8(d.product), in: d.in, sent: d.sent, vir: d.vir * 0.5, conv: linkID, sub: p.sub, subID: p.subID,
		linkAuthor: root.linkAuthor, linkURL: root.linkURL,
	}
	if p.rkind == '1' {
		hp.depth = p.depth + 1
	}
	author := d.author
	if d.deleted {
		author = deletedRedditor
		hp.author = deletedRedditor
	}
	hp.truth = d.truth()
	if d.deleted {
		hp.truth.Person = int(d.author.person)
	}
	body, bodyHTML := redditMarkdown(d.segs, []bool{g.rng.chance(0.3)})
	// The submission's permalink and title travel with every comment of its thread.
	linkPermalink := p.url
	linkTitle := p.text
	if p.rkind == '1' {
		linkPermalink, linkTitle = p.linkPermalink(), p.text
	}
	hp.text = linkTitle
	hp.url = strings.TrimSuffix(linkPermalink, "/") + "/" + id + "/"

	c := &g.cj
	c.reset()
	c.obj()
	c.kstr("subreddit_id", p.subID)
	c.knull("approved_at_utc")
	c.kbool("author_is_blocked", false)
	redditEdited(c, d)
	c.kint("gilded", 0)
	g.authorFields(c, author, d.deleted)
	c.kstr("body", body)
	c.kstr("body_html", bodyHTML)
	c.kstr("link_id", "t3_"+linkID)
	c.kstr("parent_id", p.full)
	c.kint("controversiality", 0)
	createdUTC(c, created)
	c.kstr("id", id)
	c.kstr("name", full)
	c.kstr("permalink", hp.url)
	c.kstr("subreddit", p.sub)
	c.kstr("subreddit_name_prefixed", "r/"+p.sub)
	c.kstr("subreddit_type", "public")
	c.kbool("is_submitter", !d.deleted && author.username == root.linkAuthor)
	c.kbool("stickied", d.automod)
	if d.automod {
		c.kstr("distinguished", "moderator")
	} else {
		c.knull("distinguished")
	}
	c.kbool("score_hidden", false)
	c.kbool("locked", false)
	c.kbool("collapsed", false)
	c.kint("total_awards_received", 0)
	c.kstr("link_title", linkTitle)
	c.kstr("link_author", root.linkAuthor)
	c.kstr("link_permalink", "https://www.reddit.com"+linkPermalink)
	c.kstr("link_url", root.linkURL)
	hp.core = append([]byte(nil), c.b[1:]...)
	return g.redditRecord("t1", hp, full, d.now, false), hp
}

// linkPermalink is the permalink of the submission a comment belongs to.
func (hp *hpost) linkPermalink() string {
	u := strings.TrimSuffix(hp.url, "/")
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[:i+1]
	}
	return hp.url
}

// redditEdited writes "edited": false, or the time of the edit for an edit.
func redditEdited(w *jw, d *draft) {
	w.key("edited")
	if d.edit == nil {
		w.boolean(false)
		return
	}
	w.float(float64(d.now.Unix()), 1)
}

// redditRecord wraps a thing's data members (hp.core) in its {"kind", "data"} envelope with a fresh score.
func (g *Generator) redditRecord(kind string, hp *hpost, full string, now time.Time, submission bool) Record {
	w := &g.j
	w.reset()
	w.obj()
	w.kstr("kind", kind)
	w.key("data")
	w.value()
	w.b = append(w.b, '{')
	w.b = append(w.b, hp.core...)
	w.first = false
	redditScore(w, hp, g.rng.lognormal(6, 1.4), submission)
	w.endObj()
	w.endObj()
	return Record{
		Topic: TopicFor(post.NetworkReddit), Key: []byte(full), Value: append([]byte(nil), w.b...), EventTime: now.Truncate(time.Second),
		Network: post.NetworkReddit, PostID: full, Truth: hp.truth,
	}
}
