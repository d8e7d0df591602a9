package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rapport-dev/rapport/post"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata from the current output")

// goldenNow is the ingest time every golden post carries. It is given in a non-UTC zone on purpose: the
// decoder must store it in UTC.
var goldenNow = time.Date(2024, 6, 7, 10, 30, 0, 0, time.FixedZone("CEST", 2*3600))

func fixedDecoder() *Decoder {
	return &Decoder{now: func() time.Time { return goldenNow }}
}

type goldenCase struct {
	name string // payload testdata/<network>/<name>.json, golden <name>.golden.json
	kind string // post.Kind() of the result; checked apart from the golden so -update cannot bless a wrong one
}

// checkGolden decodes every case of network with its normalizer from Normalizers() and compares the
// canonical post with its golden file (see checkGoldenEach).
func checkGolden(t *testing.T, network post.Network, cases []goldenCase) {
	t.Helper()
	n := Normalizers()[network]
	if n == nil {
		t.Fatalf("Normalizers() has no normalizer for %q", network)
	}
	checkGoldenWith(t, string(network), n, cases)
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n  got  " + gl + "\n  want " + wl
		}
	}
	return "(no line differs)"
}

func TestGoldenX(t *testing.T) {
	checkGolden(t, post.NetworkX, []goldenCase{
		{"original", "original"},
		{"reply", "reply"},
		{"quote", "quote"},
		{"retweet", "repost"},
	})
}

func TestGoldenMastodon(t *testing.T) {
	checkGolden(t, post.NetworkMastodon, []goldenCase{
		{"plain", "original"},
		{"html", "original"},
		{"reblog", "repost"},
		{"reply", "reply"},
		{"spoiler", "original"},
	})
}

func TestGoldenReddit(t *testing.T) {
	checkGolden(t, post.NetworkReddit, []goldenCase{
		{"comment", "reply"},
		{"self_post", "original"},
		{"link_post", "original"},
		{"deleted_author", "reply"},
	})
}

// rejectCase is one payload a normalizer must refuse, and the reason it must give.
type rejectCase struct {
	name string
	raw  string
	want Reason
}

func checkRejects(t *testing.T, n Normalizer, cases []rejectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p post.Post
			err := n.Normalize([]byte(tc.raw), &p)
			if err == nil {
				t.Fatalf("Normalize(%s): got no error; want reason %s (post %+v)", tc.raw, tc.want, p)
			}
			var re *RejectError
			if !errors.As(err, &re) {
				t.Fatalf("Normalize(%s): got %T %v; want a *RejectError", tc.raw, err, err)
			}
			if re.Reason != tc.want {
				t.Errorf("Normalize(%s): got reason %s (%v); want %s", tc.raw, re.Reason, err, tc.want)
			}
		})
	}
}

const validX = `{"data":{"id":"1","text":"hi","author_id":"2","created_at":"2024-06-06T14:03:27.000Z"}}`

