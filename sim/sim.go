// Package sim generates a realistic, deterministic synthetic stream of social posts about a small fictional
// brand catalogue, as raw payloads in the public API shapes of X (API v2 tweet envelopes and compliance
// events), Mastodon (Status entities and streaming events), Reddit (t1/t3 things), YouTube (Data API v3
// comment threads and comments), Facebook and Instagram (Graph API comments) and review sites (reviews
// with a star rating). It is meant for load tests, end-to-end tests and demos of the pipeline: every
// well-formed record is accepted by the ingest normalizers, and the stream carries the awkward parts of
// real traffic (redeliveries, malformed payloads, replies to posts the consumer may not have seen, edits,
// deletions, brand answers hours later, bursts of complaints, copy-paste spam campaigns, non-English text,
// HTML, emoji). Record.Truth says what each record really is (WriteTruth writes it as JSON lines).
//
// The same Config (including Seed) always yields a byte-identical stream. A Generator is not safe for
// concurrent use.
package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// RawTopicPrefix prefixes the Kafka topic of each network's raw payloads.
const RawTopicPrefix = "social.raw."

// TopicFor returns the raw topic of network n, e.g. "social.raw.x".
func TopicFor(n post.Network) string { return RawTopicPrefix + string(n) }

// DefaultOversizeBytes is the default size of oversized payloads: above the ingest decoder's default limit
// (256 KiB) and below Kafka's default message limit (about 1 MB), so such records reach the consumer and
// are rejected there.
const DefaultOversizeBytes = 512 << 10

// DefaultStart is the event time of the first post when Config.Start is zero (a Monday).
var DefaultStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// DefaultMix returns the default share of each network: X dominant, then Reddit, then Mastodon and YouTube
// comments, Facebook and Instagram comments, and reviews.
func DefaultMix() map[post.Network]float64 {
	return map[post.Network]float64{
		post.NetworkX: 0.45, post.NetworkReddit: 0.18, post.NetworkMastodon: 0.10, post.NetworkYouTube: 0.10,
		post.NetworkFacebook: 0.07, post.NetworkInstagram: 0.06, post.NetworkReview: 0.04,
	}
}

// Config configures a Generator. Zero values mean the documented defaults.
type Config struct {
	Seed  int64     // same seed => byte-identical stream
	Start time.Time // event time of the first post; zero => DefaultStart
	// EventRate is the mean number of posts per second of event time (default 50). The instantaneous rate
	// follows a daily and weekly rhythm around this mean.
	EventRate float64
	Authors   int // size of the author population (default 20000)
	// DuplicateRate is the share of records that redeliver an earlier payload byte for byte (default 0.02;
	// negative means none).
	DuplicateRate float64
	// MalformedRate is the share of records whose payload is malformed (default 0): broken JSON, invalid
	// UTF-8, wrong JSON types, missing ids, oversized, trailing data, or a valid payload that is not a post.
	MalformedRate float64
	// Faults are the kinds of malformed payloads, used in turn (default: all of AllFaults).
	Faults []string
	// OversizeBytes is the size an oversized payload is padded to (default DefaultOversizeBytes). It must
	// exceed the consumer's payload limit and stay within what the Kafka producer and broker accept.
	OversizeBytes int
	// EditRate is the share of posts that are edited some minutes later (default 0.01; negative means
	// none). Edits are visible on X (a new tweet id whose edit history starts with the original's), Mastodon
	// (a status.update event), Reddit (an edited time and a new body), YouTube (a later updatedAt) and
	// reviews (a later updated_at); posts of other networks are not edited.
	EditRate float64
	// DeleteRate is the share of posts deleted some minutes to hours later (default 0.005; negative means
	// none): an X compliance delete, a Mastodon delete event, a Reddit "[deleted]" or "[removed]" thing.
	// Posts of other networks are not deleted.
	DeleteRate float64
	// Incidents are windows during which one brand gets a burst of negative posts (default none; see
	// DefaultIncidents).
	Incidents []Incident
	// CampaignRate is the share of records that are posts of copy-paste spam campaigns (default 0.01;
	// negative means none). See Campaign.
	CampaignRate float64
	// Mix is the share of each network (default DefaultMix()). Only the networks of this package (Networks())
	// are used; shares are normalised.
	Mix map[post.Network]float64
}

