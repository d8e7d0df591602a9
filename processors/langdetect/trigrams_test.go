package langdetect

import (
	"bufio"
	"context"
	"math/rand"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/abadojack/whatlanggo"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/sim"
)

// simTexts returns the texts the stage sees for n simulated posts (title and text), all networks.
func simTexts(tb testing.TB, n int) []string {
	tb.Helper()
	g := sim.New(sim.Config{Seed: 5})
	norms := ingest.Normalizers()
	var dec ingest.Decoder
	var out []string
	for len(out) < n {
		rec := g.Next()
		if rec.Malformed || rec.Action != post.ActionUpsert {
			continue
		}
		var p post.Post
		if err := dec.Decode(norms[rec.Network], rec.Value, &p); err != nil {
			continue
		}
		out = append(out, p.Title+" "+p.Text)
	}
	return out
}

// equivalenceTexts is simulated posts, the sentiment datasets' lines when present, and random mixtures of
// words, digits, punctuation, accents, other scripts and invalid UTF-8.
func equivalenceTexts(t *testing.T) []string {
	t.Helper()
	texts := simTexts(t, 10000)
	for _, f := range []string{
		"/work/shared/datasets/sentiment/tweeteval-val/val_text.txt",
		"/work/shared/datasets/sentiment/vader-snippets/amazonReviewSnippets_GroundTruth.txt",
	} {
		fh, err := os.Open(f)
		if err != nil {
			continue // the datasets are optional; the simulated and random texts still run
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			texts = append(texts, sc.Text())
		}
		_ = fh.Close()
	}
	pieces := []string{"the", "and", "de", "la", "que", "und", "der", "não", "été", "über", "perché", "het",
		"ÉCOLE", "Straße", "x", "42", "!!", "...", "#tag", "@user", "https://a.example/x?y=1", "😀", "привет",
		"東京", "\xff", "\t", "  ", "ça", "ñandú", "l’été", "I", "a", "  e  "}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 10000; i++ {
		var b strings.Builder
		for j, n := 0, 1+rng.Intn(40); j < n; j++ {
			b.WriteString(pieces[rng.Intn(len(pieces))])
			if rng.Intn(3) > 0 {
				b.WriteByte(' ')
			}
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestIsLatinTextMatchesWhatlanggo checks the script test against whatlanggo.DetectScript.
func TestIsLatinTextMatchesWhatlanggo(t *testing.T) {
	texts := append(equivalenceTexts(t), "", " ", "123", "\x01\x02", "привет мир", "hello мир", "héllo", "é", "\u0301",
		"東京 tokyo", "tokyo 東京 東京", "😀😀 a")
	for _, text := range texts {
		if got, want := isLatinText(text), whatlanggo.DetectScript(text) == unicode.Latin; got != want {
			t.Errorf("isLatinText(%q): got %v; want %v", text, got, want)
		}
	}
}

// TestLatinIndexMatchesWhatlanggo checks that the trigram index gives whatlanggo's language and confidence
// on every Latin-script text, for the default languages, for all languages and for a single one. When the
// best two languages tie, whatlanggo's choice between them follows map order and its confidence is 0, so
// only the confidence is compared then.
func TestLatinIndexMatchesWhatlanggo(t *testing.T) {
	texts := equivalenceTexts(t)
	for _, tc := range []struct {
		name      string
		languages []string
		every     int // compare every n-th text: whatlanggo is slow with all 49 Latin languages
	}{
		{"default", nil, 1},
		{"all", []string{"none-of-these"}, 8}, // no known code: an empty whitelist, every language
		{"single", []string{"de"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.languages, 0, nil)
			var sc scratch
			latin, mismatches := 0, 0
			for i, text := range texts {
				if i%tc.every != 0 || whatlanggo.DetectScript(text) != unicode.Latin {
					continue
				}
				latin++
				want := whatlanggo.DetectWithOptions(text, s.opts)
				lang, conf := s.latin.detect(text, &sc)
				if conf != want.Confidence || (conf != 0 && lang != want.Lang) {
					if mismatches++; mismatches <= 5 {
						t.Errorf("%q: got %s %v; want %s %v", text, lang.Iso6391(), conf, want.Lang.Iso6391(), want.Confidence)
					}
				}
			}
			if want := 15000 / tc.every; latin < want {
				t.Fatalf("only %d Latin texts compared; want at least %d", latin, want)
			}
			if mismatches > 0 {
				t.Errorf("%d of %d Latin texts differ from whatlanggo", mismatches, latin)
			}
		})
	}
}

// BenchmarkProcess measures the stage on simulated posts that carry no language, next to whatlanggo alone
// on the same texts (what the stage ran per post before it had its trigram index).
func BenchmarkProcess(b *testing.B) {
	texts := simTexts(b, 5000)
	s := New(nil, 0, nil)
	b.Run("stage", func(b *testing.B) {
		posts := make([]*post.Post, len(texts))
		for i := 0; i < b.N; i++ {
			for j, text := range texts {
				posts[j] = &post.Post{Text: text}
			}
			if _, err := s.Process(context.Background(), posts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/post")
	})
	b.Run("whatlanggo", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, text := range texts {
				whatlanggo.DetectWithOptions(text, s.opts)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/post")
	})
}
