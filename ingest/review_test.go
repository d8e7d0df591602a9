package ingest

import (
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
)

func TestGoldenReview(t *testing.T) {
	checkGoldenWith(t, "review", ReviewNormalizer{}, []goldenCase{
		{"trustpilot", "original"},
		{"google", "original"},
		{"title_only", "original"},
	})
}

const validReview = `{"id":"r1","rating":4,"text":"good","created_at":"2026-01-05T10:00:00Z"}`

func TestReviewNormalizerRejects(t *testing.T) {
	r := func(rating string) string {
		return `{"id":"r1","rating":` + rating + `,"text":"good","created_at":"2026-01-05T10:00:00Z"}`
	}
	checkRejects(t, ReviewNormalizer{}, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"broken json", `{"id":"r1","rating":`, ReasonInvalidJSON},
		{"trailing garbage", validReview + `x`, ReasonInvalidJSON},
		{"duplicate rating", `{"id":"r1","rating":4,"rating":5,"text":"good","created_at":"2026-01-05T10:00:00Z"}`, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"array at top level", `[` + validReview + `]`, ReasonWrongType},
		{"numeric id", `{"id":1,"rating":4,"text":"good","created_at":"2026-01-05T10:00:00Z"}`, ReasonWrongType},
		{"missing id", `{"rating":4,"text":"good","created_at":"2026-01-05T10:00:00Z"}`, ReasonMissingField},
		{"missing rating", `{"id":"r1","text":"good","created_at":"2026-01-05T10:00:00Z"}`, ReasonMissingField},
		{"rating null", r(`null`), ReasonMissingField},
		{"rating empty string", r(`""`), ReasonMissingField},
		{"rating 0", r(`0`), ReasonInvalidValue},
		{"rating 6", r(`6`), ReasonInvalidValue},
		{"rating -1", r(`-1`), ReasonInvalidValue},
		{"rating 4.5", r(`4.5`), ReasonInvalidValue},
		{"rating huge", r(`1e400`), ReasonInvalidValue},
		{"rating string 0", r(`"0"`), ReasonInvalidValue},
		{"rating string 10", r(`"10"`), ReasonInvalidValue},
		{"rating string with words", r(`"4 stars"`), ReasonInvalidValue},
		{"rating string NaN", r(`"NaN"`), ReasonInvalidValue},
		{"rating string Inf", r(`"Inf"`), ReasonInvalidValue},
		{"rating string hex", r(`"0x4p0"`), ReasonInvalidValue},
		{"rating is true", r(`true`), ReasonWrongType},
		{"rating is an object", r(`{"value":4}`), ReasonWrongType},
		{"rating is a list", r(`[4]`), ReasonWrongType},
		{"no text, body or title", `{"id":"r1","rating":4,"created_at":"2026-01-05T10:00:00Z"}`, ReasonMissingField},
		{"missing created_at", `{"id":"r1","rating":4,"text":"good"}`, ReasonMissingField},
		{"created_at without zone", `{"id":"r1","rating":4,"text":"good","created_at":"2026-01-05 10:00:00"}`, ReasonInvalidValue},
		{"published_at in words", `{"id":"r1","rating":4,"text":"good","published_at":"Jan 5, 2026"}`, ReasonInvalidValue},
		{"created_at as a number", `{"id":"r1","rating":4,"text":"good","created_at":1767607200}`, ReasonWrongType},
		{"author is a string", `{"id":"r1","rating":4,"text":"good","created_at":"2026-01-05T10:00:00Z","author":"Jo"}`, ReasonWrongType},
		{"likes is a string", `{"id":"r1","rating":4,"text":"good","created_at":"2026-01-05T10:00:00Z","likes":"3"}`, ReasonWrongType},
	})
}

func TestReviewRating(t *testing.T) {
	f := func(rating string, want int8) {
		t.Helper()
		raw := `{"id":"r1","rating":` + rating + `,"text":"good","created_at":"2026-01-05T10:00:00Z"}`
		var p post.Post
		if err := (ReviewNormalizer{}).Normalize([]byte(raw), &p); err != nil {
			t.Fatalf("Normalize(%s): %v", raw, err)
		}
		if p.Rating != want {
			t.Errorf("Normalize(%s) Rating: got %d; want %d", raw, p.Rating, want)
		}
	}
	f(`1`, 1)
	f(`5`, 5)
	f(`3.0`, 3)
	f(`4e0`, 4)
	f(`"2"`, 2)
	f(`" 5 "`, 5)
	f(`"5.0"`, 5)
}

func TestReviewNormalizer(t *testing.T) {
	f := func(raw string, check func(p *post.Post) string) {
		t.Helper()
		var p post.Post
		if err := fixedDecoder().Decode(ReviewNormalizer{}, []byte(raw), &p); err != nil {
			t.Fatalf("Decode(%s): %v", raw, err)
		}
		if msg := check(&p); msg != "" {
			t.Errorf("Decode(%s): %s", raw, msg)
		}
	}
	// The source prefixes the id (lower-cased), so sites do not collide; "site" is its synonym.
	f(`{"id":"r1","source":"Trustpilot","rating":4,"text":"a","created_at":"2026-01-05T10:00:00Z"}`, func(p *post.Post) string {
		if p.ID != "trustpilot:r1" {
			return "ID: got " + p.ID + "; want trustpilot:r1"
		}
		return ""
	})
	f(`{"id":"r1","site":"google","source":"yelp","rating":4,"text":"a","created_at":"2026-01-05T10:00:00Z"}`, func(p *post.Post) string {
		if p.ID != "yelp:r1" {
			return "ID: got " + p.ID + "; want yelp:r1 (source wins over site)"
		}
		return ""
	})
	// text wins over body; created_at over published_at.
	f(`{"id":"r1","rating":4,"text":"t","body":"b","created_at":"2026-01-05T10:00:00Z","published_at":"2026-01-04T10:00:00Z"}`, func(p *post.Post) string {
		if p.Text != "t" || !p.CreatedAt.Equal(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)) {
			return "got text " + p.Text + ", created " + p.CreatedAt.String() + "; want text and created_at"
		}
		return ""
	})
	// An updated_at not later than the creation is no edit; an unreadable one is ignored.
	for _, upd := range []string{`"2026-01-05T10:00:00Z"`, `"2026-01-01T00:00:00Z"`, `"soon"`, `""`} {
		f(`{"id":"r1","rating":4,"text":"a","created_at":"2026-01-05T10:00:00Z","updated_at":`+upd+`}`, func(p *post.Post) string {
			if !p.EditedAt.IsZero() {
				return "EditedAt: got " + p.EditedAt.String() + "; want zero"
			}
			return ""
		})
	}
	// The business reply is not part of the post, whatever it holds.
	f(`{"id":"r1","rating":4,"text":"a","created_at":"2026-01-05T10:00:00Z","reply":{"text":7,"created_at":[]}}`, func(p *post.Post) string {
		if p.Text != "a" {
			return "Text: got " + p.Text + "; want the review's own text"
		}
		return ""
	})
}

func FuzzReviewNormalizer(f *testing.F) {
	seedFuzz(f, "review", validReview, `null`, `{"id":"r","rating":"5.0","title":"t","published_at":"2026-01-05T10:00:00+0000"}`,
		`{"id":"r","rating":1e400,"text":"x","created_at":"2026-01-05T10:00:00Z"}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzNormalizer(t, ReviewNormalizer{}, raw) })
}

func BenchmarkDecodeReview(b *testing.B) { benchmarkDecode(b, ReviewNormalizer{}, "review") }
