package sim

import (
	"bytes"
	"unicode/utf8"

	"github.com/rapport-dev/rapport/post"
)

// Fault kinds of malformed records, in the order they cycle.
const (
	FaultTruncated    = "truncated_json" // the payload is cut short
	FaultInvalidUTF8  = "invalid_utf8"   // bytes that are not UTF-8 inside the text
	FaultWrongType    = "wrong_type"     // a field with the wrong JSON type (a number id, a string time)
	FaultMissingID    = "missing_id"     // the post id is absent
	FaultOversized    = "oversized"      // larger than 1 MiB
	FaultTrailingData = "trailing_data"  // two payloads glued together
	FaultNotAPost     = "not_a_post"     // valid JSON of another kind: a stream error, a delete event, a "more" stub
)

// AllFaults lists every kind of malformed payload, in the order they are used.
var AllFaults = []string{FaultTruncated, FaultInvalidUTF8, FaultWrongType, FaultMissingID, FaultOversized, FaultTrailingData, FaultNotAPost}

// fresh generates a new post of network net. keep is false for a post that will be corrupted: it then
// leaves no trace in the history.
func (g *Generator) fresh(net post.Network, keep bool) (Record, *hpost) {
	ni := netIndex(net)
	d := g.compose(ni, g.timeAt(g.clock), keep)
	return g.encode(d)
}

// encode writes the draft as its network's payload.
func (g *Generator) encode(d *draft) (Record, *hpost) {
	switch d.ni {
	case nX:
		return g.encodeX(d)
	case nMastodon:
		return g.encodeMastodon(d)
	case nReddit:
		return g.encodeReddit(d)
	case nReview:
		return g.encodeReview(d)
	default:
		return g.encodeCommentNet(d)
	}
}

// corrupt turns a well-formed record into a malformed one of the next fault kind.
func (g *Generator) corrupt(rec *Record) {
	fault := g.cfg.Faults[g.malformedN%len(g.cfg.Faults)]
	g.malformedN++
	rec.Malformed = true
	rec.Fault = fault
	v := rec.Value
	switch fault {
	case FaultTruncated:
		cut := len(v)/3 + g.rng.intn(len(v)/2)
		for cut > 1 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		rec.Value = v[:cut:cut]
	case FaultInvalidUTF8:
		i := textOffset(v)
		out := make([]byte, 0, len(v)+3)
		out = append(out, v[:i]...)
		out = append(out, 0xff, 0xfe, 0xc3) // a stray byte, a BOM half and a truncated sequence
		out = append(out, v[i:]...)
		rec.Value = out
	case FaultWrongType:
		rec.Value = wrongType(rec.Network, v)
	case FaultMissingID:
		rec.Value = dropMember(v, `"id":"`)
		if rec.Network == post.NetworkYouTube {
			rec.Value = dropMember(rec.Value, `"id":"`) // a thread's top-level comment has its own
		}
	case FaultOversized:
		i := textOffset(v)
		out := make([]byte, 0, len(v)+g.cfg.OversizeBytes)
		out = append(out, v[:i]...)
		out = append(out, g.padding()...)
		out = append(out, v[i:]...)
		rec.Value = out
	case FaultTrailingData:
		out := make([]byte, 0, 2*len(v)+1)
		out = append(out, v...)
		out = append(out, '\n')
		out = append(out, v...)
		rec.Value = out
	case FaultNotAPost:
		switch rec.Network {
		case post.NetworkX:
			rec.Value = []byte(`{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","detail":"This stream has been disconnected upstream for operational reasons.","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}`)
		case post.NetworkMastodon:
			// The payload of a streaming "delete" event is the bare id of the deleted status.
			rec.Value = []byte(`"` + rec.PostID + `"`)
		case post.NetworkYouTube:
			rec.Value = []byte(`{"kind":"youtube#video","etag":"` + g.randB64(27) + `","id":"` + g.randB64(11) + `"}`)
		case post.NetworkFacebook:
			rec.Value = []byte(`{"object":"page","entry":[{"id":"` + itoa(g.rng.between(1e8, 1e9)) + `","time":` + itoa(int(rec.EventTime.Unix())) + `,"changes":[]}]}`)
		case post.NetworkInstagram:
			rec.Value = []byte(`{"error":{"message":"Error validating access token: Session has expired.","type":"OAuthException","code":190,"fbtrace_id":"` + g.randB64(22) + `"}}`)
		case post.NetworkReview:
			rec.Value = []byte(`{"reviews":[],"next_page_token":"` + g.randB64(32) + `"}`)
		default:
			rec.Value = []byte(`{"kind":"more","data":{"count":` + itoa(g.rng.between(1, 40)) + `,"name":"t1_` + rec.PostID[3:] + `","id":"` + rec.PostID[3:] + `","parent_id":"` + rec.PostID + `","depth":1,"children":["` + rec.PostID[3:] + `"]}}`)
		}
	}
}

