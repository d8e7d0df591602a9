package sim

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-dev/rapport/post"
)

// account is one identity on one network, as its profile appears in payloads.
type account struct {
	net       post.Network
	id        string // X user id, Mastodon account id, Reddit t2 id without prefix
	username  string // X username, Mastodon local username, Reddit name
	acct      string // Mastodon acct: username on the home instance, username@domain elsewhere
	domain    string // Mastodon instance
	name      string // display name
	first     string // first name, for replies that greet the author ("Hi Maria")
	bio       string // plain-text profile description
	location  string
	url       string // link put in the profile
	followers int64
	following int64
	posts     int64 // statuses posted before the simulation starts
	likes     int64 // X likes given
	listed    int64
	verified  bool
	vtype     string // X verified_type: none, blue, business
	bot       bool
	created   time.Time
	imageID   uint64 // profile image id, for avatar URLs

	person  int32 // population index; -1 for brand and bot accounts
	brand   int8  // brand index for brand accounts, else -1
	support bool  // a brand's customer-care account
	lang    string
	flair   string // Reddit author flair

	cache []byte // the static part of the account's JSON on its network
}

// profileURL is the web address of the account.
func (a *account) profileURL() string {
	switch a.net {
	case post.NetworkX:
		return "https://x.com/" + a.username
	case post.NetworkMastodon:
		return "https://" + a.domain + "/@" + a.username
	default:
		return "https://www.reddit.com/user/" + a.username
	}
}

// person is one member of the author population. The same person may hold an account on every network;
// the accounts have related handles, the same display name and similar bios.
type person struct {
	idx      int32
	cult     *culture
	first    string
	last     string
	handle   string // X-style handle, unique in the population
	number   int    // unique number of the person within the population (used in generated names)
	favBrand int8   // brand the person likes (-1 none)
	badBrand int8   // brand the person has had trouble with (-1 none)
	acc      [numNets]*account
}

// population maps author indices to persons. Persons are derived from (seed, index) and rebuilt on demand,
// so memory does not grow with the population; a small direct-mapped cache keeps busy authors warm.
type population struct {
	seed   uint64
	n      int
	permA  int // person slot = (idx*permA + permB) mod n spreads cultures over the index space
	permB  int
	cstart []int // first slot of each culture
	combos []comboTable
	total  int // sum of combos over cultures
	span   int // greater than every person's unique number
	cache  []*person
	start  time.Time
}

// comboTable lists, for one culture, every (first, last, pattern) handle and whether it may be used
// without digits (it is short enough and no earlier combination produced the same handle).
type comboTable struct {
	offset int // global number of the culture's first combination
	a, b   int // permutation of combinations inside the culture
	handle []string
	clean  []bool
}

const handlePatterns = 6

const personCacheSize = 8192

func newPopulation(seed uint64, n int, start time.Time) *population {
	p := &population{seed: seed, n: n, start: start, cache: make([]*person, personCacheSize)}
	h := newHashStream(seed, 0x706f70)
	p.permA = coprimeNear(n, n/2+1+h.intn(n/3+1))
	p.permB = h.intn(n)
	// Cultures take contiguous slot ranges proportional to their weight.
	total := 0.0
	for _, c := range cultures {
		total += c.weight
	}
	acc := 0.0
	for _, c := range cultures {
		p.cstart = append(p.cstart, int(acc/total*float64(n)))
		acc += c.weight
	}
	seen := map[string]bool{}
	for ci := range cultures {
		c := &cultures[ci]
		size := len(c.first) * len(c.last) * handlePatterns
		t := comboTable{offset: p.total, handle: make([]string, size), clean: make([]bool, size)}
		t.a = coprimeNear(size, size/3+h.intn(size/3))
		t.b = h.intn(size)
		for r := range size {
			fi, li, pat := r%len(c.first), (r/len(c.first))%len(c.last), r/(len(c.first)*len(c.last))
			hd := handleFor(c.first[fi], c.last[li], pat)
			t.handle[r] = hd
			key := strings.ToLower(hd)
			if len(hd) <= 15 && !seen[key] {
				t.clean[r] = true
				seen[key] = true
			}
		}
		p.total += size
		p.combos = append(p.combos, t)
	}
	for ci := range cultures {
		end := n
		if ci+1 < len(p.cstart) {
			end = p.cstart[ci+1]
		}
		size := len(p.combos[ci].handle)
		maxQ := max(end-p.cstart[ci]-1, 0) / size
		p.span = max(p.span, p.combos[ci].offset+size+maxQ*p.total)
	}
	return p
}

