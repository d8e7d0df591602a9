package sentiment

import (
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
)

var testAnalyzer = sync.OnceValue(func() *Analyzer {
	a, err := New()
	if err != nil {
		panic(err)
	}
	return a
})

func findDriver(r Result, token string) (Driver, bool) {
	for _, d := range r.Drivers {
		if d.Token == token {
			return d, true
		}
	}
	return Driver{}, false
}

func TestLabels(t *testing.T) {
	a := testAnalyzer()
	f := func(text string, want Label) {
		t.Helper()
		if got := a.Analyze(text); got.Label != want {
			t.Errorf("Analyze(%q): got %s (compound %.3f, drivers %+v); want %s", text, got.Label, got.Compound, got.Drivers, want)
		}
	}
	f("I love this phone", Positive)
	f("This is the worst service ever", Negative)
	f("The meeting is at 3pm in room 4", Neutral)
	f("", Neutral)
	f("@bob https://example.com/awful #", Neutral)
	f("I am not happy", Negative)
	f("no problem at all, thanks!", Positive)
	f("I can't wait for the show", Positive)
	f("I don't like it", Negative)
	f("like I said, the train leaves at noon", Neutral)
	f("#NotHappy with the update", Negative)
	f("#blessed", Positive)
	f("😡😡", Negative)
	f("what a day :(", Negative)
	f("see you soon :)", Positive)
	f("the food was good, but the service was awful", Negative)
	f("the food was bad, but the service was great", Positive)
}

func TestRules(t *testing.T) {
	a := testAnalyzer()
	// f checks that the driver token of more moves the score further in the direction of its sign than the
	// same token in base, and that the driver carries the rule.
	f := func(base, more, token, rule string) {
		t.Helper()
		rb, rm := a.Analyze(base), a.Analyze(more)
		if math.Abs(rm.Compound) <= math.Abs(rb.Compound) || math.Signbit(rm.Compound) != math.Signbit(rb.Compound) {
			t.Errorf("%q (%.3f) should score stronger than %q (%.3f)", more, rm.Compound, base, rb.Compound)
		}
		d, ok := findDriver(rm, token)
		if !ok || !strings.Contains(d.Rules, rule) {
			t.Errorf("%q: got drivers %+v; want %q with rule %q", more, rm.Drivers, token, rule)
		}
	}
	f("the food is good", "the food is very good", "good", "intensified")
	f("the food is good", "the food is GOOD", "GOOD", "caps")
	f("the food is good", "the food is gooood", "gooood", "elongated")
	f("the food is so good", "the food is soooo good", "good", "elongated")
	f("the food is good", "the food is good!!!", "good", "")
	f("I hate this", "I HATE this", "HATE", "caps")

	// Dampeners weaken.
	if d, b := a.Analyze("it is kind of good").Compound, a.Analyze("it is good").Compound; d >= b || d <= 0 {
		t.Errorf("kind of good: got %.3f; want in (0, %.3f)", d, b)
	}
	// ALL CAPS text has no emphasis: nothing stands out.
	if c, l := a.Analyze("THE FOOD IS GOOD"), a.Analyze("the food is good"); c.Compound != l.Compound {
		t.Errorf("all-caps text: got %.3f; want %.3f as lower case", c.Compound, l.Compound)
	}
}

func TestNegation(t *testing.T) {
	a := testAnalyzer()
	f := func(text, token string, wantNegated bool) {
		t.Helper()
		d, ok := findDriver(a.Analyze(text), token)
		if !ok {
			t.Fatalf("%q: no driver %q", text, token)
		}
		if got := strings.Contains(d.Rules, "negated"); got != wantNegated {
			t.Errorf("%q: %q negated %v (weight %.3f); want %v", text, token, got, d.Weight, wantNegated)
		}
		if wantNegated && (d.Weight > 0) == (d.Lexicon > 0) {
			t.Errorf("%q: negated %q weight %.3f has the lexicon's sign %.3f", text, token, d.Weight, d.Lexicon)
		}
	}
	f("this is not good", "good", true)
	f("this isn't good", "good", true)
	f("this isn’t good", "good", true)
	f("this is not very good", "good", true)
	f("not that it was all so good", "good", false) // beyond three words
	f("not today. good news though", "good", false) // scope ends at the clause
	f("not bad, great", "great", false)
	f("#NotHappy", "Happy", true)
	// A negated word is milder than its opposite.
	if n, b := a.Analyze("not good").Compound, a.Analyze("bad").Compound; n >= 0 || n <= b {
		t.Errorf("not good %.3f; want negative but milder than bad %.3f", n, b)
	}
}

