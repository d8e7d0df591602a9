package dedup

import (
	"slices"

	"github.com/rapport-dev/rapport/post"
)

// maxMembers is how many of a cluster's latest posts are kept to judge bursts and spam.
const maxMembers = 64

// noCluster, as matchText's restore argument, restores a stored post that belonged to no cluster.
const noCluster = ^uint64(0)

// cluster is a group of near-identical texts by different authors, named by its first post.
type cluster struct {
	firstAt int64
	lastAt  int64
	members []member // the latest maxMembers, oldest first
}

type member struct {
	at      int64
	account uint64
	susp    account2
}

// probeState is the scratch of one text match.
type probeState struct {
	sig             signature
	near, cross     *entry
	weakCross       *entry // the same author on another network, below the cross-post thresholds
	short           bool
	key             uint64
	uid, account    uint64
	person          uint64
	at              int64
	net             post.Network
	threshold       float64
	crossWindow     int64
	crossThreshold  float64
	crossExactWords int
	words           int
}

// visit considers one candidate entry of the probe.
func (ps *probeState) visit(e *entry) {
	if e.uid == ps.uid || e.account == ps.account || !e.before(ps.at, ps.uid) {
		return
	}
	sim := 1.0
	if ps.short {
		if !e.short || e.key != ps.key {
			return
		}
	} else if e.short {
		return
	} else if sim = similarity(&e.sig, &ps.sig); sim < ps.threshold {
		return
	}
	if ps.person != 0 && e.person == ps.person {
		// The same author (on another network, or another account with the same handle): a cross-post
		// when close enough, never a copy by someone else.
		if e.net == ps.net {
			return
		}
		if ps.short || sim < ps.crossThreshold || ps.at-e.at > ps.crossWindow || ps.words < ps.crossExactWords && e.key != ps.key {
			// Not close enough on its own; it still counts when the text is a corroborated copy.
			if ps.weakCross == nil || e.before(ps.weakCross.at, ps.weakCross.uid) {
				ps.weakCross = e
			}
			return
		}
		if ps.cross == nil || e.before(ps.cross.at, ps.cross.uid) {
			ps.cross = e
		}
		return
	}
	if ps.near == nil || e.before(ps.near.at, ps.near.uid) {
		ps.near = e
	}
}

// matchText finds what p's text duplicates, sets p.Dup, and remembers the text. restore, when not zero, is
// the cluster a stored post was saved with (noCluster for none): the post rejoins that cluster rather than
// the one its match suggests now, so a warm start keeps the stored cluster ids.
func (s *Stage) matchText(p *post.Post, uid uint64, at int64, restore uint64) {
	if p.Author.Brand {
		return
	}
	text := p.Text
	if text == "" {
		text = p.Title
	}
	s.tokens = tokenize(s.tokens[:0], text)
	if len(s.tokens) < s.cfg.MinWords {
		return
	}
	ps := &s.probe
	*ps = probeState{
		short: len(s.tokens) < s.cfg.ShortWords, uid: uid, at: at, net: p.Network,
		account: accountOf(p), person: authorKey(p.Author.Handle), threshold: s.cfg.Threshold,
		crossWindow: s.cfg.CrossWindow.Milliseconds(), crossThreshold: s.cfg.CrossThreshold,
		crossExactWords: s.cfg.CrossExactWords, words: len(s.tokens), key: exactKey(s.tokens),
	}
	if !ps.short {
		sign(s.tokens, &ps.sig)
	}
	s.idx.probe(ps.short, ps.key, &ps.sig, s.cfg.MaxCandidates, ps.visit)

	susp := profile(p, s.cfg)
	var id uint64 // the cluster p joins
	var c *cluster
	if near := ps.near; near != nil {
		id = near.cluster
		if id == 0 {
			id = near.uid
		}
		c = s.clusters[id]
		if c == nil {
			c = &cluster{firstAt: near.at, lastAt: near.at}
			c.add(member{near.at, near.account, near.susp})
			near.cluster = id
			s.clusters[id] = c
		}
	}
	copied := c != nil && c.authors(at, s.cfg.ClusterWindow.Milliseconds(), ps.account) >= s.cfg.ClusterAuthors &&
		(len(s.tokens) >= s.cfg.LongWords || c.disposable(at, s.cfg.ClusterWindow.Milliseconds(), susp))
	switch {
	case ps.cross != nil:
		p.Dup = post.Dup{Level: post.DupCrossNetwork, Of: ps.cross.uid, Cluster: ps.cross.cluster}
		if c != nil {
			p.Dup.Cluster = id
		}
	case copied && ps.weakCross != nil:
		// A copy in a campaign whose author already posted it on another network: the author's own
		// cross-post first.
		p.Dup = post.Dup{Level: post.DupCrossNetwork, Of: ps.weakCross.uid, Cluster: id}
	case copied:
		p.Dup = post.Dup{Level: post.DupNearText, Of: id, Cluster: id}
	}
	if p.Dup.Cluster != 0 {
		if sc := s.clusters[p.Dup.Cluster]; sc != nil {
			p.Dup.Spam = sc.spam(at, s.cfg, ps.account, susp)
		}
	}
	if restore != 0 {
		id = 0
		if restore != noCluster {
			id = restore
		}
		if c = s.clusters[id]; c == nil && id != 0 {
			c = &cluster{firstAt: at, lastAt: at}
			s.clusters[id] = c
		}
	}
	if c != nil {
		c.add(member{at, ps.account, susp})
	}
	_, evicted := s.idx.add(entry{
		uid: uid, at: at, account: ps.account, person: ps.person, cluster: id, net: p.Network,
		short: ps.short, key: ps.key, sig: ps.sig, susp: susp,
	})
	if evicted {
		s.evicted.Inc()
	}
}

