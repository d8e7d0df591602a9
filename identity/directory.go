package identity

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/rapport-dev/rapport/identity/pii"
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
