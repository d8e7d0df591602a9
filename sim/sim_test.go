package sim

import (
	"bytes"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
)

// generate returns the first n records of a generator for cfg.
func generate(t testing.TB, cfg Config, n int) ([]Record, *Generator) {
	t.Helper()
	g := New(cfg)
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = g.Next()
	}
	return recs, g
}

// decode runs a record through the ingest decoder, as the pipeline does.
func decode(t testing.TB, rec Record) (post.Post, error) {
	t.Helper()
	n, ok := ingest.Normalizers()[rec.Network]
	if !ok {
		t.Fatalf("no normalizer for network %q", rec.Network)
	}
	p := post.Post{Source: post.Source{Topic: rec.Topic}}
	err := (&ingest.Decoder{}).Decode(n, rec.Value, &p)
	return p, err
}

func sameRecord(a, b Record) bool {
	return a.Topic == b.Topic && bytes.Equal(a.Key, b.Key) && bytes.Equal(a.Value, b.Value) &&
		a.EventTime.Equal(b.EventTime) && a.Network == b.Network && a.PostID == b.PostID &&
		a.Duplicate == b.Duplicate && a.Malformed == b.Malformed && a.Fault == b.Fault && a.Truth == b.Truth &&
		a.Action == b.Action && a.Edit == b.Edit
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	const steps = 5000
	tests := []struct {
		name      string
		a, b      Config
		wantEqual bool
	}{
		{"same seed", Config{Seed: 42}, Config{Seed: 42}, true},
		{"same seed with faults", Config{Seed: 9, MalformedRate: 0.05, DuplicateRate: 0.1}, Config{Seed: 9, MalformedRate: 0.05, DuplicateRate: 0.1}, true},
		{"same seed, small population", Config{Seed: 5, Authors: 300}, Config{Seed: 5, Authors: 300}, true},
		{"same seed with incidents, edits and deletes",
			Config{Seed: 8, EventRate: 5, EditRate: 0.05, DeleteRate: 0.05, Incidents: DefaultIncidents(DefaultStart.Add(-18 * time.Hour))},
			Config{Seed: 8, EventRate: 5, EditRate: 0.05, DeleteRate: 0.05, Incidents: DefaultIncidents(DefaultStart.Add(-18 * time.Hour))}, true},
		{"different seeds", Config{Seed: 42}, Config{Seed: 43}, false},
		{"different start", Config{Seed: 42}, Config{Seed: 42, Start: DefaultStart.Add(time.Hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := generate(t, tt.a, steps)
			b, _ := generate(t, tt.b, steps)
			differ := 0
			first := -1
			for i := range a {
				if !sameRecord(a[i], b[i]) {
					differ++
					if first < 0 {
						first = i
					}
				}
			}
			if tt.wantEqual && differ > 0 {
				t.Fatalf("got %d differing records (first at %d); want identical streams", differ, first)
			}
			if !tt.wantEqual && differ < steps/2 {
				t.Fatalf("got %d differing records of %d; want most to differ", differ, steps)
			}
		})
	}
}

// faultReasons lists the reject reasons each kind of malformed payload may produce.
var faultReasons = map[string][]ingest.Reason{
	FaultTruncated:    {ingest.ReasonInvalidJSON},
	FaultInvalidUTF8:  {ingest.ReasonInvalidUTF8},
	FaultWrongType:    {ingest.ReasonWrongType},
	FaultMissingID:    {ingest.ReasonMissingField},
	FaultOversized:    {ingest.ReasonOversized},
	FaultTrailingData: {ingest.ReasonInvalidJSON},
	FaultNotAPost:     {ingest.ReasonMissingField, ingest.ReasonWrongType, ingest.ReasonUnsupported},
}

func TestRecordsDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		n    int
	}{
		{"defaults", Config{Seed: 1}, 6000},
		{"malformed", Config{Seed: 2, MalformedRate: 0.05}, 6000},
		{"mastodon only", Config{Seed: 3, Mix: map[post.Network]float64{post.NetworkMastodon: 1}}, 3000},
		{"reddit only", Config{Seed: 4, Mix: map[post.Network]float64{post.NetworkReddit: 1}, MalformedRate: 0.03}, 3000},
		{"old start, tiny population", Config{Seed: 5, Start: time.Date(2019, 6, 1, 12, 0, 0, 0, time.UTC), Authors: 50}, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _ := generate(t, tt.cfg, tt.n)
			for i, rec := range recs {
				if rec.Topic != TopicFor(rec.Network) {
					t.Fatalf("record %d: got topic %q; want %q", i, rec.Topic, TopicFor(rec.Network))
				}
				if string(rec.Key) != rec.PostID {
					t.Fatalf("record %d: got key %q; want %q", i, rec.Key, rec.PostID)
				}
				p, err := decode(t, rec)
				if rec.Malformed {
					if err == nil {
						t.Fatalf("record %d (%s, %s): got no error; want a rejection", i, rec.Network, rec.Fault)
					}
					var re *ingest.RejectError
					if !errors.As(err, &re) {
						t.Fatalf("record %d: got error %T %v; want *ingest.RejectError", i, err, err)
					}
					allowed := faultReasons[rec.Fault]
					ok := false
					for _, r := range allowed {
						ok = ok || re.Reason == r
					}
					if !ok {
						t.Fatalf("record %d (%s, %s): got reason %s; want one of %v", i, rec.Network, rec.Fault, re.Reason, allowed)
					}
					continue
				}
				if err != nil {
					t.Fatalf("record %d (%s %s): got error %v; want none\n%s", i, rec.Network, rec.Truth.Kind, err, rec.Value)
				}
				if p.Network != rec.Network || p.ID != rec.PostID {
					t.Fatalf("record %d: got %s/%s; want %s/%s", i, p.Network, p.ID, rec.Network, rec.PostID)
				}
				if p.Action != rec.Action {
					t.Fatalf("record %d: got action %s; want %s\n%s", i, p.Action, rec.Action, rec.Value)
				}
				if rec.Action == post.ActionDelete {
					continue
				}
				if rec.Edit {
					if !p.EditedAt.Equal(rec.EventTime) || !p.CreatedAt.Before(p.EditedAt) {
						t.Fatalf("record %d: got an edit created %v, edited %v; want edited at the event time %v, after creation", i, p.CreatedAt, p.EditedAt, rec.EventTime)
					}
					continue
				}
				if strings.TrimSpace(p.Text) == "" {
					t.Fatalf("record %d: got empty text; want some\n%s", i, rec.Value)
				}
				checkAuthor(t, i, rec, &p)
				if !p.CreatedAt.Equal(rec.EventTime) {
					t.Fatalf("record %d: got created %v; want event time %v", i, p.CreatedAt, rec.EventTime)
				}
				if p.Kind() != rec.Truth.Kind {
					t.Fatalf("record %d: got kind %s; want %s", i, p.Kind(), rec.Truth.Kind)
				}
			}
		})
	}
}

