package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rapport-dev/rapport/post"
)

// GenericNormalizer reads JSON payloads of a network that has no normalizer of its own, by a mapping from
// canonical fields to paths in the payload, so that a source can be added by configuration.
//
// Fields maps a canonical field name (see GenericFields) to a path: member names separated by dots, where a
// decimal segment indexes an array ("items.0.text"). Member names containing a dot cannot be reached. The
// mapping must hold "id", "created_at" and at least one of "text" and "title". A path that leads nowhere in
// a payload leaves its field empty; the required fields are then missing_field. Values are read as follows:
//
//   - ids (id, author.id and the refs): a JSON string, or a number taken digit for digit (so 64-bit ids
//     survive);
//   - text fields: a JSON string;
//   - times (created_at, edited_at): an RFC 3339 string, the "+0000" form of Meta's APIs, or Unix time as a
//     number or a string of digits, in seconds (fractions allowed) or, from 1e11 on, in milliseconds;
//   - counts: a non-negative whole number, or a string holding one;
//   - rating: whole stars from 1 to 5, a number or a string.
//
// null reads as absent. An unreadable edited_at is ignored, as are edits not later than created_at. Build one
// with NewGenericNormalizer, which checks the mapping; a GenericNormalizer built as a literal is checked on
// every payload instead, and a bad mapping rejects every payload as unsupported.
type GenericNormalizer struct {
	Name   post.Network
	Fields map[string]string

	plan *genericPlan // compiled Fields; nil when built as a literal
}

// genericField is a canonical field a GenericNormalizer can fill.
type genericField uint8

const (
	gfID genericField = iota
	gfText
	gfTitle
	gfCreatedAt
	gfEditedAt
	gfLang
	gfURL
	gfRating
	gfAuthorID
	gfAuthorHandle
	gfAuthorName
	gfAuthorBio
	gfAuthorLocation
	gfAuthorProfileURL
	gfAuthorFollowers
	gfAuthorFollowing
	gfLikes
	gfReposts
	gfReplies
	gfQuotes
	gfViews
	gfReplyToID
	gfReplyToAuthorID
	gfQuoteOfID
	gfRepostOfID
	gfConversationID
	numGenericFields
)

type genericKind uint8

const (
	gkID genericKind = iota
	gkText
	gkTime
	gkCount
	gkRating
)

var genericFieldInfo = [numGenericFields]struct {
	name string
	kind genericKind
}{
	gfID:               {"id", gkID},
	gfText:             {"text", gkText},
	gfTitle:            {"title", gkText},
	gfCreatedAt:        {"created_at", gkTime},
	gfEditedAt:         {"edited_at", gkTime},
	gfLang:             {"lang", gkText},
	gfURL:              {"url", gkText},
	gfRating:           {"rating", gkRating},
	gfAuthorID:         {"author.id", gkID},
	gfAuthorHandle:     {"author.handle", gkText},
	gfAuthorName:       {"author.name", gkText},
	gfAuthorBio:        {"author.bio", gkText},
	gfAuthorLocation:   {"author.location", gkText},
	gfAuthorProfileURL: {"author.profile_url", gkText},
	gfAuthorFollowers:  {"author.followers", gkCount},
	gfAuthorFollowing:  {"author.following", gkCount},
	gfLikes:            {"likes", gkCount},
	gfReposts:          {"reposts", gkCount},
	gfReplies:          {"replies", gkCount},
	gfQuotes:           {"quotes", gkCount},
	gfViews:            {"views", gkCount},
	gfReplyToID:        {"reply_to_id", gkID},
	gfReplyToAuthorID:  {"reply_to_author_id", gkID},
	gfQuoteOfID:        {"quote_of_id", gkID},
	gfRepostOfID:       {"repost_of_id", gkID},
	gfConversationID:   {"conversation_id", gkID},
}

// GenericFields lists the canonical field names a GenericNormalizer mapping may use.
func GenericFields() []string {
	names := make([]string, numGenericFields)
	for i, f := range genericFieldInfo {
		names[i] = f.name
	}
	return names
}

// maxGenericPathSegments bounds a path's depth; real payloads nest far less.
const maxGenericPathSegments = 32

// genericPlan is a compiled mapping: the paths as a tree, so that one pass over a payload reads every field.
type genericPlan struct {
	root  *genericNode
	paths [numGenericFields]string // the configured path of each field; empty when unmapped
}

type genericNode struct {
	path     string         // dotted path from the root, for reject details
	fields   []genericField // fields whose path ends here
	children map[string]*genericNode
}

