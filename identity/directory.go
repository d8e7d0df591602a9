package identity

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/post"
)

// Customer is one CRM customer as the directory holds it. E-mail addresses and phone numbers are present only
// as keyed hashes (identity/pii): EmailHMACs from pii.Hasher.Email, PhoneHMACs from pii.Hasher.Phone, and
// LocalHMACs, the name keys of the addresses' local parts, from pii.Hasher.LocalKeys.
type Customer struct {
	ID            string
	Name          string
	EmailHMACs    []string
	PhoneHMACs    []string
	LocalHMACs    []string
	City          string
	Region        string
	Country       string
	Handles       []string // handles the customer confirmed, "network:handle" (see HandleKey)
	Websites      []string // the customer's own web addresses: a personal site, a profile link
	Consent       bool     // the customer agreed to be linked to their social accounts
	Segment       string
	LifetimeValue float64
	Deleted       bool
	Version       uint64
	UpdatedAt     time.Time
}

// HandleKey returns the canonical "network:handle" form of a confirmed handle: lower case, without a leading
// "@". For Mastodon the handle is the acct as the post carries it (user, or user@instance).
func HandleKey(network, handle string) string {
	return strings.ToLower(strings.TrimSpace(network)) + ":" +
		strings.ToLower(strings.TrimPrefix(strings.TrimSpace(handle), "@"))
}

// Link statuses, as stored in customer_links.status. The first two are automatic decisions; the others are
// analysts' and outrank every automatic decision (see LinkVersion).
const (
	StatusAuto      = "auto"      // linked automatically: a deterministic rule, or probability ≥ the link threshold
	StatusReview    = "review"    // probable: waits for an analyst
	StatusConfirmed = "confirmed" // an analyst confirmed the link
	StatusRejected  = "rejected"  // an analyst said they are different people: never linked automatically again
	StatusUnlinked  = "unlinked"  // an analyst removed a link (e.g. consent withdrawn): never linked automatically again
	StatusDropped   = "dropped"   // the pipeline withdrew its link or proposal: the customer was deleted or withdrew consent
)

// AnalystStatus reports whether s is an analyst's decision.
func AnalystStatus(s string) bool {
	return s == StatusConfirmed || s == StatusRejected || s == StatusUnlinked
}

// analystTier lifts an analyst's version above every automatic one.
const analystTier = uint64(1) << 62

// LinkVersion returns the version of a customer_links row. Automatic decisions take the content time (ms) of
// the post that caused them, so replaying the same post gives the same row; analysts' decisions take the
// decision time (ms) plus 2^62, so the latest analyst decision on a pair is its state whatever the pipeline
// writes after it.
func LinkVersion(analyst bool, t time.Time) uint64 {
	ms := t.UnixMilli()
	if ms < 0 {
		ms = 0
	}
	if analyst {
		return analystTier + uint64(ms)
	}
	return uint64(ms)
}

// MatchOptions configure a Directory. The zero value uses every default.
type MatchOptions struct {
	// LinkThreshold is the probability at which a link is made automatically; default DefaultLinkThreshold.
	LinkThreshold float64
	// ReviewThreshold is the probability at which a pair goes to the review queue; default
	// DefaultReviewThreshold.
	ReviewThreshold float64
	// CustomerShare is the prior share of social authors who are customers of the directory; default 0.5.
	CustomerShare float64
	// MaxBlock is the largest blocking group whose customers are scored one by one; a larger group (a
	// very common name) is too common to single anyone out and counts only in aggregate. Default 32.
	MaxBlock int
}

func (o *MatchOptions) defaults() error {
	if o.LinkThreshold == 0 {
		o.LinkThreshold = DefaultLinkThreshold
	}
	if o.ReviewThreshold == 0 {
		o.ReviewThreshold = DefaultReviewThreshold
	}
	if o.CustomerShare == 0 {
		o.CustomerShare = 0.5
	}
	if o.MaxBlock == 0 {
		o.MaxBlock = 32
	}
	if !(o.ReviewThreshold > 0 && o.ReviewThreshold <= o.LinkThreshold && o.LinkThreshold <= 1) {
		return errors.New("thresholds: need 0 < review <= link <= 1")
	}
	if !(o.CustomerShare > 0 && o.CustomerShare < 1) {
		return errors.New("customer share: must be between 0 and 1")
	}
	if o.MaxBlock < 1 {
		return errors.New("max block: must be at least 1")
	}
	return nil
}

