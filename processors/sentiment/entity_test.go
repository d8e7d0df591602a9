package sentiment

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

// spans builds entities for the first occurrence of each name in text; the id is the lower-case name
// with spaces as dashes.
func spans(t *testing.T, text string, names ...string) []post.Entity {
	t.Helper()
	var out []post.Entity
	for _, n := range names {
		i := strings.Index(strings.ToLower(text), strings.ToLower(n))
		if i < 0 {
			t.Fatalf("%q not in %q", n, text)
		}
		out = append(out, post.Entity{ID: entID(n), Matched: text[i : i+len(n)], Start: i, End: i + len(n)})
	}
	return out
}

func entID(name string) string { return strings.ToLower(strings.ReplaceAll(name, " ", "-")) }

func analyzer(t *testing.T) *Analyzer {
	t.Helper()
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestEntitySentiment(t *testing.T) {
	a := analyzer(t)
	cases := []struct {
		text  string
		want  map[string]Label
		names []string
	}{
		{"love the camera but Acme support is a joke", map[string]Label{"camera": Positive, "Acme support": Negative}, nil},
		{"Acme is way better than Globex", map[string]Label{"Acme": Positive, "Globex": Negative}, nil},
		{"Globex is so much worse than Acme", map[string]Label{"Acme": Positive, "Globex": Negative}, nil},
		{"Acme is great and Globex sucks", map[string]Label{"Acme": Positive, "Globex": Negative}, nil},
		{"Got the Acme X2 yesterday. Absolutely love it!", map[string]Label{"Acme X2": Positive}, nil},
		{"Is the Acme X2 any good?", map[string]Label{"Acme X2": Neutral}, nil},
		{"Acme is not bad at all, Globex on the other hand is terrible", map[string]Label{"Acme": Positive, "Globex": Negative}, nil},
		{"I can't recommend Acme enough", map[string]Label{"Acme": Positive}, nil},
		{"My Acme router stopped working again", map[string]Label{"Acme": Negative}, nil},
		{"Best Buy opens at nine tomorrow", map[string]Label{"Best Buy": Neutral}, nil},
		{"Switched from Acme to Globex last month", map[string]Label{"Acme": Negative}, []string{"Acme", "Globex"}},
	}
	for _, c := range cases {
		names := c.names
		if names == nil {
			for n := range c.want {
				names = append(names, n)
			}
		}
		ents := spans(t, c.text, names...)
		res := a.AnalyzeEntities(c.text, ents)
		if len(res) != len(ents) {
			t.Fatalf("%q: got %d results for %d entities", c.text, len(res), len(ents))
		}
		for i, e := range ents {
			want, ok := c.want[names[i]]
			if !ok {
				continue
			}
			if res[i].Label != want || !res[i].InText {
				t.Errorf("%q: %s got %s (%.3f, drivers %+v); want %s", c.text, e.ID, res[i].Label, res[i].Compound, res[i].Drivers, want)
			}
		}
	}
}

func TestEntityNotInTextTakesThePostSentiment(t *testing.T) {
	a := analyzer(t)
	text := "Absolutely terrible experience, never again"
	var d Detail
	a.AnalyzePost(text, 0, []post.Entity{{ID: "acme", Matched: "Acme", Start: -1, End: -1}}, 0, &d)
	if e := d.Entities[0]; e.InText || e.Label != d.Label || e.Compound != d.Compound {
		t.Errorf("entity found outside the text: got %+v; want the post's %s %.3f, not in text", e, d.Label, d.Compound)
	}
}

func TestEntityLaterMentionsCount(t *testing.T) {
	a := analyzer(t)
	text := "Globex and Acme both shipped updates. Acme is brilliant now."
	ents := []post.Entity{{ID: "globex", Matched: "Globex", Start: 0, End: 6}, {ID: "acme", Matched: "Acme", Start: 11, End: 15}}
	res := a.AnalyzeEntities(text, ents)
	if res[1].Label != Positive || res[0].Label != Neutral {
		t.Errorf("got globex %s, acme %s; want neutral, positive (the second sentence names Acme again)", res[0].Label, res[1].Label)
	}
}

type wantSignal struct {
	kind   post.SignalKind
	entity string
}

func TestSignals(t *testing.T) {
	a := analyzer(t)
	cases := []struct {
		text   string
		names  []string
		rating int8
		want   []wantSignal
		absent []post.SignalKind
	}{
		{"Switched from Acme to Globex, no regrets", []string{"Acme", "Globex"}, 0, []wantSignal{{post.SignalChurn, "acme"}}, nil},
		{"I'm switching to Globex, Acme keeps overcharging me", []string{"Globex", "Acme"}, 0, []wantSignal{{post.SignalChurn, "acme"}}, nil},
		{"Would not recommend Acme to anyone", []string{"Acme"}, 0, []wantSignal{{post.SignalComplaint, "acme"}}, []post.SignalKind{post.SignalRecommend}},
		{"Can't recommend Acme enough!", []string{"Acme"}, 0, []wantSignal{{post.SignalRecommend, "acme"}}, []post.SignalKind{post.SignalComplaint}},
		{"Just ordered the new Acme X2", []string{"Acme X2"}, 0, []wantSignal{{post.SignalPurchase, "acme-x2"}}, nil},
		{"I'm not buying another Acme phone", []string{"Acme"}, 0, nil, []post.SignalKind{post.SignalPurchase}},
		{"Does anyone know if the Acme X2 has wireless charging?", []string{"Acme X2"}, 0, []wantSignal{{post.SignalQuestion, "acme-x2"}}, nil},
		{"Acme or Globex?", []string{"Acme", "Globex"}, 0, []wantSignal{{post.SignalQuestion, "acme"}, {post.SignalQuestion, "globex"}}, nil},
		{"Acme support is amazing, thank you Sarah!", []string{"Acme support"}, 0, []wantSignal{{post.SignalPraise, "acme-support"}}, nil},
		{"Still waiting for my refund from Acme", []string{"Acme"}, 0, []wantSignal{{post.SignalComplaint, "acme"}}, nil},
		{"Stayed two nights", []string{"Hotel Nord"}, 5, []wantSignal{{post.SignalPraise, "hotel-nord"}}, nil},
		{"Stayed two nights", nil, 1, []wantSignal{{post.SignalComplaint, ""}}, nil},
		{"Stayed two nights", nil, 3, nil, []post.SignalKind{post.SignalPraise, post.SignalComplaint}},
	}
	for _, c := range cases {
		var ents []post.Entity
		for _, n := range c.names {
			if strings.Contains(strings.ToLower(c.text), strings.ToLower(n)) {
				ents = append(ents, spans(t, c.text, n)...)
			} else {
				ents = append(ents, post.Entity{ID: entID(n), Matched: n, Start: -1, End: -1})
			}
		}
		var d Detail
		a.AnalyzePost(c.text, 0, ents, c.rating, &d)
		for _, w := range c.want {
			found := false
			for _, s := range d.Signals {
				if s.Kind == w.kind && s.Entity == w.entity && s.Phrase != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("%q: no %s signal about %q with a phrase; got %+v", c.text, w.kind, w.entity, d.Signals)
			}
		}
		for _, k := range c.absent {
			for _, s := range d.Signals {
				if s.Kind == k {
					t.Errorf("%q: got %+v; want no %s signal", c.text, s, k)
				}
			}
		}
	}
}

func TestStageFillsEntitiesAndSignals(t *testing.T) {
	a := analyzer(t)
	s := NewStage(a, "", nil)
	text := "love the camera but Acme support is a joke"
	en := &post.Post{Lang: "en", Title: "Acme X2 review", Text: text, Entities: spans(t, text, "camera", "Acme support")}
	fr := &post.Post{Lang: "fr", Text: "Séjour parfait", Rating: 5, Entities: []post.Entity{{ID: "hotel", Start: -1, End: -1}}}
	if _, err := s.Process(context.Background(), []*post.Post{en, fr}); err != nil {
		t.Fatal(err)
	}
	if e := en.Entities; !e[0].Scored || e[0].Label != 1 || !e[1].Scored || e[1].Label != -1 {
		t.Errorf("English post entities: got %+v; want camera scored positive, Acme support scored negative (spans are into Text, after the title)", e)
	}
	if len(en.Signals) == 0 {
		t.Error("English post: got no signals; want praise and a complaint")
	}
	if fr.Sentiment != nil || fr.Entities[0].Scored {
		t.Errorf("French post: got sentiment %+v, entity %+v; want unscored", fr.Sentiment, fr.Entities[0])
	}
	if len(fr.Signals) != 1 || fr.Signals[0].Kind != post.SignalPraise || fr.Signals[0].Phrase != "rating:5" || fr.Signals[0].Entity != "hotel" {
		t.Errorf("French 5-star review: got signals %+v; want one praise rating:5 about hotel", fr.Signals)
	}
}

func TestHashtagSegmentation(t *testing.T) {
	a := analyzer(t)
	for text, want := range map[string]Label{"#worstserviceever": Negative, "#bestdayever": Positive, "#notgood": Negative} {
		if r := a.Analyze(text); LabelOf(r.Compound) != want {
			t.Errorf("%s: got compound %.3f (drivers %+v); want %s", text, r.Compound, r.Drivers, want)
		}
	}
}
