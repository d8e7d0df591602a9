package sentiment

import (
	"math"
	"strings"
	"testing"
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