// checkAuthor checks that a decoded post names its author as its network does: Facebook and Instagram
// sometimes leave the commenter's id out, and only some networks have handles.
func checkAuthor(t *testing.T, i int, rec Record, p *post.Post) {
	t.Helper()
	a := p.Author
	switch rec.Network {
	case post.NetworkFacebook:
		if a.ID != "" && a.DisplayName == "" {
			t.Fatalf("record %d: got author %+v; want a name with the id", i, a)
		}
	case post.NetworkInstagram:
		if a.Handle == "" {
			t.Fatalf("record %d: got author %+v; want a handle", i, a)
		}
	case post.NetworkYouTube, post.NetworkReview:
		if a.ID == "" || a.Handle == "" && a.DisplayName == "" {
			t.Fatalf("record %d: got author %+v; want an id and a handle or name", i, a)
		}
	default:
		if a.ID == "" || a.Handle == "" {
			t.Fatalf("record %d: got author %+v; want id and handle", i, a)
		}
	}
}

func TestFaultSelection(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		faults  []string
		minSize int
		maxSize int
	}{
		{"default oversize fits Kafka's default limits", Config{Seed: 71, MalformedRate: 0.3, Faults: []string{FaultOversized}},
			[]string{FaultOversized}, DefaultOversizeBytes, 1_000_000},
		{"custom oversize", Config{Seed: 72, MalformedRate: 0.3, Faults: []string{FaultOversized}, OversizeBytes: 300 << 10},
			[]string{FaultOversized}, 300 << 10, 310 << 10},
		{"two kinds in turn", Config{Seed: 73, MalformedRate: 0.3, Faults: []string{FaultMissingID, FaultNotAPost}},
			[]string{FaultMissingID, FaultNotAPost}, 0, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _ := generate(t, tt.cfg, 400)
			k := 0
			for i, rec := range recs {
				if !rec.Malformed {
					continue
				}
				if want := tt.faults[k%len(tt.faults)]; rec.Fault != want {
					t.Fatalf("record %d: got fault %s; want %s", i, rec.Fault, want)
				}
				k++
				if rec.Fault == FaultOversized && (len(rec.Value) < tt.minSize || len(rec.Value) > tt.maxSize) {
					t.Fatalf("record %d: got %d bytes; want between %d and %d", i, len(rec.Value), tt.minSize, tt.maxSize)
				}
				if _, err := decode(t, rec); err == nil {
					t.Fatalf("record %d (%s): got no error; want a rejection", i, rec.Fault)
				}
			}
			if k == 0 {
				t.Fatalf("got no malformed records; want some")
			}
		})
	}
}

