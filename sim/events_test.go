package sim

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
)

func TestEveryFormatDecodes(t *testing.T) {
	t.Parallel()
	// Payload shapes each network must produce, found by a marker in the raw bytes.
	shapes := map[post.Network][]string{
		post.NetworkX:         {`"edit_history_tweet_ids":["`, `{"data":{"delete":{"tweet":`},
		post.NetworkMastodon:  {`"content":"<p>`, `{"event":"status.update","payload":"{`, `{"event":"delete","payload":"`},
		post.NetworkReddit:    {`{"kind":"t1"`, `{"kind":"t3"`, `"body":"[removed]"`, `"edited":1`},
		post.NetworkYouTube:   {`{"kind":"youtube#commentThread"`, `{"kind":"youtube#comment"`, `"parentId":"`},
		post.NetworkFacebook:  {`"created_time":"`, `"parent":{"id":"`, `"from":{"name":"`},
		post.NetworkInstagram: {`"timestamp":"`, `"parent_id":"`, `"from":{"id":"`},
		post.NetworkReview:    {`"rating":1`, `"rating":5`, `"updated_at":"`},
	}
	for _, net := range Networks() {
		t.Run(string(net), func(t *testing.T) {
			cfg := Config{Seed: 81, EventRate: 0.5, EditRate: 0.05, DeleteRate: 0.05, Mix: map[post.Network]float64{net: 1}}
			recs, _ := generate(t, cfg, 1800)
			found := map[string]bool{}
			stars := map[int][]int8{}
			for i, rec := range recs {
				for _, s := range shapes[net] {
					found[s] = found[s] || bytes.Contains(rec.Value, []byte(s))
				}
				if rec.Topic != "social.raw."+string(net) {
					t.Fatalf("record %d: got topic %s; want social.raw.%s", i, rec.Topic, net)
				}
				p, err := decode(t, rec)
				if err != nil {
					t.Fatalf("record %d: got error %v; want none\n%s", i, err, rec.Value)
				}
				if p.ID != rec.PostID || p.Action != rec.Action {
					t.Fatalf("record %d: got %s %s; want %s %s\n%s", i, p.Action, p.ID, rec.Action, rec.PostID, rec.Value)
				}
				if net == post.NetworkReview && rec.Action == post.ActionUpsert {
					if want := rec.Truth.Brand; want == "" || p.Rating < 1 || p.Rating > 5 {
						t.Fatalf("record %d: got rating %d about %q; want 1-5 stars about a brand", i, p.Rating, want)
					}
					if !strings.HasPrefix(p.ID, strings.SplitN(p.ID, ":", 2)[0]+":") || !strings.Contains(p.ID, ":") {
						t.Fatalf("record %d: got review id %q; want <source>:<id>", i, p.ID)
					}
					stars[rec.Truth.Sentiment] = append(stars[rec.Truth.Sentiment], p.Rating)
				}
			}
			for _, s := range shapes[net] {
				if !found[s] {
					t.Errorf("got no payload with %s; want some", s)
				}
			}
			if net == post.NetworkReview {
				pos, neg := meanStars(stars[1]), meanStars(stars[-1])
				if pos < 4 || neg > 2 {
					t.Errorf("got mean ratings %.2f (positive texts) and %.2f (negative); want >= 4 and <= 2", pos, neg)
				}
			}
		})
	}
}

func meanStars(s []int8) float64 {
	if len(s) == 0 {
		return 0
	}
	sum := 0
	for _, v := range s {
		sum += int(v)
	}
	return float64(sum) / float64(len(s))
}