// coprimeNear returns a number >= x that is coprime with n (x is reduced into [1, n)).
func coprimeNear(n, x int) int {
	if n <= 1 {
		return 1
	}
	x = x%n + 1
	for gcd(x, n) != 1 {
		x++
	}
	return x
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// fold lower-cases s and maps accented letters to ASCII, dropping anything else that is not a letter.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if f, ok := asciiFold[r]; ok {
			b.WriteString(strings.ToLower(f))
			continue
		}
		if r < utf8.RuneSelf && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// handleFor builds the handle of one naming pattern. Patterns vary in casing too; handles compare
// case-insensitively, as they do on every network.
func handleFor(first, last string, pat int) string {
	f, l := fold(first), fold(last)
	switch pat {
	case 0:
		return f + l
	case 1:
		return f + "_" + l
	case 2:
		return f[:1] + l
	case 3:
		return capFirst(f) + capFirst(l)
	case 4:
		return l + f
	default:
		return "its" + f + l[:1]
	}
}

func (p *population) person(idx int) *person {
	slot := idx & (personCacheSize - 1)
	if c := p.cache[slot]; c != nil && int(c.idx) == idx {
		return c
	}
	pe := p.build(idx)
	p.cache[slot] = pe
	return pe
}

func (p *population) build(idx int) *person {
	s := (idx*p.permA + p.permB) % p.n
	ci := len(p.cstart) - 1
	for ci > 0 && s < p.cstart[ci] {
		ci--
	}
	c := &cultures[ci]
	t := &p.combos[ci]
	o := s - p.cstart[ci]
	size := len(t.handle)
	r := (o%size*t.a + t.b) % size
	q := o / size
	pe := &person{idx: int32(idx), cult: c}
	pe.first = c.first[r%len(c.first)]
	pe.last = c.last[(r/len(c.first))%len(c.last)]
	pe.number = t.offset + r + q*p.total
	base := t.handle[r]
	if q == 0 && t.clean[r] {
		pe.handle = base
	} else {
		d := strconv.Itoa(pe.number)
		if len(base)+len(d) > 15 {
			base = base[:15-len(d)]
		}
		pe.handle = strings.TrimRight(base, "_") + d
	}
	h := newHashStream(p.seed, uint64(idx), 0x70726566)
	pe.favBrand, pe.badBrand = -1, -1
	if h.chance(0.35) {
		pe.favBrand = int8(h.intn(len(brands)))
	}
	if h.chance(0.25) {
		pe.badBrand = int8(h.intn(len(brands)))
		if pe.badBrand == pe.favBrand {
			pe.badBrand = -1
		}
	}
	return pe
}

// lang returns the language the person writes a new post in.
func (pe *person) postLang(u float64) string {
	if pe.cult.lang != "en" && u < pe.cult.native {
		return pe.cult.lang
	}
	return "en"
}

// account returns the person's account on network n.
func (p *population) account(pe *person, n post.Network) *account {
	ni := netIndex(n)
	if a := pe.acc[ni]; a != nil {
		return a
	}
	a := p.buildAccount(pe, n)
	pe.acc[ni] = a
	return a
}

var (
	xEpoch          = time.Date(2006, 3, 21, 0, 0, 0, 0, time.UTC)
	snowflakeUsers  = time.Date(2013, 6, 1, 0, 0, 0, 0, time.UTC)
	mastodonLaunch  = time.Date(2016, 10, 5, 0, 0, 0, 0, time.UTC)
	twitterExodus   = time.Date(2022, 10, 28, 0, 0, 0, 0, time.UTC)
	redditLaunchish = time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)
)

// between returns a time uniformly between a and b.
func (h *hashStream) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(h.float() * float64(b.Sub(a))))
}

