package ingest

import (
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
)

func TestGoldenFacebook(t *testing.T) {
	checkGoldenWith(t, "facebook", FacebookNormalizer{}, []goldenCase{
		{"comment", "reply"},
		{"reply", "reply"},
		{"no_author", "original"},
	})
}

func TestGoldenInstagram(t *testing.T) {
	checkGoldenWith(t, "instagram", InstagramNormalizer{}, []goldenCase{
		{"comment", "reply"},
		{"reply", "reply"},
		{"minimal", "original"},
	})
}

const validFacebook = `{"id":"1_2","message":"hi","created_time":"2026-01-05T10:00:00+0000","from":{"id":"9","name":"Kit"}}`

func TestFacebookNormalizerRejects(t *testing.T) {
	checkRejects(t, FacebookNormalizer{}, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"broken json", `{"id":"1_2","message":`, ReasonInvalidJSON},
		{"trailing garbage", validFacebook + `}`, ReasonInvalidJSON},
		{"duplicate member", `{"id":"1_2","id":"1_3","created_time":"2026-01-05T10:00:00+0000"}`, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"array at top level", `[` + validFacebook + `]`, ReasonWrongType},
		{"paged edge response", `{"data":[` + validFacebook + `],"paging":{}}`, ReasonMissingField},
		{"graph error response", `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`, ReasonMissingField},
		{"numeric id", `{"id":12,"created_time":"2026-01-05T10:00:00+0000"}`, ReasonWrongType},
		{"missing id", `{"message":"hi","created_time":"2026-01-05T10:00:00+0000"}`, ReasonMissingField},
		{"missing created_time", `{"id":"1_2","message":"hi"}`, ReasonMissingField},
		{"created_time as Unix seconds", `{"id":"1_2","created_time":1767607200}`, ReasonWrongType},
		{"created_time date only", `{"id":"1_2","created_time":"2026-01-05"}`, ReasonInvalidValue},
		{"created_time without zone", `{"id":"1_2","created_time":"2026-01-05T10:00:00"}`, ReasonInvalidValue},
		{"created_time with a short offset", `{"id":"1_2","created_time":"2026-01-05T10:00:00+00"}`, ReasonInvalidValue},
		{"created_time at the epoch", `{"id":"1_2","created_time":"1970-01-01T00:00:00+0000"}`, ReasonInvalidValue},
		{"from is a string", `{"id":"1_2","created_time":"2026-01-05T10:00:00+0000","from":"Kit"}`, ReasonWrongType},
		{"like_count is a string", `{"id":"1_2","created_time":"2026-01-05T10:00:00+0000","like_count":"3"}`, ReasonWrongType},
		{"comment_count is fractional", `{"id":"1_2","created_time":"2026-01-05T10:00:00+0000","comment_count":1.5}`, ReasonWrongType},
		{"parent is a string", `{"id":"1_2","created_time":"2026-01-05T10:00:00+0000","parent":"1_1"}`, ReasonWrongType},
		{"message is an object", `{"id":"1_2","created_time":"2026-01-05T10:00:00+0000","message":{}}`, ReasonWrongType},
	})
}

const validInstagram = `{"id":"178","text":"hi","timestamp":"2026-01-05T10:00:00+0000","username":"kit"}`

func TestInstagramNormalizerRejects(t *testing.T) {
	checkRejects(t, InstagramNormalizer{}, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"broken json", `{"id":"178","text":"hi`, ReasonInvalidJSON},
		{"trailing garbage", validInstagram + ` ]`, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"array at top level", `[` + validInstagram + `]`, ReasonWrongType},
		{"paged edge response", `{"data":[` + validInstagram + `]}`, ReasonMissingField},
		{"webhook change", `{"field":"comments","value":{"id":"178","text":"hi","from":{"id":"1","username":"kit"}}}`, ReasonMissingField},
		{"numeric id", `{"id":178,"timestamp":"2026-01-05T10:00:00+0000"}`, ReasonWrongType},
		{"missing id", `{"text":"hi","timestamp":"2026-01-05T10:00:00+0000"}`, ReasonMissingField},
		{"missing timestamp", `{"id":"178","text":"hi"}`, ReasonMissingField},
		{"timestamp in words", `{"id":"178","timestamp":"last tuesday"}`, ReasonInvalidValue},
		{"timestamp as a number", `{"id":"178","timestamp":1767607200}`, ReasonWrongType},
		{"like_count is a string", `{"id":"178","timestamp":"2026-01-05T10:00:00+0000","like_count":"5"}`, ReasonWrongType},
		{"from is a list", `{"id":"178","timestamp":"2026-01-05T10:00:00+0000","from":[]}`, ReasonWrongType},
		{"replies is a list", `{"id":"178","timestamp":"2026-01-05T10:00:00+0000","replies":[]}`, ReasonWrongType},
		{"hidden-only payload", `{"hidden":true}`, ReasonMissingField},
	})
}

