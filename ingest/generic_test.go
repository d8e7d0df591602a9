package ingest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// checkGoldenWith is checkGolden for a normalizer given directly rather than looked up in Normalizers():
// the payloads are testdata/<dir>/<name>.json and the golden posts <name>.golden.json.
func checkGoldenWith(t *testing.T, dir string, n Normalizer, cases []goldenCase) {
	t.Helper()
	checkGoldenEach(t, dir, func(string) Normalizer { return n }, cases)
}

// checkGoldenEach is checkGoldenWith with a normalizer per case, chosen by the case's name. It honours -update
// like checkGolden.
func checkGoldenEach(t *testing.T, dir string, normalizerFor func(name string) Normalizer, cases []goldenCase) {
	t.Helper()
	dir = filepath.Join("testdata", dir)
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, tc := range cases {
		listed[tc.name] = true
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		name = strings.TrimSuffix(name, ".golden")
		if !listed[name] {
			t.Errorf("%s has no golden case; add it to the case table", path)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := normalizerFor(tc.name)
			raw, err := os.ReadFile(filepath.Join(dir, tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			src := post.Source{Topic: "social.raw." + string(n.Network()), Partition: 3, Offset: 4711}
			p := post.Post{Source: src}
			if err := fixedDecoder().Decode(n, raw, &p); err != nil {
				t.Fatalf("Decode: got error %v; want none", err)
			}
			if got := p.Kind(); got != tc.kind {
				t.Errorf("Kind(): got %q; want %q", got, tc.kind)
			}
			if p.Source != src {
				t.Errorf("Source: got %+v; want %+v (the decoder must keep what the caller set)", p.Source, src)
			}
			got, err := json.MarshalIndent(&p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			goldenPath := filepath.Join(dir, tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test ./ingest -run Golden -update to create it, then review it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("canonical post differs from %s:\n%s", goldenPath, firstDiff(string(got), string(want)))
			}
		})
	}
}

// genericForumFields maps testdata/generic/forum.json, a forum's own export format.
var genericForumFields = map[string]string{
	"id":               "data.uid",
	"text":             "body.content",
	"lang":             "body.lang",
	"created_at":       "meta.ts",
	"edited_at":        "meta.edited",
	"author.id":        "user.id",
	"author.handle":    "user.name",
	"url":              "link",
	"likes":            "stats.likes",
	"replies":          "stats.replies",
	"reply_to_id":      "parent",
	"conversation_id":  "thread.root",
	"author.followers": "user.followers",
}

// genericStoreFields maps testdata/generic/store_review.json, an app-store review export (first item only).
var genericStoreFields = map[string]string{
	"id":          "items.0.reviewId",
	"text":        "items.0.text",
	"title":       "items.0.title",
	"rating":      "items.0.stars",
	"created_at":  "items.0.updatedMillis",
	"author.name": "items.0.author.name",
}

func mustGeneric(t testing.TB, name post.Network, fields map[string]string) *GenericNormalizer {
	t.Helper()
	g, err := NewGenericNormalizer(name, fields)
	if err != nil {
		t.Fatalf("NewGenericNormalizer(%q, %v): %v", name, fields, err)
	}
	return g
}

func TestGoldenGeneric(t *testing.T) {
	normalizers := map[string]Normalizer{
		"forum":        mustGeneric(t, "forum", genericForumFields),
		"store_review": mustGeneric(t, "appstore", genericStoreFields),
	}
	checkGoldenEach(t, "generic", func(name string) Normalizer { return normalizers[name] }, []goldenCase{
		{"forum", "reply"},
		{"store_review", "original"},
	})
}

func TestNewGenericNormalizerErrors(t *testing.T) {
	base := func(extra map[string]string, drop ...string) map[string]string {
		m := map[string]string{"id": "id", "created_at": "ts", "text": "text"}
		for k, v := range extra {
			m[k] = v
		}
		for _, k := range drop {
			delete(m, k)
		}
		return m
	}
	f := func(name post.Network, fields map[string]string, wantSubstr string) {
		t.Helper()
		g, err := NewGenericNormalizer(name, fields)
		if err == nil {
			t.Fatalf("NewGenericNormalizer(%q, %v): got %+v and no error; want an error containing %q", name, fields, g, wantSubstr)
		}
		if !strings.Contains(err.Error(), wantSubstr) {
			t.Errorf("NewGenericNormalizer(%q, %v): got error %q; want it to contain %q", name, fields, err, wantSubstr)
		}
	}
	f("forum", base(map[string]string{"likez": "stats.likes"}), `field "likez": unknown canonical field`)
	f("forum", base(map[string]string{"Text": "x"}), `field "Text": unknown canonical field`)
	f("forum", base(nil, "id"), `field "id" is required`)
	f("forum", base(nil, "created_at"), `field "created_at" is required`)
	f("forum", base(nil, "text"), `"text" or "title" is required`)
	f("forum", base(map[string]string{"id": ""}), `field "id": empty path`)
	f("forum", base(map[string]string{"url": "a..b"}), `field "url": path "a..b" has an empty segment`)
	f("forum", base(map[string]string{"url": ".a"}), `field "url": path ".a" has an empty segment`)
	f("forum", base(map[string]string{"url": "a."}), `field "url": path "a." has an empty segment`)
	f("forum", base(map[string]string{"url": strings.Repeat("a.", 40) + "a"}), `field "url": path`)
	f("forum", nil, `field "id" is required`)
	f("", base(nil), "empty network name")
	f("Forum", base(nil), "network name must be lower-case")
	f("my forum", base(nil), "network name must be lower-case")
	f("-forum", base(nil), "network name must be lower-case")
	f(post.Network(strings.Repeat("a", 65)), base(nil), "longer than 64 bytes")

	// Good mappings: title alone is enough; every canonical field is accepted.
	if _, err := NewGenericNormalizer("a.b_c-1", map[string]string{"id": "id", "created_at": "t", "title": "h"}); err != nil {
		t.Errorf("title-only mapping: got %v; want no error", err)
	}
	all := map[string]string{}
	for _, name := range GenericFields() {
		all[name] = "f." + name
	}
	if _, err := NewGenericNormalizer("all", all); err != nil {
		t.Errorf("mapping of every canonical field: got %v; want no error", err)
	}
}

func TestGenericNormalizerCopiesFields(t *testing.T) {
	fields := map[string]string{"id": "id", "created_at": "t", "text": "x"}
	g := mustGeneric(t, "forum", fields)
	fields["id"] = "other"
	var p post.Post
	if err := g.Normalize([]byte(`{"id":"1","t":1767607200,"x":"hi"}`), &p); err != nil || p.ID != "1" {
		t.Errorf("after changing the caller's map: got id %q, error %v; want id 1 and no error", p.ID, err)
	}
}

var genericTestFields = map[string]string{
	"id": "id", "created_at": "ts", "edited_at": "ed", "text": "text", "title": "title", "rating": "stars",
	"likes": "n.likes", "author.id": "u.id", "author.followers": "u.f", "reply_to_id": "re", "url": "items.1.u",
}

func TestGenericNormalizerRejects(t *testing.T) {
	g := mustGeneric(t, "forum", genericTestFields)
	checkRejects(t, g, []rejectCase{
		{"empty payload", ``, ReasonInvalidJSON},
		{"whitespace only", "  \n", ReasonInvalidJSON},
		{"broken json", `{"id":"1","text":`, ReasonInvalidJSON},
		{"unclosed object", `{"id":"1"`, ReasonInvalidJSON},
		{"trailing garbage", `{"id":"1","ts":1767607200,"text":"a"} x`, ReasonInvalidJSON},
		{"trailing closing bracket", `{"id":"1","ts":1767607200,"text":"a"}}`, ReasonInvalidJSON},
		{"second value", `{"id":"1","ts":1767607200,"text":"a"}{}`, ReasonInvalidJSON},
		{"duplicate member", `{"id":"1","id":"2","ts":1767607200,"text":"a"}`, ReasonInvalidJSON},
		{"duplicate member deep in a skipped value", `{"id":"1","ts":1767607200,"text":"a","x":{"k":1,"k":2}}`, ReasonInvalidJSON},
		{"broken skipped value", `{"id":"1","ts":1767607200,"text":"a","x":[1,}`, ReasonInvalidJSON},
		{"NaN literal", `{"id":"1","ts":NaN,"text":"a"}`, ReasonInvalidJSON},
		{"json null", `null`, ReasonMissingField},
		{"empty object", `{}`, ReasonMissingField},
		{"number at top level", `42`, ReasonWrongType},
		{"string at top level", `"post"`, ReasonWrongType},
		{"array at top level", `[{"id":"1"}]`, ReasonMissingField},
		{"missing id", `{"ts":1767607200,"text":"a"}`, ReasonMissingField},
		{"empty id", `{"id":"","ts":1767607200,"text":"a"}`, ReasonMissingField},
		{"id null", `{"id":null,"ts":1767607200,"text":"a"}`, ReasonMissingField},
		{"id is an object", `{"id":{"v":1},"ts":1767607200,"text":"a"}`, ReasonWrongType},
		{"id is true", `{"id":true,"ts":1767607200,"text":"a"}`, ReasonWrongType},
		{"missing created_at", `{"id":"1","text":"a"}`, ReasonMissingField},
		{"empty created_at", `{"id":"1","ts":"","text":"a"}`, ReasonMissingField},
		{"created_at is a bool", `{"id":"1","ts":true,"text":"a"}`, ReasonWrongType},
		{"created_at in words", `{"id":"1","ts":"yesterday","text":"a"}`, ReasonInvalidValue},
		{"created_at without zone", `{"id":"1","ts":"2026-01-05T10:00:00","text":"a"}`, ReasonInvalidValue},
		{"created_at zero", `{"id":"1","ts":0,"text":"a"}`, ReasonInvalidValue},
		{"created_at negative", `{"id":"1","ts":-5,"text":"a"}`, ReasonInvalidValue},
		{"created_at below a second", `{"id":"1","ts":0.5,"text":"a"}`, ReasonInvalidValue},
		{"created_at far future millis", `{"id":"1","ts":1e300,"text":"a"}`, ReasonInvalidValue},
		{"created_at epoch string", `{"id":"1","ts":"1970-01-01T00:00:00Z","text":"a"}`, ReasonInvalidValue},
		{"created_at two dots", `{"id":"1","ts":"17.67.6","text":"a"}`, ReasonInvalidValue},
		{"no text and no title", `{"id":"1","ts":1767607200}`, ReasonMissingField},
		{"empty text and title", `{"id":"1","ts":1767607200,"text":"","title":""}`, ReasonMissingField},
		{"text is a number", `{"id":"1","ts":1767607200,"text":5}`, ReasonWrongType},
		{"title is a list", `{"id":"1","ts":1767607200,"text":"a","title":["x"]}`, ReasonWrongType},
		{"rating 0", `{"id":"1","ts":1767607200,"text":"a","stars":0}`, ReasonInvalidValue},
		{"rating 6", `{"id":"1","ts":1767607200,"text":"a","stars":"6"}`, ReasonInvalidValue},
		{"rating half star", `{"id":"1","ts":1767607200,"text":"a","stars":3.5}`, ReasonInvalidValue},
		{"rating is an object", `{"id":"1","ts":1767607200,"text":"a","stars":{}}`, ReasonWrongType},
		{"likes negative", `{"id":"1","ts":1767607200,"text":"a","n":{"likes":-1}}`, ReasonInvalidValue},
		{"likes fractional", `{"id":"1","ts":1767607200,"text":"a","n":{"likes":1.5}}`, ReasonInvalidValue},
		{"likes in words", `{"id":"1","ts":1767607200,"text":"a","n":{"likes":"many"}}`, ReasonInvalidValue},
		{"likes too large", `{"id":"1","ts":1767607200,"text":"a","n":{"likes":1e30}}`, ReasonInvalidValue},
		{"likes is a bool", `{"id":"1","ts":1767607200,"text":"a","n":{"likes":true}}`, ReasonWrongType},
		{"parent of a path is a string", `{"id":"1","ts":1767607200,"text":"a","n":"likes"}`, ReasonWrongType},
		{"parent of a path is a number", `{"id":"1","ts":1767607200,"text":"a","u":7}`, ReasonWrongType},
		{"followers is a string of words", `{"id":"1","ts":1767607200,"text":"a","u":{"f":"lots"}}`, ReasonInvalidValue},
	})
}

func TestGenericNormalizer(t *testing.T) {
	g := mustGeneric(t, "forum", genericTestFields)
	f := func(raw string, want post.Post) {
		t.Helper()
		var p post.Post
		if err := g.Normalize([]byte(raw), &p); err != nil {
			t.Fatalf("Normalize(%s): %v", raw, err)
		}
		got, _ := json.Marshal(&p)
		wantJSON, _ := json.Marshal(&want)
		if !bytes.Equal(got, wantJSON) {
			t.Errorf("Normalize(%s):\ngot  %s\nwant %s", raw, got, wantJSON)
		}
	}
	ts := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	author := post.Author{Followers: -1, Following: -1}
	// Times: RFC 3339, Meta's +0000 form, Unix seconds (fractional), Unix millis, digit strings.
	f(`{"id":"1","ts":"2026-01-05T11:00:00+01:00","text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":"2026-01-05T10:00:00+0000","text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":"2026-01-05T10:00:00Z","text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":1767607200,"text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":1767607200.25,"text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts.Add(250 * time.Millisecond), Author: author})
	f(`{"id":"1","ts":1767607200123,"text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts.Add(123 * time.Millisecond), Author: author})
	f(`{"id":"1","ts":"1767607200","text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":1.7676072e9,"text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	// Numeric ids keep every digit; escapes in strings are decoded; null is absent.
	f(`{"id":18446744073709551615,"ts":1767607200,"text":"caf\u00e9 \"q\"","re":null,"u":{"id":9007199254740993}}`,
		post.Post{ID: "18446744073709551615", Text: `café "q"`, CreatedAt: ts,
			Author: post.Author{ID: "9007199254740993", Followers: -1, Following: -1}})
	// Title alone; rating as a string; counts as strings; array index; edits only when later.
	f(`{"id":"1","ts":1767607200,"ed":"2026-01-05T10:30:00Z","title":"t","stars":"4","n":{"likes":"12"},"u":{"f":0},`+
		`"items":[{"u":"x"},{"u":"https://e.x/1"}]}`,
		post.Post{ID: "1", Title: "t", CreatedAt: ts, EditedAt: ts.Add(30 * time.Minute), Rating: 4,
			Engagement: post.Engagement{Likes: 12}, URL: "https://e.x/1",
			Author: post.Author{Followers: 0, Following: -1}})
	f(`{"id":"1","ts":1767607200,"ed":"2026-01-05T09:00:00Z","text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":1767607200,"ed":"whenever","text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":1767607200,"ed":{"x":1},"text":"a"}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	// Paths that lead nowhere (short array, object where an array index is, null parents) are absent.
	f(`{"id":"1","ts":1767607200,"text":"a","items":[{"u":"x"}],"n":null,"u":{}}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
	f(`{"id":"1","ts":1767607200,"text":"a","items":{"1":{"u":"k"}}}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, URL: "k", Author: author})
	// Members outside the mapping are skipped whatever they hold; member names are exact.
	f(`{"ID":"9","id":"1","ts":1767607200,"text":"a","junk":[[[{"deep":[1,2,{"x":null}]}]]]}`, post.Post{ID: "1", Text: "a", CreatedAt: ts, Author: author})
}

func TestGenericNormalizerPathBothLeafAndParent(t *testing.T) {
	// "author.id" reads user.id while "reply_to_id" reads the whole of "user" (a string there).
	g := mustGeneric(t, "forum", map[string]string{"id": "user", "created_at": "ts", "text": "text", "author.id": "user.id"})
	var p post.Post
	if err := g.Normalize([]byte(`{"user":{"id":"u1"},"ts":1767607200,"text":"a"}`), &p); err == nil {
		t.Errorf("id mapped to an object: got id %q and no error; want %s", p.ID, ReasonWrongType)
	} else if got := AsReject(err).Reason; got != ReasonWrongType {
		t.Errorf("id mapped to an object: got %v; want %s", err, ReasonWrongType)
	}
	g = mustGeneric(t, "forum", map[string]string{"id": "m.id", "conversation_id": "m", "created_at": "ts", "text": "text"})
	p = post.Post{}
	if err := g.Normalize([]byte(`{"m":{"id":"7"},"ts":1767607200,"text":"a"}`), &p); err == nil {
		t.Errorf("conversation_id mapped to an object: got no error; want %s", ReasonWrongType)
	}
	g = mustGeneric(t, "forum", map[string]string{"id": "a.b", "reply_to_id": "a", "created_at": "ts", "text": "text"})
	p = post.Post{}
	if err := g.Normalize([]byte(`{"a":null,"ts":1767607200,"text":"x"}`), &p); AsReject(err).Reason != ReasonMissingField {
		t.Errorf("null parent of the id path: got %v; want %s", err, ReasonMissingField)
	}
}

func TestGenericNormalizerLiteral(t *testing.T) {
	// Built as a literal, the mapping is checked on each payload.
	g := &GenericNormalizer{Name: "forum", Fields: map[string]string{"id": "id", "created_at": "t", "text": "x"}}
	var p post.Post
	if err := g.Normalize([]byte(`{"id":"1","t":1767607200,"x":"hi"}`), &p); err != nil || p.ID != "1" {
		t.Errorf("literal normalizer: got id %q, error %v; want id 1", p.ID, err)
	}
	bad := &GenericNormalizer{Name: "forum", Fields: map[string]string{"id": "id"}}
	if err := bad.Normalize([]byte(`{"id":"1"}`), &p); AsReject(err).Reason != ReasonUnsupported {
		t.Errorf("literal normalizer with a bad mapping: got %v; want %s", err, ReasonUnsupported)
	}
}

func FuzzGenericNormalizer(f *testing.F) {
	seedFuzz(f, "generic", `null`, `[]`, `{"id":1,"ts":1767607200,"text":"a"}`,
		`{"id":"1","ts":"2026-01-05T10:00:00+0000","title":"t","stars":"4","n":{"likes":"12"},"items":[{},{"u":"x"}]}`)
	fields := map[string]string{}
	for k, v := range genericTestFields {
		fields[k] = v
	}
	// Also map the seed files' own paths, so that their shapes are explored.
	for k, v := range genericForumFields {
		if _, ok := fields[k]; !ok {
			fields[k] = v
		}
	}
	g := mustGeneric(f, "fuzz", fields)
	forum := mustGeneric(f, "forum", genericForumFields)
	store := mustGeneric(f, "appstore", genericStoreFields)
	f.Fuzz(func(t *testing.T, raw []byte) {
		fuzzNormalizer(t, g, raw)
		fuzzNormalizer(t, forum, raw)
		fuzzNormalizer(t, store, raw)
	})
}

// benchmarkDecodeFiles is benchmarkDecode over the named payload files under testdata.
func benchmarkDecodeFiles(b *testing.B, n Normalizer, files ...string) {
	var payloads [][]byte
	total := 0
	for _, name := range files {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		payloads = append(payloads, raw)
		total += len(raw)
	}
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
}

func BenchmarkDecodeGeneric(b *testing.B) {
	benchmarkDecodeFiles(b, mustGeneric(b, "forum", genericForumFields), "generic/forum.json")
}