func TestShares(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		n    int
		dup  float64 // expected share of duplicates
		mal  float64 // expected share of malformed records
		mix  map[post.Network]float64
	}{
		{"defaults", Config{Seed: 11}, 20000, 0.02, 0, DefaultMix()},
		{"faulty", Config{Seed: 12, DuplicateRate: 0.08, MalformedRate: 0.05}, 20000, 0.08, 0.05, nil},
		{"no duplicates", Config{Seed: 13, DuplicateRate: -1, MalformedRate: 0.01}, 10000, 0, 0.01, nil},
		{"custom mix", Config{Seed: 14, Mix: map[post.Network]float64{post.NetworkX: 1, post.NetworkMastodon: 1}}, 10000, 0.02, 0,
			map[post.Network]float64{post.NetworkX: 0.5, post.NetworkMastodon: 0.5, post.NetworkReddit: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _ := generate(t, tt.cfg, tt.n)
			var dups, mal int
			perNet := map[post.Network]int{}
			earlier := map[string][]byte{}
			sent := map[string]bool{} // payloads of well-formed records
			for i, rec := range recs {
				perNet[rec.Network]++
				key := string(rec.Network) + "/" + rec.PostID
				switch {
				case rec.Duplicate:
					dups++
					if _, ok := earlier[key]; !ok {
						t.Fatalf("record %d: got a redelivery of %s; want an earlier record with that id", i, key)
					}
					if !sent[string(rec.Value)] {
						t.Fatalf("record %d: got a redelivery that differs from every earlier record; want the same bytes", i)
					}
				case rec.Malformed:
					mal++
				case rec.Edit || rec.Action == post.ActionDelete:
					sent[string(rec.Value)] = true
					if _, ok := earlier[key]; !ok {
						t.Fatalf("record %d: got an edit or delete of %s; want an earlier record with that id", i, key)
					}
				default:
					if _, ok := earlier[key]; ok {
						t.Fatalf("record %d: got post id %s twice; want fresh posts to have new ids", i, key)
					}
					earlier[key] = rec.Value
					sent[string(rec.Value)] = true
				}
			}
			checkShare(t, "duplicates", float64(dups)/float64(tt.n), tt.dup, 0.005+tt.dup*0.2)
			checkShare(t, "malformed", float64(mal)/float64(tt.n), tt.mal, 0.003+tt.mal*0.15)
			for n, want := range tt.mix {
				checkShare(t, "network "+string(n), float64(perNet[n])/float64(tt.n), want, 0.025)
			}
		})
	}
}