// padding is a run of text long enough to push a payload over the size limit.
func (g *Generator) padding() []byte {
	if g.filler == nil {
		unit := []byte("so so so frustrated with this thing, ")
		n := g.cfg.OversizeBytes
		g.filler = bytes.Repeat(unit, n/len(unit)+1)[:n]
	}
	return g.filler
}

// textOffset returns an offset inside the first text-like string of a payload.
func textOffset(v []byte) int {
	for _, k := range [][]byte{[]byte(`"text":"`), []byte(`"content":"`), []byte(`"body":"`), []byte(`"title":"`)} {
		if i := bytes.Index(v, k); i >= 0 {
			return i + len(k)
		}
	}
	return len(v) / 2
}

// wrongType changes the type of a field the normalizer needs.
func wrongType(n post.Network, v []byte) []byte {
	switch n {
	case post.NetworkX:
		return unquoteMember(v, `"author_id":"`) // a number id, as v1.1-era tools write them
	case post.NetworkMastodon:
		return unquoteMember(v, `"id":"`)
	case post.NetworkYouTube:
		return quoteNumber(v, `"likeCount":`)
	case post.NetworkFacebook, post.NetworkInstagram:
		return quoteNumber(v, `"like_count":`)
	case post.NetworkReview:
		return quoteNumber(v, `"likes":`)
	default:
		return quoteNumber(v, `"created_utc":`) // created_utc as a string
	}
}

// quoteNumber turns the number value of the first member with key prefix k into a string.
func quoteNumber(v []byte, k string) []byte {
	i := bytes.Index(v, []byte(k))
	if i < 0 {
		return v
	}
	s := i + len(k)
	e := s
	for e < len(v) && (v[e] >= '0' && v[e] <= '9' || v[e] == '.' || v[e] == '-') {
		e++
	}
	out := make([]byte, 0, len(v)+2)
	out = append(out, v[:s]...)
	out = append(out, '"')
	out = append(out, v[s:e]...)
	out = append(out, '"')
	return append(out, v[e:]...)
}

// unquoteMember removes the quotes around the string value of the first member with key prefix k.
func unquoteMember(v []byte, k string) []byte {
	i := bytes.Index(v, []byte(k))
	if i < 0 {
		return v
	}
	s := i + len(k) - 1 // opening quote
	e := bytes.IndexByte(v[s+1:], '"') + s + 1
	out := make([]byte, 0, len(v))
	out = append(out, v[:s]...)
	out = append(out, v[s+1:e]...)
	return append(out, v[e+1:]...)
}

// dropMember removes the first member with key prefix k (a string value) and its separating comma.
func dropMember(v []byte, k string) []byte {
	i := bytes.Index(v, []byte(k))
	if i < 0 {
		return v
	}
	e := bytes.IndexByte(v[i+len(k):], '"') + i + len(k) + 1
	s := i
	switch {
	case s > 0 && v[s-1] == ',':
		s--
	case e < len(v) && v[e] == ',':
		e++
	}
	out := make([]byte, 0, len(v))
	out = append(out, v[:s]...)
	return append(out, v[e:]...)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