// NewGenericNormalizer checks fields and returns a normalizer of network name that reads payloads by it. The
// error names the offending field or path.
func NewGenericNormalizer(name post.Network, fields map[string]string) (*GenericNormalizer, error) {
	plan, err := compileGeneric(name, fields)
	if err != nil {
		return nil, err
	}
	copied := make(map[string]string, len(fields))
	for k, v := range fields {
		copied[k] = v
	}
	return &GenericNormalizer{Name: name, Fields: copied, plan: plan}, nil
}

func compileGeneric(name post.Network, fields map[string]string) (*genericPlan, error) {
	if err := checkNetworkName(name); err != nil {
		return nil, err
	}
	byName := make(map[string]genericField, numGenericFields)
	for i, f := range genericFieldInfo {
		byName[f.name] = genericField(i)
	}
	plan := &genericPlan{root: &genericNode{}}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first bad field reported is the same on every run
	for _, k := range keys {
		f, ok := byName[k]
		if !ok {
			return nil, fmt.Errorf("generic normalizer %s: field %q: unknown canonical field (known: %s)",
				name, k, strings.Join(GenericFields(), ", "))
		}
		path := fields[k]
		segs := strings.Split(path, ".")
		if path == "" {
			return nil, fmt.Errorf("generic normalizer %s: field %q: empty path", name, k)
		}
		if len(segs) > maxGenericPathSegments {
			return nil, fmt.Errorf("generic normalizer %s: field %q: path %q has more than %d segments",
				name, k, path, maxGenericPathSegments)
		}
		n := plan.root
		for i, seg := range segs {
			if seg == "" {
				return nil, fmt.Errorf("generic normalizer %s: field %q: path %q has an empty segment", name, k, path)
			}
			child := n.children[seg]
			if child == nil {
				if n.children == nil {
					n.children = map[string]*genericNode{}
				}
				child = &genericNode{path: strings.Join(segs[:i+1], ".")}
				n.children[seg] = child
			}
			n = child
		}
		n.fields = append(n.fields, f)
		plan.paths[f] = path
	}
	for _, f := range []genericField{gfID, gfCreatedAt} {
		if plan.paths[f] == "" {
			return nil, fmt.Errorf("generic normalizer %s: field %q is required", name, genericFieldInfo[f].name)
		}
	}
	if plan.paths[gfText] == "" && plan.paths[gfTitle] == "" {
		return nil, fmt.Errorf("generic normalizer %s: field \"text\" or \"title\" is required", name)
	}
	return plan, nil
}

// checkNetworkName accepts what post.Network promises: short, lower-case and usable in a topic name.
func checkNetworkName(name post.Network) error {
	if name == "" {
		return errors.New("generic normalizer: empty network name")
	}
	if len(name) > 64 {
		return fmt.Errorf("generic normalizer %.64s…: network name longer than 64 bytes", name)
	}
	for i, c := range []byte(name) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '_' || c == '-' || c == '.')
		if !ok {
			return fmt.Errorf("generic normalizer %q: network name must be lower-case letters, digits, '_', '-' "+
				"or '.', starting with a letter or digit", name)
		}
	}
	return nil
}

// Network implements Normalizer.
func (g *GenericNormalizer) Network() post.Network { return g.Name }

// Normalize implements Normalizer.
func (g *GenericNormalizer) Normalize(raw []byte, p *post.Post) error {
	plan := g.plan
	if plan == nil {
		var err error
		if plan, err = compileGeneric(g.Name, g.Fields); err != nil {
			return reject(ReasonUnsupported, "%v", err)
		}
	}
	var vals [numGenericFields]jsontext.Value
	if err := plan.read(raw, &vals); err != nil {
		return err
	}
	r := genericReader{plan: plan, vals: &vals}

	p.ID = r.id(gfID)
	if r.err == nil && p.ID == "" {
		return r.missing(gfID)
	}
	if v := vals[gfCreatedAt]; r.err == nil && isAbsent(v) {
		return r.missing(gfCreatedAt)
	}
	p.CreatedAt = r.time(gfCreatedAt)
	p.Text = r.text(gfText)
	p.Title = r.text(gfTitle)
	if r.err == nil && p.Text == "" && p.Title == "" {
		field := gfText
		if plan.paths[gfText] == "" {
			field = gfTitle
		}
		return r.missing(field)
	}
	if !isAbsent(vals[gfEditedAt]) {
		if t, err := genericTime(vals[gfEditedAt]); err == nil && t.After(p.CreatedAt) {
			p.EditedAt = t
		}
	}
	p.Lang = r.text(gfLang)
	p.URL = r.text(gfURL)
	if !isAbsent(vals[gfRating]) && r.err == nil {
		p.Rating, r.err = parseRating(r.label(gfRating), vals[gfRating])
	}
	p.Author = post.Author{
		ID:          r.id(gfAuthorID),
		Handle:      r.text(gfAuthorHandle),
		DisplayName: r.text(gfAuthorName),
		Bio:         r.text(gfAuthorBio),
		Location:    r.text(gfAuthorLocation),
		ProfileURL:  r.text(gfAuthorProfileURL),
		Followers:   r.countOr(gfAuthorFollowers, -1),
		Following:   r.countOr(gfAuthorFollowing, -1),
	}
	p.Engagement = post.Engagement{
		Likes:   r.countOr(gfLikes, 0),
		Reposts: r.countOr(gfReposts, 0),
		Replies: r.countOr(gfReplies, 0),
		Quotes:  r.countOr(gfQuotes, 0),
		Views:   r.countOr(gfViews, 0),
	}
	p.Refs = post.Refs{
		ReplyToID:       r.id(gfReplyToID),
		ReplyToAuthorID: r.id(gfReplyToAuthorID),
		QuoteOfID:       r.id(gfQuoteOfID),
		RepostOfID:      r.id(gfRepostOfID),
		ConversationID:  r.id(gfConversationID),
	}
	return r.err
}

