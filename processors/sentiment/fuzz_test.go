package sentiment

import (
	"math"
	"strings"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"", "I love it!!! 😍", "#NotHappy @bob https://x.co/a", "not very GOOD, but sooo bad :(", "#BADDay",
		"it’s great—really", "\xff\xfe#\x00@", ":-) <3 :D", "kind of like can't wait", strings.Repeat("a", 60),
	} {
		f.Add(s)
	}
	a := testAnalyzer()
	f.Fuzz(func(t *testing.T, text string) {
		r := a.Analyze(text)
		if math.IsNaN(r.Compound) || r.Compound < -1 || r.Compound > 1 {
			t.Fatalf("compound %v out of range", r.Compound)
		}
		if r.Label != Negative && r.Label != Neutral && r.Label != Positive {
			t.Fatalf("label %q", r.Label)
		}
		for _, d := range r.Drivers {
			if d.Token == "" || !strings.Contains(text, d.Token) || math.IsNaN(d.Weight) {
				t.Fatalf("driver %+v is not a token of the text", d)
			}
		}
	})
}

func FuzzAnalyzePost(f *testing.F) {
	for _, s := range []string{
		"love the camera but Acme support is a joke", "Acme is better than Acme?", "unlike Acme, ok", "Acme",
		"\xff#Acme@acme used to be good", "switching to acme from ACME. cancel my acme", "",
	} {
		f.Add(s, 0, 4, int8(0))
	}
	a := testAnalyzer()
	f.Fuzz(func(t *testing.T, text string, start, end int, rating int8) {
		ents := []post.Entity{{ID: "a", Matched: "Acme", Start: start, End: end}, {ID: "b", Start: -1, End: -1}}
		var d Detail
		a.AnalyzePost(text, 0, ents, rating, &d)
		if len(d.Entities) != len(ents) {
			t.Fatalf("%d entity results for %d entities", len(d.Entities), len(ents))
		}
		for _, e := range d.Entities {
			if math.IsNaN(e.Compound) || e.Compound < -1 || e.Compound > 1 {
				t.Fatalf("entity compound %v out of range", e.Compound)
			}
		}
		for _, s := range d.Signals {
			if s.Phrase == "" || (s.Entity != "" && s.Entity != "a" && s.Entity != "b") {
				t.Fatalf("signal %+v", s)
			}
		}
	})
}