func (p *population) accountCreated(h *hashStream, n post.Network) time.Time {
	end := p.start.Add(-48 * time.Hour)
	var t time.Time
	u := h.float()
	switch n {
	case post.NetworkX:
		switch {
		case u < 0.35:
			t = h.between(time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC))
		case u < 0.6:
			t = h.between(time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		default:
			t = h.between(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), end)
		}
	case post.NetworkMastodon:
		switch {
		case u < 0.1:
			t = h.between(mastodonLaunch, twitterExodus)
		case u < 0.55:
			t = h.between(twitterExodus, time.Date(2023, 2, 15, 0, 0, 0, 0, time.UTC))
		default:
			t = h.between(time.Date(2023, 2, 15, 0, 0, 0, 0, time.UTC), end)
		}
	default:
		switch {
		case u < 0.2:
			t = h.between(redditLaunchish, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC))
		case u < 0.6:
			t = h.between(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
		default:
			t = h.between(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), end)
		}
	}
	if !t.Before(end) {
		// A simulation that starts before the dates above still gets plausible accounts.
		t = end.Add(-time.Duration(1+h.intn(3000)) * 24 * time.Hour)
	}
	return t.Truncate(time.Second)
}

// xUserID gives an X user id consistent with the account's age: sequential ids for early accounts,
// snowflake ids for later ones. unique (< span) is the person's unique number and makes the id unique.
func xUserID(created time.Time, unique, span int) string {
	if created.Before(snowflakeUsers) {
		frac := float64(created.Sub(xEpoch)) / float64(snowflakeUsers.Sub(xEpoch))
		lin := int64(12 + frac*frac*1.5e9)
		return strconv.FormatInt(lin/int64(span)*int64(span)+int64(unique), 10)
	}
	ms := created.UnixMilli() - 1288834974657
	return strconv.FormatUint(uint64(ms)<<22|uint64(unique)&(1<<22-1), 10)
}

// redditUserID gives a base-36 t2 id whose length grows with the account's age, like Reddit's. unique
// (< span) makes it unique.
func redditUserID(created time.Time, unique, span int) string {
	frac := float64(created.Sub(redditLaunchish)) / float64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Sub(redditLaunchish))
	frac = max(frac, 0)
	v := uint64(math.Pow(36, 4+4.3*frac))
	return strconv.FormatUint(v/uint64(span)*uint64(span)+uint64(unique), 36)
}

// mastodonID gives a Mastodon snowflake id (milliseconds << 16 | sequence) for time t.
func mastodonID(t time.Time, low uint64) string {
	return strconv.FormatUint(uint64(t.UnixMilli())<<16|low&0xffff, 10)
}