// read walks raw once and stores in vals the raw value at each mapped path (nil where the path leads
// nowhere). It validates the whole payload as one JSON value, like unmarshal does.
func (plan *genericPlan) read(raw []byte, vals *[numGenericFields]jsontext.Value) error {
	d := jsontext.NewDecoder(bytes.NewBuffer(raw))
	if err := plan.walk(d, raw, plan.root, vals); err != nil {
		return err
	}
	if _, err := d.ReadToken(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the top-level value")
		}
		return reject(ReasonInvalidJSON, "%v", err)
	}
	return nil
}

// walk reads the value at the decoder's position, which is at node n's path.
func (plan *genericPlan) walk(d *jsontext.Decoder, raw []byte, n *genericNode, vals *[numGenericFields]jsontext.Value) error {
	if len(n.fields) > 0 {
		v, err := d.ReadValue()
		if err != nil {
			return jsonReject(err)
		}
		end := int(d.InputOffset())
		v = raw[end-len(v) : end : end]
		for _, f := range n.fields {
			vals[f] = v
		}
		if n.children == nil {
			return nil
		}
		// A path that is also the prefix of another (rare): read on inside the value just taken.
		sub := jsontext.NewDecoder(bytes.NewBuffer(v))
		return plan.walkChildren(sub, v, n, vals)
	}
	return plan.walkChildren(d, raw, n, vals)
}

func (plan *genericPlan) walkChildren(d *jsontext.Decoder, raw []byte, n *genericNode, vals *[numGenericFields]jsontext.Value) error {
	switch kind := d.PeekKind(); kind {
	case '{':
		if _, err := d.ReadToken(); err != nil {
			return jsonReject(err)
		}
		for d.PeekKind() != '}' {
			name, err := d.ReadValue() // a member name, quoted
			if err != nil {
				return jsonReject(err)
			}
			if err := plan.walkOrSkip(d, raw, n.child(name), vals); err != nil {
				return err
			}
		}
	case '[':
		if _, err := d.ReadToken(); err != nil {
			return jsonReject(err)
		}
		for i := 0; d.PeekKind() != ']'; i++ {
			if err := plan.walkOrSkip(d, raw, n.children[strconv.Itoa(i)], vals); err != nil {
				return err
			}
		}
	case 'n':
		return plan.walkOrSkip(d, raw, nil, vals)
	case 0:
		// Nothing readable here: let ReadToken say why (empty input, syntax error).
		_, err := d.ReadToken()
		if err == nil {
			err = errors.New("no JSON value")
		}
		return jsonReject(err)
	default:
		if err := d.SkipValue(); err != nil {
			return jsonReject(err)
		}
		where := n.path
		if where == "" {
			where = "(top level)"
		}
		return reject(ReasonWrongType, "path %s: got JSON %s, want an object or an array", where, kind)
	}
	if _, err := d.ReadToken(); err != nil {
		return jsonReject(err)
	}
	return nil
}

// child returns the child of n named by the quoted member name, or nil.
func (n *genericNode) child(quoted jsontext.Value) *genericNode {
	if len(quoted) < 2 {
		return nil
	}
	name := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(name, '\\') < 0 {
		return n.children[string(name)] // no allocation: the compiler looks up without copying
	}
	return n.children[unquote(quoted)]
}