// CustomerMatch is one customer proposed for an author.
type CustomerMatch struct {
	CustomerID  string
	Probability float64  // posterior probability that the author is this customer
	Status      string   // StatusAuto or StatusReview
	Evidence    []string // what the decision rests on: the deterministic rule first, then each field with its weight, e.g. "handle confirmed", "name jaro-winkler 0.96 (9.4 bits)"
	Weight      float64  // total weight of the probabilistic comparison in bits
}

// Directory is an immutable in-memory index of customers for matching social authors. Build it with
// NewDirectory (again, to refresh); Lookup is safe for concurrent use.
//
// # Matching
//
// Deterministic rules come first: a handle the customer confirmed, or an e-mail or phone hash from the
// author's profile (post.PII) equal to one of the customer's, links at probability 1 when exactly one
// customer qualifies (several: each goes to review).
//
// Then Fellegi–Sunter weights, log2(m/u) per field, where m (how often a true match shows the level) is a
// fixed property of the field and u (how often an unrelated customer does) is the frequency of the value in
// this directory, so that agreeing on a rare name weighs more than agreeing on a common one:
//
//   - name: the customer's name against the display name and against the handle read as a name
//     ("jane_doe84" → "janedoe"): exact, Jaro–Winkler ≥ 0.94 or ≥ 0.88, first name only, or disagree. u of
//     an exact name is its share among the other customers, but never below the share of its country
//     times those of its first name and surname among compatriots (names go with countries: independence
//     across the whole directory would make a name seen once look far rarer than it is); a near miss is
//     as likely as a namesake of either spelling;
//   - e-mail local part: keyed hashes of the handle's name keys against those of the customer's e-mail
//     local parts (pii.Hasher.HandleKeys / LocalKeys), so no local part is kept in clear: letters and
//     digits agree, letters only agree, or disagree. A handle built around the name ("itsjaned",
//     "jdoe84") repeats the name's evidence, so then only its digits count (10^-digits by chance);
//   - a handle the customer confirmed on another network (the same rule for name-made handles);
//   - location: the profile location contains the customer's city, or the region or country, or neither;
//     u is the city's share among compatriots, since namesakes are mostly compatriots too;
//   - website: the profile URL names a host (or, on a shared host, a page) among the customer's websites.
//
// The probability of customer c among the candidates is its posterior under a prior that the author is
// one of the N customers with probability CustomerShare, evenly:
//
//	P(c) = π/N·2^W(c) / (1 + π/N·Σ 2^W(k))
//
// summed over the candidates k (customers outside the candidates average a likelihood ratio of 1, which is
// the 1 in the denominator). Two equally good candidates therefore share the probability, and a common
// name alone never reaches review in a large directory. Blocking: candidates are the customers sharing a
// name key (the display name or handle read as a name; customers are indexed under both name orders), a
// local-part hash or a confirmed handle with the author, plus the e-mail and phone matches; a group larger than MaxBlock adds its expected weight to the
// denominator without being scored one by one.
//
// Customers without consent are scored (so a look-alike without consent still makes a consenting one less
// certain) but never proposed: no automatic link and no review, so nobody who declined is shown next to
// social profiles. Analysts' decisions are applied by the caller (processors/link): a pair an analyst
// decided is never written again automatically.
type Directory struct {
	hasher *pii.Hasher
	opts   MatchOptions
	// The index holds no Go pointers per customer, so the garbage collector does not walk it: texts live in
	// one string (arena) addressed by spans, posting lists in one slice (flat).
	entries []entry
	arena   string
	keys    map[uint64]int32  // key → customer index (≥ 0), or -(start in flat)-1 of a list of several
	flat    []int32           // posting lists: length, then the customer indices
	byID    []int32           // customer indices sorted by id
	counts  map[uint64]uint32 // frequency of values that are counted but not blocked on
	prior   float64           // π/N
}

type span struct{ off, n uint32 }

