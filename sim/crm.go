package sim

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/rapport-dev/rapport/post"
)

// CRMOptions shape the simulated CRM export. Zero values mean the documented defaults.
type CRMOptions struct {
	// CustomerShare is the share of the author population who are customers (default 0.4).
	CustomerShare float64
	// OfflineShare is the number of customers who are not in the author population (they never post),
	// relative to those who are (default 0.5). Their names come from the same lists, so they include
	// namesakes of authors, as real CRMs do.
	OfflineShare float64
}

func (o CRMOptions) withDefaults() CRMOptions {
	if o.CustomerShare == 0 {
		o.CustomerShare = 0.4
	}
	if o.OfflineShare == 0 {
		o.OfflineShare = 0.5
	}
	return o
}

// CRMCustomer is one customer of the simulated CRM export, personal data in clear (as a CRM holds it).
type CRMCustomer struct {
	ID            string
	Name          string
	Email         string
	Phone         string
	City          string
	Region        string
	Country       string
	Handles       []string // confirmed handles, network:handle as posts show them (Mastodon: user@instance)
	Website       string
	Consent       bool
	Segment       string
	LifetimeValue float64
	// Person is the population index of the customer (the truth: every account of that person is this
	// customer); -1 for a customer who is not in the population.
	Person int
}

// CRMColumns are the columns of the CSV written by WriteCRM, in order.
var CRMColumns = []string{"customer_id", "name", "email", "phone", "city", "region", "country", "handles", "website",
	"consent", "segment", "lifetime_value"}

// CRM returns the simulated CRM customers of the generator's population: deterministic for the seed, with
// the noise of real CRM data: typos and nicknames in names, names missing, e-mail addresses whose local part
// is the person's social handle only sometimes (else first.last, initials, words and numbers), a home city
// that the social profiles may or may not show, handles confirmed by a minority, websites, customers who
// never post, and consent to social linking mostly given.
func (g *Generator) CRM(opts CRMOptions) []CRMCustomer {
	opts = opts.withDefaults()
	p := g.pop
	var out []CRMCustomer
	next := 0
	newID := func(h *hashStream) string {
		next++
		return fmt.Sprintf("CRM%06d%02d", next, h.intn(100))
	}
	for idx := 0; idx < p.n; idx++ {
		h := newHashStream(p.seed, uint64(idx), 0x63726d)
		if !h.chance(opts.CustomerShare) {
			continue
		}
		pe := p.build(idx)
		c := crmCustomer(&h, pe.first, pe.last, pe.cult)
		c.ID, c.Person = newID(&h), idx
		x := p.account(pe, post.NetworkX)
		if x.location != "" && contains(pe.cult.cities, x.location) && h.chance(0.7) {
			c.City, c.Region = splitCity(x.location)
		}
		// E-mail local part: the social handle for some, as many people reuse one username.
		if c.Email != "" && h.chance(0.3) {
			c.Email = strings.ToLower(pe.handle) + "@" + pickH(&h, emailDomains)
		}
		if h.chance(0.2) {
			n := networks[h.intn(len(networks))]
			a := p.account(pe, n)
			handle := a.username
			switch n {
			case post.NetworkMastodon:
				handle = a.username + "@" + a.domain
			case post.NetworkYouTube, post.NetworkReview:
				handle = ""
			}
			if handle != "" {
				c.Handles = append(c.Handles, string(n)+":"+handle)
			}
		}
		if x.url != "" && h.chance(0.5) {
			c.Website = x.url
		}
		out = append(out, c)
	}
	offline := int(float64(len(out)) * opts.OfflineShare)
	for i := range offline {
		h := newHashStream(p.seed, uint64(i), 0x6f66666c)
		cu := pickCulture(&h)
		c := crmCustomer(&h, pickH(&h, cu.first), pickH(&h, cu.last), cu)
		c.ID, c.Person = newID(&h), -1
		out = append(out, c)
	}
	return out
}

func pickCulture(h *hashStream) *culture {
	u := h.float()
	total := 0.0
	for _, c := range cultures {
		total += c.weight
	}
	for i := range cultures {
		u -= cultures[i].weight / total
		if u < 0 {
			return &cultures[i]
		}
	}
	return &cultures[len(cultures)-1]
}

