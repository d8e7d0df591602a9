package sim

import (
	"strconv"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// Reviews: one review with a star rating per record, in the neutral shape review-site connectors write
// (see ingest.ReviewNormalizer). Every review is about a brand; the rating follows the text's sentiment.

// reviewSites are the sites reviews come from, per category, with their weights.
var reviewSites = [numCategories][]struct {
	name   string
	weight float64
}{
	Electronics: {{"trustpilot", 0.45}, {"google", 0.3}, {"bestbuy", 0.25}},
	Coffee:      {{"google", 0.55}, {"yelp", 0.3}, {"trustpilot", 0.15}},
	Fintech:     {{"appstore", 0.4}, {"playstore", 0.35}, {"trustpilot", 0.25}},
}

var reviewIntents = []intent{iPraise, iComplaint, iRecommend, iChurn, iQuestion, iCompare, iPurchase}
var reviewWeights = []float64{0.36, 0.30, 0.10, 0.08, 0.05, 0.06, 0.05}

// composeReview fills a draft for a review.
func (g *Generator) composeReview(d *draft) {
	d.pe, d.author = g.personAccount(d.ni)
	d.brand = g.pickBrand(d.pe)
	var w [7]float64
	copy(w[:], reviewWeights)
	switch d.brand {
	case int(d.pe.favBrand):
		w[0], w[2], w[1], w[3] = w[0]*2.5, w[2]*2, w[1]*0.3, w[3]*0.2
	case int(d.pe.badBrand):
		w[1], w[3], w[0] = w[1]*2.5, w[3]*3, w[0]*0.3
	}
	d.in = reviewIntents[g.rng.weighted(w[:])]
	d.lang = d.pe.postLang(g.rng.float())
	d.product = g.pickProduct(d.brand)
	c := g.ctx(d)
	g.write(d, g.pickTmpl(&compiledText, d.lang, d.in, d.brand, 2), c)
	d.rating = g.stars(d.sent)
	if g.rng.chance(0.7) {
		g.w.reset()
		g.render(&g.w, g.pickTmpl(&compiledTitles, d.lang, d.in, d.brand, d.sent), c)
		d.title = tidy(append(d.title[:0], g.w.segs...))
	}
	sites := reviewSites[brands[d.brand].Category]
	var sw [3]float64
	for i, s := range sites {
		sw[i] = s.weight
	}
	d.sub = sites[g.rng.weighted(sw[:len(sites)])].name
}

// stars draws a rating that fits a sentiment: praise is mostly 5 stars, complaints 1.
func (g *Generator) stars(sent int8) int8 {
	u := g.rng.float()
	switch sent {
	case 1:
		if u < 0.68 {
			return 5
		}
		if u < 0.97 {
			return 4
		}
		return 3
	case -1:
		if u < 0.62 {
			return 1
		}
		if u < 0.92 {
			return 2
		}
		return 3
	}
	switch {
	case u < 0.2:
		return 2
	case u < 0.7:
		return 3
	}
	return 4
}

// reviewID returns a new review id in the site's style.
func (g *Generator) reviewID(site string) string {
	switch site {
	case "trustpilot":
		return strconv.FormatUint(0x6000000000000000|g.rng.u64()>>4, 16)[:16] + strconv.FormatUint(1<<32|g.rng.u64()&0xffffffff, 16)[1:]
	case "google":
		return "ChdDSUhNMG9nS0VJQ0FnSU" + g.randB64(14)
	case "appstore", "bestbuy":
		return strconv.FormatUint(10000000000+g.rng.u64()%90000000000, 10)
	case "playstore":
		return "gp:AOqpTO" + g.randB64(40)
	}
	return g.randB64(22)
}

func reviewURL(site, id string, brand int) string {
	s := slug(brands[brand].Name)
	switch site {
	case "trustpilot":
		return "https://www.trustpilot.com/reviews/" + id
	case "google":
		return "https://www.google.com/maps/reviews/@" + s + "/" + id
	case "yelp":
		return "https://www.yelp.com/biz/" + s + "?hrid=" + id
	case "appstore":
		return "https://apps.apple.com/app/" + s + "/id" + strconv.FormatUint(1400000000+hashString(s)%1e8, 10) + "?see-all=reviews"
	case "playstore":
		return "https://play.google.com/store/apps/details?id=com." + s + ".app&reviewId=" + id
	}
	return "https://www." + site + ".com/site/" + s + "/reviews/" + id
}

func (g *Generator) encodeReview(d *draft) (Record, *hpost) {
	created := d.now.Truncate(time.Second)
	site := d.sub
	var id string
	if e := d.edit; e != nil {
		id, created, site = e.id, e.created, e.sub
	} else {
		id = g.reviewID(site)
	}
	full := site + ":" + id
	hp := &hpost{
		id: id, full: full, author: d.author, created: created, lang: d.lang, brand: int8(d.brand), product: int8(d.product),
		in: d.in, sent: d.sent, vir: d.vir, sub: site, rating: d.rating,
	}
	hp.truth = d.truth()
	w := &g.j
	w.reset()
	w.obj()
	w.kstr("id", id)
	w.kstr("source", site)
	w.kint("rating", int64(d.rating))
	if len(d.title) > 0 {
		w.kstr("title", plainText(d.title))
	}
	w.kstr("text", plainText(d.segs))
	w.ktimeSec("created_at", created, false)
	if d.edit != nil {
		w.ktimeSec("updated_at", d.now, false)
	}
	w.kstr("language", d.lang)
	w.kstr("url", reviewURL(site, id, d.brand))
	w.kint("likes", int64(g.rng.geometric(0.8)))
	w.key("author")
	w.obj()
	w.kstr("id", d.author.id)
	w.kstr("name", d.author.name)
	if d.author.location != "" {
		w.kstr("location", d.author.location)
	}
	w.kint("review_count", d.author.posts)
	w.endObj()
	w.endObj()
	rec := Record{
		Topic: TopicFor(post.NetworkReview), Key: []byte(full), Value: append([]byte(nil), w.b...),
		EventTime: d.now.Truncate(time.Second), Network: post.NetworkReview, PostID: full, Truth: hp.truth,
	}
	return rec, hp
}
