package ingest

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"github.com/rapport-dev/rapport/post"
)

// A Normalizer turns one raw payload of a network into a canonical post. It fills the network's fields of p
// (p arrives zeroed apart from Source and IngestedAt) and returns a *RejectError when the payload cannot be
// read; it must never panic on any input. Normalizers are stateless and safe for concurrent use.
type Normalizer interface {
	Network() post.Network
	Normalize(raw []byte, p *post.Post) error
}

// ErrIgnore is returned by a normalizer for a valid record that carries nothing to store (e.g. a compliance
// notice whose effect arrives in another record). The record is counted and its offset committed; it is not
// a dead letter.
var ErrIgnore = errors.New("nothing to store")

// Normalizers returns the normalizers of this build, keyed by network.
func Normalizers() map[post.Network]Normalizer {
	m := map[post.Network]Normalizer{}
	for _, n := range []Normalizer{
		XNormalizer{}, MastodonNormalizer{}, RedditNormalizer{}, YouTubeNormalizer{}, FacebookNormalizer{},
		InstagramNormalizer{}, ReviewNormalizer{},
	} {
		m[n.Network()] = n
	}
	return m
}

// DefaultMaxPayloadBytes is the default size limit of one raw payload: far above any real post (a long Reddit
// submission is under 100 KiB) and below Kafka's default 1 MB message limit, so oversized payloads are
// caught here rather than by the broker.
const DefaultMaxPayloadBytes = 256 << 10

// Decoder applies the checks every payload gets (size, UTF-8) and then the network's normalizer.
type Decoder struct {
	MaxPayloadBytes int // payloads larger than this are rejected as oversized; 0 means DefaultMaxPayloadBytes
	now             func() time.Time
}

// Decode normalizes raw with n into p. p.Source must already be set by the caller.
func (d *Decoder) Decode(n Normalizer, raw []byte, p *post.Post) error {
	limit := d.MaxPayloadBytes
	if limit <= 0 {
		limit = DefaultMaxPayloadBytes
	}
	if len(raw) > limit {
		return reject(ReasonOversized, "payload is %d bytes, limit %d", len(raw), limit)
	}
	if !utf8.Valid(raw) {
		return reject(ReasonInvalidUTF8, "payload is not valid UTF-8")
	}
	now := time.Now
	if d.now != nil {
		now = d.now
	}
	src := p.Source
	*p = post.Post{SchemaVersion: post.SchemaVersion, Source: src, IngestedAt: now().UTC()}
	if err := n.Normalize(raw, p); err != nil {
		return err
	}
	p.Network = n.Network()
	if p.ID == "" {
		return reject(ReasonMissingField, "post id")
	}
	if p.CreatedAt.IsZero() && p.Action != post.ActionDelete {
		return reject(ReasonMissingField, "created time")
	}
	// One Unicode form for all networks (NFC), so that the same text compares and counts alike whatever
	// composed or decomposed form a client sent.
	for _, s := range []*string{&p.Text, &p.Title, &p.Author.DisplayName, &p.Author.Bio, &p.Author.Location} {
		if !norm.NFC.IsNormalString(*s) {
			*s = norm.NFC.String(*s)
		}
	}
	return nil
}

// unmarshal decodes raw into v, classifying errors as reject reasons. The input must be exactly one JSON
// value: trailing data and duplicate member names are refused. Member names match exactly, as the networks'
// APIs define them. (github.com/go-json-experiment/json decodes these payloads about twice as fast as
// encoding/json, which matters because decoding is ingest's main cost.)
func unmarshal(raw []byte, v any) error {
	if err := jsonUnmarshal(raw, v); err != nil {
		return jsonReject(err)
	}
	return nil
}

// jsonUnmarshal is the JSON decoder of every normalizer. It is a variable only so that the benchmarks can
// measure the same normalizers on encoding/json as the baseline. The Decoder has already checked that the
// whole payload is valid UTF-8, so the JSON decoder does not check strings again (7 % of X decoding); any
// invalid sequence it met anyway, e.g. a lone surrogate escape, would become U+FFFD.
var jsonUnmarshal = func(raw []byte, v any) error { return json.Unmarshal(raw, v, jsontext.AllowInvalidUTF8(true)) }

// parseTime parses an RFC 3339 timestamp (with or without fractional seconds) of field.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, reject(ReasonMissingField, "%s", field)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, reject(ReasonInvalidValue, "%s: %q is not an RFC 3339 time", field, s)
	}
	if t.Unix() <= 0 {
		return time.Time{}, reject(ReasonInvalidValue, "%s: %q is not a plausible post time", field, s)
	}
	return t.UTC(), nil
}

// optionalTime parses s like parseTime but returns the zero time for an empty or unreadable value: used for
// fields that are nice to have, where a bad value must not cost the whole post.
func optionalTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// htmlToText renders an HTML fragment (Mastodon status content, profile notes) as plain text: tags removed,
// entities decoded, paragraphs and line breaks kept as newlines.
func htmlToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if string(name) == "br" {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == "p" {
				b.WriteString("\n\n")
			}
		}
	}
}