func (p *population) buildAccount(pe *person, n post.Network) *account {
	h := newHashStream(p.seed, uint64(pe.idx), uint64(netIndex(n))+0x6163)
	c := pe.cult
	a := &account{net: n, person: pe.idx, brand: -1, lang: c.lang, first: pe.first}
	a.created = p.accountCreated(&h, n)
	a.name = displayName(&h, pe)
	a.imageID = h.u64() >> 4
	bioLang := "en"
	if c.lang != "en" && h.chance(0.8) {
		bioLang = c.lang
	}
	a.bio = makeBio(&h, bioLang, pe)
	switch {
	case h.chance(0.55):
		a.location = pickH(&h, c.cities)
	case h.chance(0.3):
		a.location = pickH(&h, vagueLocations)
	}
	if h.chance(0.12) {
		a.url = "https://" + strings.ToLower(strings.ReplaceAll(pe.handle, "_", "")) + pickH(&h, []string{".com", ".dev", ".blog", ".me", ".net"})
	}
	days := p.start.Sub(a.created).Hours() / 24
	switch n {
	case post.NetworkX:
		a.username = pe.handle
		a.id = xUserID(a.created, pe.number, p.span)
		a.followers = heavyFollowers(&h, 180, 1.9, 0.002, 5.5, 7.6)
		a.following = int64(h.lognormal(math.Log(320), 1.1))
		if a.following > 7400 {
			a.following = 4990 + int64(h.intn(2400))
		}
		a.posts = int64(days * h.lognormal(math.Log(2.5), 1.3))
		a.likes = int64(float64(a.posts) * h.lognormal(1, 0.8))
		a.listed = a.followers / int64(80+h.intn(400))
		a.vtype = "none"
		if a.followers > 150000 && h.chance(0.7) || h.chance(0.035) {
			a.verified, a.vtype = true, "blue"
		}
	case post.NetworkMastodon:
		a.username = strings.ToLower(pe.handle)
		if h.chance(0.3) {
			a.username = pe.handle
		}
		a.domain = pickMastodonInstance(&h, c.lang)
		a.acct = a.username
		if a.domain != homeInstance {
			a.acct += "@" + a.domain
		}
		a.created = a.created.Truncate(24 * time.Hour)
		a.id = mastodonID(a.created.Add(time.Duration(h.intn(86400000))*time.Millisecond), uint64(pe.number))
		a.followers = heavyFollowers(&h, 70, 1.6, 0.001, 4.5, 5.6)
		a.following = int64(h.lognormal(math.Log(150), 1.0))
		a.posts = int64(days * h.lognormal(math.Log(1.2), 1.2))
		a.verified = a.url != "" && h.chance(0.5) // a verified profile link
	case post.NetworkYouTube:
		// A channel: most have a handle, which comments show as "@handle"; older ones show their name.
		a.username = strings.ToLower(pe.handle)
		a.id = "UC" + fixedB64(uint64(pe.number), 6) + randB64(&h, 16)
		a.acct = "@" + a.username
		if h.chance(0.15) {
			a.acct = a.name
		}
		a.followers, a.following = -1, -1
	case post.NetworkFacebook:
		a.username = strings.ToLower(strings.ReplaceAll(pe.handle, "_", "."))
		a.name = pe.first + " " + pe.last
		a.id = uniqueDigits(&h, 1e16, 9e16, pe.number, p.span)
		a.followers, a.following = -1, -1
	case post.NetworkInstagram:
		a.username = strings.ToLower(pe.handle)
		if h.chance(0.3) {
			a.username = strings.ReplaceAll(a.username, "_", ".")
		}
		a.id = uniqueDigits(&h, 17841400000000000, 1e11, pe.number, p.span)
		a.followers, a.following = -1, -1
	case post.NetworkReview:
		_, n := utf8.DecodeRuneInString(pe.last)
		a.username = pe.first + " " + pe.last[:n] + "."
		if h.chance(0.4) {
			a.username = pe.first + " " + pe.last
		}
		a.name = a.username
		a.id = strconv.FormatUint(h.u64()>>8, 16) + fixedHex(uint64(pe.number), 10)
		a.location = strings.ToUpper(c.code)
		a.posts = 1 + int64(h.lognormal(1, 1.1))
		a.followers, a.following = -1, -1
	default:
		if h.chance(0.45) {
			a.username = pe.handle
			if h.chance(0.5) {
				a.username = capFirst(pe.handle)
			}
		} else {
			adj, noun := pickH(&h, redditAdjectives), pickH(&h, redditNouns)
			num := strconv.Itoa(1000 + pe.number)
			sep := "_"
			if len(adj)+len(noun)+len(num)+2 > 20 {
				sep = ""
			}
			a.username = adj + sep + noun + sep + num
			if len(a.username) > 20 {
				a.username = adj + num
			}
		}
		a.id = redditUserID(a.created, pe.number, p.span)
		a.followers, a.following = -1, -1
		if h.chance(0.15) {
			a.flair = pickH(&h, []string{"Verified Buyer", "Long-time customer", "Early adopter", "Trusted Commenter", "🇩🇪", "Moderator's pick"})
		}
	}
	return a
}

// heavyFollowers draws a follower count: log-normal body with a Pareto-like tail of large accounts
// (10^lo .. 10^hi followers with probability tailP).
func heavyFollowers(h *hashStream, median, sigma, tailP, lo, hi float64) int64 {
	if h.chance(tailP) {
		return int64(math.Pow(10, lo+(hi-lo)*h.float()*h.float()))
	}
	f := h.lognormal(math.Log(median), sigma)
	if f > 2e6 {
		f = 2e6 * (0.5 + h.float())
	}
	return int64(f)
}

func pickMastodonInstance(h *hashStream, lang string) string {
	total := 0.0
	for _, in := range instances {
		total += instanceWeight(in, lang)
	}
	u := h.float() * total
	for _, in := range instances {
		w := instanceWeight(in, lang)
		if u < w {
			return in.domain
		}
		u -= w
	}
	return homeInstance
}

