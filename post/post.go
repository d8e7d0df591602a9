// Package post defines the canonical social post: the one shape every network's payload is normalized into
// before any processor stage sees it.
//
// The canonical post is versioned by SchemaVersion. A change that alters the meaning of an existing field, or
// removes one, bumps the version; adding a field does not. Every row written to ClickHouse carries the version
// it was produced under.
package post

import (
	"time"

	"github.com/cespare/xxhash/v2"
)

// SchemaVersion is the version of the canonical post layout produced by this build.
const SchemaVersion = 1

// Network names a social network or source. Values are lower-case and stable: they are stored in
// ClickHouse and form part of every post's identity.
type Network string

// Networks normalized by this build.
const (
	NetworkX        Network = "x"
	NetworkMastodon Network = "mastodon"
	NetworkReddit   Network = "reddit"
	NetworkYouTube  Network = "youtube"
	// Facebook and Instagram comments from Meta's Graph APIs.
	NetworkFacebook  Network = "facebook"
	NetworkInstagram Network = "instagram"
	// Reviews with a star rating from review sites, whichever site they come from (the site is part of the
	// post id).
	NetworkReview Network = "review"
)

// Action says what a record asks of the post it names.
type Action uint8

// Actions.
const (
	// ActionUpsert carries the post's current content: a new post, a redelivery or an edit (an edit has
	// EditedAt set and replaces older versions).
	ActionUpsert Action = iota
	// ActionDelete is a compliance notice: the post was deleted at its source and must disappear from
	// analytics. Only Network, ID, Author.ID (when known), IngestedAt, EditedAt (the time of deletion,
	// when known) and Source are meaningful.
	ActionDelete
)

func (a Action) String() string {
	if a == ActionDelete {
		return "delete"
	}
	return "upsert"
}

// Author is the identity of a post's author as the network reports it at the time of the post. Profile
// fields are kept because matching authors to CRM customers needs them.
type Author struct {
	ID          string    // network user id (stable across handle changes)
	Handle      string    // @handle / username / acct, without the leading @
	DisplayName string    // free-form display name
	Bio         string    // profile description, as plain text
	Location    string    // free-form profile location
	ProfileURL  string    // URL of the profile or the link the author put in it
	Followers   int64     // follower count at post time; -1 when the network does not say
	Following   int64     // following count at post time; -1 when the network does not say
	Verified    bool      // network-verified or otherwise marked account
	Bot         bool      // self-declared automated account (Mastodon "bot")
	Brand       bool      // one of the brand's own accounts (configured handles per network)
	CreatedAt   time.Time // account creation; zero when unknown
}

// Engagement holds the public counters of a post at ingest time. Zero means zero or not reported.
type Engagement struct {
	Likes   int64
	Reposts int64
	Replies int64
	Quotes  int64
	Views   int64
}

// Refs links a post to the posts it answers, quotes or reposts. Ids are network post ids on the same
// network; empty means none.
type Refs struct {
	ReplyToID       string // the post this one replies to
	ReplyToAuthorID string // author of that post, when the network says
	QuoteOfID       string // the post this one quotes
	RepostOfID      string // the post this one reposts (retweet, reblog, cross-post)
	ConversationID  string // thread / conversation root, when the network says
}

// Source is where the raw payload was read from.
type Source struct {
	Topic     string
	Partition int32
	Offset    int64
}

// Post is the canonical post.
type Post struct {
	SchemaVersion int
	Action        Action
	Network       Network
	ID            string // network post id
	Author        Author
	Text          string // plain text (HTML removed); for a repost, the reposted text
	Title         string // title, for networks whose posts have one (Reddit submissions)
	Lang          string // BCP-47 language tag as reported by the network; empty when unknown
	CreatedAt     time.Time
	EditedAt      time.Time // latest edit (or, for a delete notice, the deletion); zero when never edited
	IngestedAt    time.Time
	Refs          Refs
	Engagement    Engagement
	URL           string // canonical web URL of the post
	Rating        int8   // star rating 1–5 of a review; 0 when the post is not a rating

	// Text features, filled by the text feature stage; nil until then.
	Hashtags []string // lower-case, without '#'
	Mentions []string // lower-case handles, without '@'
	Cashtags []string // upper-case tickers, without '$'
	Emoji    []string // emoji as written (with modifiers and joiners), in order of first appearance, each once
	URLs     []string

	// Sentiment of the whole post, filled by the sentiment stage for languages it supports; nil when the
	// post is not scored (its language is unsupported or unknown), which is never the same as neutral.
	Sentiment *Sentiment

	// Enrichment filled by the identity and scoring stages; zero until then.
	Entities  []Entity  // brands and products the post mentions, in order of first mention
	Signals   []Signal  // loyalty signals found in the text or rating
	Dup       Dup       // what the post duplicates, if anything
	Influence float32   // the author's influence score 0–100 when the post was processed; 0 when unknown
	PII       PIIHashes // keyed hashes of e-mail addresses and phone numbers found in the author's profile

	Source Source
}

