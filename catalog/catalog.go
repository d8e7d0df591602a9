// Package catalog holds the brand and product catalogue — names, aliases, handles, hashtags, cashtags,
// misspellings, competitor flags and the context words that tell a brand from the common word it is spelled
// like — and the recognizer that finds its entities in posts.
//
// A catalogue is a YAML file:
//
//	brands:
//	  - id: apple                      # stable id: lower-case letters, digits, '-', '_' and '.'
//	    name: Apple
//	    aliases: [Apple Inc]           # other names people write
//	    misspellings: [Aple]           # wrong spellings worth catching
//	    handles: {x: [Apple, AppleSupport], mastodon: [apple@mastodon.social]}
//	    hashtags: [Apple, AppleEvent]  # without '#'
//	    cashtags: [AAPL]               # without '$'
//	    competitor: false              # a competitor of the brands the deployment watches
//	    ambiguous: [Apple]             # names that are also ordinary words
//	    rule: capitalized              # how an ambiguous name is accepted: capitalized (default), context or veto
//	    context:
//	      confirm: [iphone, mac, ios, store, stock]   # words that say it is the brand
//	      veto: [pie, juice, tree, cider, orchard]    # words that say it is not
//	    products:
//	      - id: iphone                 # the product's entity id is brand/product: apple/iphone
//	        name: iPhone
//	        aliases: [iPhone 15, iphone15]
//
// Names, aliases and misspellings match whole tokens, case-insensitively, ignoring accents; "Bean & Co",
// "Bean&Co" and "BeanCo" are the same tokens run together. A name listed under ambiguous counts only with
// evidence: a veto word within the context window rejects it (unless confirming words outnumber vetoes);
// otherwise a confirming word in the window, or an unambiguous mention of the same brand anywhere in the
// post, accepts it; otherwise rule decides: context rejects it, veto accepts it, capitalized accepts it when
// written with a capital letter that does not just start a sentence (and the post is not written in capitals
// throughout).
// A product's mention implies its brand. Hashtags, cashtags and handles are unambiguous.
package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rapport-dev/rapport/post"
)

// Rules for ambiguous names.
const (
	// RuleCapitalized accepts an ambiguous name without context when it is written capitalised mid-sentence.
	RuleCapitalized = "capitalized"
	// RuleContext accepts an ambiguous name only with confirming context or another mention of the brand.
	RuleContext = "context"
	// RuleVeto accepts an ambiguous name unless a veto word outweighs the confirming ones: for names that
	// nearly always mean the brand, with a known false friend ("Acme" of the cartoons).
	RuleVeto = "veto"
)

// DefaultWindow is how many tokens either side of a mention are its context when the catalogue does not say.
const DefaultWindow = 12

// DefaultFuzzyMinLen is the shortest single-token name (in bytes, after normalisation) that also matches
// with one edit (insertion, deletion, substitution or transposition) when the catalogue does not say.
const DefaultFuzzyMinLen = 7

// Catalog is a loaded, validated catalogue.
type Catalog struct {
	// Window is the context window in tokens either side of an ambiguous mention; default DefaultWindow.
	Window int `yaml:"window,omitempty"`
	// FuzzyMinLen is the shortest unambiguous single-token name matched with one edit; default
	// DefaultFuzzyMinLen; -1 turns fuzzy matching off.
	FuzzyMinLen int     `yaml:"fuzzy_min_len,omitempty"`
	Brands      []Brand `yaml:"brands,omitempty"`
}

// Context holds the words around an ambiguous mention that confirm or veto it. Words are single tokens,
// matched case-insensitively; a trailing plural "s" in the text is ignored.
type Context struct {
	Confirm []string `yaml:"confirm,omitempty,flow"`
	Veto    []string `yaml:"veto,omitempty,flow"`
}

// Brand is one brand of the catalogue.
type Brand struct {
	ID           string              `yaml:"id,omitempty"`
	Name         string              `yaml:"name,omitempty"`
	Aliases      []string            `yaml:"aliases,omitempty,flow"`
	Misspellings []string            `yaml:"misspellings,omitempty,flow"`
	Handles      map[string][]string `yaml:"handles,omitempty"` // network → handles, without '@'
	Hashtags     []string            `yaml:"hashtags,omitempty,flow"`
	Cashtags     []string            `yaml:"cashtags,omitempty,flow"`
	Competitor   bool                `yaml:"competitor,omitempty"`
	Ambiguous    []string            `yaml:"ambiguous,omitempty,flow"`
	Rule         string              `yaml:"rule,omitempty"`
	Context      Context             `yaml:"context,omitempty"`
	Products     []Product           `yaml:"products,omitempty"`
}