func checkShare(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s: got share %.4f; want %.4f ± %.4f", what, got, want, tol)
	}
}

func TestStatsUnique(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		n    int
	}{
		{"defaults", Config{Seed: 21}, 8000},
		{"faulty", Config{Seed: 22, DuplicateRate: 0.1, MalformedRate: 0.1}, 8000},
		{"edits and deletes", Config{Seed: 23, EventRate: 1, EditRate: 0.05, DeleteRate: 0.05, DuplicateRate: 0.1}, 8000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, g := generate(t, tt.cfg, tt.n)
			unique := map[string]bool{}
			var dups, mal int
			perNet := map[post.Network]int{}
			for _, rec := range recs {
				perNet[rec.Network]++
				if rec.Duplicate {
					dups++
				}
				if rec.Malformed {
					mal++
					continue
				}
				unique[string(rec.Network)+"\x00"+rec.PostID] = true
			}
			s := g.Stats()
			if s.Unique != len(unique) {
				t.Errorf("got Stats().Unique %d; want %d", s.Unique, len(unique))
			}
			var edits, deletes int
			for _, rec := range recs {
				if !rec.Duplicate && rec.Edit {
					edits++
				}
				if !rec.Duplicate && rec.Action == post.ActionDelete {
					deletes++
				}
			}
			if s.Edits != edits || s.Deletes != deletes || s.Visible != s.Unique-deletes {
				t.Errorf("got edits/deletes/visible %d/%d/%d; want %d/%d/%d", s.Edits, s.Deletes, s.Visible, edits, deletes, s.Unique-deletes)
			}
			if s.Records != tt.n || s.Duplicates != dups || s.Malformed != mal {
				t.Errorf("got records/duplicates/malformed %d/%d/%d; want %d/%d/%d", s.Records, s.Duplicates, s.Malformed, tt.n, dups, mal)
			}
			var sum NetworkStats
			for n, ns := range s.ByNetwork {
				if ns.Records != perNet[n] {
					t.Errorf("network %s: got %d records; want %d", n, ns.Records, perNet[n])
				}
				sum.Records += ns.Records
				sum.Unique += ns.Unique
				sum.Duplicates += ns.Duplicates
				sum.Malformed += ns.Malformed
				sum.Visible += ns.Visible
				sum.Edits += ns.Edits
				sum.Deletes += ns.Deletes
				sum.BrandReplies += ns.BrandReplies
			}
			if sum.Records != s.Records || sum.Unique != s.Unique || sum.Duplicates != s.Duplicates || sum.Malformed != s.Malformed ||
				sum.Visible != s.Visible || sum.Edits != s.Edits || sum.Deletes != s.Deletes || sum.BrandReplies != s.BrandReplies {
				t.Errorf("got per-network sums %+v; want the totals %+v", sum, s)
			}
		})
	}
}