func TestContrast(t *testing.T) {
	a := testAnalyzer()
	r := a.Analyze("The movie was great but the ending was terrible")
	g, _ := findDriver(r, "great")
	b, _ := findDriver(r, "terrible")
	if g.Rules != "contrast-before" || b.Rules != "contrast-after" || math.Abs(b.Weight) <= math.Abs(b.Lexicon) || g.Weight >= g.Lexicon {
		t.Errorf("contrast: got %+v", r.Drivers)
	}
	if r.Compound >= 0 {
		t.Errorf("great but terrible: got %.3f; want negative", r.Compound)
	}
	r = a.Analyze("Although the food was bad, the staff were lovely")
	if r.Compound <= 0 {
		t.Errorf("although bad, lovely: got %.3f %+v; want positive", r.Compound, r.Drivers)
	}
	r = a.Analyze("great phone, however the battery is awful")
	if r.Compound >= 0 {
		t.Errorf("great, however awful: got %.3f %+v; want negative", r.Compound, r.Drivers)
	}
}

func TestTokens(t *testing.T) {
	a := testAnalyzer()
	f := func(text string, want ...string) {
		t.Helper()
		var got []string
		for _, d := range a.Analyze(text).Drivers {
			got = append(got, d.Token)
		}
		if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Errorf("drivers of %q: got %q; want %q", text, got, want)
		}
	}
	f("@happy_hour love it", "love")                           // mentions are ignored
	f("great https://bad.example.com/terrible-awful", "great") // URLs are ignored
	f("see pic.twitter.com/awful ok great", "great")           // bare host/path too
	f("#GoodMorningWorld", "Good")                             // camel-case hashtags split
	f("#BADDay", "BAD")                                        // caps run followed by a word
	f("meeting at 10:30 tomorrow")                             // no ":3" emoticon inside a time
	f("I ❤️ you 😂", "❤", "😂")                                  // emoji with a variation selector
	f("I luv it, gr8 job", "luv", "gr8")                       // slang
	f("Happy hour :-) <3", "Happy", ":-)", "<3")               // emoticons
	f("sooo happy", "happy")                                   // elongated intensifier is no driver
	f("naïve café is awesome", "awesome")                      // non-ASCII letters stay in words
	f(strings.Repeat("a", 100)+" good", "good")                // over-long words are skipped
	f("good\u00a0bad", "good", "bad")                          // no-break space
	f("it’s great—really great", "great", "great")             // curly apostrophe and dash
	f("\xff\xfe good", "good")                                 // invalid UTF-8 is skipped
	f("Best. Day. Ever!!! :D", "Best", ":D")                   // punctuation breaks, emoticon at end
	f("ugh, wtf", "ugh", "wtf")                                // interjections
	f("I'd like that", "like")                                 // "like" as a verb
	f("it looks like rain", []string{}...)                     // "like" as a preposition
	f("I'm so done with this", []string{}...)                  // nothing in the lexicon
	f("kinda", []string{}...)                                  // a lone dampener
	f("not", []string{}...)                                    // a lone negator
	f("#", []string{}...)                                      // a lone sigil
	f("@", []string{}...)                                      //
	f("http://", []string{}...)                                //
	f(":", []string{}...)                                      //
	f("'", []string{}...)                                      //
	f("a'", []string{}...)                                     //
	f("good'", "good")                                         //
	f("#123abc good", "good")                                  // a hashtag must start with a letter
	f("#hashtag_with_sad_parts", "sad")                        // underscores split
	f("#sad2day", "sad")                                       // digits split
	f("#ReallyHappy", "Happy")                                 // intensifier inside a hashtag
	f("LOOOOVE", "LOOOOVE")                                    // caps and elongation together
	f("!!!???", []string{}...)                                 //
	f("good!!!!!!!!!!!!!", "good")                             // many marks
	f("😀"+strings.Repeat("\u200d", 3)+"😀", "😀", "😀")           // joiners ignored
	f("the 🏻 modifier", []string{}...)                         // skin tone alone carries nothing
}

