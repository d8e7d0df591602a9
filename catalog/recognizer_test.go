package catalog

import (
	"strings"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

func realRecognizer(t testing.TB) *Recognizer {
	t.Helper()
	c, err := Load("testdata/real.yml")
	if err != nil {
		t.Fatal(err)
	}
	return c.Recognizer()
}

func ids(es []post.Entity) string {
	var s []string
	for _, e := range es {
		s = append(s, e.ID)
	}
	return strings.Join(s, ",")
}

// These development cases are separate from the evaluation set in testdata/posts.jsonl.
func TestFindText(t *testing.T) {
	r := realRecognizer(t)
	cases := []struct{ text, want string }{
		{"Just got the new iPhone 16 Pro and it's great", "apple,apple/iphone"},
		{"apple pie for dessert tonight", ""},
		{"Apple pie for dessert tonight", ""},
		{"I think Apple is overcharging for storage", "apple"},
		{"apple is overcharging for storage on the iphone", "apple,apple/iphone"},
		{"Apple's new keynote was boring", "apple"},
		{"my amazon order never arrived", "amazon"},
		{"the amazon rainforest is burning", ""},
		{"Amazon river cruise was amazing", ""},
		{"Target run for socks and snacks", "target"},
		{"we missed our sales target again", ""},
		{"Shell raised petrol prices again", "shell"},
		{"found a pretty shell on the beach", ""},
		{"saw a jaguar at the zoo", ""},
		{"test drove the Jaguar F-Pace today", "jaguar,jaguar/f-pace"},
		{"a cold Corona with lime on the beach", "corona"},
		{"corona cases are rising again", ""},
		{"a dove landed on my balcony", ""},
		{"Dove body wash is the only one that doesn't irritate my skin", "dove"},
		{"subway delayed again, late for work", ""},
		{"grabbed a footlong at Subway", "subway"},
		{"Mercury in retrograde explains my week", ""},
		{"moved our startup banking to Mercury", "mercury"},
		{"$AAPL and $AMZN up today", "apple,amazon"},
		{"@AmazonHelp my package is lost", "amazon"},
		{"#TargetRun haul", "target"},
		{"Samsumg phones are better than iphones", "samsung,apple,apple/iphone"},
		{"Starbuks was packed", "starbucks"},
		{"Starbucs latte", "starbucks"},
		{"Walmart vs Wal-Mart vs Wallmart", "walmart"},
		{"APPLE PIE RECIPE", ""},
		{"I LOVE MY NEW PHONE FROM APPLE", "apple"},
		{"shotoniphone", ""},
		// A near miss of a brand with ambiguous names needs the same evidence as they do.
		{"the Amazons of Greek myth were warriors", ""},
		{"my amazone order is late", "amazon"},
		{"saving the amazonn rainforest", ""},
		{"my amazonn package arrived broken", "amazon"},
	}
	for _, tc := range cases {
		if got := ids(r.FindText(tc.text)); got != tc.want {
			t.Errorf("FindText(%q) = %q; want %q", tc.text, got, tc.want)
		}
	}
}

func TestSpansAndOrder(t *testing.T) {
	r := realRecognizer(t)
	text := "Swapped my Samsung for an iPhone; Apple's camera wins. Samsung still cheaper."
	got := r.FindText(text)
	if ids(got) != "samsung,apple,apple/iphone" {
		t.Fatalf("got %s", ids(got))
	}
	for _, e := range got {
		if text[e.Start:e.End] != e.Matched {
			t.Errorf("%s: span %d..%d is %q, Matched %q", e.ID, e.Start, e.End, text[e.Start:e.End], e.Matched)
		}
	}
	if got[0].Matched != "Samsung" || got[0].Start != 11 || !got[0].Competitor {
		t.Errorf("samsung: %+v", got[0])
	}
	// The brand implied by a product carries the product's span, and comes first.
	if got[1].Matched != "iPhone" || got[2].Matched != "iPhone" || got[1].Kind != post.EntityBrand || got[2].Kind != post.EntityProduct {
		t.Errorf("apple/iphone: %+v %+v", got[1], got[2])
	}
}

func TestFindPostTitleAndTags(t *testing.T) {
	r := realRecognizer(t)
	p := &post.Post{
		Title:    "Kindle Paperwhite or a tablet?",
		Text:     "Thinking about it. Also my Target order was late",
		Hashtags: []string{"walmart"},
		Cashtags: []string{"SBUX"},
		Mentions: []string{"samsungmobile"},
	}
	got := r.Find(p)
	if ids(got) != "target,amazon,amazon/kindle,walmart,starbucks,samsung" {
		t.Fatalf("got %s", ids(got))
	}
	if got[0].Start != 27 || got[1].Start != -1 || got[1].End != -1 || got[1].Matched != "Kindle Paperwhite" || got[3].Matched != "#walmart" ||
		got[4].Matched != "$SBUX" || got[5].Matched != "@samsungmobile" {
		t.Fatalf("spans: %+v", got)
	}
}

func TestTokenBoundaries(t *testing.T) {
	r := realRecognizer(t)
	for _, text := range []string{"pineapple", "Applebee's", "subwaysurfers", "targeted ads", "shellfish", "doves", "mercurial"} {
		if got := r.FindText(text); len(got) != 0 {
			t.Errorf("FindText(%q) = %s; want nothing", text, ids(got))
		}
	}
	// Names run together or spaced differently still match.
	for text, want := range map[string]string{"AirPods Pro": "apple,apple/airpods", "Air Pods": "apple,apple/airpods", "airpodspro": "apple,apple/airpods", "Nestlé? no, Jaguar Land Rover": "jaguar", "JaguarLandRover": "jaguar"} {
		if got := ids(r.FindText(text)); got != want {
			t.Errorf("FindText(%q) = %s; want %s", text, got, want)
		}
	}
}

func TestMultiWordDoesNotCrossSentences(t *testing.T) {
	c, err := Parse([]byte("brands:\n- id: bean\n  name: Bean & Co\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Recognizer()
	for text, want := range map[string]string{"Bean & Co rocks": "bean", "Bean&Co rocks": "bean", "#BeanCo": "bean", "beans. & co": ""} {
		if got := ids(r.FindText(text)); got != want {
			t.Errorf("FindText(%q) = %q; want %q", text, got, want)
		}
	}
}

func TestWithinOneEdit(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"starbucks", "starbucks", true}, {"starbucks", "starbuks", true}, {"starbucks", "starbucsk", true},
		{"starbucks", "starbuckss", true}, {"starbucks", "starbacks", true}, {"starbucks", "strabucks", true},
		{"starbucks", "strabukcs", false}, {"starbucks", "starbu", false}, {"héllo", "hello", true},
	}
	for _, tc := range cases {
		if got := withinOneEdit(tc.a, tc.b); got != tc.want {
			t.Errorf("withinOneEdit(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestConcurrentFind(t *testing.T) {
	r := realRecognizer(t)
	done := make(chan string)
	for g := 0; g < 4; g++ {
		go func() {
			var last string
			for i := 0; i < 200; i++ {
				last = ids(r.FindText("ordered AirPods on Amazon, picked up at Target"))
			}
			done <- last
		}()
	}
	for g := 0; g < 4; g++ {
		if got := <-done; got != "apple,apple/airpods,amazon,target" {
			t.Fatalf("got %s", got)
		}
	}
}