// EntityKind tells a brand from a product.
type EntityKind string

// Entity kinds.
const (
	EntityBrand   EntityKind = "brand"
	EntityProduct EntityKind = "product"
)

// Entity is one brand or product of the catalogue mentioned by a post, with where it was found and the
// sentiment aimed at it.
// An entity inherited from the post this one replies to, quotes or reposts has Start = End = -1 and Matched "".
type Entity struct {
	ID         string     // catalogue id: the brand id, or brand/product for a product
	Brand      string     // catalogue id of the brand (the entity itself for a brand)
	Kind       EntityKind // brand or product
	Competitor bool       // the brand is a competitor of the brands the deployment watches
	Matched    string     // the text that matched, as written
	Start, End int        // byte offsets of the first mention in Text; -1, -1 when found outside Text (title, tag)

	// Sentiment aimed at this entity, filled by the sentiment stage when the post is scored.
	Scored    bool
	Sentiment float64 // compound score in [-1, 1]
	Label     int8    // -1 negative, 0 neutral, 1 positive
}

// SignalKind names a loyalty signal.
type SignalKind string

// Loyalty signals.
const (
	SignalRecommend SignalKind = "recommend" // recommends the brand or product to others
	SignalPraise    SignalKind = "praise"    // praises it
	SignalPurchase  SignalKind = "purchase"  // intends to buy, or just bought
	SignalComplaint SignalKind = "complaint" // complains about it
	SignalQuestion  SignalKind = "question"  // asks about it
	SignalChurn     SignalKind = "churn"     // intends to switch away or cancel
)

// Signal is one loyalty signal with the phrase that triggered it.
type Signal struct {
	Kind   SignalKind
	Phrase string // the words that triggered it, as written ("★★★★★" style for a rating: "rating:5")
	Entity string // catalogue id of the entity it is about; empty when the post as a whole
}

// DupLevel says what kind of duplicate a post is.
type DupLevel uint8

// Duplicate levels. A redelivery of the same network post never reaches the sinks, so it has no level here.
const (
	DupNone         DupLevel = 0
	DupRepost       DupLevel = 2 // a structural repost (retweet, reblog, cross-post): amplification, not an opinion
	DupNearText     DupLevel = 3 // near-identical text by another author (copy-paste, template, campaign)
	DupCrossNetwork DupLevel = 4 // the same author posted the same text on another network first
)

// Dup is the duplicate status of a post.
type Dup struct {
	Level   DupLevel
	Of      uint64 // UID of the post this one duplicates (the first seen); 0 when unknown or none
	Cluster uint64 // near-duplicate cluster id (stable: the UID of the cluster's first post); 0 when none
	Spam    bool   // the cluster looks like a coordinated campaign (many authors, new accounts, bursts)
}

// PIIHashes are keyed hashes (HMAC-SHA-256, hex) of personal data found in a post's author profile. The
// clear values are never stored.
type PIIHashes struct {
	Emails []string
	Phones []string
}

// Sentiment is a post's scored sentiment.
type Sentiment struct {
	Score   float64  // compound score in [-1, 1]
	Label   int8     // -1 negative, 0 neutral, 1 positive
	Model   string   // model version that produced it
	Drivers []string // the words and emoji that drove the score, strongest first
}

// UID returns the post's deterministic identity: a 64-bit hash of network and network post id. The same
// network post always gets the same UID, whichever process or replay produced it.
func (p *Post) UID() uint64 { return UID(p.Network, p.ID) }

// UID returns the deterministic identity of the post id on network.
func UID(network Network, id string) uint64 {
	d := xxhash.New()
	_, _ = d.WriteString(string(network))
	_, _ = d.Write([]byte{0})
	_, _ = d.WriteString(id)
	return d.Sum64()
}

// Version orders the versions of one post: the later edit wins, and a replay of the same version is
// equal. It is the content time in milliseconds (the edit time when edited, else the creation time).
func (p *Post) Version() uint64 {
	t := p.CreatedAt
	if p.EditedAt.After(t) {
		t = p.EditedAt
	}
	if ms := t.UnixMilli(); ms > 0 {
		return uint64(ms)
	}
	return 0
}

// Kind tells what a post is relative to others: an original, a reply, a quote or a repost.
func (p *Post) Kind() string {
	switch {
	case p.Refs.RepostOfID != "":
		return "repost"
	case p.Refs.QuoteOfID != "":
		return "quote"
	case p.Refs.ReplyToID != "":
		return "reply"
	default:
		return "original"
	}
}