type entry struct {
	id, name, city, region, country span // name is NormalizeText(name)
	websites                        span // normalized web addresses, separated by "\n"
	handles                         span // confirmed handles, HandleKey form, each followed by "\n"
	consent, hasLocal               bool
	// u of the customer's values (see frequencies), computed once the directory is counted.
	uName, uFirst, uCity, uRegion, uCountry float32
}

// view is an entry with its texts as strings (substrings of the arena: no copies).
type view struct {
	id, name, city, region, country, websites string
	consent, hasLocal                         bool
	uName, uFirst, uCity, uRegion, uCountry   float64
}

func (d *Directory) str(s span) string { return d.arena[s.off : s.off+s.n] }

func (d *Directory) view(idx int32) view {
	e := &d.entries[idx]
	return view{
		id: d.str(e.id), name: d.str(e.name), city: d.str(e.city), region: d.str(e.region),
		country: d.str(e.country), websites: d.str(e.websites), consent: e.consent, hasLocal: e.hasLocal,
		uName: float64(e.uName), uFirst: float64(e.uFirst), uCity: float64(e.uCity), uRegion: float64(e.uRegion),
		uCountry: float64(e.uCountry),
	}
}

// posting is one (key, customer) pair while the index is built.
type posting struct {
	key uint64
	idx int32
}

// Key kinds, hashed in front of the value.
const (
	keyAnyNet  = 'a' // a confirmed handle, whatever its network
	keyEmail   = 'e'
	keyPhone   = 'p'
	keyLocal   = 'l'
	keyName    = 'n'
	keyFirst   = 'f'
	keyCountry = 'k'
	keyLast    = 's'
	keyCity    = 'c'
	keyRegion  = 'r'
	keyWebsite = 'w'
)

// hashKey returns the index key of value v of a kind: xxhash of kind, 0, v.
func hashKey(kind byte, v string) uint64 { return hashKey2(kind, v, "") }

// hashKey2 returns hashKey(kind, a+b) without building a+b.
func hashKey2(kind byte, a, b string) uint64 {
	var buf [192]byte
	if len(a)+len(b)+2 <= len(buf) {
		k := append(append(append(buf[:0], kind, 0), a...), b...)
		return xxhash.Sum64(k)
	}
	d := xxhash.New()
	_, _ = d.Write([]byte{kind, 0})
	_, _ = d.WriteString(a)
	_, _ = d.WriteString(b)
	return d.Sum64()
}

func hashKeyBytes(kind byte, v []byte) uint64 {
	var buf [192]byte
	if len(v)+2 <= len(buf) {
		return xxhash.Sum64(append(append(buf[:0], kind, 0), v...))
	}
	return hashKey(kind, string(v))
}

