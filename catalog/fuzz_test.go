package catalog

import (
	"testing"
	"unicode/utf8"
)

func FuzzFindText(f *testing.F) {
	c, err := Load("testdata/real.yml")
	if err != nil {
		f.Fatal(err)
	}
	r := c.Recognizer()
	for _, s := range []string{"", "Apple's iPhone", "#TargetRun $AAPL @AmazonHelp", "$5 #1 @ # $", "Nestlé Ståhl ß", "a.b.c", "ÅPPLE\u0301 i\u0300phone", "\xff\xfe", "Bean&Co...", "$BRK.B $X.", "@a@b.c @@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		seen := map[string]bool{}
		for _, e := range r.FindText(text) {
			if seen[e.ID] {
				t.Fatalf("%q: entity %s twice", text, e.ID)
			}
			seen[e.ID] = true
			if e.Start < 0 || e.End > len(text) || e.Start >= e.End || text[e.Start:e.End] != e.Matched {
				t.Fatalf("%q: bad span %d..%d for %+v", text, e.Start, e.End, e)
			}
			if utf8.ValidString(text) && !utf8.ValidString(e.Matched) {
				t.Fatalf("%q: span %d..%d cuts a character", text, e.Start, e.End)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("brands:\n- id: a\n  name: A\n  ambiguous: [A]\n  products:\n  - id: p\n    name: A P\n"))
	f.Add([]byte("window: 3\nbrands: [{id: x, name: '#', hashtags: ['']}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		c.Recognizer().FindText("A P and a p, #A $A @a")
	})
}