func TestEditsAndDeletes(t *testing.T) {
	t.Parallel()
	cfg := Config{Seed: 82, EventRate: 1, EditRate: 0.05, DeleteRate: 0.04}
	recs, g := generate(t, cfg, 7000)
	type orig struct {
		created, event time.Time
	}
	posts := map[string]orig{}
	deleted := map[string]bool{}
	var edits, deletes int
	editedNets := map[post.Network]bool{}
	for i, rec := range recs {
		if rec.Malformed {
			continue
		}
		key := string(rec.Network) + "/" + rec.PostID
		p, err := decode(t, rec)
		if err != nil {
			t.Fatalf("record %d: got error %v; want none\n%s", i, err, rec.Value)
		}
		if p.ID != rec.PostID {
			t.Fatalf("record %d: got post id %s; want %s", i, p.ID, rec.PostID)
		}
		o, seen := posts[key]
		switch {
		case rec.Duplicate:
			continue
		case rec.Edit:
			edits++
			editedNets[rec.Network] = true
			if !seen {
				t.Fatalf("record %d: got an edit of %s; want the original earlier in the stream", i, key)
			}
			if deleted[key] {
				t.Fatalf("record %d: got an edit of deleted post %s; want edits before deletes", i, key)
			}
			if p.Action != post.ActionUpsert || !p.EditedAt.After(o.created) || !p.EditedAt.Equal(rec.EventTime) {
				t.Fatalf("record %d: got %s edited %v (created %v); want an upsert edited at %v, after creation", i, p.Action, p.EditedAt, o.created, rec.EventTime)
			}
			if !p.CreatedAt.Equal(o.created) && rec.Network != post.NetworkX {
				t.Fatalf("record %d: got created %v; want the original's %v", i, p.CreatedAt, o.created)
			}
			tail := lastRunes(strings.TrimSpace(rec.Truth.Text), 8)
			if tail == "" || !strings.Contains(p.Text, tail) {
				t.Fatalf("record %d: got text %q; want it to contain the end of the truth %q", i, p.Text, rec.Truth.Text)
			}
		case rec.Action == post.ActionDelete:
			deletes++
			if !seen || deleted[key] {
				t.Fatalf("record %d: got a delete of %s (seen %v, deleted %v); want one delete of an earlier post", i, key, seen, deleted[key])
			}
			deleted[key] = true
			if p.Action != post.ActionDelete {
				t.Fatalf("record %d: got action %s; want delete", i, p.Action)
			}
			if d := rec.EventTime.Sub(o.event); d < 2*time.Minute {
				t.Fatalf("record %d: got a delete %v after the post; want minutes later", i, d)
			}
		default:
			if seen {
				t.Fatalf("record %d: got %s twice as a new post", i, key)
			}
			posts[key] = orig{created: p.CreatedAt, event: rec.EventTime}
		}
	}
	st := g.Stats()
	if edits == 0 || deletes == 0 || st.Edits != edits || st.Deletes != deletes {
		t.Errorf("got %d edits and %d deletes, stats %d and %d; want some, counted alike", edits, deletes, st.Edits, st.Deletes)
	}
	if st.Unique != len(posts) || st.Visible != len(posts)-len(deleted) {
		t.Errorf("got unique %d, visible %d; want %d and %d", st.Unique, st.Visible, len(posts), len(posts)-len(deleted))
	}
	for _, n := range []post.Network{post.NetworkX, post.NetworkMastodon, post.NetworkReddit, post.NetworkYouTube} {
		if !editedNets[n] {
			t.Errorf("got no edits on %s; want some", n)
		}
	}
}

func lastRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[len(r)-n:]
	}
	return string(r)
}

func TestBrandReplyDelays(t *testing.T) {
	t.Parallel()
	recs, g := generate(t, Config{Seed: 83, EventRate: 0.15, DuplicateRate: -1}, 25000)
	created := map[string]time.Time{}
	brandOf := map[string]int{}
	var delays []time.Duration
	var day, night []time.Duration
	for _, b := range brands {
		brandOf[b.Name] = slices.IndexFunc(brands, func(x Brand) bool { return x.Name == b.Name })
	}
	for i, rec := range recs {
		if rec.Edit || rec.Action == post.ActionDelete {
			continue
		}
		// A new post's event time is its creation time; only the answers need decoding.
		created[string(rec.Network)+"/"+rec.PostID] = rec.EventTime
		if rec.Truth.Intent != "support" || rec.Truth.Kind == "repost" {
			continue
		}
		p, err := decode(t, rec)
		if err != nil {
			t.Fatalf("record %d: got error %v; want none", i, err)
		}
		if !rec.Truth.BrandAccount {
			t.Fatalf("record %d: got a support answer by a person; want a brand account", i)
		}
		parent, ok := created[string(p.Network)+"/"+p.Refs.ReplyToID]
		if !ok {
			t.Fatalf("record %d: got an answer to %s; want a post earlier in the stream", i, p.Refs.ReplyToID)
		}
		d := p.CreatedAt.Sub(parent)
		if d <= 0 {
			t.Fatalf("record %d: got an answer %v after its post; want later", i, d)
		}
		delays = append(delays, d)
		local := parent.Add(time.Duration(brandUTCOffset[brandOf[rec.Truth.Brand]]) * time.Hour).Hour()
		if local >= 9 && local < 18 {
			day = append(day, d)
		} else if local >= 23 || local < 5 {
			night = append(night, d)
		}
	}
	if len(delays) < 200 {
		t.Fatalf("got %d brand answers; want at least 200", len(delays))
	}
	if got := g.Stats().BrandReplies; got != len(delays) {
		t.Errorf("got Stats().BrandReplies %d; want %d", got, len(delays))
	}
	med, p90 := quantile(delays, 0.5), quantile(delays, 0.9)
	if med < 10*time.Minute || med > 3*time.Hour {
		t.Errorf("got median answer delay %v; want between 10m and 3h", med)
	}
	if p90 < 2*med || p90 > 24*time.Hour {
		t.Errorf("got p90 answer delay %v (median %v); want a heavy tail of hours", p90, med)
	}
	if dm, nm := quantile(day, 0.5), quantile(night, 0.5); nm < 2*dm {
		t.Errorf("got median delays %v (office hours) and %v (night); want nights clearly slower", dm, nm)
	}
}