// NewDirectory indexes customers (the latest version of each; deleted ones are left out). hasher computes
// the keyed hashes of authors' handles, under the key the customers' hashes were made with.
func NewDirectory(customers []Customer, hasher *pii.Hasher, opts MatchOptions) (*Directory, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if hasher == nil {
		return nil, errors.New("directory: a pii hasher is required")
	}
	d := &Directory{hasher: hasher, opts: opts, counts: make(map[uint64]uint32, 1024)}
	var arena strings.Builder
	put := func(v string) span {
		sp := span{off: uint32(arena.Len()), n: uint32(len(v))}
		arena.WriteString(v)
		return sp
	}
	interned := map[string]span{}
	in := func(v string) span {
		if sp, ok := interned[v]; ok {
			return sp
		}
		sp := put(v)
		interned[v] = sp
		return sp
	}
	var pairs []posting
	add := func(k uint64, idx int32) { pairs = append(pairs, posting{k, idx}) }
	d.entries = make([]entry, 0, len(customers))
	for i := range customers {
		c := &customers[i]
		if c.Deleted || c.ID == "" {
			continue
		}
		idx := int32(len(d.entries))
		name, city, region, country := NormalizeText(c.Name), NormalizeText(c.City), NormalizeText(c.Region), NormalizeText(c.Country)
		var sites []string
		for _, w := range c.Websites {
			if n := NormalizeURL(w); n != "" {
				sites = append(sites, n)
				d.count(keyWebsite, websiteHost(n))
			}
		}
		d.entries = append(d.entries, entry{
			id: put(c.ID), name: put(name), city: in(city), region: in(region), country: in(country),
			websites: put(strings.Join(sites, "\n")), consent: c.Consent, hasLocal: len(c.LocalHMACs) > 0,
		})
		var handles strings.Builder
		for _, h := range c.Handles {
			if network, handle, ok := strings.Cut(h, ":"); ok && handle != "" {
				handles.WriteString(HandleKey(network, handle) + "\n")
				add(hashKey(keyAnyNet, strings.ToLower(pii.HandleLocal(handle))), idx)
			}
		}
		d.entries[idx].handles = put(handles.String())
		for _, v := range c.EmailHMACs {
			add(hashKey(keyEmail, v), idx)
		}
		for _, v := range c.PhoneHMACs {
			add(hashKey(keyPhone, v), idx)
		}
		for _, v := range c.LocalHMACs {
			add(hashKey(keyLocal, v), idx)
		}
		if first, last, ok := nameParts(name); ok {
			add(hashKey2(keyName, first, last), idx)
			if last != "" {
				add(hashKey2(keyName, last, first), idx)
			}
		}
		// Frequencies are kept per country: first names, surnames and cities go together with the country,
		// so "as common as its parts" and "lives in the same city" are judged among compatriots.
		first, last, _ := nameParts(name)
		if last == "" {
			first, last = name, name
		}
		d.count(keyFirst, country+"|"+first)
		d.count(keyLast, country+"|"+last)
		d.counts[hashKey(keyCountry, country)]++ // counted when empty too: customers without a country
		d.count(keyCity, country+"|"+city)
		d.count(keyRegion, country+"|"+region)
	}
	d.arena = arena.String()
	d.index(pairs)
	d.prior = opts.CustomerShare / float64(max(len(d.entries), 1))
	d.frequencies()
	d.byID = make([]int32, len(d.entries))
	for i := range d.byID {
		d.byID[i] = int32(i)
	}
	slices.SortFunc(d.byID, func(a, b int32) int { return strings.Compare(d.str(d.entries[a].id), d.str(d.entries[b].id)) })
	return d, nil
}

// Consenting reports whether the directory holds customer id and the customer consents to being linked.
func (d *Directory) Consenting(id string) bool {
	i, ok := slices.BinarySearchFunc(d.byID, id, func(idx int32, id string) int { return strings.Compare(d.str(d.entries[idx].id), id) })
	return ok && d.entries[d.byID[i]].consent
}

// frequencies computes the u of every customer's values once all are counted:
//
//   - name: P(a random customer bears this name), its share among the other customers (leave-one-out),
//     but never below its country's share times the shares of its first name and surname among
//     compatriots: a name seen once is about as rare as its parts are together where it is common;
//   - first name alone: its share, among compatriots, times the country's share;
//   - city and region: their shares among compatriots (a namesake is most often a compatriot, and so are
//     people who live in the same city);
//   - country: its share.
func (d *Directory) frequencies() {
	n := float64(max(len(d.entries), 1))
	var one [1]int32
	for i := range d.entries {
		e := &d.entries[i]
		name, country := d.str(e.name), d.str(e.country)
		nc := d.compatriots(country)
		first, last, ok := nameParts(name)
		if last == "" {
			first, last = name, name
		}
		freq := 1.0
		if ok {
			freq = float64(max(len(d.postings(hashKey2(keyName, first, last), &one)), 1))
		}
		fFirst, fLast := d.frequency(keyFirst, country+"|"+first), d.frequency(keyLast, country+"|"+last)
		e.uName = float32(max((freq-1)/n, nc/n*fFirst/nc*fLast/nc))
		e.uFirst = float32(fFirst / n)
		e.uCity = float32(d.frequency(keyCity, country+"|"+d.str(e.city)) / nc)
		e.uRegion = float32(d.frequency(keyRegion, country+"|"+d.str(e.region)) / nc)
		e.uCountry = float32(nc / n)
	}
}

