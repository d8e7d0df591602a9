package catalog

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rapport-dev/rapport/post"
)

var syllables = []string{"ka", "lo", "vi", "tren", "zu", "mar", "pex", "dor", "qui", "sel", "bra", "nov", "tix", "al", "ru", "fen", "gor", "ly", "sto", "weg"}

// benchCatalog returns the real-world test catalogue plus generated brands, about n entities in all: each
// generated brand has three products, aliases, a misspelling, hashtags, a cashtag and handles, and every
// fifth one an ambiguous alias with context words.
func benchCatalog(tb testing.TB, n int) (*Catalog, []string) {
	tb.Helper()
	base, err := Load("testdata/real.yml")
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(k int) string {
		var b strings.Builder
		for range k {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		return b.String()
	}
	seen := map[string]bool{}
	unique := func(k int) string {
		for {
			w := word(k)
			if !seen[w] {
				seen[w] = true
				return w
			}
		}
	}
	var names []string
	count := len(base.Entities())
	for i := 0; count < n; i++ {
		count += 4
		bn := unique(3)
		title := strings.ToUpper(bn[:1]) + bn[1:]
		b := Brand{
			ID: fmt.Sprintf("gen%d", i), Name: title, Aliases: []string{title + " Group"}, Misspellings: []string{bn[:len(bn)-1] + bn[len(bn)-1:] + bn[len(bn)-1:]},
			Hashtags: []string{title, title + "Fans"}, Handles: map[string][]string{"x": {bn, bn + "help"}}, Rule: RuleCapitalized,
		}
		if i%5 == 0 {
			amb := unique(2)
			b.Aliases = append(b.Aliases, amb)
			b.Ambiguous = []string{amb}
			b.Context = Context{Confirm: []string{"store", "app", "order"}, Veto: []string{"river", "recipe"}}
		}
		for j := 0; j < 3; j++ {
			pn := unique(3)
			b.Products = append(b.Products, Product{ID: pn, Name: title + " " + strings.ToUpper(pn[:1]) + pn[1:] + " " + fmt.Sprint(j+2), Aliases: []string{pn + fmt.Sprint(j+2)}, Hashtags: []string{title + pn}, Rule: b.Rule})
			names = append(names, title+" "+strings.ToUpper(pn[:1])+pn[1:]+" "+fmt.Sprint(j+2))
		}
		names = append(names, title)
		base.Brands = append(base.Brands, b)
	}
	if err := base.Validate(); err != nil {
		tb.Fatal(err)
	}
	return base, names
}

// benchTexts are tweet-length posts: the labelled set, plus the same texts with a generated brand or product
// spliced in, so about half the posts mention something.
func benchTexts(tb testing.TB, names []string) []string {
	tb.Helper()
	examples, err := ReadExamples("testdata/posts.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for i, ex := range examples {
		out = append(out, ex.Text)
		out = append(out, "honestly "+names[(i*7)%len(names)]+" is "+ex.Text)
	}
	return out
}

func TestBenchCatalogSize(t *testing.T) {
	c, names := benchCatalog(t, 1000)
	r := c.Recognizer()
	if r.Len() < 1000 || r.Len() > 1010 {
		t.Fatalf("bench catalogue has %d entities", r.Len())
	}
	// The generated names are found where they were spliced in.
	if got := r.FindText("honestly " + names[5] + " is great"); len(got) == 0 || !strings.EqualFold(got[0].Matched, names[5]) {
		t.Fatalf("FindText with %q: %+v", names[5], got)
	}
}

// BenchmarkFindText measures recognition of tweet-length posts against a catalogue of about 1,000 entities,
// in posts/s on one goroutine (one core).
func BenchmarkFindText(b *testing.B) {
	c, names := benchCatalog(b, 1000)
	r := c.Recognizer()
	texts := benchTexts(b, names)
	bytes := 0
	for _, t := range texts {
		bytes += len(t)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	found := 0
	for i := 0; i < b.N; i++ {
		found += len(r.FindText(texts[i%len(texts)]))
	}
	b.StopTimer()
	if found == 0 {
		b.Fatal("nothing found")
	}
	reportRates(b, cpu0)
	b.ReportMetric(float64(bytes)/float64(len(texts)), "bytes/post")
}

// BenchmarkFind includes the title and the tag lists, as the pipeline stage calls it.
func BenchmarkFind(b *testing.B) {
	c, names := benchCatalog(b, 1000)
	r := c.Recognizer()
	texts := benchTexts(b, names)
	posts := make([]post.Post, len(texts))
	for i, t := range texts {
		posts[i] = post.Post{Text: t, Hashtags: []string{"summer", "gen"}, Mentions: []string{"someone"}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		r.Find(&posts[i%len(posts)])
	}
	b.StopTimer()
	reportRates(b, cpu0)
}

// reportRates reports posts per wall-clock second and, where the platform tells, per CPU second of the
// process (the benchmark runs on one goroutine, so that is the rate of one core).
func reportRates(b *testing.B, cpu0 float64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	if cpu := processCPU() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "posts/cpu-s")
	}
}