// walkOrSkip walks the value at the decoder's position as node n, or skips it when n is nil.
func (plan *genericPlan) walkOrSkip(d *jsontext.Decoder, raw []byte, n *genericNode, vals *[numGenericFields]jsontext.Value) error {
	if n != nil {
		return plan.walk(d, raw, n, vals)
	}
	if err := d.SkipValue(); err != nil {
		return jsonReject(err)
	}
	return nil
}

func isAbsent(v jsontext.Value) bool { return len(v) == 0 || v.Kind() == 'n' }

// genericReader converts the values read for a plan, keeping the first error so that the caller can read
// every field and check once.
type genericReader struct {
	plan *genericPlan
	vals *[numGenericFields]jsontext.Value
	err  error
}

// label names field f and its path for reject details: "created_at (meta.ts)".
func (r *genericReader) label(f genericField) string {
	return genericFieldInfo[f].name + " (" + r.plan.paths[f] + ")"
}

func (r *genericReader) missing(f genericField) error {
	return reject(ReasonMissingField, "%s", r.label(f))
}

func (r *genericReader) wrongType(f genericField, v jsontext.Value, want string) {
	if r.err == nil {
		r.err = reject(ReasonWrongType, "field %s: got JSON %s, want %s", r.label(f), v.Kind(), want)
	}
}

func (r *genericReader) text(f genericField) string {
	v := r.vals[f]
	if r.err != nil || isAbsent(v) {
		return ""
	}
	if v.Kind() != '"' {
		r.wrongType(f, v, "a string")
		return ""
	}
	return unquote(v)
}

func (r *genericReader) id(f genericField) string {
	v := r.vals[f]
	if r.err == nil && v.Kind() == '0' {
		return string(v)
	}
	return r.text(f)
}

func (r *genericReader) time(f genericField) time.Time {
	v := r.vals[f]
	if r.err != nil || isAbsent(v) {
		return time.Time{}
	}
	t, err := genericTime(v)
	if err != nil {
		var re *RejectError
		if errors.As(err, &re) {
			r.err = &RejectError{Reason: re.Reason, Detail: r.label(f) + ": " + re.Detail}
		} else {
			r.err = err
		}
	}
	return t
}

func (r *genericReader) countOr(f genericField, absent int64) int64 {
	v := r.vals[f]
	if r.err != nil || isAbsent(v) {
		return absent
	}
	var s string
	switch v.Kind() {
	case '0':
		s = string(v)
	case '"':
		s = strings.TrimSpace(unquote(v))
	default:
		r.wrongType(f, v, "a number")
		return absent
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		r.err = reject(ReasonInvalidValue, "%s: %.40q is not a non-negative whole number", r.label(f), s)
		return absent
	}
	return n
}

// unquote returns the string a JSON string value holds.
func unquote(v jsontext.Value) string {
	if len(v) >= 2 && bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1])
	}
	b, err := jsontext.AppendUnquote(nil, v)
	if err != nil {
		return "" // not reached: the decoder validated the value
	}
	return string(b)
}

// genericTime reads a time value: an RFC 3339 or "+0000" string, or Unix seconds or milliseconds as a number
// or a string of digits.
func genericTime(v jsontext.Value) (time.Time, error) {
	var s string
	switch v.Kind() {
	case '0':
		return unixTime(string(v))
	case '"':
		s = strings.TrimSpace(unquote(v))
	default:
		return time.Time{}, reject(ReasonWrongType, "got JSON %s, want a string or a number", v.Kind())
	}
	if s == "" {
		return time.Time{}, reject(ReasonMissingField, "empty")
	}
	if strings.Trim(s, "0123456789.") == "" {
		return unixTime(s)
	}
	t, ok := parseOffsetTime(s)
	if !ok {
		return time.Time{}, reject(ReasonInvalidValue, "%.40q is not an ISO 8601 time with a zone nor a Unix time", s)
	}
	if t.Unix() <= 0 {
		return time.Time{}, reject(ReasonInvalidValue, "%.40q is not a plausible post time", s)
	}
	return t, nil
}

// unixTime reads a decimal Unix time: seconds below 1e11 (before the year 5138), milliseconds from there.
func unixTime(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 1 || f >= 1e14 {
		return time.Time{}, reject(ReasonInvalidValue, "%.40q is not a plausible Unix time", s)
	}
	if f >= 1e11 {
		return time.UnixMilli(int64(f)).UTC(), nil
	}
	whole, frac := math.Modf(f)
	return time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).UTC(), nil
}