func TestEventTime(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		n    int
	}{
		{"default rate", Config{Seed: 31}, 5000},
		{"high rate", Config{Seed: 32, EventRate: 2000}, 5000},
		{"slow rate", Config{Seed: 33, EventRate: 0.5, Start: time.Date(2026, 3, 7, 18, 0, 0, 0, time.UTC)}, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, g := generate(t, tt.cfg, tt.n)
			start := g.Config().Start
			if !recs[0].EventTime.Equal(start) {
				t.Errorf("got first event time %v; want the start %v", recs[0].EventTime, start)
			}
			last := map[post.Network]time.Time{}
			var latest time.Time
			fresh := 0
			for i, rec := range recs {
				if rec.Duplicate {
					continue
				}
				if !rec.Edit && rec.Action != post.ActionDelete && rec.Truth.Intent != "support" {
					fresh++ // a new post of the Poisson stream (answers, edits and deletes come on top)
				}
				if rec.EventTime.Before(start) {
					t.Fatalf("record %d: got event time %v; want not before start %v", i, rec.EventTime, start)
				}
				if rec.EventTime.Before(last[rec.Network]) {
					t.Fatalf("record %d (%s): got event time %v after %v; want non-decreasing per network", i, rec.Network, rec.EventTime, last[rec.Network])
				}
				last[rec.Network] = rec.EventTime
				// Networks report different precisions (X and Reddit whole seconds, Mastodon milliseconds),
				// so across networks the order holds to within a second.
				if rec.EventTime.Before(latest.Add(-time.Second)) {
					t.Fatalf("record %d: got event time %v, more than 1s before %v; want near-monotone", i, rec.EventTime, latest)
				}
				if rec.EventTime.After(latest) {
					latest = rec.EventTime
				}
			}
			// The expected number of posts up to the last one is EventRate times the integral of the rhythm.
			end := g.Now()
			expected := 0.0
			const step = 10 * time.Second
			for ts := start; ts.Before(end); ts = ts.Add(step) {
				dt := min(step, end.Sub(ts))
				expected += g.Config().EventRate * g.Intensity(ts) * dt.Seconds()
			}
			if got := float64(fresh); math.Abs(got-expected)/expected > 0.08 {
				t.Errorf("got %d new posts in %v; want about %.0f at rate %v", fresh, end.Sub(start), expected, g.Config().EventRate)
			}
		})
	}
}

func TestRhythm(t *testing.T) {
	g := New(Config{Seed: 1})
	week := DefaultStart // a Monday
	var sum, weekday, weekend float64
	lo, hi := math.Inf(1), 0.0
	const slot = 15 * time.Minute
	n := 0
	for ts := week; ts.Before(week.Add(7 * 24 * time.Hour)); ts = ts.Add(slot) {
		v := g.Intensity(ts)
		sum += v
		n++
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		if wd := ts.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend += v
		} else {
			weekday += v
		}
	}
	if mean := sum / float64(n); math.Abs(mean-1) > 1e-9 {
		t.Errorf("got weekly mean intensity %v; want 1", mean)
	}
	if lo > 0.6 || hi < 1.3 {
		t.Errorf("got intensity range [%.2f, %.2f]; want quiet nights (< 0.6) and busy evenings (> 1.3)", lo, hi)
	}
	if weekend/2 >= weekday/5 {
		t.Errorf("got weekend daily volume %.1f; want less than weekdays' %.1f", weekend/2, weekday/5)
	}

	// Over a long stream, the mean rate is EventRate and the quiet hours are visible in the data.
	recs, g2 := generate(t, Config{Seed: 2, EventRate: 0.05}, 40000)
	elapsed := g2.Now().Sub(DefaultStart).Seconds()
	fresh := 0
	var byHour [24]int
	for _, r := range recs {
		if !r.Duplicate {
			fresh++
			byHour[r.EventTime.Hour()]++
		}
	}
	if rate := float64(fresh) / elapsed; math.Abs(rate-0.05)/0.05 > 0.1 {
		t.Errorf("got mean rate %.4f posts/s over %.1f days; want 0.05 ± 10%%", rate, elapsed/86400)
	}
	quiet := byHour[7] + byHour[8] + byHour[9]
	busy := byHour[19] + byHour[20] + byHour[21]
	if quiet*3/2 > busy {
		t.Errorf("got %d posts at 07-10 UTC and %d at 19-22 UTC; want the evening clearly busier", quiet, busy)
	}
}

