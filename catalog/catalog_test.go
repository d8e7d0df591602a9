package catalog

import (
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	c, err := Load("testdata/real.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Brands); got < 10 {
		t.Fatalf("brands: got %d, want at least 10", got)
	}
	ents := c.Entities()
	if ents[0].ID != "apple" || ents[1].ID != "apple/iphone" || ents[1].Brand != "apple" || ents[1].Kind != "product" {
		t.Fatalf("flattened entities start %+v %+v", ents[0], ents[1])
	}
	if c.Window != 12 || c.FuzzyMinLen != DefaultFuzzyMinLen {
		t.Fatalf("window %d fuzzy %d", c.Window, c.FuzzyMinLen)
	}
	if c.Brands[1].Rule != RuleCapitalized || c.Brands[2].Products[1].Rule != RuleContext {
		t.Fatalf("rule defaults: %q %q", c.Brands[1].Rule, c.Brands[2].Products[1].Rule)
	}
}

func TestParseEmpty(t *testing.T) {
	c, err := Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Brands) != 0 || len(c.Recognizer().FindText("Apple and Amazon")) != 0 {
		t.Fatal("an empty catalogue must find nothing")
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ yml, want string }{
		{"brands:\n- id: a\n  name: A\n- id: b\n  name: B\n- id: c\n  name: C\n  products:\n  - name: P\n", "brands[2].products[0].id: empty"},
		{"brands:\n- id: A b\n  name: A\n", `brands[0].id: "A b" must be lower-case`},
		{"brands:\n- id: a\n", "brands[0].name: empty"},
		{"brands:\n- id: a\n  name: A\n- id: a\n  name: B\n", `brands[1].id: "a" is already the id of brands[0]`},
		{"brands:\n- id: a\n  name: Acme\n- id: b\n  name: B\n  aliases: [ACME]\n", `brands[1].aliases[0]: name "acme" already names brands[0].name`},
		{"brands:\n- id: a\n  name: A\n  rule: maybe\n", `brands[0].rule: "maybe" must be`},
		{"brands:\n- id: a\n  name: A\n  ambiguous: [B]\n", `brands[0].ambiguous[0]: "B" is not the name`},
		{"brands:\n- id: a\n  name: A\n  hashtags: ['#1']\n", `brands[0].hashtags[0]: "#1" is not a hashtag`},
		{"brands:\n- id: a\n  name: A\n  cashtags: [TOOLONGX]\n", `brands[0].cashtags[0]: "TOOLONGX" is not a ticker`},
		{"brands:\n- id: a\n  name: A\n  handles: {x: ['a b']}\n", `brands[0].handles.x[0]: "a b" is not a handle`},
		{"brands:\n- id: a\n  name: A\n  context: {confirm: [two words]}\n", `brands[0].context.confirm[0]: "two words" must be exactly one word`},
		{"brands:\n- id: a\n  name: A\n  aliases: ['!!']\n", `brands[0].aliases[0]: "!!" has no letters or digits`},
		{"brands:\n- id: a\n  name: A\n  hashtags: [X]\n- id: b\n  name: B\n  hashtags: [x]\n", `brands[1].hashtags[0]: hashtag "x" already names brands[0].hashtags[0]`},
		{"brands:\n- id: a\n  name: A\n  colour: red\n", "field colour not found"},
		{"window: 0\nfuzzy_min_len: 3\nbrands: []\n", "fuzzy_min_len: must be -1 (off) or between 5 and 64, got 3"},
	}
	for _, tc := range cases {
		_, err := Parse([]byte(tc.yml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): got error %v; want it to contain %q", tc.yml, err, tc.want)
		}
	}
}

func TestBrandSharesFormWithOwnProduct(t *testing.T) {
	// A brand and one of its products may list the same hashtag: the brand keeps it.
	c, err := Parse([]byte("brands:\n- id: flux\n  name: Fluxbank\n  hashtags: [FluxPots]\n  products:\n  - id: pots\n    name: Savings Pots\n    hashtags: [FluxPots]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Recognizer().FindText("love the new #FluxPots")
	if len(got) != 1 || got[0].ID != "flux" {
		t.Fatalf("got %+v; want the brand only", got)
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load("testdata/none.yml"); err == nil || !strings.Contains(err.Error(), "reading catalogue") {
		t.Fatalf("got %v", err)
	}
}