func instanceWeight(in instance, lang string) float64 {
	switch {
	case in.lang == "":
		return in.weight
	case in.lang == lang:
		return in.weight * 6
	case in.lang == "en" && lang == "en":
		return in.weight
	case in.lang == "en":
		return in.weight * 0.3
	default:
		return in.weight * 0.05
	}
}

func displayName(h *hashStream, pe *person) string {
	u := h.float()
	switch {
	case u < 0.55:
		return pe.first + " " + pe.last
	case u < 0.68:
		return pe.first
	case u < 0.78:
		return pe.first + " " + pe.last + " " + pickH(h, nameEmoji)
	case u < 0.84:
		return strings.ToLower(pe.first)
	case u < 0.9:
		return pe.first + " " + pe.last[:1] + "."
	case u < 0.95:
		return pe.first + " " + pickH(h, nameEmoji)
	default:
		return strings.ToUpper(pe.first) + " " + strings.ToUpper(pe.last)
	}
}

func makeBio(h *hashStream, lang string, pe *person) string {
	if h.chance(0.12) {
		return ""
	}
	roles, ints, extras := bioRoles[lang], bioInterests[lang], bioExtras[lang]
	role := pickH(h, roles)
	k := h.intn(len(ints))
	i1, i2 := ints[k], ints[(k+1+h.intn(len(ints)-1))%len(ints)]
	conj := " & "
	switch lang {
	case "es":
		conj = " y "
	case "pt":
		conj = " e "
	}
	var b strings.Builder
	switch h.intn(5) {
	case 0:
		b.WriteString(capFirst(role) + " | " + i1 + conj + i2 + " | " + pickH(h, extras))
	case 1:
		b.WriteString(capFirst(role) + ". " + capFirst(i1) + ", " + i2 + ".")
	case 2:
		b.WriteString(i1 + " · " + i2 + " · " + role)
	case 3:
		b.WriteString(capFirst(role) + " in " + pickH(h, pe.cult.cities) + ". " + pickH(h, extras))
	default:
		b.WriteString(capFirst(i1) + conj + i2 + ". " + capFirst(role) + ".")
	}
	if pe.favBrand >= 0 && h.chance(0.15) {
		b.WriteString(" " + brands[pe.favBrand].Name + " fan")
	}
	return b.String()
}

// Brand and bot accounts are fixed, built once per generator.

func brandAccounts() (x, masto, reddit [][2]*account) {
	x = make([][2]*account, len(brands))
	masto = make([][2]*account, len(brands))
	reddit = make([][2]*account, len(brands))
	for i, b := range brands {
		created := time.Date(2009+i%4, time.Month(2+i*2), 10+i, 14, 3, 0, 0, time.UTC)
		for k, handle := range []string{b.XMain, b.XSupport} {
			name, bio := b.Name, "Official account of "+b.Name+". Need help? Talk to @"+b.XSupport
			if k == 1 {
				name = b.Name + " Support"
				bio = "We're here to help, 7 days a week, 8am-10pm. For news follow @" + b.XMain
			}
			ms := created.Add(time.Duration(k)*400*24*time.Hour).UnixMilli() - 1288834974657
			x[i][k] = &account{
				net: post.NetworkX, id: strconv.FormatUint(uint64(ms)<<22|uint64(1<<22-1-i*2-k), 10),
				username: handle, name: name, first: name, bio: bio, location: "Worldwide", url: "https://" + b.Domain,
				followers: int64(3.1e6/float64(i+1)) / int64(1+k*8), following: int64(120 + i*37 + k*900),
				posts: int64(21000 + i*4000 + k*90000), listed: int64(4000 / (k + 1)), verified: true, vtype: "business",
				created: created.Add(time.Duration(k) * 400 * 24 * time.Hour), person: -1, brand: int8(i), support: k == 1, lang: "en",
				imageID: uint64(1e17) + uint64(i*10+k),
			}
		}
		if b.Mastodon != "" {
			user, domain, _ := strings.Cut(b.Mastodon, "@")
			acct := b.Mastodon
			if domain == homeInstance {
				acct = user
			}
			c := time.Date(2022, 11, 8+i, 0, 0, 0, 0, time.UTC)
			a := &account{
				net: post.NetworkMastodon, id: mastodonID(c.Add(13*time.Hour), uint64(0xfff0+i)), username: user, acct: acct, domain: domain,
				name: b.Name, first: b.Name, bio: "The official " + b.Name + " account on the fediverse. Support questions: mention us, we read everything.",
				url: "https://" + b.Domain, followers: int64(41000 / (i + 1)), following: 42, posts: 900, verified: true,
				created: c, person: -1, brand: int8(i), lang: "en", imageID: uint64(2e16) + uint64(i),
			}
			masto[i] = [2]*account{a, a}
		}
		for k, user := range []string{b.Reddit, b.Reddit} {
			reddit[i][k] = &account{
				net: post.NetworkReddit, id: strconv.FormatUint(uint64(1e5)+uint64(i)*7, 36), username: user, name: user, first: b.Name,
				followers: -1, following: -1, created: created, person: -1, brand: int8(i), support: k == 1, lang: "en",
				flair: b.Name + " Official",
			}
		}
	}
	return x, masto, reddit
}