func TestThreads(t *testing.T) {
	t.Parallel()
	recs, _ := generate(t, Config{Seed: 41, MalformedRate: 0.01}, 12000)
	seen := map[string]post.Post{}
	kinds := map[string]int{}
	for i, rec := range recs {
		if rec.Malformed || rec.Duplicate {
			continue
		}
		p, err := decode(t, rec)
		if err != nil {
			t.Fatalf("record %d: got error %v; want none", i, err)
		}
		kinds[string(p.Network)+"/"+p.Kind()]++
		for _, ref := range []string{p.Refs.ReplyToID, p.Refs.QuoteOfID, p.Refs.RepostOfID} {
			if ref == "" || commentNet(p.Network) && ref == p.Refs.ConversationID {
				continue // a comment on a video, Page post or media item, which are not in the stream
			}
			parent, ok := seen[string(p.Network)+"/"+ref]
			if !ok {
				t.Fatalf("record %d (%s %s): got a reference to %s; want a post that appeared earlier", i, p.Network, p.Kind(), ref)
			}
			if p.Network == post.NetworkX && ref == p.Refs.ReplyToID {
				if p.Refs.ConversationID != parent.Refs.ConversationID {
					t.Fatalf("record %d: got conversation %s; want the parent's %s", i, p.Refs.ConversationID, parent.Refs.ConversationID)
				}
				if p.Refs.ReplyToAuthorID != parent.Author.ID {
					t.Fatalf("record %d: got reply-to author %s; want %s", i, p.Refs.ReplyToAuthorID, parent.Author.ID)
				}
			}
			if p.Network == post.NetworkReddit && ref == p.Refs.ReplyToID && p.Refs.ConversationID != parent.Refs.ConversationID {
				t.Fatalf("record %d: got link %s; want the parent's %s", i, p.Refs.ConversationID, parent.Refs.ConversationID)
			}
		}
		seen[string(p.Network)+"/"+p.ID] = p
	}
	for _, k := range []string{"x/original", "x/reply", "x/quote", "x/repost", "mastodon/original", "mastodon/reply",
		"mastodon/repost", "mastodon/quote", "reddit/original", "reddit/reply", "reddit/repost", "youtube/reply",
		"facebook/reply", "instagram/reply", "review/original"} {
		if kinds[k] == 0 {
			t.Errorf("got no %s posts; want some", k)
		}
	}
}

func commentNet(n post.Network) bool {
	return n == post.NetworkYouTube || n == post.NetworkFacebook || n == post.NetworkInstagram
}

