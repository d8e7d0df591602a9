package sentiment

import (
	"fmt"
	"sort"
	"testing"
)

// TestWordTableFindsEveryLexiconWord checks the frozen table against the map it was built from: every word
// (short ones held in their slot, long ones beside it) is found with its entry, and its prefixes,
// extensions and other-case spellings that the lexicon lacks are not.
func TestWordTableFindsEveryLexiconWord(t *testing.T) {
	lx, err := loadLexicon()
	if err != nil {
		t.Fatal(err)
	}
	lx.freeze()
	long := 0
	for w, e := range lx.words {
		got, ok := lx.table.get([]byte(w))
		if !ok || got != e {
			t.Fatalf("get(%q) = %+v, %v; want %+v, true", w, got, ok, e)
		}
		if len(w) > inlineKey {
			long++
		}
		for _, miss := range []string{w + "qx", w[:len(w)-1] + "\x00"} {
			if _, known := lx.words[miss]; known {
				continue
			}
			if got, ok := lx.table.get([]byte(miss)); ok {
				t.Fatalf("get(%q) = %+v, true; the lexicon lacks it", miss, got)
			}
		}
	}
	if long == 0 {
		t.Errorf("no lexicon word is longer than %d bytes: the long-key path went untested", inlineKey)
	}
}

// TestWordTableLongKeysDifferingLate checks keys that share their inline bytes and differ only after them.
func TestWordTableLongKeysDifferingLate(t *testing.T) {
	words := map[string]entry{}
	for i := range 50 {
		words[fmt.Sprintf("abcdefghijklmnop%02d", i)] = entry{val: float32(i)}
	}
	tb := newWordTable(words)
	for w, e := range words {
		if got, ok := tb.get([]byte(w)); !ok || got != e {
			t.Fatalf("get(%q) = %+v, %v; want %+v", w, got, ok, e)
		}
	}
	for _, miss := range []string{"abcdefghijklmnop50", "abcdefghijklmnopq", "abcdefghijkl", ""} {
		if _, ok := tb.get([]byte(miss)); ok {
			t.Errorf("get(%q) found a word that is not there", miss)
		}
	}
}

// TestFoldedMatchesLower checks that folding a word a byte at a time agrees with lower and hashWord, and
// counts the letters.
func TestFoldedMatchesLower(t *testing.T) {
	for _, w := range []string{"Hello", "WORLD", "can’t", "gooood", "x2", "naïve", "ÜBER", "a" + string(make([]byte, 60))} {
		var b1 [maxWord]byte
		want, wantElong := lower(w, &b1)
		var f folded
		f.reset()
		f.addString(w)
		got := f.word()
		if string(got) != string(want) || (got == nil) != (want == nil) || (got != nil && f.elong != wantElong) {
			t.Errorf("folded %q = %q, %v; lower gives %q, %v", w, got, f.elong, want, wantElong)
		}
		if got != nil && f.h != hashWord(got) {
			t.Errorf("folded %q hash %x, hashWord %x", w, f.h, hashWord(got))
		}
		l, u := 0, 0
		for i := 0; i < len(w); i++ {
			if isLetter(w[i]) {
				l++
				if w[i] < 'a' {
					u++
				}
			}
		}
		if f.letters != l || f.uppers != u {
			t.Errorf("folded %q counts %d letters, %d upper; want %d, %d", w, f.letters, f.uppers, l, u)
		}
	}
}

// TestSubjectivityIsEvidenceOnly checks the subjectivity list: its words carry their subjectivity into the
// layer's evidence, and a word that only it knows changes no rule: no driver, no hashtag split.
func TestSubjectivityIsEvidenceOnly(t *testing.T) {
	a := testAnalyzer()
	var only []string
	for w, e := range a.lx.words {
		if e.subj >= 80 && e.onlySubjectivity() && len(w) >= 4 && allLetters(w) {
			only = append(only, w)
		}
	}
	sort.Strings(only)
	if len(only) < 20 {
		t.Fatalf("%d strongly subjective words known only to the subjectivity list; want at least 20", len(only))
	}
	for _, w := range only[:20] {
		r := a.Analyze("the " + w + " one")
		if len(r.Drivers) != 0 || r.Compound != 0 {
			t.Errorf("%q: drivers %v, compound %v; a subjectivity-only word must not score", w, r.Drivers, r.Compound)
		}
		plain, subj := a.evidence("the one"), a.evidence("the "+w+" one")
		i := denseIndex("subjective")
		if plain.dense[i] != 0 || subj.dense[i] <= 0 {
			t.Errorf("%q: subjective evidence %v without it, %v with it", w, plain.dense[i], subj.dense[i])
		}
	}
	var s scratch
	if a.segmentTag("zz"+only[0]+"zz", 0, len(only[0])+4, &s) {
		t.Errorf("segmentTag split a hashtag at subjectivity-only word %q", only[0])
	}
}

func TestReadSubjectivityErrors(t *testing.T) {
	lx := &lexicon{words: map[string]entry{}}
	for _, bad := range []string{"odd", "odd\t1.5", "odd\tx"} {
		if err := lx.readSubjectivity([]byte(bad+"\n"), "t.tsv"); err == nil {
			t.Errorf("readSubjectivity(%q): no error", bad)
		}
	}
	if err := lx.readSubjectivity([]byte("# comment\nodd\t0.25\n"), "t.tsv"); err != nil || lx.words["odd"].subj != 25 {
		t.Errorf("readSubjectivity: err %v, entry %+v; want subjectivity 25", err, lx.words["odd"])
	}
}

func allLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isLetter(w[i]) {
			return false
		}
	}
	return true
}
