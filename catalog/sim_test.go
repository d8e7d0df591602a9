package catalog

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rapport-dev/rapport/sim"
)

var update = flag.Bool("update", false, "rewrite sim.yml from sim.Brands()")

// simExtras are what the simulator does not say about its brands but a real catalogue would: misspellings
// people type, competitor flags (the demo watches Acme, Brewhaus and Fluxbank; Zentro and Bean & Co are
// their rivals), names that are also ordinary words, and the words that confirm or veto them.
var simExtras = map[string]struct {
	misspellings []string
	competitor   bool
	veto         []string // beyond the category's
	rule         string   // for an ambiguous brand name; default capitalized
}{
	"Acme": {misspellings: []string{"Acmee", "Akme"},
		// The cartoon Acme Corporation of Wile E. Coyote is the classic false friend.
		veto: []string{"wile", "coyote", "roadrunner", "looney", "tunes", "cartoon", "anvil", "anvils", "dynamite", "meep"},
		rule: RuleVeto},
	"Zentro":    {misspellings: []string{"Zentero", "Zentroo", "Zentr0"}, competitor: true},
	"Brewhaus":  {misspellings: []string{"Brewhause", "Brewhuas", "Brew haus"}},
	"Bean & Co": {misspellings: []string{"Beans & Co", "Bean n Co", "Beanandco"}, competitor: true},
	"Fluxbank":  {misspellings: []string{"Fluxbnak", "Flux bnak", "Fluxbanck"}},
}

// simAmbiguous are the simulator's names and aliases that are also ordinary words or phrases.
var simAmbiguous = map[string]bool{
	"acme": true, "flux": true, "the pulse": true, "the hub": true, "nitro": true, "the nitro": true, "pots": true,
	"metal card": true, "the rewards app": true,
}

// simContext are the words that confirm a brand of each category.
var simContext = map[sim.Category]Context{
	sim.Electronics: {
		Confirm: []string{"phone", "battery", "charge", "charging", "charger", "update", "firmware", "bluetooth", "screen", "camera", "earbuds", "headphones", "speaker", "pair", "paired", "device", "app", "smart", "unboxing", "support", "service", "customer", "shares", "stock", "store", "bought", "buy"},
		Veto:    []string{"heart", "rate", "blood", "wrist", "city", "community", "transport", "train", "bus", "airport"},
	},
	sim.Coffee: {
		Confirm: []string{"coffee", "latte", "brew", "cold", "oat", "barista", "cafe", "café", "cup", "order", "drink", "espresso", "menu", "rewards", "support", "service", "customer", "shares", "stock", "store", "bought", "buy"},
		Veto:    []string{"oxide", "engine", "car", "racing", "nitrous", "nitrogen", "tank"},
	},
	sim.Fintech: {
		Confirm: []string{"bank", "banking", "app", "card", "transfer", "transfers", "account", "payment", "payments", "savings", "save", "money", "fee", "fees", "cashback", "support", "salary", "deposit", "service", "customer", "shares", "stock"},
		Veto:    []string{"capacitor", "magnetic", "field", "solder", "soldering", "welding", "constant", "plants", "plant", "pans", "kitchen", "garden", "flower", "cooking", "band", "music", "guitar"},
	},
}

// simCatalog builds the catalogue of the simulator's brands.
func simCatalog() *Catalog {
	var c Catalog
	for _, b := range sim.Brands() {
		x := simExtras[b.Name]
		cb := Brand{
			ID: slugID(b.Name), Name: b.Name, Aliases: distinct(b.Name, b.Aliases), Misspellings: x.misspellings,
			Hashtags: b.Hashtags, Competitor: x.competitor, Handles: map[string][]string{"x": {b.XMain, b.XSupport}},
		}
		if b.Cashtag != "" {
			cb.Cashtags = []string{b.Cashtag}
		}
		if b.Mastodon != "" {
			cb.Handles["mastodon"] = []string{b.Mastodon}
		}
		if b.Reddit != "" {
			cb.Handles["reddit"] = []string{b.Reddit}
		}
		cb.Ambiguous = ambiguousOf(append([]string{cb.Name}, cb.Aliases...))
		if len(cb.Ambiguous) > 0 {
			ctx := simContext[b.Category]
			cb.Rule, cb.Context = RuleCapitalized, Context{Confirm: ctx.Confirm, Veto: append(append([]string(nil), ctx.Veto...), x.veto...)}
			if x.rule != "" {
				cb.Rule = x.rule
			}
		}
		for _, p := range b.Products {
			name := strings.TrimSpace(strings.TrimPrefix(p.Name, b.Name))
			cp := Product{ID: slugID(name), Name: p.Name, Aliases: distinct(p.Name, p.Aliases), Hashtags: p.Hashtags}
			cp.Ambiguous = ambiguousOf(cp.Aliases)
			if len(cp.Ambiguous) > 0 {
				// A common word written with a capital mid-sentence ("my Pots") is the product's name.
				cp.Rule = RuleCapitalized
				if len(cb.Ambiguous) == 0 {
					cp.Context = simContext[b.Category]
				}
			}
			cb.Products = append(cb.Products, cp)
		}
		c.Brands = append(c.Brands, cb)
	}
	return &c
}

func ambiguousOf(aliases []string) []string {
	var out []string
	for _, a := range aliases {
		if simAmbiguous[strings.Join(normTokens(a), " ")] {
			out = append(out, a)
		}
	}
	return out
}

// distinct drops the aliases that normalise to the name or to an earlier alias.
func distinct(name string, aliases []string) []string {
	seen := map[string]bool{strings.Join(normTokens(name), " "): true}
	var out []string
	for _, a := range aliases {
		k := strings.Join(normTokens(a), " ")
		if !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}

func slugID(s string) string {
	return strings.Join(normTokens(strings.ReplaceAll(s, "&", " ")), "-")
}

const simHeader = "# The simulator's fictional brands as a catalogue. Generated from sim.Brands() by TestSimCatalog\n" +
	"# (catalog/sim_test.go), which fails when this file drifts; regenerate with\n" +
	"#   go test ./catalog -run TestSimCatalog -update\n"

func TestSimCatalog(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString(simHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(simCatalog()); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("sim.yml", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("wrote sim.yml; the embedded copy is refreshed at the next build")
		return
	}
	if !bytes.Equal(buf.Bytes(), simYAML) {
		t.Fatal("sim.yml is out of date with sim.Brands(); run `go test ./catalog -run TestSimCatalog -update`")
	}
	c, err := Parse(simYAML)
	if err != nil {
		t.Fatalf("sim.yml does not load: %v", err)
	}
	if got, want := len(c.Brands), len(sim.Brands()); got != want {
		t.Fatalf("sim.yml has %d brands; the simulator %d", got, want)
	}
}
