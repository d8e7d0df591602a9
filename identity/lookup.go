package identity

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/post"
)

// Author is what the directory needs to know about a social author.
type Author struct {
	Network     string
	Handle      string
	DisplayName string
	Location    string
	ProfileURL  string
	EmailHMACs  []string // post.PII.Emails
	PhoneHMACs  []string // post.PII.Phones
}

// AuthorOf returns the matching view of a post's author.
func AuthorOf(p *post.Post) Author {
	return Author{
		Network: string(p.Network), Handle: p.Author.Handle, DisplayName: p.Author.DisplayName,
		Location: p.Author.Location, ProfileURL: p.Author.ProfileURL,
		EmailHMACs: p.PII.Emails, PhoneHMACs: p.PII.Phones,
	}
}

// candidate is one customer under consideration during a lookup.
type candidate struct {
	idx       int32
	rule      string // deterministic rule that matched, "" when none
	ruleCount int    // customers matched by the same kind of rule
	otherNet  bool   // confirmed the author's handle on another network
	localFull bool   // shares the author's letters-and-digits local-part key
	localLet  bool   // shares the letters-only key
	weight    float64
	evidence  []string
}

// Lookup returns the customers proposed for author, most probable first: deterministic links, then
// probabilistic ones at or above the review threshold. Customers without consent are never returned.
func (d *Directory) Lookup(a Author) []CustomerMatch {
	if len(d.entries) == 0 {
		return nil
	}
	cands := make([]candidate, 0, 16)
	find := func(idx int32) *candidate {
		for i := range cands {
			if cands[i].idx == idx {
				return &cands[i]
			}
		}
		cands = append(cands, candidate{idx: idx})
		return &cands[len(cands)-1]
	}
	var one [1]int32
	rule := func(k uint64, name string) {
		p := d.postings(k, &one)
		for _, idx := range p {
			c := find(idx)
			if c.rule == "" {
				c.rule, c.ruleCount = name, len(p)
			}
		}
	}
	// Confirmed handles: one lookup by the user part, then the network (and a Mastodon instance) checked
	// on each customer found. The same handle on another network is evidence, not a rule (see score).
	if a.Handle != "" {
		if p := d.postings(hashKey(keyAnyNet, strings.ToLower(pii.HandleLocal(a.Handle))), &one); len(p) > 0 && len(p) <= d.opts.MaxBlock {
			want := [2]string{}
			if a.Network != "" {
				want[0] = HandleKey(a.Network, a.Handle) + "\n"
				// A Mastodon acct is relative to the instance the post was read from: a local user has no
				// "@instance", which the profile URL gives.
				if a.Network == string(post.NetworkMastodon) && !strings.Contains(strings.TrimPrefix(a.Handle, "@"), "@") {
					if host := websiteHost(NormalizeURL(a.ProfileURL)); host != "" {
						want[1] = HandleKey(a.Network, strings.TrimPrefix(a.Handle, "@")+"@"+host) + "\n"
					}
				}
			}
			confirmed := 0
			p = slices.Clone(p)
			for _, idx := range p {
				if d.confirms(idx, want) {
					confirmed++
				}
			}
			for _, idx := range p {
				c := find(idx)
				if d.confirms(idx, want) {
					if c.rule == "" {
						c.rule, c.ruleCount = "handle confirmed", confirmed
					}
				} else {
					c.otherNet = true
				}
			}
		}
	}
	for _, v := range a.EmailHMACs {
		rule(hashKey(keyEmail, v), "email match")
	}
	for _, v := range a.PhoneHMACs {
		rule(hashKey(keyPhone, v), "phone match")
	}

	// Blocking on the name keys and local-part hashes.
	var extra float64 // expected likelihood ratio mass of groups too large to score
	display := NormalizeText(a.DisplayName)
	handleFull, handleLetters := pii.NameKeys(pii.HandleLocal(a.Handle))
	// Customers are indexed under both orders of their name, so the author's own order finds both.
	var keyBuf [2]string
	nameKeys := keyBuf[:0]
	if c, _ := nameConcat(display); c != "" {
		nameKeys = append(nameKeys, c)
	}
	if handleLetters != "" && !slices.Contains(nameKeys, handleLetters) {
		nameKeys = append(nameKeys, handleLetters)
	}
	nameFreq := 0
	for i, k := range nameKeys {
		p := d.postings(hashKey(keyName, k), &one)
		if i == 0 && k != handleLetters {
			nameFreq = max(nameFreq, len(p))
		}
		if len(p) > d.opts.MaxBlock {
			// Every member would agree exactly on the name: m/u = mNameExact·N/len(p) each.
			extra += float64(len(p)) * mNameExact * float64(len(d.entries)) / float64(len(p))
			continue
		}
		for _, idx := range p {
			find(idx)
		}
	}
	var localFull, localLetters []int32
	var oneF, oneL [1]int32
	if a.Handle != "" && (handleFull != "" || handleLetters != "") {
		var fbuf, lbuf [64]byte
		hf, hl := d.hasher.AppendHandleKeys(fbuf[:0], lbuf[:0], a.Handle)
		if len(hf) > 0 {
			localFull = d.postings(hashKeyBytes(keyLocal, hf), &oneF)
		}
		if len(hl) > 0 && string(hl) != string(hf) {
			localLetters = d.postings(hashKeyBytes(keyLocal, hl), &oneL)
		}
		for _, set := range [2][]int32{localFull, localLetters} {
			if len(set) > d.opts.MaxBlock {
				extra += float64(len(set)) * mLocalFull * float64(len(d.entries)) / float64(len(set))
				continue
			}
			for _, idx := range set {
				find(idx)
			}
		}
	}
	if len(cands) == 0 {
		return nil
	}

	pr := probe{
		display: display, handleLetters: handleLetters, hasHandle: handleFull != "" || handleLetters != "",
		loc: " " + NormalizeText(a.Location) + " ", site: NormalizeURL(a.ProfileURL),
		nFull: len(localFull), nLetters: len(localLetters), nameFreq: nameFreq,
	}
	if handleLetters != "" && isASCII(handleLetters) {
		pr.handleBytes = []byte(handleLetters)
	}
	pr.handleDigits = len(handleFull) - len(handleLetters)
	var sum float64
	for i := range cands {
		c := &cands[i]
		c.localFull = slices.Contains(localFull, c.idx)
		c.localLet = slices.Contains(localLetters, c.idx)
		d.score(c, &pr, false)
		sum += math.Exp2(c.weight)
	}
	denom := 1 + d.prior*(sum+extra)

	var out []CustomerMatch
	for i := range cands {
		c := &cands[i]
		e := d.view(c.idx)
		if !e.consent {
			continue
		}
		p := d.prior * math.Exp2(c.weight) / denom
		if math.IsNaN(p) || math.IsInf(c.weight, 1) {
			p = 1
		}
		m := CustomerMatch{CustomerID: e.id, Probability: p, Weight: c.weight}
		if c.rule == "" && p < d.opts.ReviewThreshold {
			continue
		}
		// Scored again, now writing down the evidence, for the few candidates proposed.
		d.score(c, &pr, true)
		switch {
		case c.rule != "" && c.ruleCount == 1:
			m.Probability, m.Status = 1, StatusAuto
			m.Evidence = append([]string{c.rule}, c.evidence...)
		case c.rule != "":
			m.Status = StatusReview
			m.Evidence = append([]string{c.rule + " (shared by several customers)"}, c.evidence...)
		case p >= d.opts.LinkThreshold:
			m.Status, m.Evidence = StatusAuto, c.evidence
		case p >= d.opts.ReviewThreshold:
			m.Status, m.Evidence = StatusReview, c.evidence
		default:
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(x, y CustomerMatch) int {
		if x.Probability != y.Probability {
			if x.Probability > y.Probability {
				return -1
			}
			return 1
		}
		return strings.Compare(x.CustomerID, y.CustomerID)
	})
	return out
}

// m: the probability of each level among true matches. These are properties of how people fill in social
// profiles and CRM forms, not of one data set; u comes from the directory (see Directory).
const (
	mNameExact    = 0.70
	mNameJW94     = 0.08
	mNameJW88     = 0.05
	mNameFirst    = 0.07
	mNameDisagree = 0.10

	mLocalFull     = 0.25
	mLocalLetters  = 0.10
	mLocalDisagree = 0.65
	mLocalDigits   = 0.5 // a person reusing a username with a number keeps the number
	mOtherNet      = 0.3 // a person uses the handle confirmed on one network on another

	mLocCity     = 0.40
	mLocRegion   = 0.15
	mLocDisagree = 0.45
	uLocDisagree = 0.95

	mSite         = 0.60
	mSiteDisagree = 0.40
	uSiteDisagree = 0.99
)

// displayNameLevels grades display names against customer names.
var displayNameLevels = JaroWinklerLevels{Thresholds: []float64{0.94, 0.88}}

func bits(m, u float64) float64 { return math.Log2(m / min(max(u, 1e-12), 1)) }

// probe holds what a lookup derived from the author once, for scoring every candidate.
type probe struct {
	display       string // NormalizeText(display name)
	handleLetters string // the handle read as a name (letters only)
	handleBytes   []byte // handleLetters when ASCII, else nil
	hasHandle     bool
	loc           string // " " + NormalizeText(location) + " "
	site          string // NormalizeURL(profile URL)
	nFull         int    // customers sharing the handle's letters-and-digits local-part key
	nLetters      int    // customers sharing its letters-only key
	handleDigits  int    // digits in the handle
	nameFreq      int    // customers bearing the author's display name (its largest name group)
}

func (d *Directory) score(c *candidate, p *probe, explain bool) {
	display, handleLetters, handleBytes, hasHandle := p.display, p.handleLetters, p.handleBytes, p.hasHandle
	loc, site, nFull, nLetters := p.loc, p.site, p.nFull, p.nLetters
	note := func(s string, w float64) {
		if explain {
			c.evidence = append(c.evidence, s+" "+fmtBits(w))
		}
	}
	e := d.view(c.idx)
	n := float64(len(d.entries))
	var weight float64
	// Name.
	if e.name != "" && (display != "" || handleLetters != "") {
		first, last, okName := nameParts(e.name)
		level, best := 0, 0.0
		if display != "" {
			level = displayNameLevels.Compare(display, e.name)
			best = JaroWinkler(display, e.name)
		}
		if okName && handleLetters != "" {
			if eqConcat(handleLetters, first, last) || eqConcat(handleLetters, last, first) {
				level = 3
			} else {
				var buf [64]byte
				cb := append(append(buf[:0], first...), last...)
				var s float64
				if handleBytes != nil && isASCII(e.name) {
					s = jaroWinkler(handleBytes, cb)
				} else {
					s = JaroWinkler(handleLetters, string(cb))
				}
				if s > best {
					best = s
					if s >= 0.94 && level < 2 {
						level = 2
					} else if s >= 0.88 && level < 1 {
						level = 1
					}
				}
			}
		}
		if level < 3 && okName && display != "" && eqConcat(strings.ReplaceAll(display, " ", ""), first, last) {
			level = 3
		}
		if !okName {
			first = e.name
		}
		uName := e.uName // see frequencies
		switch {
		case level == 3:
			w := bits(mNameExact, uName)
			weight += w
			note("name exact", w)
		case level == 2:
			// A near miss is as likely by chance as a namesake of either spelling.
			uNear := max(uName, float64(p.nameFreq)/n)
			w := bits(mNameJW94, 4*uNear+1e-4)
			weight += w
			note("name jaro-winkler "+fmtSim(best, explain), w)
		case level == 1:
			uNear := max(uName, float64(p.nameFreq)/n)
			w := bits(mNameJW88, 20*uNear+2e-3)
			weight += w
			note("name jaro-winkler "+fmtSim(best, explain), w)
		case display != "" && !strings.Contains(display, " ") && display == first:
			w := bits(mNameFirst, e.uFirst)
			weight += w
			note("first name only", w)
		case display != "":
			// Only a display name that disagrees counts against: a handle that does not read as a name
			// ("SaltyBadger") says nothing.
			w := bits(mNameDisagree, 0.97)
			weight += w
			note("name differs", w)
		}
	}
	// E-mail local part against the handle. A handle made from the customer's name ("janedoe",
	// "jdoe", "itsjaned", "janedoe84") says little its name does not already say: its letters agreeing
	// with the local part are not counted again, only its digits are (a number picked twice by chance
	// is unlikely: 10^-digits, at most 1 in 10^4). Any other shared local part is evidence of its own.
	if e.hasLocal && hasHandle {
		derived := handleLetters != "" && (nameDerived(handleLetters, e.name) || nameDerived(handleLetters, display))
		switch {
		case derived && c.localFull && p.handleDigits > 0:
			w := bits(mLocalDigits, math.Max(math.Pow(10, -float64(p.handleDigits)), 1e-4))
			weight += w
			note("handle digits match email local part", w)
		case derived && (c.localFull || c.localLet):
		case c.localFull:
			w := bits(mLocalFull, float64(nFull)/n)
			weight += w
			note("handle matches email local part", w)
		case c.localLet:
			w := bits(mLocalLetters, float64(nLetters)/n)
			weight += w
			note("handle matches email local part letters", w)
		default:
			w := bits(mLocalDisagree, 1)
			weight += w
			note("handle differs from email local part", w)
		}
	}
	// The author's handle, confirmed by the customer on another network: people keep one username
	// across networks, but a handle made of a name alone is held by namesakes too (only its digits count).
	if c.otherNet && c.rule == "" {
		derived := handleLetters != "" && (nameDerived(handleLetters, e.name) || nameDerived(handleLetters, display))
		switch {
		case !derived:
			w := bits(mOtherNet, 1/n)
			weight += w
			note("handle confirmed on another network", w)
		case p.handleDigits > 0:
			w := bits(mOtherNet, math.Max(math.Pow(10, -float64(p.handleDigits)), 1e-4))
			weight += w
			note("handle confirmed on another network", w)
		}
	}
	// Location.
	if len(loc) > 2 && (e.city != "" || e.region != "" || e.country != "") {
		switch {
		case e.city != "" && containsWord(loc, e.city):
			w := bits(mLocCity, e.uCity)
			weight += w
			note("location city", w)
		case e.region != "" && containsWord(loc, e.region):
			w := bits(mLocRegion, e.uRegion)
			weight += w
			note("location region", w)
		case e.country != "" && containsWord(loc, e.country):
			w := bits(mLocRegion, e.uCountry)
			weight += w
			note("location country", w)
		default:
			w := bits(mLocDisagree, uLocDisagree)
			weight += w
			note("location differs", w)
		}
	}
	// Website.
	if site != "" && e.websites != "" {
		sites := strings.Split(e.websites, "\n")
		if slices.Contains(sites, site) || slices.ContainsFunc(sites, func(w string) bool {
			return !sharedHost(w) && websiteHost(w) == websiteHost(site)
		}) {
			w := bits(mSite, d.frequency(keyWebsite, websiteHost(site))/n)
			weight += w
			note("website match", w)
		} else {
			w := bits(mSiteDisagree, uSiteDisagree)
			weight += w
			note("website differs", w)
		}
	}
	c.weight = weight
}

// containsWord reports whether the space-padded text contains w between spaces.
func containsWord(padded, w string) bool {
	for i := 0; ; {
		j := strings.Index(padded[i:], w)
		if j < 0 {
			return false
		}
		j += i
		if padded[j-1] == ' ' && j+len(w) < len(padded) && padded[j+len(w)] == ' ' {
			return true
		}
		i = j + 1
	}
}

// NormalizeURL reduces a web address to host and path, lower case, without scheme, "www.", query, fragment
// or trailing slash: "https://www.Example.com/Jane/?ref=x" → "example.com/jane".
func NormalizeURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	u = strings.TrimPrefix(u, "www.")
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	u = strings.TrimRight(u, "/")
	if !strings.Contains(u, ".") {
		return ""
	}
	return u
}

// fmtSim formats a similarity for the evidence, only when the evidence is being written.
func fmtSim(x float64, explain bool) string {
	if !explain {
		return ""
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

func fmtBits(w float64) string { return "(" + strconv.FormatFloat(w, 'f', 1, 64) + " bits)" }

func websiteHost(n string) string {
	h, _, _ := strings.Cut(n, "/")
	return h
}

// sharedHost reports whether a normalized URL is on a host many people share (a social network, a
// Mastodon-style /@user page), where only the whole address identifies someone.
func sharedHost(n string) bool {
	h, path, _ := strings.Cut(n, "/")
	switch h {
	case "x.com", "twitter.com", "reddit.com", "old.reddit.com", "youtube.com", "facebook.com", "instagram.com",
		"linkedin.com", "github.com", "tiktok.com", "linktr.ee", "medium.com":
		return true
	}
	return strings.HasPrefix(path, "@") || strings.HasPrefix(path, "user/") || strings.HasPrefix(path, "u/")
}