func TestRealism(t *testing.T) {
	t.Parallel()
	recs, _ := generate(t, Config{Seed: 51}, 20000)
	var n, nonEnglish, brandAccounts, bots, html int
	perAuthor := map[string]int{}
	handleOwner := map[string]string{}
	personNets := map[int]map[post.Network]bool{}
	var xFollowers []int64
	seenX := map[string]bool{}
	langs := map[string]int{}
	for i, rec := range recs {
		if rec.Duplicate || rec.Malformed {
			continue
		}
		p, err := decode(t, rec)
		if err != nil {
			t.Fatalf("record %d: got error %v; want none", i, err)
		}
		n++
		langs[rec.Truth.Lang]++
		if rec.Truth.Lang != "en" {
			nonEnglish++
		}
		if rec.Truth.BrandAccount {
			brandAccounts++
		}
		if p.Author.Bot {
			bots++
		}
		if rec.Network == post.NetworkMastodon && bytes.Contains(rec.Value, []byte(`"content":"<p>`)) {
			html++
		}
		// The language a network reports matches the text's language, apart from X's codes for texts
		// without one.
		if p.Lang != "" && p.Lang != "zxx" && p.Lang != rec.Truth.Lang {
			t.Fatalf("record %d: got lang %q; want %q", i, p.Lang, rec.Truth.Lang)
		}
		a := string(p.Network) + "/" + p.Author.ID
		perAuthor[a]++
		h := string(p.Network) + "/" + strings.ToLower(p.Author.Handle)
		if prev, ok := handleOwner[h]; ok && prev != p.Author.ID && p.Author.Handle != "[deleted]" && p.Author.Handle != "" && p.Author.ID != "" {
			t.Fatalf("got handle %s for authors %s and %s; want one owner per handle", h, prev, p.Author.ID)
		}
		if p.Author.ID != "" && p.Author.Handle != "" {
			handleOwner[h] = p.Author.ID
		}
		if rec.Truth.Person >= 0 {
			if personNets[rec.Truth.Person] == nil {
				personNets[rec.Truth.Person] = map[post.Network]bool{}
			}
			personNets[rec.Truth.Person][p.Network] = true
		}
		if p.Network == post.NetworkX && !seenX[p.Author.ID] {
			seenX[p.Author.ID] = true
			xFollowers = append(xFollowers, p.Author.Followers)
		}
	}
	share := func(k int) float64 { return float64(k) / float64(n) }
	if s := share(nonEnglish); s < 0.08 || s > 0.35 {
		t.Errorf("got non-English share %.3f; want between 0.08 and 0.35", s)
	}
	for _, l := range []string{"es", "de", "fr", "pt"} {
		if langs[l] == 0 {
			t.Errorf("got no posts in %s; want some", l)
		}
	}
	if brandAccounts == 0 || share(brandAccounts) > 0.06 {
		t.Errorf("got %d posts by brand accounts; want a few", brandAccounts)
	}
	if bots == 0 {
		t.Errorf("got no posts by bots; want some on Mastodon")
	}
	if html == 0 {
		t.Errorf("got no HTML Mastodon content; want <p>...</p>")
	}
	// Heavy-tailed activity: the busiest 1% of authors write a large share.
	var counts []int
	for _, c := range perAuthor {
		counts = append(counts, c)
	}
	top := topShare(counts, 0.01)
	if top < 0.15 {
		t.Errorf("got top-1%% author share %.3f; want > 0.15", top)
	}
	// Heavy-tailed followers.
	med, max := medianMax(xFollowers)
	if max < 100*med || max < 100000 {
		t.Errorf("got X follower median %d and max %d; want a heavy tail", med, max)
	}
	multi := 0
	for _, nets := range personNets {
		if len(nets) > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Errorf("got no person on more than one network; want some")
	}
}

func topShare(counts []int, frac float64) float64 {
	s := slices.Clone(counts)
	slices.SortFunc(s, func(a, b int) int { return b - a })
	total, top := 0, 0
	k := int(float64(len(s)) * frac)
	for i, c := range s {
		total += c
		if i < k {
			top += c
		}
	}
	return float64(top) / float64(total)
}

func medianMax(v []int64) (int64, int64) {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)-1]
}