func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

func TestIncidents(t *testing.T) {
	t.Parallel()
	start := DefaultStart
	inc := Incident{ID: "zentro-battery", Brand: "Zentro", Start: start.Add(40 * time.Minute), Duration: 70 * time.Minute}
	recs, g := generate(t, Config{Seed: 84, EventRate: 3, Incidents: []Incident{inc, {Brand: "Nobody"}}}, 20000)
	got := g.Incidents()
	if len(got) != 1 || got[0].ID != inc.ID || got[0].Factor != 5 {
		t.Fatalf("got incidents %v; want %s with the default factor 5 (and the unknown brand dropped)", got, inc.ID)
	}
	if g.Now().Before(inc.Start.Add(inc.Duration)) {
		t.Fatalf("got a stream up to %v; want it past the incident's end", g.Now())
	}
	var in, out, inNeg, outNeg, tagged, spread int
	for i, rec := range recs {
		if rec.Duplicate || rec.Malformed || rec.Edit || rec.Action == post.ActionDelete {
			continue
		}
		inside := !rec.EventTime.Before(inc.Start) && rec.EventTime.Before(inc.Start.Add(inc.Duration))
		neg := rec.Truth.Brand == "Zentro" && rec.Truth.Sentiment < 0
		if inside {
			in++
			if neg {
				inNeg++
			}
		} else if rec.EventTime.Before(inc.Start) {
			out++
			if neg {
				outNeg++
			}
		}
		if rec.Truth.Incident != "" {
			if rec.Truth.Incident != inc.ID || rec.Truth.Brand != "Zentro" {
				t.Fatalf("record %d: got incident %q about %q; want %s about Zentro", i, rec.Truth.Incident, rec.Truth.Brand, inc.ID)
			}
			if rec.EventTime.Before(inc.Start) {
				t.Fatalf("record %d: got an incident post at %v; want none before %v", i, rec.EventTime, inc.Start)
			}
			tagged++
			if rec.Truth.Kind == "repost" || rec.Truth.Kind == "quote" || rec.Truth.Intent == "support" {
				spread++
			}
		}
	}
	before, during := float64(outNeg)/float64(out), float64(inNeg)/float64(in)
	if during < 2.5*before {
		t.Errorf("got Zentro's negative share %.4f during the incident and %.4f before; want a burst of at least 2.5x", during, before)
	}
	if tagged == 0 || spread == 0 {
		t.Errorf("got %d incident posts, %d reposts, quotes or answers of them; want both", tagged, spread)
	}
	if d := DefaultIncidents(start); len(d) != 2 || !d[0].Start.After(start) || d[1].Start.After(start.Add(4*24*time.Hour)) {
		t.Errorf("got default incidents %v; want two in the first days", d)
	}
}

func TestWriteTruth(t *testing.T) {
	t.Parallel()
	recs, _ := generate(t, Config{Seed: 85, EventRate: 1, EditRate: 0.2, Incidents: []Incident{{ID: "x1", Brand: "Acme", Start: DefaultStart, Duration: time.Hour}}}, 800)
	var buf bytes.Buffer
	for _, rec := range recs {
		if err := WriteTruth(&buf, rec); err != nil {
			t.Fatalf("WriteTruth: %v", err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(recs) {
		t.Fatalf("got %d lines; want %d", len(lines), len(recs))
	}
	var edits, incidents int
	for i, l := range lines {
		var m struct {
			Network, PostID, Action, Kind, Intent, Brand, Language, Incident, Text string
			Sentiment, Person                                                      int
			BrandAccount, Edit                                                     bool
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d: %v\n%s", i, err, l)
		}
		rec := recs[i]
		if m.Network != string(rec.Network) || m.Action != rec.Action.String() || m.Intent != rec.Truth.Intent ||
			m.Brand != rec.Truth.Brand || m.Sentiment != rec.Truth.Sentiment || m.Person != rec.Truth.Person ||
			m.Incident != rec.Truth.Incident || m.Edit != rec.Edit || m.Text != rec.Truth.Text {
			t.Fatalf("line %d: got %+v; want the record's truth %+v", i, m, rec.Truth)
		}
		if !strings.Contains(l, `"post_id":"`+rec.PostID+`"`) || !strings.Contains(l, `"brand_account":`) {
			t.Fatalf("line %d: got %s; want post_id and brand_account members", i, l)
		}
		if rec.Edit {
			edits++
		}
		if m.Incident != "" {
			incidents++
		}
	}
	if edits == 0 || incidents == 0 {
		t.Errorf("got %d edits and %d incident posts; want some of each", edits, incidents)
	}
}
