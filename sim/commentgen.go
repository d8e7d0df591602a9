package sim

import (
	"strconv"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// Comment networks: YouTube Data API v3 comment resources, and Facebook and Instagram Graph API comments.
// People comment on objects they did not post themselves (a video, a Page post, an Instagram media item),
// so every post of these networks is a reply: a top-level comment replies to its object, a reply to a
// top-level comment (all three networks show threads one level deep). Objects are not part of the stream;
// their ids are derived from the seed, a few dozen per brand, the newest the busiest.

// objectsPerBrand is the number of videos, Page posts or media items per brand that attract comments.
const objectsPerBrand = 24

// creatorChannels are YouTube channels that review the catalogue's products.
var creatorChannels = []struct{ handle, name string }{
	{"techwithtomas", "Tech with Tomas"}, {"gadgetgrace", "Gadget Grace"}, {"thecoffeenerd", "The Coffee Nerd"},
	{"moneymatterswithmo", "Money Matters with Mo"}, {"unboxedlabs", "Unboxed Labs"}, {"reviewsbyrina", "Reviews by Rina"},
}

// commentAccounts builds the brands' own accounts on the comment networks (a YouTube channel, a Facebook
// Page, an Instagram professional account; the same account posts and answers) and the creator channels.
func commentAccounts() (brand [numNets][]*account, creators []*account) {
	for i, b := range brands {
		s := slug(b.Name)
		handle := strings.ReplaceAll(s, "-", "")
		created := time.Date(2011+i%4, time.Month(3+i), 7+i, 9, 0, 0, 0, time.UTC)
		brand[nYouTube] = append(brand[nYouTube], &account{
			net: post.NetworkYouTube, id: "UC" + fixedB64(mix64(uint64(i)+0x7974), 11) + fixedB64(mix64(uint64(i)+0x7975), 11),
			username: handle, acct: "@" + handle, name: b.Name, first: b.Name, followers: -1, following: -1,
			created: created, person: -1, brand: int8(i), support: true, lang: "en",
		})
		brand[nFacebook] = append(brand[nFacebook], &account{
			net: post.NetworkFacebook, id: strconv.FormatUint(100000000000000+mix64(uint64(i)+0x6662)%900000000000000, 10),
			username: handle, name: b.Name, first: b.Name, followers: -1, following: -1, created: created, person: -1,
			brand: int8(i), support: true, lang: "en",
		})
		brand[nInstagram] = append(brand[nInstagram], &account{
			net: post.NetworkInstagram, id: strconv.FormatUint(17841400000000000+mix64(uint64(i)+0x6967)%100000000000, 10),
			username: handle, name: b.Name, first: b.Name, followers: -1, following: -1, created: created, person: -1,
			brand: int8(i), support: true, lang: "en",
		})
	}
	for i, c := range creatorChannels {
		creators = append(creators, &account{
			net: post.NetworkYouTube, id: "UC" + fixedB64(mix64(uint64(i)+0x6372), 11) + fixedB64(mix64(uint64(i)+0x6373), 11),
			username: c.handle, acct: "@" + c.handle, name: c.name, first: c.name, followers: -1, following: -1,
			created: time.Date(2016+i%5, time.Month(1+i), 12, 0, 0, 0, 0, time.UTC), person: -1, brand: -1, lang: "en",
		})
	}
	return brand, creators
}

// commentObject picks the object a top-level comment about brand b is left on: its id and its owner.
func (g *Generator) commentObject(ni, b int) (string, *account) {
	k := g.rng.geometric(5) % objectsPerBrand
	owner := g.brandN[ni][b]
	h := mix64(uint64(g.cfg.Seed) ^ uint64(ni)<<40 ^ uint64(b)<<20 ^ uint64(k))
	switch ni {
	case nYouTube:
		if k%3 == 2 {
			owner = g.creators[(b*7+k)%len(g.creators)]
		}
		return fixedB64(h, 11), owner
	case nFacebook:
		return owner.id + "_" + strconv.FormatUint(1000000000000000+h%9000000000000000, 10), owner
	default:
		return strconv.FormatUint(17900000000000000+h%100000000000000, 10), owner
	}
}

// nextCommentID returns a new comment id of network ni; parent is the top-level comment a reply answers.
func (g *Generator) nextCommentID(ni int, obj string, parent *hpost) string {
	switch ni {
	case nYouTube:
		if parent != nil {
			return parent.id + "." + "A" + g.randB64(21)
		}
		return "Ug" + string("zwxy"[g.rng.intn(4)]) + g.randB64(19) + "4AaABAg"
	case nFacebook:
		g.lastFB += 1 + g.rng.u64()%5000
		_, postNum, _ := strings.Cut(obj, "_")
		return postNum + "_" + strconv.FormatUint(g.lastFB, 10)
	default:
		g.lastIG += 1 + g.rng.u64()%9000
		return strconv.FormatUint(g.lastIG, 10)
	}
}

func (g *Generator) randB64(n int) string {
	g.tco = g.tco[:0]
	for range n {
		g.tco = append(g.tco, b64url[g.rng.intn(64)])
	}
	return string(g.tco)
}

// plainText renders segments as the plain text people type: @mentions, #tags, $cashtags, bare links.
func plainText(segs []seg) string {
	n := 0
	for _, s := range segs {
		n += len(s.s) + 1
	}
	b := make([]byte, 0, n)
	for _, s := range segs {
		switch s.kind {
		case sMention:
			b = append(b, '@')
			b = append(b, s.acc.username...)
		case sTag:
			b = append(b, '#')
			b = append(b, s.s...)
		case sCash:
			b = append(b, '$')
			b = append(b, s.s...)
		default:
			b = append(b, s.s...)
		}
	}
	return string(b)
}

// youtubeHTML is textDisplay under textFormat=html: escaped text, <br> for newlines, links as anchors.
func youtubeHTML(segs []seg) string {
	var b []byte
	for _, s := range segs {
		switch s.kind {
		case sURL:
			e := htmlEscape.Replace(s.s)
			b = append(b, `<a href="`+e+`">`+e+`</a>`...)
		case sMention:
			b = append(b, "@"+s.acc.username...)
		case sTag:
			b = append(b, "#"+htmlEscape.Replace(s.s)...)
		case sCash:
			b = append(b, "$"+s.s...)
		default:
			b = append(b, strings.ReplaceAll(htmlEscape.Replace(s.s), "\n", "<br>")...)
		}
	}
	return string(b)
}

// appendTimeSec appends t in UTC with whole seconds: 2006-01-02T15:04:05Z, or with zone "+0000" in the
// Graph API form when graph is set.
func appendTimeSec(b []byte, t time.Time, graph bool) []byte {
	b = appendTimeMillis(b, t)
	b = b[:len(b)-5]
	if graph {
		return append(b, "+0000"...)
	}
	return append(b, 'Z')
}

func (w *jw) ktimeSec(k string, t time.Time, graph bool) {
	w.key(k)
	w.value()
	w.b = append(w.b, '"')
	w.b = appendTimeSec(w.b, t, graph)
	w.b = append(w.b, '"')
}

// commentLikes is the like count of a comment at the time its payload was fetched.
func (g *Generator) commentLikes(hp *hpost) int64 {
	likes, _, _, _, _ := engagement(hp, g.rng.lognormal(6, 1.4), hp.author.net)
	return likes
}

// encodeComment encodes a draft of a comment network. For an edit (d.edit set) the comment keeps its id and
// creation time and gets its edit time.
func (g *Generator) encodeCommentNet(d *draft) (Record, *hpost) {
	created := d.now.Truncate(time.Second)
	var id, obj string
	var owner *account
	var parent *hpost
	if d.kind == kReply {
		parent = d.parent
		obj, owner = parent.obj, parent.objOwner
	} else {
		b := d.brand
		if b < 0 {
			b = g.rng.weighted(brandWeights)
		}
		obj, owner = g.commentObject(d.ni, b)
	}
	if e := d.edit; e != nil {
		id, created, obj, owner = e.id, e.created, e.obj, e.objOwner
	} else {
		id = g.nextCommentID(d.ni, obj, parent)
	}
	hp := &hpost{
		id: id, full: id, author: d.author, created: created, lang: d.lang, brand: int8(d.brand), product: int8(d.product),
		in: d.in, sent: d.sent, vir: d.vir, conv: obj, obj: obj, objOwner: owner, rkind: 't',
	}
	if parent != nil {
		hp.rkind = 'r'
	}
	hp.truth = d.truth()
	text := plainText(d.segs)
	w := &g.j
	w.reset()
	switch d.ni {
	case nYouTube:
		if parent == nil {
			w.obj()
			w.kstr("kind", "youtube#commentThread")
			w.kstr("etag", g.randB64(27))
			w.kstr("id", id)
			w.key("snippet")
			w.obj()
			w.kstr("channelId", owner.id)
			w.kstr("videoId", obj)
			w.key("topLevelComment")
			g.youtubeComment(w, d, hp, text, owner, "")
			w.kbool("canReply", true)
			w.kint("totalReplyCount", hp.replies+int64(g.rng.geometric(0.6)))
			w.kbool("isPublic", true)
			w.endObj()
			w.endObj()
		} else {
			g.youtubeComment(w, d, hp, text, owner, parent.id)
		}
	case nFacebook:
		w.obj()
		w.kstr("id", id)
		w.kstr("message", text)
		w.ktimeSec("created_time", created, true)
		// The Graph API names the commenter only when it is a Page or a person who authorised the app.
		if d.author.brand >= 0 || !d.anon {
			w.key("from")
			w.obj()
			w.kstr("name", d.author.name)
			w.kstr("id", d.author.id)
			w.endObj()
		}
		w.kint("like_count", g.commentLikes(hp))
		w.kint("comment_count", hp.replies+int64(g.rng.geometric(0.3)))
		w.key("object")
		w.obj()
		w.kstr("id", obj)
		w.endObj()
		if parent != nil {
			w.key("parent")
			w.obj()
			w.kstr("id", parent.id)
			w.endObj()
		}
		pageID, postNum, _ := strings.Cut(obj, "_")
		_, cnum, _ := strings.Cut(id, "_")
		w.kstr("permalink_url", "https://www.facebook.com/"+pageID+"/posts/"+postNum+"?comment_id="+cnum)
		w.kbool("is_hidden", false)
		w.endObj()
	default:
		w.obj()
		w.kstr("id", id)
		w.kstr("text", text)
		w.ktimeSec("timestamp", created, true)
		w.kstr("username", d.author.username)
		if d.author.brand >= 0 || !d.anon {
			w.key("from")
			w.obj()
			w.kstr("id", d.author.id)
			w.kstr("username", d.author.username)
			w.endObj()
		}
		w.kint("like_count", g.commentLikes(hp))
		w.kbool("hidden", false)
		w.key("media")
		w.obj()
		w.kstr("id", obj)
		w.endObj()
		if parent != nil {
			w.kstr("parent_id", parent.id)
		}
		w.endObj()
	}
	net := networks[d.ni]
	rec := Record{
		Topic: TopicFor(net), Key: []byte(id), Value: append([]byte(nil), w.b...), EventTime: d.now.Truncate(time.Second),
		Network: net, PostID: id, Truth: hp.truth,
	}
	return rec, hp
}

// youtubeComment writes a youtube#comment resource.
func (g *Generator) youtubeComment(w *jw, d *draft, hp *hpost, text string, owner *account, parentID string) {
	w.obj()
	w.kstr("kind", "youtube#comment")
	w.kstr("etag", g.randB64(27))
	w.kstr("id", hp.id)
	w.key("snippet")
	w.obj()
	w.kstr("channelId", owner.id)
	w.kstr("videoId", hp.obj)
	w.kstr("textDisplay", youtubeHTML(d.segs))
	w.kstr("textOriginal", text)
	if parentID != "" {
		w.kstr("parentId", parentID)
	}
	a := d.author
	w.kstr("authorDisplayName", a.acct)
	w.kstr("authorProfileImageUrl", "https://yt3.ggpht.com/ytc/"+fixedB64(hashString(a.id), 10)+"=s48-c-k-c0x00ffffff-no-rj")
	if strings.HasPrefix(a.acct, "@") {
		w.kstr("authorChannelUrl", "http://www.youtube.com/"+a.acct)
	} else {
		w.kstr("authorChannelUrl", "http://www.youtube.com/channel/"+a.id)
	}
	w.key("authorChannelId")
	w.obj()
	w.kstr("value", a.id)
	w.endObj()
	w.kbool("canRate", true)
	w.kstr("viewerRating", "none")
	w.kint("likeCount", g.commentLikes(hp))
	w.ktimeSec("publishedAt", hp.created, false)
	w.ktimeSec("updatedAt", d.now, false)
	w.endObj()
	w.endObj()
}