var emailDomains = []string{"gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "gmx.de", "orange.fr", "uol.com.br", "hotmail.co.uk", "example.net"}

var nicknames = map[string]string{
	"James": "Jim", "Michael": "Mike", "David": "Dave", "Chris": "Christopher", "Jessica": "Jess", "Olivia": "Liv",
	"Alejandro": "Alex", "Guadalupe": "Lupe", "Maximilian": "Max", "Katharina": "Kathi", "Johanna": "Hanna",
	"Francisco": "Chico", "Beatriz": "Bia", "Guilherme": "Gui", "Siddharth": "Sid", "Aditya": "Adi",
	"Nathan": "Nate", "Antoine": "Tony", "Matheus": "Teus", "Leonardo": "Leo", "Santiago": "Santi",
}

var segments = []string{"bronze", "silver", "gold", "platinum"}

// crmCustomer draws the CRM fields of a person named first last of culture cu.
func crmCustomer(h *hashStream, first, last string, cu *culture) CRMCustomer {
	c := CRMCustomer{Country: strings.ToUpper(cu.code)}
	name := first + " " + last
	switch u := h.float(); {
	case u < 0.04:
		name = "" // not filled in
	case u < 0.10:
		name = typo(h, first) + " " + last
	case u < 0.14:
		name = first + " " + typo(h, last)
	case u < 0.20:
		if n, ok := nicknames[first]; ok {
			name = n + " " + last
		}
	case u < 0.24:
		name = strings.ToUpper(name)
	}
	c.Name = name
	if h.chance(0.9) {
		f, l := fold(first), fold(last)
		var local string
		switch h.intn(5) {
		case 0:
			local = f + "." + l
		case 1:
			local = f + l + strconv.Itoa(10+h.intn(90))
		case 2:
			local = f[:1] + l
		case 3:
			local = f + "_" + l[:1] + strconv.Itoa(h.intn(1000))
		default:
			local = strings.ToLower(pickH(h, redditNouns)) + strconv.Itoa(100+h.intn(9900))
		}
		c.Email = local + "@" + pickH(h, emailDomains)
	}
	if h.chance(0.6) {
		c.Phone = fmt.Sprintf("+%d %03d %03d %04d", 1+h.intn(60), h.intn(1000), h.intn(1000), h.intn(10000))
	}
	if h.chance(0.75) {
		c.City, c.Region = splitCity(pickH(h, cu.cities))
	}
	c.Consent = h.chance(0.9)
	c.Segment = pickH(h, segments)
	c.LifetimeValue = math.Round(h.lognormal(5, 1.2)*100) / 100
	return c
}

// typo changes one letter of s: a swap of two neighbours, a dropped letter or a doubled one.
func typo(h *hashStream, s string) string {
	r := []rune(s)
	if len(r) < 4 {
		return s
	}
	i := 1 + h.intn(len(r)-2)
	switch h.intn(3) {
	case 0:
		r[i], r[i+1] = r[i+1], r[i]
	case 1:
		r = append(r[:i], r[i+1:]...)
	default:
		r = append(append(append([]rune{}, r[:i+1]...), r[i]), r[i+1:]...)
	}
	return string(r)
}

// splitCity turns "Austin, TX" into city and region.
func splitCity(s string) (city, region string) {
	city, region, _ = strings.Cut(s, ",")
	return strings.TrimSpace(city), strings.TrimSpace(region)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// WriteCRM writes customers as CSV with a header (CRMColumns); handles are separated by ';'.
func WriteCRM(w io.Writer, customers []CRMCustomer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CRMColumns); err != nil {
		return err
	}
	for _, c := range customers {
		if err := cw.Write([]string{c.ID, c.Name, c.Email, c.Phone, c.City, c.Region, c.Country,
			strings.Join(c.Handles, ";"), c.Website, strconv.FormatBool(c.Consent), c.Segment,
			strconv.FormatFloat(c.LifetimeValue, 'f', 2, 64)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCRMTruth writes the truth of the export as CSV: customer_id, person (the population index of the
// author behind every account of that person, or -1 for a customer who never posts). The records the
// generator writes carry the same index in Truth.Person.
func WriteCRMTruth(w io.Writer, customers []CRMCustomer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"customer_id", "person"}); err != nil {
		return err
	}
	for _, c := range customers {
		if err := cw.Write([]string{c.ID, strconv.Itoa(c.Person)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
