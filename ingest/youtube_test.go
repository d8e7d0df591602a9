package ingest

import (
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
)

func TestGoldenYouTube(t *testing.T) {
	checkGoldenWith(t, "youtube", YouTubeNormalizer{}, []goldenCase{
		{"thread", "reply"},
		{"edited_html", "reply"},
		{"reply", "reply"},
	})
}

const validYouTubeComment = `{"kind":"youtube#comment","id":"c1","snippet":{"videoId":"v1","textOriginal":"hi",` +
	`"authorChannelId":{"value":"UC1"},"publishedAt":"2026-01-05T10:00:00Z"}}`

const validYouTubeThread = `{"kind":"youtube#commentThread","id":"c1","snippet":{"videoId":"v1","topLevelComment":` +
	validYouTubeComment + `}}`

func TestYouTubeNormalizerRejects(t *testing.T) {
	comment := func(snippet string) string {
		return `{"kind":"youtube#comment","id":"c1","snippet":{` + snippet + `}}`
	}
	const author = `"authorChannelId":{"value":"UC1"}`
	const published = `"publishedAt":"2026-01-05T10:00:00Z"`
	checkRejects(t, YouTubeNormalizer{}, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"broken json", `{"kind":"youtube#comment","id":`, ReasonInvalidJSON},
		{"trailing garbage", validYouTubeComment + `]`, ReasonInvalidJSON},
		{"duplicate member", `{"kind":"youtube#comment","kind":"youtube#comment"}`, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"empty object", `{}`, ReasonMissingField},
		{"array at top level", `[` + validYouTubeComment + `]`, ReasonWrongType},
		{"list response", `{"kind":"youtube#commentThreadListResponse","items":[]}`, ReasonUnsupported},
		{"video resource", `{"kind":"youtube#video","id":"v1"}`, ReasonUnsupported},
		{"kind is a number", `{"kind":7}`, ReasonWrongType},
		{"thread without snippet", `{"kind":"youtube#commentThread","id":"c1"}`, ReasonMissingField},
		{"thread without top-level comment", `{"kind":"youtube#commentThread","id":"c1","snippet":{"videoId":"v1"}}`, ReasonMissingField},
		{"thread whose top level is a thread", `{"kind":"youtube#commentThread","id":"c1","snippet":{"topLevelComment":{"kind":"youtube#commentThread","id":"c1"}}}`, ReasonUnsupported},
		{"top-level comment without id", `{"kind":"youtube#commentThread","snippet":{"topLevelComment":{"snippet":{` + author + `,` + published + `}}}}`, ReasonMissingField},
		{"comment without id", `{"kind":"youtube#comment","snippet":{` + author + `,` + published + `}}`, ReasonMissingField},
		{"comment without snippet", `{"kind":"youtube#comment","id":"c1"}`, ReasonMissingField},
		{"missing author channel", comment(published), ReasonMissingField},
		{"empty author channel", comment(`"authorChannelId":{"value":""},` + published), ReasonMissingField},
		{"author channel as a plain string", comment(`"authorChannelId":"UC1",` + published), ReasonWrongType},
		{"missing publishedAt", comment(author), ReasonMissingField},
		{"publishedAt null", comment(author + `,"publishedAt":null`), ReasonMissingField},
		{"publishedAt without zone", comment(author + `,"publishedAt":"2026-01-05T10:00:00"`), ReasonInvalidValue},
		{"publishedAt at the epoch", comment(author + `,"publishedAt":"1970-01-01T00:00:00Z"`), ReasonInvalidValue},
		{"likeCount is a string", comment(author + `,` + published + `,"likeCount":"57"`), ReasonWrongType},
		{"likeCount is fractional", comment(author + `,` + published + `,"likeCount":5.5`), ReasonWrongType},
		{"textOriginal is a list", comment(author + `,` + published + `,"textOriginal":["a"]`), ReasonWrongType},
		{"totalReplyCount is a string", `{"kind":"youtube#commentThread","id":"c1","snippet":{"totalReplyCount":"3","topLevelComment":` + validYouTubeComment + `}}`, ReasonWrongType},
	})
}

