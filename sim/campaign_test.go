package sim

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/rapport-dev/rapport/post"
)

// tokens returns the set of lower-case words of s (letters and digits; URLs and emoji count as words).
func tokens(s string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Fields(strings.ToLower(s)) {
		f = strings.TrimFunc(f, func(r rune) bool { return unicode.IsPunct(r) && r != '#' })
		if f != "" {
			out[f] = true
		}
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}

func TestCampaigns(t *testing.T) {
	t.Parallel()
	const n = 30000
	recs, g := generate(t, Config{Seed: 91}, n)
	st := g.Stats()
	camps := g.Campaigns()

	posts := map[string][]string{} // campaign id -> decoded texts, in order
	byAuthor := map[string]map[string]bool{}
	var organic []string
	fresh := 0
	for i, rec := range recs {
		if rec.Truth.Campaign == "" {
			if !rec.Duplicate && !rec.Malformed && !rec.Edit && rec.Action.String() == "upsert" &&
				rec.Truth.Kind != "repost" && rec.Truth.Brand != "" && len(organic) < 2000 {
				p, err := decode(t, rec)
				if err == nil && p.Text != "" {
					organic = append(organic, p.Text)
				}
			}
			continue
		}
		if rec.Malformed || rec.Edit || rec.Action.String() != "upsert" {
			t.Fatalf("record %d: got a campaign record that is malformed, an edit or a delete: %+v", i, rec)
		}
		p, err := decode(t, rec)
		if err != nil {
			t.Fatalf("record %d (%s): got decode error %v; want a well-formed campaign post", i, rec.Network, err)
		}
		if rec.Truth.Person != -1 || rec.Truth.Brand == "" {
			t.Fatalf("record %d: got truth %+v; want a bot author (person -1) and a brand", i, rec.Truth)
		}
		if p.Author.Followers >= 25 || !p.Author.CreatedAt.IsZero() && p.Author.CreatedAt.Before(rec.EventTime.Add(-61*24*time.Hour)) {
			t.Fatalf("record %d: got author %+v; want a new account with few followers (when the network says)", i, p.Author)
		}
		if rec.Duplicate {
			continue
		}
		if fresh == 0 {
			var buf bytes.Buffer
			if err := WriteTruth(&buf, rec); err != nil || !strings.Contains(buf.String(), `"campaign":"`+rec.Truth.Campaign+`"`) {
				t.Errorf("WriteTruth: got %s, %v; want a campaign member naming %s", buf.String(), err, rec.Truth.Campaign)
			}
		}
		fresh++
		posts[rec.Truth.Campaign] = append(posts[rec.Truth.Campaign], p.Text)
		h, _, _ := strings.Cut(strings.ToLower(p.Author.Handle), "@")
		if byAuthor[h] == nil {
			byAuthor[h] = map[string]bool{}
		}
		byAuthor[h][string(rec.Network)] = true
	}

	// Rate.
	if share := float64(fresh) / n; math.Abs(share-0.01) > 0.004 {
		t.Errorf("got a campaign share of %.4f of records; want about 0.01", share)
	}
	if st.CampaignPosts != fresh {
		t.Errorf("got Stats.CampaignPosts %d; want %d, the campaign posts in the stream", st.CampaignPosts, fresh)
	}

	// Listing agrees with the ground truth.
	total := 0
	for _, c := range camps {
		total += c.Posts
		if got := len(posts[c.ID]); got != c.Posts {
			t.Errorf("campaign %s: got %d posts in the stream; listing says %d", c.ID, got, c.Posts)
		}
		if c.End.Before(c.Start) || c.End.Sub(c.Start) > 61*time.Minute || c.Accounts < 1 || c.Brand == "" {
			t.Errorf("campaign %+v: want a window of at most an hour, a brand and accounts", c)
		}
	}
	if total != fresh || len(camps) != len(posts) {
		t.Errorf("got %d campaigns with %d posts listed; want %d campaigns with %d posts", len(camps), total, len(posts), fresh)
	}
	if len(camps) < 5 {
		t.Fatalf("got %d campaigns; want several", len(camps))
	}
	if !slices.IsSortedFunc(camps, func(a, b Campaign) int { return a.Start.Compare(b.Start) }) {
		t.Errorf("got campaigns out of start order")
	}

	// Copies are near-identical, organic posts are not.
	var sum float64
	var pairs int
	for _, texts := range posts {
		for i := 1; i < len(texts); i++ {
			sum += jaccard(tokens(texts[i-1]), tokens(texts[i]))
			pairs++
		}
	}
	if mean := sum / float64(pairs); mean < 0.6 {
		t.Errorf("got a mean token Jaccard of %.2f between copies of one campaign; want at least 0.6", mean)
	}
	var osum float64
	for i := 1; i < len(organic); i++ {
		osum += jaccard(tokens(organic[i-1]), tokens(organic[i]))
	}
	if mean := osum / float64(len(organic)-1); mean > 0.2 {
		t.Errorf("got a mean token Jaccard of %.2f between organic posts; want at most 0.2", mean)
	}
	exact := 0
	for _, texts := range posts {
		for i := 1; i < len(texts); i++ {
			if texts[i] == texts[i-1] {
				exact++
			}
		}
	}
	if exact*2 > pairs {
		t.Errorf("got %d of %d consecutive copies byte-identical; want most to vary", exact, pairs)
	}

	cross := 0
	for _, nets := range byAuthor {
		if len(nets) > 1 {
			cross++
		}
	}
	if cross == 0 {
		t.Errorf("got no bot posting on two networks; want some cross-posting")
	}
}

func TestCampaignsConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want float64 // share of records
	}{
		{"none", Config{Seed: 92, CampaignRate: -1}, 0},
		{"heavy", Config{Seed: 93, CampaignRate: 0.1}, 0.1},
		{"reviews only", Config{Seed: 94, Mix: map[post.Network]float64{post.NetworkReview: 1}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, g := generate(t, tt.cfg, 10000)
			got := float64(g.Stats().CampaignPosts) / 10000
			if math.Abs(got-tt.want) > 0.2*tt.want+1e-9 {
				t.Errorf("got a campaign share of %.4f; want about %.4f", got, tt.want)
			}
			if len(g.camps) > maxActiveCampaigns || len(g.campLog) > maxCampaignLog {
				t.Errorf("got %d running and %d finished campaigns kept; want bounded", len(g.camps), len(g.campLog))
			}
		})
	}
}

func TestCampaignsDeterministic(t *testing.T) {
	t.Parallel()
	cfg := Config{Seed: 95, CampaignRate: 0.05}
	a, ga := generate(t, cfg, 4000)
	b, gb := generate(t, cfg, 4000)
	for i := range a {
		if !sameRecord(a[i], b[i]) {
			t.Fatalf("record %d differs between two runs of the same config", i)
		}
	}
	if !slices.Equal(ga.Campaigns(), gb.Campaigns()) {
		t.Errorf("got different campaign listings for the same config")
	}
}