func TestXNormalizerRejects(t *testing.T) {
	checkRejects(t, XNormalizer{}, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"whitespace only", "  \n", ReasonInvalidJSON},
		{"broken json", `{"data":{"id":"1","text":"hi"`, ReasonInvalidJSON},
		{"single quotes", `{'data': {}}`, ReasonInvalidJSON},
		{"trailing garbage", validX + ` xyz`, ReasonInvalidJSON},
		{"trailing second value", validX + `{"data":{}}`, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"empty object", `{}`, ReasonMissingField},
		{"array at top level", `[` + validX + `]`, ReasonWrongType},
		{"number at top level", `42`, ReasonWrongType},
		{"string at top level", `"tweet"`, ReasonWrongType},
		{"data null", `{"data":null}`, ReasonMissingField},
		{"data is a list (tweet lookup by ids)", `{"data":[{"id":"1"}]}`, ReasonWrongType},
		{"numeric id", `{"data":{"id":123,"author_id":"2","created_at":"2024-06-06T14:03:27.000Z"}}`, ReasonWrongType},
		{"numeric author_id", `{"data":{"id":"1","author_id":2,"created_at":"2024-06-06T14:03:27.000Z"}}`, ReasonWrongType},
		{"text is an object", `{"data":{"id":"1","text":{},"author_id":"2","created_at":"2024-06-06T14:03:27.000Z"}}`, ReasonWrongType},
		{"metric is a string", `{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27.000Z","public_metrics":{"like_count":"87"}}}`, ReasonWrongType},
		{"metric is fractional", `{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27.000Z","public_metrics":{"like_count":8.5}}}`, ReasonWrongType},
		{"includes.users is an object", `{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27.000Z"},"includes":{"users":{"id":"2"}}}`, ReasonWrongType},
		{"user verified is a string", `{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27.000Z"},"includes":{"users":[{"id":"2","verified":"yes"}]}}`, ReasonWrongType},
		{"missing id", `{"data":{"text":"hi","author_id":"2","created_at":"2024-06-06T14:03:27.000Z"}}`, ReasonMissingField},
		{"empty id", `{"data":{"id":"","author_id":"2","created_at":"2024-06-06T14:03:27.000Z"}}`, ReasonMissingField},
		{"missing author_id", `{"data":{"id":"1","created_at":"2024-06-06T14:03:27.000Z"}}`, ReasonMissingField},
		{"missing created_at", `{"data":{"id":"1","author_id":"2"}}`, ReasonMissingField},
		{"v1.1 style created_at", `{"data":{"id":"1","author_id":"2","created_at":"Wed Jun 06 14:03:27 +0000 2024"}}`, ReasonInvalidValue},
		{"date without time", `{"data":{"id":"1","author_id":"2","created_at":"2024-06-06"}}`, ReasonInvalidValue},
		{"month 13", `{"data":{"id":"1","author_id":"2","created_at":"2024-13-06T14:03:27Z"}}`, ReasonInvalidValue},
		{"no zone", `{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27"}}`, ReasonInvalidValue},
		{"unix seconds as string", `{"data":{"id":"1","author_id":"2","created_at":"1717682607"}}`, ReasonInvalidValue},
		{"created_at is a number", `{"data":{"id":"1","author_id":"2","created_at":1717682607}}`, ReasonWrongType},
	})
}

const validMastodon = `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","content":"<p>hi</p>","account":{"id":"9","acct":"kit"}}`