func TestCompoundRangeAndDeterminism(t *testing.T) {
	a := testAnalyzer()
	texts := []string{
		strings.Repeat("love ", 1000),
		strings.Repeat("HATE!!! ", 1000),
		"mixed good bad good bad but terrible",
		"",
	}
	for _, text := range texts {
		r1 := a.Analyze(text)
		if r1.Compound < -1 || r1.Compound > 1 || math.IsNaN(r1.Compound) {
			t.Errorf("compound %.3f out of [-1, 1] for %.20q", r1.Compound, text)
		}
		if r1.ModelVersion != ModelVersion {
			t.Errorf("model version %q; want %q", r1.ModelVersion, ModelVersion)
		}
		for i := 0; i < 3; i++ {
			if r2 := a.Analyze(text); !reflect.DeepEqual(r1, r2) {
				t.Fatalf("Analyze(%.20q) not deterministic: %+v then %+v", text, r1, r2)
			}
		}
	}
	// A second analyzer built from the same data agrees.
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range texts {
		if r1, r2 := a.Analyze(text), b.Analyze(text); !reflect.DeepEqual(r1, r2) {
			t.Errorf("two analyzers differ on %.20q: %+v and %+v", text, r1, r2)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	a := testAnalyzer()
	texts := []string{"I love it", "I hate it", "not bad at all!!", "#NotHappy 😡", "meh"}
	want := make([]Result, len(texts))
	for i, s := range texts {
		want[i] = a.Analyze(s)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r Result
			for n := 0; n < 200; n++ {
				i := n % len(texts)
				a.AnalyzeInto(texts[i], &r)
				if r.Compound != want[i].Compound || len(r.Drivers) != len(want[i].Drivers) {
					t.Errorf("concurrent Analyze(%q): got %.3f; want %.3f", texts[i], r.Compound, want[i].Compound)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestAnalyzeIntoDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	a := testAnalyzer()
	var r Result
	text := "Sooo happy with my new phone!!! but the battery is NOT great :( #NotHappy @shop https://t.co/x 😡"
	a.AnalyzeInto(text, &r)
	if n := testing.AllocsPerRun(100, func() { a.AnalyzeInto(text, &r) }); n != 0 {
		t.Errorf("AnalyzeInto allocates %.1f times per text; want 0", n)
	}
}

func TestSupports(t *testing.T) {
	f := func(lang string, want bool) {
		t.Helper()
		if got := Supports(lang); got != want {
			t.Errorf("Supports(%q) = %v; want %v", lang, got, want)
		}
	}
	f("en", true)
	f("EN", true)
	f("en-GB", true)
	f("en_US", true)
	f("", false)
	f("und", false)
	f("fr", false)
	f("eng", false)
	f("es-EN", false)
}

func TestLabelOf(t *testing.T) {
	f := func(c float64, want Label) {
		t.Helper()
		if got := LabelOf(c); got != want {
			t.Errorf("LabelOf(%.3f) = %s; want %s", c, got, want)
		}
	}
	f(0, Neutral)
	f(NeutralThreshold, Positive)
	f(-NeutralThreshold, Negative)
	f(NeutralThreshold-0.001, Neutral)
	f(1, Positive)
	f(-1, Negative)
}