func TestParseGraphTime(t *testing.T) {
	f := func(in string, want time.Time) {
		t.Helper()
		got, err := parseGraphTime("t", in)
		if err != nil {
			t.Fatalf("parseGraphTime(%q): %v", in, err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseGraphTime(%q): got %v; want %v in UTC", in, got, want)
		}
	}
	ts := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	f("2026-01-05T10:00:00+0000", ts)
	f("2026-01-05T11:00:00+0100", ts)
	f("2026-01-05T04:30:00-0530", ts)
	f("2026-01-05T10:00:00Z", ts)
	f("2026-01-05T11:00:00+01:00", ts)
	f("2026-01-05T10:00:00.250+0000", ts.Add(250*time.Millisecond))
	f("2026-01-05T10:00:00.250Z", ts.Add(250*time.Millisecond))
}

func TestFacebookNormalizer(t *testing.T) {
	// A reply without object still replies to its parent; one without parent and object replies to nothing.
	var p post.Post
	raw := `{"id":"1_3","created_time":"2026-01-05T10:00:00+0000","parent":{"id":"1_2"}}`
	if err := (FacebookNormalizer{}).Normalize([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	if p.Refs.ReplyToID != "1_2" || p.Refs.ConversationID != "" || p.Author.ID != "" || p.Author.Followers != -1 {
		t.Errorf("Normalize(%s): got refs %+v, author %+v; want a reply to 1_2 by an unknown author", raw, p.Refs, p.Author)
	}
}

func TestInstagramReplyCount(t *testing.T) {
	f := func(replies string, want int64) {
		t.Helper()
		raw := `{"id":"178","timestamp":"2026-01-05T10:00:00+0000"` + replies + `}`
		var p post.Post
		if err := (InstagramNormalizer{}).Normalize([]byte(raw), &p); err != nil {
			t.Fatal(err)
		}
		if p.Engagement.Replies != want {
			t.Errorf("Normalize(%s) Engagement.Replies: got %d; want %d", raw, p.Engagement.Replies, want)
		}
	}
	f(``, 0)
	f(`,"replies":{"data":[]}`, 0)
	f(`,"replies":{"data":[{"id":"1"},{"id":"2"}]}`, 2)
	f(`,"replies":{"data":[{"id":"1"},{"id":"2"}],"paging":{"cursors":{"after":"QVFI"}}}`, 2)
	// A next page means the list is partial: its length is no count.
	f(`,"replies":{"data":[{"id":"1"},{"id":"2"}],"paging":{"next":"https://graph.facebook.com/..."}}`, 0)
}

func FuzzFacebookNormalizer(f *testing.F) {
	seedFuzz(f, "facebook", validFacebook, `null`, `{"id":"1","created_time":"2026-01-05T10:00:00.5-0530","parent":{"id":"2"},"object":{"id":"3"}}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzNormalizer(t, FacebookNormalizer{}, raw) })
}

func FuzzInstagramNormalizer(f *testing.F) {
	seedFuzz(f, "instagram", validInstagram, `null`, `{"id":"1","timestamp":"2026-01-05T10:00:00Z","replies":{"data":[{"id":"2"}],"paging":{"next":"x"}}}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzNormalizer(t, InstagramNormalizer{}, raw) })
}

func BenchmarkDecodeFacebook(b *testing.B) { benchmarkDecode(b, FacebookNormalizer{}, "facebook") }

func BenchmarkDecodeInstagram(b *testing.B) { benchmarkDecode(b, InstagramNormalizer{}, "instagram") }
