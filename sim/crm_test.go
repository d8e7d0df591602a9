package sim

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCRMExport(t *testing.T) {
	g := New(Config{Seed: 3, Authors: 2000})
	cs := g.CRM(CRMOptions{})
	again := New(Config{Seed: 3, Authors: 2000}).CRM(CRMOptions{})
	if len(cs) != len(again) {
		t.Fatalf("not deterministic: %d then %d customers", len(cs), len(again))
	}
	var inPop, offline, consent, handles, typos, noName int
	ids := map[string]bool{}
	for i, c := range cs {
		if c.ID != again[i].ID || c.Name != again[i].Name || c.Email != again[i].Email {
			t.Fatalf("customer %d differs between runs: %+v vs %+v", i, c, again[i])
		}
		if ids[c.ID] {
			t.Fatalf("duplicate id %s", c.ID)
		}
		ids[c.ID] = true
		if c.Person >= 0 {
			inPop++
			pe := g.pop.build(c.Person)
			if c.Name != "" && c.Name != pe.first+" "+pe.last {
				typos++
			}
		} else {
			offline++
		}
		if c.Consent {
			consent++
		}
		if len(c.Handles) > 0 {
			handles++
		}
		if c.Name == "" {
			noName++
		}
	}
	n := len(cs)
	if inPop < 600 || inPop > 1000 || offline != inPop/2 {
		t.Errorf("customers: %d in the population, %d offline; want about 40%% of 2000 and half as many offline", inPop, offline)
	}
	if share := float64(consent) / float64(n); share < 0.85 || share > 0.95 {
		t.Errorf("consent share %.2f; want about 0.9", share)
	}
	if handles == 0 || typos == 0 || noName == 0 {
		t.Errorf("noise missing: %d with confirmed handles, %d altered names, %d without name", handles, typos, noName)
	}
	var buf bytes.Buffer
	if err := WriteCRM(&buf, cs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 || len(rows[0]) != len(CRMColumns) {
		t.Errorf("CSV: %d rows of %d columns; want %d of %d", len(rows), len(rows[0]), n+1, len(CRMColumns))
	}
}
