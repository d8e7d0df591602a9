package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// stream makes posts about brand "acme" (product acme/hub) from t0: rate posts per second of which a
// share neg is negative, plus, from spikeAt on, extra negative posts at spikeRate per second by the
// account "loud" with many followers saying "outage".
func stream(seed uint64, from, to, spikeAt time.Time, rate, neg, spikeRate float64) []*post.Post {
	r := rand.New(rand.NewPCG(seed, 2))
	var out []*post.Post
	id := 0
	mk := func(t time.Time, negative bool, author string, followers int64, text string) *post.Post {
		id++
		label := int8(1)
		if negative {
			label = -1
		}
		return &post.Post{Network: post.NetworkX, ID: "p" + itoa(id), CreatedAt: t, Text: text,
			Author:    post.Author{Handle: author, Followers: followers},
			Sentiment: &post.Sentiment{Label: label, Drivers: []string{"outage"}},
			Entities: []post.Entity{{ID: "acme", Brand: "acme", Kind: post.EntityBrand},
				{ID: "acme/hub", Brand: "acme", Kind: post.EntityProduct}}}
	}
	for t := from; t.Before(to); {
		gap := r.ExpFloat64() / rate
		t = t.Add(time.Duration(gap * float64(time.Second)))
		out = append(out, mk(t, r.Float64() < neg, "user"+itoa(r.IntN(500)), int64(r.IntN(300)), "meh"))
	}
	if spikeRate > 0 {
		var extra []*post.Post
		for t := spikeAt; t.Before(to); {
			t = t.Add(time.Duration(r.ExpFloat64() / spikeRate * float64(time.Second)))
			extra = append(extra, mk(t, true, "loud", 2_000_000, "the hub outage again"))
		}
		out = mergeByTime(out, extra)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func mergeByTime(a, b []*post.Post) []*post.Post {
	out := make([]*post.Post, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i].CreatedAt.Before(b[j].CreatedAt)) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

func testMonitorConfig() MonitorConfig {
	c := DefaultMonitorConfig()
	c.Detector.Warmup = time.Hour
	c.Detector.Seasonality = SeasonNone
	return c
}

func runStage(t *testing.T, s *Stage, posts []*post.Post) {
	t.Helper()
	for i := 0; i < len(posts); i += 100 {
		if _, err := s.Process(context.Background(), posts[i:min(i+100, len(posts))]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStageFiresOnceWithDriversWithinAMinute(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	spike := from.Add(3 * time.Hour)
	posts := stream(1, from, spike.Add(20*time.Minute), spike, 2, 0.2, 3)
	mon, err := NewMonitor(testMonitorConfig())
	if err != nil {
		t.Fatal(err)
	}
	var got []Notice
	s := NewStage(mon, func(n Notice) { got = append(got, n) }, nil, func() time.Time { return spike.Add(time.Hour) })
	runStage(t, s, posts)
	var fired []Notice
	for _, n := range got {
		if n.Event == "fired" {
			fired = append(fired, n)
		}
	}
	if len(fired) != 1 {
		t.Fatalf("got %d fired notices %+v; want exactly one", len(fired), fired)
	}
	n := fired[0]
	if d := n.FiredAt.Add(mon.Config().Detector.Bucket).Sub(spike); d < 0 || d > time.Minute {
		t.Errorf("fired at %v, bucket end %v after the spike began; want under a minute", n.FiredAt, d)
	}
	if n.Brand != "acme" || n.ID != AlertID(Scope{Brand: "acme"}, n.StartedAt) || n.State != "firing" {
		t.Errorf("notice %+v: want brand acme, firing, deterministic id", n)
	}
	if len(n.Drivers.TopPosts) == 0 || n.Drivers.TopPosts[0].Author != "loud" {
		t.Errorf("top posts %+v; want the loud account first", n.Drivers.TopPosts)
	}
	if len(n.Drivers.Influencers) == 0 || n.Drivers.Influencers[0].Handle != "loud" {
		t.Errorf("influencers %+v; want loud first", n.Drivers.Influencers)
	}
	if len(n.Drivers.Phrases) == 0 || n.Drivers.Phrases[0].Name != "outage" {
		t.Errorf("phrases %+v; want outage", n.Drivers.Phrases)
	}
	if len(n.Drivers.Networks) != 1 || n.Drivers.Networks[0].Name != "x" || len(n.Drivers.Entities) == 0 {
		t.Errorf("networks %+v entities %+v; want x and the entities", n.Drivers.Networks, n.Drivers.Entities)
	}
	if !strings.Contains(n.Summary, "acme") || n.Negative == 0 {
		t.Errorf("summary %q negative %d", n.Summary, n.Negative)
	}
}

func TestStageCalmStreamAndNonOpinionsDoNotFire(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	spike := from.Add(3 * time.Hour)
	// the same burst, but every burst post is a repost, a near-duplicate, spam, a bot or the brand
	posts := stream(2, from, spike.Add(30*time.Minute), spike, 2, 0.2, 3)
	k := 0
	for _, p := range posts {
		if p.Author.Handle != "loud" {
			continue
		}
		switch k % 5 {
		case 0:
			p.Refs.RepostOfID = "x"
		case 1:
			p.Dup.Level = post.DupNearText
		case 2:
			p.Dup.Spam = true
		case 3:
			p.Author.Bot = true
		case 4:
			p.Author.Brand = true
		}
		k++
	}
	mon, _ := NewMonitor(testMonitorConfig())
	var got []Notice
	s := NewStage(mon, func(n Notice) { got = append(got, n) }, nil, func() time.Time { return spike.Add(time.Hour) })
	runStage(t, s, posts)
	if len(got) != 0 {
		t.Errorf("got %d notices, first %+v; want none: duplicates, spam, bots and the brand are not opinions", len(got), got[0])
	}
}

func TestMonitorLateAndOrder(t *testing.T) {
	c := testMonitorConfig()
	m, _ := NewMonitor(c)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	o := Observation{Time: t0, Brand: "acme", Scored: true, Negative: true}
	if _, err := m.Observe(o); err != nil {
		t.Fatal(err)
	}
	o.Time = t0.Add(c.Detector.Bucket + c.Lateness + time.Second)
	if _, err := m.Observe(o); err != nil {
		t.Fatal(err)
	}
	o.Time = t0.Add(time.Second) // its bucket is closed
	if _, err := m.Observe(o); !errors.Is(err, ErrTooLate) || m.Late != 1 {
		t.Errorf("late observation: err %v, late %d; want ErrTooLate and 1", err, m.Late)
	}
	o.Time = t0.Add(c.Detector.Bucket + 2*time.Second) // within lateness of the open bucket
	if _, err := m.Observe(o); err != nil {
		t.Errorf("observation within lateness: %v", err)
	}
	if _, err := m.Observe(Observation{Time: t0}); err == nil {
		t.Error("observation without a brand: no error")
	}
}

func TestMonitorScopesAndMaxSeries(t *testing.T) {
	c := testMonitorConfig()
	c.ByProduct, c.ByNetwork, c.MaxSeries = true, true, 3
	m, _ := NewMonitor(c)
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	_, _ = m.Observe(Observation{Time: t0, Brand: "acme", Product: "acme/hub", Network: "x", Scored: true})
	if m.Series() != 3 {
		t.Errorf("series %d; want brand, product and network", m.Series())
	}
	_, _ = m.Observe(Observation{Time: t0, Brand: "zen", Product: "zen/z9", Network: "x", Scored: true})
	if m.Series() != 3 || m.Unwatched != 3 {
		t.Errorf("series %d unwatched %d; want the cap of 3 to hold", m.Series(), m.Unwatched)
	}
}

func TestObservationsPerBrand(t *testing.T) {
	p := &post.Post{Network: post.NetworkX, ID: "1", CreatedAt: time.Now(),
		Sentiment: &post.Sentiment{Label: 1},
		Entities: []post.Entity{
			{ID: "acme", Brand: "acme", Kind: post.EntityBrand, Scored: true, Label: -1},
			{ID: "zen", Brand: "zen", Kind: post.EntityBrand, Competitor: true},
			{ID: "acme/hub", Brand: "acme", Kind: post.EntityProduct},
			{ID: "bean", Brand: "bean", Kind: post.EntityBrand},
		}}
	obs := Observations(nil, p, false)
	if len(obs) != 2 {
		t.Fatalf("got %d observations %+v; want acme and bean (the competitor skipped)", len(obs), obs)
	}
	if obs[0].Brand != "acme" || obs[0].Product != "acme/hub" || !obs[0].Negative {
		t.Errorf("acme: %+v; want product acme/hub and negative (the entity's own sentiment)", obs[0])
	}
	if obs[1].Brand != "bean" || obs[1].Negative || !obs[1].Scored {
		t.Errorf("bean: %+v; want the post's positive sentiment", obs[1])
	}
	if got := Observations(nil, p, true); len(got) != 3 {
		t.Errorf("with competitors: %d observations; want 3", len(got))
	}
}

type flakyDest struct {
	mu    sync.Mutex
	fails int
	got   []Notice
	block chan struct{}
}

func (f *flakyDest) Name() string { return "flaky" }
func (f *flakyDest) Deliver(ctx context.Context, n Notice) error {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("down")
	}
	f.got = append(f.got, n)
	return nil
}

func TestDispatcherRetriesAndNeverBlocks(t *testing.T) {
	flaky := &flakyDest{fails: 2}
	m := NewMetrics(nil)
	d := NewDispatcher(DispatchConfig{Attempts: 3, Backoff: time.Millisecond, QueueSize: 4}, m, nil, flaky)
	done := make(chan struct{})
	go func() { d.Run(context.Background()); close(done) }()
	d.Offer(Notice{ID: "a"})
	d.Close()
	<-done
	if len(flaky.got) != 1 || flaky.got[0].ID != "a" {
		t.Errorf("delivered %+v; want notice a after two failed attempts", flaky.got)
	}

	// a receiver that hangs: Offer must return at once and drop what does not fit
	stuck := &flakyDest{block: make(chan struct{})}
	d = NewDispatcher(DispatchConfig{QueueSize: 2, Timeout: time.Hour}, m, nil, stuck)
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	start := time.Now()
	for i := 0; i < 50; i++ {
		d.Offer(Notice{ID: itoa(i)})
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("50 offers to a stuck receiver took %v; want no blocking", el)
	}
	cancel()
	<-done
}

func TestWebhookFormats(t *testing.T) {
	n := Notice{ID: "abc", Event: "fired", State: "firing", Severity: "critical", Brand: "acme", ScopeKey: "brand=acme",
		StartedAt: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Summary: "Critical: negative spike for brand=acme",
		Drivers: Drivers{TopPosts: []PostRef{{Network: "x", Author: "loud", Text: "outage", URL: "https://x.com/loud/status/1"}}}}
	var bodies sync.Map
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies.Store(r.URL.Path, b)
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // first attempt fails, the retry succeeds
			return
		}
		if r.URL.Path == "/reject" {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	m := NewMetrics(nil)
	dests := []Destination{
		&WebhookDestination{URL: srv.URL + "/slack", Format: "slack"},
		&WebhookDestination{URL: srv.URL + "/am", Format: "alertmanager"},
		&WebhookDestination{URL: srv.URL + "/json", Format: "json"},
	}
	for _, dst := range dests {
		d := NewDispatcher(DispatchConfig{Backoff: time.Millisecond}, m, nil, dst)
		done := make(chan struct{})
		go func() { d.Run(context.Background()); close(done) }()
		d.Offer(n)
		d.Close()
		<-done
	}
	var slack struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text struct{ Type, Text string }
		} `json:"blocks"`
	}
	b, _ := bodies.Load("/slack")
	if err := json.Unmarshal(b.([]byte), &slack); err != nil || slack.Text != n.Summary || len(slack.Blocks) != 1 ||
		!strings.Contains(slack.Blocks[0].Text.Text, "https://x.com/loud/status/1") {
		t.Errorf("slack payload %s (%v); want text = summary and a block linking the top post", b, err)
	}
	var am []struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
	}
	b, _ = bodies.Load("/am")
	if err := json.Unmarshal(b.([]byte), &am); err != nil || len(am) != 1 || am[0].Labels["alertname"] != "RapportNegativeSpike" ||
		am[0].Labels["brand"] != "acme" || am[0].Labels["severity"] != "critical" || !am[0].StartsAt.Equal(n.StartedAt) ||
		!strings.Contains(am[0].Annotations["drivers"], "loud") {
		t.Errorf("alertmanager payload %s (%v)", b, err)
	}
	var js Notice
	b, _ = bodies.Load("/json")
	if err := json.Unmarshal(b.([]byte), &js); err != nil || js.ID != "abc" {
		t.Errorf("json payload %s (%v)", b, err)
	}
	// a 4xx other than 408/429 is permanent: one attempt only
	before := calls.Load()
	err := (&WebhookDestination{URL: srv.URL + "/reject", Format: "json"}).Deliver(context.Background(), n)
	if !errors.Is(err, ErrPermanent) || calls.Load() != before+1 {
		t.Errorf("rejected delivery: %v; want ErrPermanent after one call", err)
	}
}

func TestGroupFoldsABrandsSeriesIntoOneAlert(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	spike := from.Add(3 * time.Hour)
	posts := stream(1, from, spike.Add(40*time.Minute), spike, 2, 0.2, 3)
	f := func(group bool, want int) {
		t.Helper()
		c := testMonitorConfig()
		c.ByProduct, c.ByNetwork, c.Group = true, true, group
		mon, _ := NewMonitor(c)
		var fired, resolved int
		s := NewStage(mon, func(n Notice) {
			switch n.Event {
			case "fired":
				fired++
			case "resolved":
				resolved++
			}
		}, nil, func() time.Time { return spike.Add(time.Hour) })
		runStage(t, s, posts)
		if fired != want || resolved > fired {
			t.Errorf("group %v: %d fired, %d resolved; want %d fired", group, fired, resolved, want)
		}
	}
	f(false, 3) // brand, product and network series
	f(true, 1)
}

// With Group a brand's cooldown is its family's: after the brand's alert resolves, a product series
// that had not fired does not page for a second burst within the cooldown; without Group it does.
func TestGroupCooldownCoversTheFamily(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	first := from.Add(3 * time.Hour)
	second := first.Add(25 * time.Minute) // the first alert resolves after about 5 calm minutes
	end := second.Add(10 * time.Minute)
	base := stream(1, from, end, end, 2, 0.2, 0)
	burst := func(at time.Time, n int, product bool) []*post.Post {
		var out []*post.Post
		for i := range n {
			p := &post.Post{Network: post.NetworkX, ID: "b" + at.Format("1504") + itoa(i), CreatedAt: at.Add(time.Duration(i) * 2 * time.Second),
				Text: "down again", Author: post.Author{Handle: "loud", Followers: 1000},
				Sentiment: &post.Sentiment{Label: -1, Drivers: []string{"down"}},
				Entities:  []post.Entity{{ID: "acme", Brand: "acme", Kind: post.EntityBrand}}}
			if product {
				p.Entities = append(p.Entities, post.Entity{ID: "acme/hub", Brand: "acme", Kind: post.EntityProduct})
			}
			out = append(out, p)
		}
		return out
	}
	posts := mergeByTime(base, burst(first, 60, false)) // brand only: the product series stays calm
	posts = mergeByTime(posts, burst(second, 60, true)) // the product this time
	f := func(group bool) (fired []string) {
		t.Helper()
		c := testMonitorConfig()
		c.ByProduct, c.Group = true, group
		mon, _ := NewMonitor(c)
		s := NewStage(mon, func(n Notice) {
			if n.Event == "fired" {
				fired = append(fired, n.ScopeKey)
			}
		}, nil, func() time.Time { return end.Add(time.Hour) })
		runStage(t, s, posts)
		return fired
	}
	if got := f(true); len(got) != 1 || got[0] != "brand=acme" {
		t.Errorf("group: fired %v; want only the brand's first alert", got)
	}
	if got := f(false); len(got) != 2 || got[0] != "brand=acme" || got[1] != "brand=acme/product=acme/hub" {
		t.Errorf("no group: fired %v; want the brand's alert, then the product's", got)
	}
}

func TestNarrowedConfig(t *testing.T) {
	c := StreamingConfig()
	n := NarrowedConfig(c, 8)
	if math.Abs(n.WarnZ-5.40) > 0.01 || n.ImmediateZ != n.WarnZ || math.Abs(n.CritZ-8.25) > 0.01 ||
		n.CusumRunLength != 8*c.CusumRunLength || n.ImmediateEvery != 8*c.ImmediateEvery {
		t.Errorf("narrowed for 8: %+v", n)
	}
	if NarrowedConfig(c, 1) != c || NarrowedConfig(c, 0) != c {
		t.Error("a family of one must keep the brand's thresholds")
	}
	mc := testMonitorConfig()
	mon, _ := NewMonitor(mc)
	b, p := mon.ensure(Scope{Brand: "acme"}), mon.ensure(Scope{Brand: "acme", Product: "acme/hub"})
	if b.det.cfg.WarnZ != mc.Detector.WarnZ || p.det.cfg.WarnZ != NarrowedConfig(mc.Detector, mc.NarrowFamily).WarnZ {
		t.Errorf("brand warn z %v, product %v", b.det.cfg.WarnZ, p.det.cfg.WarnZ)
	}
}

// TestOpenBucketFiresBeforeItCloses: a sudden outage pages from the open bucket, as soon as the posts it
// holds are enough, without waiting for the bucket to end and for the lateness after it; the bucket's
// closing adds no second page, and the alert resolves under the id it was delivered with.
func TestOpenBucketFiresBeforeItCloses(t *testing.T) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	spike := from.Add(3*time.Hour + 4*time.Second)
	posts := stream(8, from, spike.Add(10*time.Minute), spike, 2, 0.2, 4)
	posts = append(posts, stream(9, spike.Add(10*time.Minute), spike.Add(time.Hour), spike, 2, 0.2, 0)...)
	m, err := NewMonitor(testMonitorConfig())
	if err != nil {
		t.Fatal(err)
	}
	var fired, resolved []Notice
	var knownAt time.Time
	var obs []Observation
	for _, p := range posts {
		for _, o := range Observations(obs[:0], p, false) {
			ns, _ := m.Observe(o)
			for _, n := range ns {
				switch n.Event {
				case "fired":
					fired = append(fired, n)
					knownAt = o.Time
				case "resolved":
					resolved = append(resolved, n)
				}
			}
		}
	}
	if len(fired) != 1 {
		t.Fatalf("fired %+v; want one page", fired)
	}
	n := fired[0]
	bucket := m.Config().Detector.Bucket
	if end := n.FiredAt.Add(bucket); !knownAt.Before(end) {
		t.Errorf("fired on the bucket of %v, known at %v; want before the bucket ends at %v", n.FiredAt, knownAt, end)
	}
	if d := knownAt.Sub(spike); d > bucket {
		t.Errorf("known %v after the outage began; want within a bucket (%v)", d, bucket)
	}
	if n.Tier != "immediate" || n.Negative == 0 || len(n.Drivers.TopPosts) == 0 {
		t.Errorf("notice %+v: want the immediate tier, its posts and drivers", n)
	}
	if len(resolved) != 1 || resolved[0].ID != n.ID || resolved[0].Version <= n.Version {
		t.Errorf("resolved %+v; want one resolution of %s with a later version", resolved, n.ID)
	}
	if m.Firing() != 0 || m.open["acme"] != 0 {
		t.Errorf("after the resolution: %d firing, %d open for acme; want none", m.Firing(), m.open["acme"])
	}
}