// Truth is what the generator knows about a record's content; the pipeline has to infer it. It lets tests
// check entity linking, sentiment and language detection against the intended values.
type Truth struct {
	Kind         string // original, reply, quote or repost
	Intent       string // praise, complaint, question, recommendation, purchase_intent, churn_intent, news, ...
	Brand        string // brand the text is about; empty for off-topic posts
	Product      string // product the text is about (full name); empty when none
	Sentiment    int    // -1, 0 or 1, towards Brand
	Lang         string // language the text is written in (also for Reddit, which does not report one)
	Person       int    // population index of the author (the same person across networks); -1 for brand and bot accounts
	BrandAccount bool   // written by a brand's own account
	Incident     string // ID of the incident the post belongs to (a burst post, or a repost or reply of one)
	Campaign     string // ID of the spam campaign the post belongs to; empty for organic posts
	Bot          int    // identity of the campaign bot that wrote a campaign post (from 1; one bot may post on two networks); 0 otherwise
	// Text is, for an edit, the post's body after the edit as its author wrote it (plain text, without the
	// reply mention X and Mastodon put in front); empty for other records.
	Text string
}

// Record is one message of the stream: a new post, an edit of an earlier post (Edit; same PostID, the
// payload's edit time is the EventTime) or a delete notice (Action is post.ActionDelete; the EventTime is the
// deletion).
//
// EventTime never decreases within a network. Across networks it may step back by less than a second,
// because X and Reddit report whole seconds while Mastodon reports milliseconds. A redelivery carries the
// original's EventTime. Every record owns its Key and Value (a redelivery is a separate copy), so callers
// may keep or modify them.
type Record struct {
	Topic     string    // TopicFor(Network): "social.raw.x", "social.raw.youtube", ...
	Key       []byte    // PostID, so redeliveries, edits and deletes land on the post's partition
	Value     []byte    // the raw payload
	EventTime time.Time // the post's created_at (an edit's edit time, a deletion's time), as the payload states it
	Network   post.Network
	PostID    string // canonical post id as the normalizer produces it (Reddit: "t1_<id>" / "t3_<id>"; reviews: "<source>:<id>"; an X edit: the original tweet's id)
	Duplicate bool   // a redelivery of an earlier record
	Malformed bool
	Fault     string      // for a malformed record, what is wrong with it
	Action    post.Action // what the record asks of the post: upsert (a post or an edit) or delete
	Edit      bool        // an edit of an earlier record's post
	Truth     Truth
}

// NetworkStats counts records of one network.
type NetworkStats struct {
	Records      int
	Unique       int // distinct post ids among well-formed records
	Visible      int // distinct posts not deleted: what queries should show
	Duplicates   int
	Malformed    int
	Edits        int // edits (not counting redeliveries)
	Deletes      int // delete notices (not counting redeliveries)
	BrandReplies int // answers of brand support accounts
}

// Stats counts the records generated so far.
type Stats struct {
	Records      int
	Unique       int // distinct (network, PostID) among well-formed records
	Visible      int // distinct posts not deleted: what queries should show
	Duplicates   int
	Malformed    int
	Edits        int
	Deletes      int
	BrandReplies int
	// CampaignPosts counts the posts of spam campaigns (not counting redeliveries); they are also in Unique.
	CampaignPosts int
	ByNetwork     map[post.Network]NetworkStats
}

// networks are the networks of this package, in the order of their index (netIndex).
var networks = [numNets]post.Network{
	post.NetworkX, post.NetworkMastodon, post.NetworkReddit, post.NetworkYouTube, post.NetworkFacebook,
	post.NetworkInstagram, post.NetworkReview,
}

// Indices of networks.
const (
	nX = iota
	nMastodon
	nReddit
	nYouTube
	nFacebook
	nInstagram
	nReview
	numNets
)

// Networks returns the networks the generator writes, in a fixed order.
func Networks() []post.Network { return networks[:] }

// Topics returns the raw topics of every network the generator writes (TopicFor of each of Networks()).
func Topics() []string {
	out := make([]string, 0, numNets)
	for _, n := range networks {
		out = append(out, TopicFor(n))
	}
	return out
}