func TestPopulationHandlesUnique(t *testing.T) {
	tests := []struct {
		name    string
		authors int
	}{
		{"small", 500},
		{"default", 20000},
		{"large", 120000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPopulation(7, tt.authors, DefaultStart)
			seen := map[string]int{}
			xIDs := map[string]int{}
			reddit := map[string]int{}
			redditIDs := map[string]int{}
			for i := range tt.authors {
				pe := p.build(i)
				h := strings.ToLower(pe.handle)
				if prev, ok := seen[h]; ok {
					t.Fatalf("got handle %q for persons %d and %d; want unique handles", h, prev, i)
				}
				seen[h] = i
				if len(pe.handle) > 15 {
					t.Fatalf("got handle %q of %d characters; want at most 15", pe.handle, len(pe.handle))
				}
				if i%3 == 0 { // accounts are costlier; sample them
					x := p.buildAccount(pe, post.NetworkX)
					if prev, ok := xIDs[x.id]; ok {
						t.Fatalf("got X id %s for persons %d and %d; want unique ids", x.id, prev, i)
					}
					xIDs[x.id] = i
					r := p.buildAccount(pe, post.NetworkReddit)
					if prev, ok := reddit[strings.ToLower(r.username)]; ok {
						t.Fatalf("got Reddit name %s for persons %d and %d; want unique names", r.username, prev, i)
					}
					reddit[strings.ToLower(r.username)] = i
					if prev, ok := redditIDs[r.id]; ok {
						t.Fatalf("got Reddit id %s for persons %d and %d; want unique ids", r.id, prev, i)
					}
					redditIDs[r.id] = i
					if len(r.username) > 20 {
						t.Fatalf("got Reddit name %q; want at most 20 characters", r.username)
					}
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want func(c Config) bool
	}{
		{"zero", Config{}, func(c Config) bool {
			return c.Start.Equal(DefaultStart) && c.EventRate == 50 && c.Authors == 20000 && c.DuplicateRate == 0.02 &&
				c.MalformedRate == 0 && maps.Equal(c.Mix, DefaultMix())
		}},
		{"negative duplicates", Config{DuplicateRate: -1}, func(c Config) bool { return c.DuplicateRate == 0 }},
		{"edits and deletes", Config{}, func(c Config) bool { return c.EditRate == 0.01 && c.DeleteRate == 0.005 && len(c.Incidents) == 0 }},
		{"no edits or deletes", Config{EditRate: -1, DeleteRate: -1}, func(c Config) bool { return c.EditRate == 0 && c.DeleteRate == 0 }},
		{"campaigns", Config{}, func(c Config) bool { return c.CampaignRate == 0.01 }},
		{"no campaigns", Config{CampaignRate: -1}, func(c Config) bool { return c.CampaignRate == 0 }},
		{"campaigns capped", Config{CampaignRate: 3}, func(c Config) bool { return c.CampaignRate == 0.5 }},
		{"rates capped", Config{DuplicateRate: 0.8, MalformedRate: 0.8}, func(c Config) bool {
			return math.Abs(c.DuplicateRate+c.MalformedRate-0.9) < 1e-9
		}},
		{"faults", Config{Faults: []string{FaultOversized, "bogus"}}, func(c Config) bool {
			return len(c.Faults) == 1 && c.Faults[0] == FaultOversized && c.OversizeBytes == DefaultOversizeBytes
		}},
		{"all faults by default", Config{}, func(c Config) bool { return slices.Equal(c.Faults, AllFaults) }},
		{"unknown network ignored", Config{Mix: map[post.Network]float64{"myspace": 1, post.NetworkReddit: 2}}, func(c Config) bool {
			return len(c.Mix) == 1 && c.Mix[post.NetworkReddit] == 2
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.cfg).Config(); !tt.want(got) {
				t.Errorf("got effective config %+v; want the documented defaults", got)
			}
		})
	}
	if got, want := TopicFor(post.NetworkX), "social.raw.x"; got != want {
		t.Errorf("got topic %q; want %q", got, want)
	}
}

func TestHistoryBounded(t *testing.T) {
	t.Parallel()
	g := New(Config{Seed: 61, DuplicateRate: 0.2})
	for range 60000 {
		g.Next()
	}
	for i, h := range g.hist {
		if h.recent.n > recentSize || h.hot.n > hotSize || h.roots.n > rootsSize {
			t.Errorf("network %d: got history sizes %d/%d/%d; want at most %d/%d/%d", i, h.recent.n, h.hot.n, h.roots.n, recentSize, hotSize, rootsSize)
		}
	}
	if len(g.pend) > 5000 {
		t.Errorf("got %d pending redeliveries; want a bounded queue", len(g.pend))
	}
	if len(g.sched) > maxScheduled {
		t.Errorf("got %d scheduled records; want at most %d", len(g.sched), maxScheduled)
	}
}

func BenchmarkNext(b *testing.B) {
	g := New(Config{Seed: 1})
	for range 20000 { // fill the history first
		g.Next()
	}
	b.ReportAllocs()
	bytes := 0
	for b.Loop() {
		bytes += len(g.Next().Value)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/record")
}