func TestMastodonNormalizerRejects(t *testing.T) {
	checkRejects(t, MastodonNormalizer{}, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"broken json", `{"id":"1","content":"<p>hi`, ReasonInvalidJSON},
		{"trailing garbage", validMastodon + `,`, ReasonInvalidJSON},
		{"two statuses", validMastodon + "\n" + validMastodon, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"array at top level", `[` + validMastodon + `]`, ReasonWrongType},
		{"streaming event envelope", `{"event":"update","payload":"{\"id\":\"1\"}"}`, ReasonMissingField},
		{"numeric id", `{"id":1,"created_at":"2024-06-06T14:05:41.512Z","account":{"id":"9"}}`, ReasonWrongType},
		{"favourites_count is a word", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","favourites_count":"many","account":{"id":"9"}}`, ReasonWrongType},
		{"reblogs_count is fractional", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","reblogs_count":1.5,"account":{"id":"9"}}`, ReasonWrongType},
		{"account is a string", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","account":"kit"}`, ReasonWrongType},
		{"bot is a string", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","account":{"id":"9","bot":"no"}}`, ReasonWrongType},
		{"reblog is true", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","reblog":true,"account":{"id":"9"}}`, ReasonWrongType},
		{"content is a list", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","content":["a"],"account":{"id":"9"}}`, ReasonWrongType},
		{"missing id", `{"created_at":"2024-06-06T14:05:41.512Z","account":{"id":"9"}}`, ReasonMissingField},
		{"missing account", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z"}`, ReasonMissingField},
		{"account null", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","account":null}`, ReasonMissingField},
		{"account without id", `{"id":"1","created_at":"2024-06-06T14:05:41.512Z","account":{"acct":"kit"}}`, ReasonMissingField},
		{"missing created_at", `{"id":"1","account":{"id":"9"}}`, ReasonMissingField},
		{"created_at null", `{"id":"1","created_at":null,"account":{"id":"9"}}`, ReasonMissingField},
		{"date only created_at", `{"id":"1","created_at":"2024-06-06","account":{"id":"9"}}`, ReasonInvalidValue},
		{"space instead of T", `{"id":"1","created_at":"2024-06-06 14:05:41Z","account":{"id":"9"}}`, ReasonInvalidValue},
		{"hour 25", `{"id":"1","created_at":"2024-06-06T25:05:41Z","account":{"id":"9"}}`, ReasonInvalidValue},
	})
}

const validReddit = `{"kind":"t1","data":{"id":"abc","author":"u","author_fullname":"t2_x","created_utc":1711717200.0}}`

func TestRedditNormalizerRejects(t *testing.T) {
	checkRejects(t, RedditNormalizer{}, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"broken json", `{"kind":"t1","data":{`, ReasonInvalidJSON},
		{"trailing garbage", validReddit + ` x]`, ReasonInvalidJSON},
		{"NaN literal", `{"kind":"t1","data":{"id":"abc","author":"u","created_utc":NaN}}`, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"array at top level", `[` + validReddit + `]`, ReasonWrongType},
		{"missing kind", `{"data":{"id":"abc","author":"u","created_utc":1711717200}}`, ReasonMissingField},
		{"listing", `{"kind":"Listing","data":{"children":[]}}`, ReasonUnsupported},
		{"account thing", `{"kind":"t2","data":{"id":"abc","name":"t2_abc","created_utc":1711717200}}`, ReasonUnsupported},
		{"message thing", `{"kind":"t4","data":{"id":"abc","author":"u","created_utc":1711717200}}`, ReasonUnsupported},
		{"more stub", `{"kind":"more","data":{"count":12,"children":["kx1","kx2"]}}`, ReasonUnsupported},
		{"kind upper case", `{"kind":"T1","data":{"id":"abc","author":"u","created_utc":1711717200}}`, ReasonUnsupported},
		{"kind is a number", `{"kind":1,"data":{"id":"abc","author":"u","created_utc":1711717200}}`, ReasonWrongType},
		{"missing data", `{"kind":"t1"}`, ReasonMissingField},
		{"data null", `{"kind":"t3","data":null}`, ReasonMissingField},
		{"missing id", `{"kind":"t1","data":{"author":"u","created_utc":1711717200}}`, ReasonMissingField},
		{"numeric id", `{"kind":"t1","data":{"id":42,"author":"u","created_utc":1711717200}}`, ReasonWrongType},
		{"missing created_utc", `{"kind":"t1","data":{"id":"abc","author":"u"}}`, ReasonMissingField},
		{"created_utc null", `{"kind":"t1","data":{"id":"abc","author":"u","created_utc":null}}`, ReasonMissingField},
		{"created_utc as string", `{"kind":"t1","data":{"id":"abc","author":"u","created_utc":"1711717200"}}`, ReasonWrongType},
		{"created_utc negative", `{"kind":"t1","data":{"id":"abc","author":"u","created_utc":-1}}`, ReasonInvalidValue},
		{"created_utc in milliseconds", `{"kind":"t1","data":{"id":"abc","author":"u","created_utc":1711717200000}}`, ReasonInvalidValue},
		{"created_utc huge", `{"kind":"t1","data":{"id":"abc","author":"u","created_utc":1e300}}`, ReasonInvalidValue},
		{"score is a word", `{"kind":"t1","data":{"id":"abc","author":"u","created_utc":1711717200,"score":"lots"}}`, ReasonWrongType},
		{"no author at all", `{"kind":"t1","data":{"id":"abc","created_utc":1711717200}}`, ReasonMissingField},
	})
}

func TestDecoderRejects(t *testing.T) {
	payloadX := []byte(validX)
	f := func(name string, d *Decoder, n Normalizer, raw []byte, want Reason) {
		t.Helper()
		var p post.Post
		err := d.Decode(n, raw, &p)
		if err == nil {
			t.Errorf("%s: got no error; want reason %s", name, want)
			return
		}
		var re *RejectError
		if !errors.As(err, &re) {
			t.Errorf("%s: got %T %v; want a *RejectError", name, err, err)
			return
		}
		if re.Reason != want {
			t.Errorf("%s: got reason %s (%v); want %s", name, re.Reason, err, want)
		}
	}
	x := XNormalizer{}
	f("one byte over the limit", &Decoder{MaxPayloadBytes: len(payloadX) - 1}, x, payloadX, ReasonOversized)
	f("over the default limit", &Decoder{}, x, bytes.Repeat([]byte(" "), DefaultMaxPayloadBytes+1), ReasonOversized)
	f("negative limit means default", &Decoder{MaxPayloadBytes: -5}, x, bytes.Repeat([]byte(" "), DefaultMaxPayloadBytes+1), ReasonOversized)
	f("oversized wins over broken JSON", &Decoder{MaxPayloadBytes: 4}, x, []byte(`{"data":`), ReasonOversized)
	f("invalid UTF-8 in a string", &Decoder{}, x,
		[]byte(`{"data":{"id":"1","text":"caf`+"\xe9"+`","author_id":"2","created_at":"2024-06-06T14:03:27Z"}}`), ReasonInvalidUTF8)
	f("truncated multi-byte rune", &Decoder{}, x,
		[]byte(`{"data":{"id":"1","text":"`+"\xe2\x82"+`","author_id":"2","created_at":"2024-06-06T14:03:27Z"}}`), ReasonInvalidUTF8)
	f("UTF-16 surrogate encoded as UTF-8", &Decoder{}, MastodonNormalizer{},
		[]byte(`{"id":"1","content":"`+"\xed\xa0\x80"+`","created_at":"2024-06-06T14:05:41Z","account":{"id":"9"}}`), ReasonInvalidUTF8)
	f("binary garbage", &Decoder{}, RedditNormalizer{}, []byte{0xff, 0xfe, 0x00, 0x01}, ReasonInvalidUTF8)
	f("invalid UTF-8 wins over broken JSON", &Decoder{}, x, []byte("{\xff"), ReasonInvalidUTF8)
	f("broken JSON passes through", &Decoder{}, x, []byte(`{"data":`), ReasonInvalidJSON)
	f("json null passes through", &Decoder{}, RedditNormalizer{}, []byte(`null`), ReasonMissingField)
	f("array passes through", &Decoder{}, MastodonNormalizer{}, []byte(`[]`), ReasonWrongType)
	f("normalizer that sets no id", &Decoder{}, stubNormalizer{created: time.Unix(1, 0)}, []byte(`{}`), ReasonMissingField)
	f("normalizer that sets no time", &Decoder{}, stubNormalizer{id: "1"}, []byte(`{}`), ReasonMissingField)
}

// stubNormalizer fills only what it is told to, to exercise the decoder's own checks.
type stubNormalizer struct {
	id      string
	created time.Time
}

func (stubNormalizer) Network() post.Network { return "stub" }

func (s stubNormalizer) Normalize(_ []byte, p *post.Post) error {
	p.ID, p.CreatedAt = s.id, s.created
	return nil
}

func TestDecoderAcceptsPayloadAtTheLimit(t *testing.T) {
	raw := []byte(validX)
	d := &Decoder{MaxPayloadBytes: len(raw)}
	var p post.Post
	if err := d.Decode(XNormalizer{}, raw, &p); err != nil {
		t.Fatalf("Decode of a %d-byte payload with limit %d: got %v; want no error", len(raw), len(raw), err)
	}
}

func TestDecoderResetsPost(t *testing.T) {
	// A post reused between records must not keep fields of the previous one.
	reddit, err := os.ReadFile("testdata/reddit/self_post.json")
	if err != nil {
		t.Fatal(err)
	}
	d := fixedDecoder()
	p := post.Post{Source: post.Source{Topic: "social.raw.reddit", Partition: 1, Offset: 7}}
	if err := d.Decode(RedditNormalizer{}, reddit, &p); err != nil {
		t.Fatal(err)
	}
	p.Hashtags = []string{"stale"}
	p.Source = post.Source{Topic: "social.raw.x", Partition: 2, Offset: 8}
	if err := d.Decode(XNormalizer{}, []byte(validX), &p); err != nil {
		t.Fatal(err)
	}
	want := post.Post{
		SchemaVersion: post.SchemaVersion,
		Network:       post.NetworkX,
		ID:            "1",
		Author:        post.Author{ID: "2", Followers: -1, Following: -1},
		Text:          "hi",
		CreatedAt:     time.Date(2024, 6, 6, 14, 3, 27, 0, time.UTC),
		IngestedAt:    goldenNow.UTC(),
		URL:           "https://x.com/i/web/status/1",
		Source:        post.Source{Topic: "social.raw.x", Partition: 2, Offset: 8},
	}
	gotJSON, _ := json.Marshal(&p)
	wantJSON, _ := json.Marshal(&want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("second Decode into a reused post:\ngot  %s\nwant %s", gotJSON, wantJSON)
	}
	if p.IngestedAt.Location() != time.UTC {
		t.Errorf("IngestedAt location: got %v; want UTC", p.IngestedAt.Location())
	}
}

func TestDecoderKeepsNormalizerError(t *testing.T) {
	// A failed decode reports the normalizer's reason, not the decoder's post-checks.
	var p post.Post
	err := fixedDecoder().Decode(MastodonNormalizer{}, []byte(`{"id":"1","created_at":"yesterday","account":{"id":"9"}}`), &p)
	if got := AsReject(err).Reason; got != ReasonInvalidValue {
		t.Errorf("got reason %s (%v); want %s", got, err, ReasonInvalidValue)
	}
}

// TestTrailingClosingBracketRejected: a payload followed by a stray '}' or ']' is not one JSON value and
// must be refused like any other trailing data.
func TestTrailingClosingBracketRejected(t *testing.T) {
	f := func(n Normalizer, raw string) {
		t.Helper()
		var p post.Post
		err := fixedDecoder().Decode(n, []byte(raw), &p)
		if err == nil {
			t.Errorf("%s Decode(%s): got no error (post %q accepted); want reason %s: trailing data after the JSON value",
				n.Network(), raw, p.ID, ReasonInvalidJSON)
			return
		}
		if got := AsReject(err).Reason; got != ReasonInvalidJSON {
			t.Errorf("%s Decode(%s): got reason %s (%v); want %s", n.Network(), raw, got, err, ReasonInvalidJSON)
		}
	}
	f(XNormalizer{}, validX+`}`)
	f(XNormalizer{}, validX+` ]`)
	f(MastodonNormalizer{}, validMastodon+`}}`)
	f(RedditNormalizer{}, validReddit+"\n]")
}

// TestZeroCreatedTimeIsInvalidValue: a created time that is present but parses to the zero time
// (0001-01-01T00:00:00Z) is an unusable value, not a missing field. The X and Mastodon normalizers accept
// it and leave CreatedAt zero, and the decoder's own check then labels the dead letter missing_field.
func TestZeroCreatedTimeIsInvalidValue(t *testing.T) {
	f := func(n Normalizer, raw string) {
		t.Helper()
		var p post.Post
		if err := n.Normalize([]byte(raw), &p); err == nil && p.CreatedAt.IsZero() {
			t.Errorf("%s Normalize(%s): got no error and a zero CreatedAt; want a reject", n.Network(), raw)
		}
		err := fixedDecoder().Decode(n, []byte(raw), &p)
		if err == nil {
			t.Fatalf("%s Decode(%s): got no error; want reason %s", n.Network(), raw, ReasonInvalidValue)
		}
		if got := AsReject(err); got.Reason != ReasonInvalidValue {
			t.Errorf("%s Decode(%s): got %v; want reason %s", n.Network(), raw, got, ReasonInvalidValue)
		}
	}
	f(XNormalizer{}, `{"data":{"id":"1","author_id":"2","created_at":"0001-01-01T00:00:00Z"}}`)
	f(XNormalizer{}, `{"data":{"id":"1","author_id":"2","created_at":"0001-01-01T02:00:00+02:00"}}`)
	f(MastodonNormalizer{}, `{"id":"1","created_at":"0001-01-01T00:00:00.000Z","account":{"id":"9"}}`)
}

// TestXTextDecodesHTMLEntities: the X API HTML-escapes '&', '<' and '>' in tweet text ("&amp;", "&lt;",
// "&gt;"). The canonical Text is plain text, so these must be decoded, for the tweet and for the full text
// of a retweet taken from includes.tweets.
func TestXTextDecodesHTMLEntities(t *testing.T) {
	f := func(raw, want string) {
		t.Helper()
		var p post.Post
		if err := fixedDecoder().Decode(XNormalizer{}, []byte(raw), &p); err != nil {
			t.Fatalf("Decode(%s): %v", raw, err)
		}
		if p.Text != want {
			t.Errorf("Decode(%s) Text: got %q; want %q", raw, p.Text, want)
		}
	}
	f(`{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27.000Z",`+
		`"text":"Q&amp;A with @AcmeCloud today at 5pm &lt;3 -&gt; bring questions"}}`,
		"Q&A with @AcmeCloud today at 5pm <3 -> bring questions")
	f(`{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27.000Z","text":"RT @acme: R&amp;D upd…",`+
		`"referenced_tweets":[{"type":"retweeted","id":"5"}]},`+
		`"includes":{"tweets":[{"id":"5","text":"R&amp;D update: latency &lt; 10ms"}]}}`,
		"R&D update: latency < 10ms")
}

func TestXLang(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := xLang(in); got != want {
			t.Errorf("xLang(%q): got %q; want %q", in, got, want)
		}
	}
	f("en", "en")
	f("pt", "pt")
	f("zh-TW", "zh-TW")
	f("und", "")
	f("qme", "")
	f("qht", "")
	f("qam", "")
	f("qct", "")
	f("qst", "")
	f("", "")
}

func TestHTMLToText(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := htmlToText(in); got != want {
			t.Errorf("htmlToText(%q): got %q; want %q", in, got, want)
		}
	}
	f("", "")
	f("no markup at all", "no markup at all")
	f("<p>one</p>", "one")
	f("<p>one</p><p>two</p>", "one\n\ntwo")
	f("<p>a<br>b<br/>c<br />d</p>", "a\nb\nc\nd")
	f("<p>Tom &amp; Jerry &lt;3 &quot;hi&quot; &#39;x&#39; &#x1F600;</p>", "Tom & Jerry <3 \"hi\" 'x' \U0001F600")
	f("fish &amp; chips", "fish & chips")
	f(`<p><a href="https://e.x/a" class="u-url mention">@<span>acme</span></a> hi</p>`, "@acme hi")
	f(`<a href="https://example.com/long/path"><span class="invisible">https://</span><span class="ellipsis">example.com/long</span><span class="invisible">/path</span></a>`,
		"https://example.com/long/path")
	f("<p>unclosed <b>bold", "unclosed bold")
	f("<p>  padded  </p>", "padded")
}

func TestRejectErrorText(t *testing.T) {
	f := func(err error, want string) {
		t.Helper()
		if got := err.Error(); got != want {
			t.Errorf("Error(): got %q; want %q", got, want)
		}
	}
	f(&RejectError{Reason: ReasonOversized}, "oversized")
	f(&RejectError{Reason: ReasonMissingField, Detail: "data.id"}, "missing_field: data.id")
	f(reject(ReasonInvalidValue, "%s is %d", "x", 3), "invalid_value: x is 3")

	if got := AsReject(errors.New("boom")); got.Reason != ReasonUnsupported || got.Detail != "boom" {
		t.Errorf("AsReject(plain error): got %+v; want reason %s with detail boom", got, ReasonUnsupported)
	}
	wrapped := errors.Join(errors.New("context"), reject(ReasonWrongType, "f"))
	if got := AsReject(wrapped); got.Reason != ReasonWrongType {
		t.Errorf("AsReject(wrapped reject): got reason %s; want %s", got.Reason, ReasonWrongType)
	}
}

// Fuzzing.

func seedFuzz(f *testing.F, network string, extra ...string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", network, "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, path := range paths {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		n++
	}
	if n == 0 {
		f.Fatalf("no seed payloads under testdata/%s", network)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// fuzzNormalizer checks the normalizer contract on raw: no panic, every error a *RejectError, and success
// only with an id and a created time. It then runs the same payload through a Decoder.
func fuzzNormalizer(t *testing.T, n Normalizer, raw []byte) {
	var p post.Post
	err := n.Normalize(raw, &p)
	if err != nil {
		var re *RejectError
		if !errors.As(err, &re) {
			t.Fatalf("Normalize(%q): got %T %v; want a *RejectError", raw, err, err)
		}
		if !containsReason(re.Reason) {
			t.Fatalf("Normalize(%q): reason %q is not in Reasons", raw, re.Reason)
		}
	} else {
		if p.ID == "" {
			t.Fatalf("Normalize(%q): got no error and an empty ID", raw)
		}
		if p.CreatedAt.IsZero() {
			t.Fatalf("Normalize(%q): got no error and a zero CreatedAt", raw)
		}
	}
	var q post.Post
	derr := (&Decoder{MaxPayloadBytes: 1 << 16}).Decode(n, raw, &q)
	if derr == nil {
		if !utf8.Valid(raw) {
			t.Fatalf("Decode(%q): accepted invalid UTF-8", raw)
		}
		if q.ID == "" || q.CreatedAt.IsZero() || q.Network != n.Network() || q.SchemaVersion != post.SchemaVersion {
			t.Fatalf("Decode(%q): got no error and an incomplete post %+v", raw, q)
		}
	}
}

func containsReason(r Reason) bool {
	for _, have := range Reasons {
		if have == r {
			return true
		}
	}
	return false
}

func FuzzXNormalizer(f *testing.F) {
	seedFuzz(f, "x", validX, `null`, `[]`, `{"data":{"id":123}}`,
		`{"data":{"id":"1","author_id":"2","created_at":"2024-06-06T14:03:27Z","referenced_tweets":[{"type":"retweeted","id":"5"}]},"includes":{"tweets":[{"id":"5","text":"full"}]}}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzNormalizer(t, XNormalizer{}, raw) })
}

func FuzzMastodonNormalizer(f *testing.F) {
	seedFuzz(f, "mastodon", validMastodon, `null`, `{"id":"1","created_at":"2024-06-06T14:05:41Z","content":"<p>a &amp b<br><","account":{"id":"9","note":"<"}}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzNormalizer(t, MastodonNormalizer{}, raw) })
}

func FuzzRedditNormalizer(f *testing.F) {
	seedFuzz(f, "reddit", validReddit, `null`, `{"kind":"t3","data":{"id":"x","author":"[deleted]","created_utc":0.999999999}}`,
		`{"kind":"t1","data":{"id":"x","author":"a","created_utc":99999999999.5}}`)
	f.Fuzz(func(t *testing.T, raw []byte) { fuzzNormalizer(t, RedditNormalizer{}, raw) })
}

// Benchmarks.

func benchmarkDecode(b *testing.B, n Normalizer, network string) {
	paths, err := filepath.Glob(filepath.Join("testdata", network, "*.json"))
	if err != nil {
		b.Fatal(err)
	}
	var payloads [][]byte
	total := 0
	for _, path := range paths {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		payloads = append(payloads, raw)
		total += len(raw)
	}
	if len(payloads) == 0 {
		b.Fatalf("no payloads under testdata/%s", network)
	}
	// One operation decodes every sample payload of the network once, with the project's JSON decoder and
	// with encoding/json as the baseline, in the same run.
	for _, dec := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{{"go-json-experiment", jsonUnmarshal}, {"encoding-json", json.Unmarshal}} {
		b.Run(dec.name, func(b *testing.B) {
			saved := jsonUnmarshal
			jsonUnmarshal = dec.unmarshal
			defer func() { jsonUnmarshal = saved }()
			b.SetBytes(int64(total))
			b.ReportAllocs()
			var d Decoder
			var p post.Post
			for b.Loop() {
				for _, raw := range payloads {
					if err := d.Decode(n, raw, &p); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*len(payloads))/b.Elapsed().Seconds(), "posts/s")
		})
	}
}

func BenchmarkDecodeX(b *testing.B) { benchmarkDecode(b, XNormalizer{}, "x") }

func BenchmarkDecodeMastodon(b *testing.B) { benchmarkDecode(b, MastodonNormalizer{}, "mastodon") }

func BenchmarkDecodeReddit(b *testing.B) { benchmarkDecode(b, RedditNormalizer{}, "reddit") }

func TestDecoderNormalizesUnicodeToNFC(t *testing.T) {
	// "café" with a combining acute accent (e + U+0301) must come out precomposed (U+00E9).
	raw := []byte(`{"kind":"t1","data":{"id":"n1","author":"a","author_fullname":"t2_a","body":"cafe\u0301 ok","created_utc":1715594400}}`)
	var p post.Post
	if err := (&Decoder{}).Decode(RedditNormalizer{}, raw, &p); err != nil {
		t.Fatal(err)
	}
	if p.Text != "caf\u00e9 ok" {
		t.Errorf("text: got %+q; want %+q", p.Text, "caf\u00e9 ok")
	}
}