// Generator produces the stream. Create it with New.
type Generator struct {
	cfg    Config
	rng    rng
	pop    *population
	rhythm *rhythm

	zipf        [numNets]*rand.Zipf
	rankA       [numNets]int
	rankB       [numNets]int
	mix         [numNets]float64 // cumulative shares
	startUnix   float64
	clock       float64 // seconds of event time since Start
	started     bool
	lastX       uint64
	lastM       uint64
	redditT3    uint64
	redditT1    uint64
	hist        [numNets]*history
	brandX      [][2]*account
	brandM      [][2]*account
	brandR      [][2]*account
	bots        []*account
	brandN      [numNets][]*account // brand accounts of the comment networks
	creators    []*account          // YouTube channels that review products
	lastFB      uint64
	lastIG      uint64
	slugs       [][]string
	subIDs      map[string]string
	step        int64
	seq         int64
	dupProb     float64 // chance a fresh record is scheduled for redelivery
	malProb     float64 // chance a new record is malformed
	replayAt    int64   // step of the next batch redelivery
	pend        minHeap[pending]
	sched       minHeap[scheduled]
	ready       bool // the clock holds the time of the next new post, not yet generated
	replyDelays []time.Duration
	incs        []incState
	incMax      float64 // sum of the incidents' peak boosts
	curInc      int     // incident of the next new post, plus one; 0: none
	malformedN  int
	filler      []byte

	campProb  float64 // chance a new post belongs to a spam campaign
	campNets  []float64
	camps     []*campState
	campLog   []Campaign // finished campaigns, the latest maxCampaignLog
	campN     int
	campBots  int
	campPosts int

	stats [numNets]NetworkStats

	w     writer
	d     draft
	tc    textCtx
	j     jw
	cj    jw
	tco   []byte
	users []*account // scratch: users of an X envelope
}