// Product is one product of a brand. Its entity id is "<brand id>/<product id>".
type Product struct {
	ID           string   `yaml:"id,omitempty"`
	Name         string   `yaml:"name,omitempty"`
	Aliases      []string `yaml:"aliases,omitempty,flow"`
	Misspellings []string `yaml:"misspellings,omitempty,flow"`
	Hashtags     []string `yaml:"hashtags,omitempty,flow"`
	Ambiguous    []string `yaml:"ambiguous,omitempty,flow"`
	Rule         string   `yaml:"rule,omitempty"` // default: the brand's rule
	Context      Context  `yaml:"context,omitempty"`
}

// Entity is one row of the flattened catalogue: a brand or a product.
type Entity struct {
	ID         string
	Brand      string // brand id
	Kind       post.EntityKind
	Name       string
	Competitor bool
	Aliases    []string // aliases and misspellings as written in the catalogue
}

// Load reads and validates the catalogue file at path.
func Load(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading catalogue: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes a catalogue strictly (an unknown field is an error), applies defaults and validates it. An
// empty document is a valid, empty catalogue.
func Parse(data []byte) (*Catalog, error) {
	var c Catalog
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.FuzzyMinLen == 0 {
		c.FuzzyMinLen = DefaultFuzzyMinLen
	}
	for i := range c.Brands {
		b := &c.Brands[i]
		if b.Rule == "" {
			b.Rule = RuleCapitalized
		}
		for j := range b.Products {
			if b.Products[j].Rule == "" {
				b.Products[j].Rule = b.Rule
			}
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

var (
	idRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	tagRe     = regexp.MustCompile(`^[\pL\pN_]*\pL[\pL\pN_]*$`)
	cashtagRe = regexp.MustCompile(`^[A-Za-z]{1,6}(\.[A-Za-z]{1,2})?$`)
	handleRe  = regexp.MustCompile(`^[\pL\pN_.-]+(@[\pL\pN.-]+)?$`)
)

// Validate checks the catalogue and returns every problem, each naming its field, e.g.
// "brands[2].products[0].id: empty".
func (c *Catalog) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.Window < 1 || c.Window > 200 {
		bad("window", "must be between 1 and 200 tokens, got %d", c.Window)
	}
	if c.FuzzyMinLen < -1 || c.FuzzyMinLen > 64 || c.FuzzyMinLen > 0 && c.FuzzyMinLen < 5 {
		bad("fuzzy_min_len", "must be -1 (off) or between 5 and 64, got %d", c.FuzzyMinLen)
	}
	// owner maps a normalised surface form to the field that first claimed it, per kind of form.
	type claim struct {
		field string
		brand int
		prod  int // -1: the brand itself
	}
	words := map[string]claim{}
	tags := map[string]claim{}
	cash := map[string]claim{}
	handles := map[string]claim{}
	ids := map[string]string{}
	claimForm := func(m map[string]claim, key, field string, cl claim, what string) {
		prev, ok := m[key]
		if !ok {
			m[key] = cl
			return
		}
		if prev.brand == cl.brand && (prev.prod == cl.prod || prev.prod == -1 || cl.prod == -1) {
			return // the same entity, or a brand and one of its own products: the brand keeps it
		}
		bad(field, "%s %q already names %s", what, key, prev.field)
	}
	claimName := func(field, s string, bi, pi int) {
		toks := normTokens(s)
		if len(toks) == 0 {
			bad(field, "%q has no letters or digits", s)
			return
		}
		claimForm(words, strings.Join(toks, " "), field, claim{field, bi, pi}, "name")
	}
	names := func(field string, list []string, bi, pi int) {
		for k, s := range list {
			claimName(fmt.Sprintf("%s[%d]", field, k), s, bi, pi)
		}
	}
	for bi := range c.Brands {
		b := &c.Brands[bi]
		bf := fmt.Sprintf("brands[%d]", bi)
		switch {
		case b.ID == "":
			bad(bf+".id", "empty")
		case !idRe.MatchString(b.ID):
			bad(bf+".id", "%q must be lower-case letters, digits, '.', '-' or '_'", b.ID)
		case ids[b.ID] != "":
			bad(bf+".id", "%q is already the id of %s", b.ID, ids[b.ID])
		default:
			ids[b.ID] = bf
		}
		if strings.TrimSpace(b.Name) == "" {
			bad(bf+".name", "empty")
		} else {
			claimName(bf+".name", b.Name, bi, -1)
		}
		names(bf+".aliases", b.Aliases, bi, -1)
		names(bf+".misspellings", b.Misspellings, bi, -1)
		checkRule(bad, bf+".rule", b.Rule)
		checkAmbiguous(bad, bf+".ambiguous", b.Ambiguous, b.Name, b.Aliases, b.Misspellings)
		checkWords(bad, bf+".context.confirm", b.Context.Confirm)
		checkWords(bad, bf+".context.veto", b.Context.Veto)
		for k, h := range b.Hashtags {
			f := fmt.Sprintf("%s.hashtags[%d]", bf, k)
			h = strings.TrimPrefix(h, "#")
			if !tagRe.MatchString(h) {
				bad(f, "%q is not a hashtag (letters, digits, '_', at least one letter)", b.Hashtags[k])
				continue
			}
			claimForm(tags, fold(h), f, claim{f, bi, -1}, "hashtag")
		}
		for k, s := range b.Cashtags {
			f := fmt.Sprintf("%s.cashtags[%d]", bf, k)
			s = strings.TrimPrefix(s, "$")
			if !cashtagRe.MatchString(s) {
				bad(f, "%q is not a ticker (1–6 letters, optionally .X)", b.Cashtags[k])
				continue
			}
			claimForm(cash, strings.ToUpper(s), f, claim{f, bi, -1}, "cashtag")
		}
		networks := make([]string, 0, len(b.Handles))
		for n := range b.Handles {
			networks = append(networks, n)
		}
		sort.Strings(networks)
		for _, n := range networks {
			for k, h := range b.Handles[n] {
				f := fmt.Sprintf("%s.handles.%s[%d]", bf, n, k)
				h = strings.TrimPrefix(h, "@")
				if !handleRe.MatchString(h) {
					bad(f, "%q is not a handle", b.Handles[n][k])
					continue
				}
				claimForm(handles, n+"\x00"+strings.ToLower(h), f, claim{f, bi, -1}, "handle")
			}
		}
		pids := map[string]string{}
		for pi := range b.Products {
			p := &b.Products[pi]
			pf := fmt.Sprintf("%s.products[%d]", bf, pi)
			switch {
			case p.ID == "":
				bad(pf+".id", "empty")
			case !idRe.MatchString(p.ID):
				bad(pf+".id", "%q must be lower-case letters, digits, '.', '-' or '_'", p.ID)
			case pids[p.ID] != "":
				bad(pf+".id", "%q is already the id of %s", p.ID, pids[p.ID])
			default:
				pids[p.ID] = pf
			}
			if strings.TrimSpace(p.Name) == "" {
				bad(pf+".name", "empty")
			} else {
				claimName(pf+".name", p.Name, bi, pi)
			}
			names(pf+".aliases", p.Aliases, bi, pi)
			names(pf+".misspellings", p.Misspellings, bi, pi)
			checkRule(bad, pf+".rule", p.Rule)
			checkAmbiguous(bad, pf+".ambiguous", p.Ambiguous, p.Name, p.Aliases, p.Misspellings)
			checkWords(bad, pf+".context.confirm", p.Context.Confirm)
			checkWords(bad, pf+".context.veto", p.Context.Veto)
			for k, h := range p.Hashtags {
				f := fmt.Sprintf("%s.hashtags[%d]", pf, k)
				h = strings.TrimPrefix(h, "#")
				if !tagRe.MatchString(h) {
					bad(f, "%q is not a hashtag (letters, digits, '_', at least one letter)", p.Hashtags[k])
					continue
				}
				claimForm(tags, fold(h), f, claim{f, bi, pi}, "hashtag")
			}
		}
	}
	return errors.Join(errs...)
}

func checkRule(bad func(string, string, ...any), field, rule string) {
	if rule != RuleCapitalized && rule != RuleContext && rule != RuleVeto {
		bad(field, "%q must be %q, %q or %q", rule, RuleCapitalized, RuleContext, RuleVeto)
	}
}

// checkAmbiguous requires every ambiguous form to be one of the entity's names, so a typo cannot silently
// leave a common word unguarded.
func checkAmbiguous(bad func(string, string, ...any), field string, amb []string, name string, lists ...[]string) {
	known := map[string]bool{strings.Join(normTokens(name), " "): true}
	for _, l := range lists {
		for _, s := range l {
			known[strings.Join(normTokens(s), " ")] = true
		}
	}
	for k, a := range amb {
		if !known[strings.Join(normTokens(a), " ")] {
			bad(fmt.Sprintf("%s[%d]", field, k), "%q is not the name, an alias or a misspelling of this entry", a)
		}
	}
}

func checkWords(bad func(string, string, ...any), field string, words []string) {
	for k, w := range words {
		if t := normTokens(w); len(t) != 1 {
			bad(fmt.Sprintf("%s[%d]", field, k), "%q must be exactly one word", w)
		}
	}
}

// Entities returns the catalogue flattened: each brand followed by its products, in file order.
func (c *Catalog) Entities() []Entity {
	var out []Entity
	for _, b := range c.Brands {
		out = append(out, Entity{
			ID: b.ID, Brand: b.ID, Kind: post.EntityBrand, Name: b.Name, Competitor: b.Competitor,
			Aliases: append(append([]string(nil), b.Aliases...), b.Misspellings...),
		})
		for _, p := range b.Products {
			out = append(out, Entity{
				ID: b.ID + "/" + p.ID, Brand: b.ID, Kind: post.EntityProduct, Name: p.Name, Competitor: b.Competitor,
				Aliases: append(append([]string(nil), p.Aliases...), p.Misspellings...),
			})
		}
	}
	return out
}