// mastodonBots are automated accounts that post news and deals with links.
func mastodonBots() []*account {
	defs := []struct{ user, domain, name, bio string }{
		{"technewsfeed", "mastodon.social", "Tech News Feed 🤖", "Automated feed of tech headlines. Not monitored."},
		{"dealwatch", "mstdn.social", "Deal Watch", "Bot. Posts price drops on gadgets every hour. Affiliate links."},
		{"finhead", "mastodon.online", "Fintech Headlines", "Automated: fintech and banking news from around the web."},
		{"kaffeeticker", "det.social", "Kaffee-Ticker", "Automatischer Newsfeed rund um Kaffee und Cafés."},
		{"actu_tech", "piaille.fr", "Actu Tech (bot)", "Flux automatique de l'actualité tech."},
		{"brewnews", "mastodon.world", "Coffee Business News", "Bot posting coffee-industry news. Beep boop."},
	}
	var out []*account
	for i, d := range defs {
		acct := d.user
		if d.domain != homeInstance {
			acct += "@" + d.domain
		}
		c := time.Date(2021+i%3, time.Month(1+i*2), 3+i, 0, 0, 0, 0, time.UTC)
		lang := "en"
		switch d.domain {
		case "det.social":
			lang = "de"
		case "piaille.fr":
			lang = "fr"
		}
		out = append(out, &account{
			net: post.NetworkMastodon, id: mastodonID(c.Add(time.Duration(i+5)*time.Hour), uint64(0xffa0+i)), username: d.user, acct: acct,
			domain: d.domain, name: d.name, first: d.name, bio: d.bio, followers: int64(800 + i*1900), following: int64(i), posts: int64(40000 + i*15000),
			bot: true, created: c, person: -1, brand: -1, lang: lang, imageID: uint64(3e16) + uint64(i),
		})
	}
	return out
}

// automod is Reddit's moderation bot, which comments on new submissions in many communities.
var automod = &account{net: post.NetworkReddit, id: "6l4z3", username: "AutoModerator", name: "AutoModerator", first: "AutoModerator",
	followers: -1, following: -1, person: -1, brand: -1, lang: "en", bot: true}

func netIndex(n post.Network) int {
	for i, m := range networks {
		if m == n {
			return i
		}
	}
	return nReddit
}

const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// fixedB64 writes v in exactly width base64url digits (most significant first).
func fixedB64(v uint64, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = b64url[v&63]
		v >>= 6
	}
	return string(b)
}

// randB64 returns n random base64url digits.
func randB64(h *hashStream, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = b64url[h.intn(64)]
	}
	return string(b)
}

// fixedHex writes v in exactly width hexadecimal digits.
func fixedHex(v uint64, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = hexDigits[v&15]
		v >>= 4
	}
	return string(b)
}

// uniqueDigits returns a decimal id in [base, base+span) that is unique for unique (< span): a random
// multiple of span plus unique.
func uniqueDigits(h *hashStream, base, width uint64, unique, span int) string {
	k := width / uint64(span)
	if k == 0 {
		k = 1
	}
	return strconv.FormatUint(base+h.u64()%k*uint64(span)+uint64(unique), 10)
}
