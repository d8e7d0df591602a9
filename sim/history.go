package sim

import "time"

// postKind is what a post is relative to others.
type postKind uint8

const (
	kOriginal postKind = iota
	kReply
	kQuote
	kRepost
)

var kindNames = [...]string{"original", "reply", "quote", "repost"}

// hpost is a post kept in the recent history, so that later posts can reply to it, quote it or repost it.
type hpost struct {
	id      string // network post id (Reddit: base-36 id without the kind prefix)
	full    string // canonical post id (Reddit: t1_/t3_ fullname)
	rkind   byte   // Reddit: '1' comment, '3' submission; comment networks: 't' top-level, 'r' reply
	author  *account
	created time.Time
	lang    string
	brand   int8
	product int8
	in      intent
	sent    int8
	vir     float64 // virality: scales the engagement the post eventually gets
	conv    string  // X: conversation id. Reddit: id of the submission the thread hangs off
	text    string  // X: the tweet text, unescaped. Reddit: submission title
	core    []byte  // the post's JSON object without its counters (X tweet, Mastodon status, Reddit t3 data)
	url     string  // Mastodon status URL; Reddit permalink
	sub     string  // Reddit subreddit
	subID   string
	depth   int // Reddit comment depth

	obj      string   // comment networks: the video, Page post or media item commented on
	objOwner *account // its owner
	rating   int8     // review: stars

	linkAuthor string // Reddit: author of the submission
	linkURL    string // Reddit: url of the submission

	replies int64 // replies generated so far
	reposts int64 // reposts and quotes generated so far

	truth Truth
}

// ring keeps the most recent posts; older ones are overwritten, which bounds memory.
type ring struct {
	buf  []*hpost
	next int
	n    int
}

func newRing(size int) *ring { return &ring{buf: make([]*hpost, size)} }

func (r *ring) push(p *hpost) {
	r.buf[r.next] = p
	r.next = (r.next + 1) % len(r.buf)
	if r.n < len(r.buf) {
		r.n++
	}
}

// back returns the k-th most recent post (0 is the newest); k must be < r.n.
func (r *ring) back(k int) *hpost {
	i := r.next - 1 - k
	for i < 0 {
		i += len(r.buf)
	}
	return r.buf[i]
}

// history is one network's memory of recent posts.
type history struct {
	recent *ring // every post that can be replied to
	hot    *ring // posts with unusual reach, which attract replies and repost cascades
	roots  *ring // X originals, Reddit submissions, top-level comments
}

const (
	recentSize = 2048
	hotSize    = 96
	rootsSize  = 512
)

func newHistory() *history {
	return &history{recent: newRing(recentSize), hot: newRing(hotSize), roots: newRing(rootsSize)}
}

// pending is a redelivery waiting for its turn.
type pending struct {
	due int64 // step at which it is delivered
	seq int64 // tie-break: earlier records first
	rec Record
}

// before orders pending records by (due, seq), for minHeap.
func (p pending) before(o pending) bool {
	if p.due != o.due {
		return p.due < o.due
	}
	return p.seq < o.seq
}