// accountOf identifies p's author account: network and author id (the handle when the id is missing).
func accountOf(p *post.Post) uint64 {
	h := uint64(fnvOffset)
	for _, s := range [...]string{string(p.Network), "\x00", p.Author.ID} {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * fnvPrime
		}
	}
	if p.Author.ID == "" {
		h ^= authorKey(p.Author.Handle)
	}
	return mix(h)
}

// profile tells what p's author profile says about the account: whether it says anything (account age or
// follower count) and whether what it says looks disposable (new and with few followers, as far as known).
// A declared bot (Mastodon's flag) is an honest automated account, not a disposable one.
func profile(p *post.Post, cfg Config) account2 {
	ageKnown := !p.Author.CreatedAt.IsZero()
	// Networks that do not report followers give -1; 0 is a real count only where the network reports it.
	folKnown := p.Author.Followers > 0 || p.Author.Followers == 0 && (p.Network == post.NetworkX || p.Network == post.NetworkMastodon)
	if !ageKnown && !folKnown {
		return 0
	}
	young := !ageKnown || p.CreatedAt.Sub(p.Author.CreatedAt) < cfg.NewAccount
	few := !folKnown || p.Author.Followers < cfg.FewFollowers
	if young && few {
		return profileKnown | disposable
	}
	return profileKnown
}

// add records a member, keeping the latest maxMembers in time order.
func (c *cluster) add(m member) {
	if m.at > c.lastAt {
		c.lastAt = m.at
	}
	i, _ := slices.BinarySearchFunc(c.members, m.at, func(x member, at int64) int {
		switch {
		case x.at < at:
			return -1
		case x.at > at:
			return 1
		}
		return 0
	})
	c.members = slices.Insert(c.members, i, m)
	if len(c.members) > maxMembers {
		c.members = slices.Delete(c.members, 0, len(c.members)-maxMembers)
	}
}

// authors counts the distinct accounts among the members created in (at-window, at], plus account.
func (c *cluster) authors(at, window int64, account uint64) int {
	var seen [maxMembers + 1]uint64
	n := 0
	add := func(a uint64) {
		for _, x := range seen[:n] {
			if x == a {
				return
			}
		}
		seen[n] = a
		n++
	}
	add(account)
	for _, m := range c.members {
		if m.at > at-window && m.at <= at && n < len(seen) {
			add(m.account)
		}
	}
	return n
}

// spam reports whether the cluster, as of at, looks like a coordinated campaign: at least SpamAuthors
// distinct accounts within SpamWindow, and disposable accounts (below).
func (c *cluster) spam(at int64, cfg Config, account uint64, susp account2) bool {
	window := cfg.SpamWindow.Milliseconds()
	return c.authors(at, window, account) >= cfg.SpamAuthors && c.disposable(at, window, susp)
}

// disposable reports whether, among the posts of the cluster created in (at-window, at] and the post
// being judged (susp), at least two profiles and more than half of those that say anything look
// disposable.
func (c *cluster) disposable(at, window int64, susp account2) bool {
	known, bad := 0, 0
	count := func(a account2) {
		if a&profileKnown != 0 {
			known++
			if a&disposable != 0 {
				bad++
			}
		}
	}
	count(susp)
	for _, m := range c.members {
		if m.at > at-window && m.at <= at {
			count(m.susp)
		}
	}
	return bad >= 2 && 2*bad > known
}