// New returns a generator for cfg, with defaults applied.
func New(cfg Config) *Generator {
	cfg = cfg.withDefaults()
	g := &Generator{cfg: cfg, rng: newRNG(cfg.Seed), rhythm: newRhythm()}
	seed := uint64(cfg.Seed)
	g.pop = newPopulation(mix64(seed^0x5eed), cfg.Authors, cfg.Start)
	g.startUnix = float64(cfg.Start.UnixNano()) / 1e9
	for i := range networks {
		// Each network has its own ordering of the population by activity: the busiest X authors are not
		// necessarily the busiest Redditors.
		g.zipf[i] = rand.NewZipf(g.rng.r, 1.1, 20, uint64(cfg.Authors-1))
		h := newHashStream(seed, uint64(i), 0x72616e6b)
		g.rankA[i] = coprimeNear(cfg.Authors, h.intn(cfg.Authors))
		g.rankB[i] = h.intn(cfg.Authors)
		g.hist[i] = newHistory()
	}
	acc := 0.0
	total := 0.0
	for _, n := range networks {
		total += cfg.Mix[n]
	}
	for i, n := range networks {
		acc += cfg.Mix[n] / total
		g.mix[i] = acc
	}
	g.brandX, g.brandM, g.brandR = brandAccounts()
	g.bots = mastodonBots()
	g.brandN, g.creators = commentAccounts()
	g.lastFB = 1000000000000000 + mix64(seed^0x6662)%100000000000000
	g.lastIG = 17850000000000000 + mix64(seed^0x6967)%10000000000000
	for _, b := range brands {
		var s []string
		for _, p := range b.Products {
			s = append(s, slug(p.Name))
		}
		g.slugs = append(g.slugs, s)
	}
	g.subIDs = map[string]string{}
	for _, s := range subreddits {
		g.subIDs[s.name] = "t5_" + strconv.FormatUint(mix64(seed^uint64(len(s.name))*977)%(36*36*36*36*36)+36*36*36*36, 36)
	}
	for _, b := range brands {
		g.subIDs[b.Subreddit] = "t5_" + strconv.FormatUint(mix64(seed^0xb^uint64(len(b.Subreddit)))%(36*36*36*36*36*36)+36*36*36*36*36, 36)
	}
	// Reddit's ids grow with time; start near where they would be at the simulated date.
	months := cfg.Start.Sub(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 730
	if months < -60 {
		months = -60
	}
	t3, _ := strconv.ParseUint("1hq0000", 36, 64)
	t1, _ := strconv.ParseUint("m500000", 36, 64)
	g.redditT3 = uint64(float64(t3) + months*1.2e6)
	g.redditT1 = uint64(float64(t1) + months*2.4e8)
	d, m := cfg.DuplicateRate, cfg.MalformedRate
	if d > 0 {
		g.dupProb = math.Min(1, d/(1-d-m))
	}
	if m > 0 {
		g.malProb = math.Min(1, m/(1-d))
	}
	g.replayAt = 200
	if r := cfg.CampaignRate; r > 0 {
		g.campNets = campaignNets(cfg.Mix)
		if g.campNets != nil {
			g.campProb = math.Min(1, r/(1-d-m))
		}
	}
	g.incs = resolveIncidents(cfg.Incidents, cfg.Start)
	for _, s := range g.incs {
		g.incMax += s.boost
	}
	return g
}

func (c Config) withDefaults() Config {
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC()
	if c.EventRate <= 0 || math.IsNaN(c.EventRate) || math.IsInf(c.EventRate, 0) {
		c.EventRate = 50
	}
	if c.Authors <= 0 {
		c.Authors = 20000
	}
	if c.Authors < 16 {
		c.Authors = 16
	}
	switch {
	case c.DuplicateRate == 0:
		c.DuplicateRate = 0.02
	case c.DuplicateRate < 0 || math.IsNaN(c.DuplicateRate):
		c.DuplicateRate = 0
	}
	switch {
	case c.EditRate == 0:
		c.EditRate = 0.01
	case c.EditRate < 0 || math.IsNaN(c.EditRate):
		c.EditRate = 0
	}
	switch {
	case c.DeleteRate == 0:
		c.DeleteRate = 0.005
	case c.DeleteRate < 0 || math.IsNaN(c.DeleteRate):
		c.DeleteRate = 0
	}
	switch {
	case c.CampaignRate == 0:
		c.CampaignRate = 0.01
	case c.CampaignRate < 0 || math.IsNaN(c.CampaignRate):
		c.CampaignRate = 0
	case c.CampaignRate > 0.5:
		c.CampaignRate = 0.5
	}
	if c.MalformedRate < 0 || math.IsNaN(c.MalformedRate) {
		c.MalformedRate = 0
	}
	var faults []string
	for _, f := range c.Faults {
		if slices.Contains(AllFaults, f) {
			faults = append(faults, f)
		}
	}
	if len(faults) == 0 {
		faults = slices.Clone(AllFaults)
	}
	c.Faults = faults
	c.Incidents = slices.Clone(c.Incidents)
	if c.OversizeBytes <= 0 {
		c.OversizeBytes = DefaultOversizeBytes
	}
	// Keep at least a tenth of the stream fresh and well formed.
	if s := c.DuplicateRate + c.MalformedRate; s > 0.9 {
		c.DuplicateRate *= 0.9 / s
		c.MalformedRate *= 0.9 / s
	}
	mix := map[post.Network]float64{}
	total := 0.0
	for _, n := range networks {
		if v := c.Mix[n]; v > 0 && !math.IsInf(v, 0) {
			mix[n] = v
			total += v
		}
	}
	if total == 0 {
		mix = DefaultMix()
	}
	c.Mix = mix
	return c
}

// Config returns the effective configuration (defaults applied).
func (g *Generator) Config() Config {
	c := g.cfg
	c.Faults = slices.Clone(g.cfg.Faults)
	c.Incidents = slices.Clone(g.cfg.Incidents)
	c.Mix = map[post.Network]float64{}
	for k, v := range g.cfg.Mix {
		c.Mix[k] = v
	}
	return c
}

// Intensity returns the relative posting rate at t: the stream's rate of new posts at t is
// EventRate*Intensity(t), plus the bursts of incidents and the brands' answers. It averages 1 over a week.
func (g *Generator) Intensity(t time.Time) float64 { return g.rhythm.at(t) }

// Now returns the event time the generator has reached: the time of the latest new post, or of the next one
// while scheduled records (answers, edits, deletes) due before it are being emitted.
func (g *Generator) Now() time.Time { return g.timeAt(g.clock) }

func (g *Generator) timeAt(clock float64) time.Time {
	return g.cfg.Start.Add(time.Duration(clock * 1e9))
}

// Stats returns the counts of records generated so far.
func (g *Generator) Stats() Stats {
	s := Stats{ByNetwork: map[post.Network]NetworkStats{}}
	for i, n := range networks {
		ns := g.stats[i]
		ns.Visible = ns.Unique - ns.Deletes
		if g.cfg.Mix[n] > 0 || ns.Records > 0 {
			s.ByNetwork[n] = ns
		}
		s.Records += ns.Records
		s.Unique += ns.Unique
		s.Visible += ns.Visible
		s.Duplicates += ns.Duplicates
		s.Malformed += ns.Malformed
		s.Edits += ns.Edits
		s.Deletes += ns.Deletes
		s.BrandReplies += ns.BrandReplies
	}
	s.CampaignPosts = g.campPosts
	return s
}

// Next returns the next record of the stream.
func (g *Generator) Next() Record {
	g.step++
	if len(g.pend) > 0 && g.pend[0].due <= g.step {
		p := g.pend.pop()
		rec := p.rec
		rec.Duplicate = true
		st := &g.stats[netIndex(rec.Network)]
		st.Records++
		st.Duplicates++
		return rec
	}
	if g.step >= g.replayAt {
		g.replayAt = g.step + 50 + int64(g.rng.geometric(400))
	}
	if !g.ready {
		g.advance()
		g.ready = true
	}
	if len(g.sched) > 0 && g.sched[0].at <= g.clock {
		s := g.sched.pop()
		rec := g.emit(s)
		g.stats[s.ni].Records++
		g.redeliverLater(rec)
		return rec
	}
	g.ready = false
	if g.campProb > 0 && g.curInc == 0 && g.rng.chance(g.campProb) {
		return g.campaignSlot()
	}
	ni := g.pickNet()
	net := networks[ni]
	malformed := g.malProb > 0 && g.rng.chance(g.malProb)
	rec, hp := g.fresh(net, !malformed)
	st := &g.stats[ni]
	st.Records++
	if malformed {
		g.corrupt(&rec)
		st.Malformed++
		return rec
	}
	st.Unique++
	g.remember(ni, hp)
	if hp != nil {
		g.plan(ni, hp, &g.d)
	}
	g.redeliverLater(rec)
	return rec
}

// redeliverLater decides whether rec is delivered again later, and when.
func (g *Generator) redeliverLater(rec Record) {
	if g.dupProb > 0 && g.rng.chance(g.dupProb) {
		g.seq++
		due := g.replayAt
		if g.rng.chance(0.3) {
			due = g.step + int64(g.rng.between(1, 6)) // a producer retry right away
		}
		cp := rec
		cp.Value = append([]byte(nil), rec.Value...)
		cp.Key = append([]byte(nil), rec.Key...)
		g.pend.push(pending{due: due, seq: g.seq, rec: cp})
	}
}

func (g *Generator) pickNet() int {
	u := g.rng.float()
	for i := range g.mix {
		if u < g.mix[i] {
			return i
		}
	}
	return len(g.mix) - 1
}

// advance moves the event clock to the next post: a Poisson process whose rate follows the rhythm,
// sampled by thinning.
func (g *Generator) advance() {
	if !g.started {
		g.started = true // the first post is at Start
		return
	}
	// Incidents add their bursts on top of the rhythm.
	top := g.rhythm.max * (1 + g.incMax)
	lmax := g.cfg.EventRate * top
	for {
		g.clock += g.rng.exp() / lmax
		b := 0.0
		if len(g.incs) > 0 {
			b = g.incidentBoost(g.clock)
		}
		if g.rng.float()*top < g.rhythm.atUnix(g.startUnix+g.clock)*(1+b) {
			g.curInc = 0
			if b > 0 && g.rng.float()*(1+b) >= 1 {
				g.curInc = g.pickIncident(g.clock, b)
			}
			return
		}
	}
}

// remember puts a new post into the history of its network.
func (g *Generator) remember(ni int, hp *hpost) {
	if hp == nil {
		return
	}
	h := g.hist[ni]
	h.recent.push(hp)
	if hp.vir > 6 || hp.author.followers > 200000 || hp.author.brand >= 0 && hp.truth.Kind == "original" {
		h.hot.push(hp)
	}
	if hp.truth.Kind == "original" && (hp.rkind == 0 || hp.rkind == '3') || hp.rkind == 't' {
		h.roots.push(hp)
	}
}

// nextXID returns a new tweet id: a snowflake of the post's millisecond with random machine bits, kept
// strictly increasing so that ids never repeat.
func (g *Generator) nextXID(t time.Time) string {
	ms := uint64(t.UnixMilli() - 1288834974657)
	id := ms<<22 | g.rng.u64()&(1<<22-1)
	if id <= g.lastX {
		id = g.lastX + 1 + g.rng.u64()%4096
	}
	g.lastX = id
	return strconv.FormatUint(id, 10)
}

// nextMastodonID returns a new status id (millisecond << 16 | sequence), strictly increasing.
func (g *Generator) nextMastodonID(t time.Time) string {
	id := uint64(t.UnixMilli())<<16 | g.rng.u64()&0x3ff
	if id <= g.lastM {
		id = g.lastM + 1 + g.rng.u64()%64
	}
	g.lastM = id
	return strconv.FormatUint(id, 10)
}

func (g *Generator) nextRedditID(kind byte) string {
	if kind == '3' {
		g.redditT3 += 1 + g.rng.u64()%40
		return strconv.FormatUint(g.redditT3, 36)
	}
	g.redditT1 += 1 + g.rng.u64()%300
	return strconv.FormatUint(g.redditT1, 36)
}

// personAccount draws an author of network ni by activity (Zipf over the population).
func (g *Generator) personAccount(ni int) (*person, *account) {
	rank := int(g.zipf[ni].Uint64())
	idx := (rank*g.rankA[ni] + g.rankB[ni]) % g.cfg.Authors
	pe := g.pop.person(idx)
	return pe, g.pop.account(pe, networks[ni])
}