// index builds the key map and the flat posting lists from (key, customer) pairs.
func (d *Directory) index(pairs []posting) {
	slices.SortFunc(pairs, func(a, b posting) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.idx - b.idx)
	})
	pairs = slices.Compact(pairs)
	d.keys = make(map[uint64]int32, len(pairs))
	for i := 0; i < len(pairs); {
		j := i + 1
		for j < len(pairs) && pairs[j].key == pairs[i].key {
			j++
		}
		if j-i == 1 {
			d.keys[pairs[i].key] = pairs[i].idx
		} else {
			d.keys[pairs[i].key] = -int32(len(d.flat)) - 1
			d.flat = append(d.flat, int32(j-i))
			for _, p := range pairs[i:j] {
				d.flat = append(d.flat, p.idx)
			}
		}
		i = j
	}
}

func (d *Directory) count(kind byte, v string) {
	if v != "" {
		d.counts[hashKey(kind, v)]++
	}
}

func (d *Directory) frequency(kind byte, v string) float64 {
	if v == "" {
		return 1
	}
	return float64(max(d.counts[hashKey(kind, v)], 1))
}

// compatriots returns the number of customers of country ("" counts those without one), at least 1.
func (d *Directory) compatriots(country string) float64 {
	return float64(max(d.counts[hashKey(keyCountry, country)], 1))
}

// postings returns the customers under key k; single holds a one-element list without allocating.
func (d *Directory) postings(k uint64, single *[1]int32) []int32 {
	v, ok := d.keys[k]
	switch {
	case !ok:
		return nil
	case v >= 0:
		single[0] = v
		return single[:]
	default:
		start := int(-v - 1)
		return d.flat[start+1 : start+1+int(d.flat[start])]
	}
}

// confirms reports whether customer idx confirmed one of the handles in want (HandleKey form plus "\n").
func (d *Directory) confirms(idx int32, want [2]string) bool {
	hs := d.str(d.entries[idx].handles)
	if hs == "" {
		return false
	}
	for _, w := range want {
		if w != "" && (strings.HasPrefix(hs, w) || strings.Contains(hs, "\n"+w)) {
			return true
		}
	}
	return false
}

// Len returns the number of customers indexed.
func (d *Directory) Len() int { return len(d.entries) }

// nameConcat returns a normalized name's first and last words written together in both orders
// ("jane doe" → "janedoe", "doejane"); a one-word name gives itself twice, a name shorter than
// pii.MinNameKey letters gives "".
func nameConcat(name string) (concat, rev string) {
	if name == "" {
		return "", ""
	}
	first, rest, ok := strings.Cut(name, " ")
	if !ok {
		if len(name) < pii.MinNameKey {
			return "", ""
		}
		return name, name
	}
	last := rest
	if i := strings.LastIndexByte(rest, ' '); i >= 0 {
		last = rest[i+1:]
	}
	concat = first + last
	if len(concat) < pii.MinNameKey {
		return "", ""
	}
	return concat, last + first
}

// nameParts returns the first and last words of a normalized name, and whether written together they make a
// name key (see nameConcat). A one-word name is its own first and last word.
func nameParts(name string) (first, last string, ok bool) {
	if name == "" {
		return "", "", false
	}
	i := strings.IndexByte(name, ' ')
	if i < 0 {
		return name, "", len(name) >= pii.MinNameKey
	}
	first, last = name[:i], name[strings.LastIndexByte(name, ' ')+1:]
	return first, last, len(first)+len(last) >= pii.MinNameKey
}

// nameDerived reports whether a handle's letters are built around a normalized name: they contain its
// first name or its surname (of three letters or more: "itsdavidc", "jdoe", "doe_jane"), or they are close
// to first and last name written together (Jaro–Winkler ≥ 0.88, for a misspelt name).
func nameDerived(h, name string) bool {
	first, last, ok := nameParts(name)
	if !ok {
		return false
	}
	if len(first) >= 3 && strings.Contains(h, first) || len(last) >= 3 && strings.Contains(h, last) {
		return true
	}
	return JaroWinkler(h, first+last) >= 0.88 || JaroWinkler(h, last+first) >= 0.88
}

// eqConcat reports whether s == a+b.
func eqConcat(s, a, b string) bool {
	return len(s) == len(a)+len(b) && s[:len(a)] == a && s[len(a):] == b
}

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