func TestYouTubeNormalizer(t *testing.T) {
	f := func(raw string, check func(p *post.Post) string) {
		t.Helper()
		var p post.Post
		if err := fixedDecoder().Decode(YouTubeNormalizer{}, []byte(raw), &p); err != nil {
			t.Fatalf("Decode(%s): %v", raw, err)
		}
		if msg := check(&p); msg != "" {
			t.Errorf("Decode(%s): %s", raw, msg)
		}
	}
	comment := func(snippet string) string {
		return `{"kind":"youtube#comment","id":"c1","snippet":{"authorChannelId":{"value":"UC1"},` +
			`"publishedAt":"2026-01-05T10:00:00Z"` + snippet + `}}`
	}
	// An updatedAt later than publishedAt is an edit; an equal or earlier one is not.
	f(comment(`,"updatedAt":"2026-01-05T10:00:01Z"`), func(p *post.Post) string {
		if want := time.Date(2026, 1, 5, 10, 0, 1, 0, time.UTC); !p.EditedAt.Equal(want) {
			return "EditedAt: got " + p.EditedAt.String() + "; want " + want.String()
		}
		return ""
	})
	f(comment(`,"updatedAt":"2026-01-05T10:00:00Z"`), func(p *post.Post) string {
		if !p.EditedAt.IsZero() {
			return "EditedAt: got " + p.EditedAt.String() + "; want zero (not edited)"
		}
		return ""
	})
	f(comment(`,"updatedAt":"garbage"`), func(p *post.Post) string {
		if !p.EditedAt.IsZero() {
			return "EditedAt: got " + p.EditedAt.String() + "; want zero for an unreadable updatedAt"
		}
		return ""
	})
	// textOriginal wins; textDisplay is HTML and is rendered when it is all there is.
	f(comment(`,"textOriginal":"a < b & c","textDisplay":"a &lt; b &amp; c"`), func(p *post.Post) string {
		if p.Text != "a < b & c" {
			return "Text: got " + p.Text + "; want textOriginal"
		}
		return ""
	})
	f(comment(`,"textDisplay":"a &lt; b<br>c"`), func(p *post.Post) string {
		if p.Text != "a < b\nc" {
			return "Text: got " + p.Text + "; want textDisplay as plain text"
		}
		return ""
	})
	// "@handle" display names are handles; others are display names.
	f(comment(`,"authorDisplayName":"@acme"`), func(p *post.Post) string {
		if p.Author.Handle != "acme" || p.Author.DisplayName != "" {
			return "Author: got handle " + p.Author.Handle + ", name " + p.Author.DisplayName + "; want handle acme"
		}
		return ""
	})
	f(comment(`,"authorDisplayName":"Acme Corp"`), func(p *post.Post) string {
		if p.Author.Handle != "" || p.Author.DisplayName != "Acme Corp" {
			return "Author: got handle " + p.Author.Handle + ", name " + p.Author.DisplayName + "; want name Acme Corp"
		}
		return ""
	})
	// A channel comment (no video) has no conversation and no URL; it stays an original.
	f(comment(``), func(p *post.Post) string {
		if p.Kind() != "original" || p.URL != "" || p.Refs.ConversationID != "" {
			return "got kind " + p.Kind() + ", URL " + p.URL + "; want an original without URL"
		}
		return ""
	})
	// The thread's videoId stands in when its top-level comment has none.
	f(`{"kind":"youtube#commentThread","id":"c1","snippet":{"videoId":"v9","channelId":"UCowner","topLevelComment":`+
		comment(``)+`}}`, func(p *post.Post) string {
		if p.Refs.ConversationID != "v9" || p.Refs.ReplyToID != "v9" || p.Refs.ReplyToAuthorID != "UCowner" {
			return "Refs: got " + p.Refs.ConversationID + "/" + p.Refs.ReplyToID + "/" + p.Refs.ReplyToAuthorID + "; want v9/v9/UCowner"
		}
		return ""
	})
}

func FuzzYouTubeNormalizer(f *testing.F) {
	seedFuzz(f, "youtube", validYouTubeComment, validYouTubeThread, `null`, `{"kind":"youtube#commentThread"}`,
		`{"kind":"youtube#comment","id":"c","snippet":{"authorChannelId":{"value":"U"},"publishedAt":"2026-01-05T10:00:00Z","updatedAt":"2026-01-05T09:00:00Z","textDisplay":"<b>x"}}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzNormalizer(t, YouTubeNormalizer{}, raw) })
}

func BenchmarkDecodeYouTube(b *testing.B) { benchmarkDecode(b, YouTubeNormalizer{}, "youtube") }
