package alerting

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
)

// Scope names the series one Detector watches: a brand, optionally narrowed to one product and/or one
// network. Empty fields mean "all".
type Scope struct {
	Brand, Product, Network string
}

// Key is the scope's stable text form, e.g. "brand=acme/product=acme/home-hub/network=x".
func (s Scope) Key() string {
	var b strings.Builder
	b.WriteString("brand=")
	b.WriteString(s.Brand)
	if s.Product != "" {
		b.WriteString("/product=")
		b.WriteString(s.Product)
	}
	if s.Network != "" {
		b.WriteString("/network=")
		b.WriteString(s.Network)
	}
	return b.String()
}

// Mode says what a monitored series counts.
type Mode string

const (
	// ModeCount watches the number of negative posts per bucket.
	ModeCount Mode = "count"
	// ModeShare watches the negative count and, on top, the negative share of scored posts.
	ModeShare Mode = "share"
	// ModeReach watches negative posts weighted by their reach (ReachWeight): ten negative posts by
	// accounts with a million followers weigh more than ten by new accounts.
	ModeReach Mode = "reach"
)

// MonitorConfig configures a Monitor: which series it keeps, how it waits for late posts, and the
// Detector each series runs.
type MonitorConfig struct {
	// Detector is the configuration of every series' detector. Default StreamingConfig().
	Detector Config
	// Mode is what the series count. Default ModeCount.
	Mode Mode
	// ByProduct and ByNetwork add, next to each brand's series, one series per product and per network
	// of the brand, with thresholds corrected by NarrowFamily. Default: ByProduct true (an incident
	// usually hits one product, whose series sees it minutes before the brand's), ByNetwork false.
	ByProduct, ByNetwork bool
	// NarrowFamily is how many narrowed series (per product, per network) a brand is expected to have:
	// each narrowed series' thresholds are raised so that a brand's narrowed series together raise false
	// alarms about as often as its own series alone (see NarrowedConfig). 1 applies the brand's
	// thresholds unchanged (so does 0). Default 8.
	NarrowFamily int
	// Group gives a brand one alert at a time: while one of its series (brand, product, network) has an
	// open alert, the others' alerts are folded into it. Default true.
	Group bool
	// Competitors also watches brands marked as competitors in the catalogue. Default false.
	Competitors bool
	// Lateness is how long (event time) a bucket stays open after it ends, for posts that arrive late
	// from other partitions. Default 5s.
	Lateness time.Duration
	// MaxSeries caps the number of series; posts of further scopes are not watched. Default 10000.
	MaxSeries int
	// Explain is how many items each list of an alert's explanation holds. Default 5.
	Explain int
	// Keep is how many recent negative posts per series are kept to explain an alert. Default 500.
	Keep int
}

// StreamingConfig is the detector configuration of the streaming pipeline: 15-second buckets, scored
// with the quasi-Poisson deviance (a z that matches the count's tail probability at small and large
// counts), two hot buckets out of four for the sustained tier, and the immediate tier from warn z 5
// when the score is also the series' highest in a week, so that an outage that starts at once fires
// within about 30 s of event time, and the sequential tier (a CUSUM tuned to +50 %). Chosen on simulator seed 1 (the evaluation reports other seeds).
func StreamingConfig() Config {
	c := DefaultConfig()
	c.Bucket = 15 * time.Second
	c.Persist = 2
	c.Window = 4
	c.WarnZ = 5
	c.ImmediateZ = 5
	c.Scoring = ScoringPoisson
	c.ResolveAfter = 20
	c.MinVolume = 3
	c.CusumShift = 0.5
	return c
}

// DefaultMonitorConfig returns the defaults documented on MonitorConfig.
func DefaultMonitorConfig() MonitorConfig {
	return MonitorConfig{Detector: StreamingConfig(), Mode: ModeCount, ByProduct: true, Lateness: 5 * time.Second, Group: true,
		MaxSeries: 10000, Explain: 5, Keep: 500, NarrowFamily: 8}
}

// NarrowedConfig returns the detector configuration of a narrowed series (one product or one network of
// a brand) in a family of k: each threshold's chance of being crossed by noise is divided by k. A
// z threshold becomes sqrt(z² + 2 ln k), which divides a Gaussian tail beyond z by about k (z 5
// becomes 5.4 for k = 8); the sequential tier's target run length and the immediate tier's rarity
// are multiplied by k.
func NarrowedConfig(c Config, k int) Config {
	if k <= 1 {
		return c
	}
	raise := func(z float64) float64 {
		if z <= 0 {
			return z
		}
		return math.Sqrt(z*z + 2*math.Log(float64(k)))
	}
	c.WarnZ, c.CritZ, c.ImmediateZ = raise(c.WarnZ), raise(c.CritZ), raise(c.ImmediateZ)
	c.CusumRunLength *= time.Duration(k)
	c.ImmediateEvery *= time.Duration(k)
	return c
}

// Validate returns an error naming the first field out of range.
func (c MonitorConfig) Validate() error {
	if err := c.Detector.Validate(); err != nil {
		return err
	}
	switch {
	case c.Mode != ModeCount && c.Mode != ModeShare && c.Mode != ModeReach:
		return fmt.Errorf("alerts.mode: must be count, share or reach, got %q", c.Mode)
	case c.Lateness < 0:
		return fmt.Errorf("alerts.lateness: must not be negative, got %v", c.Lateness)
	case c.MaxSeries < 1:
		return fmt.Errorf("alerts.max_series: must be at least 1, got %d", c.MaxSeries)
	case c.Explain < 1 || c.Explain > 100:
		return fmt.Errorf("alerts.explain: must be between 1 and 100, got %d", c.Explain)
	case c.Keep < 1:
		return fmt.Errorf("alerts.keep: must be at least 1, got %d", c.Keep)
	case c.NarrowFamily < 0 || c.NarrowFamily > 10000:
		return fmt.Errorf("alerts.narrow_family: must be between 1 and 10000 (0: 1), got %d", c.NarrowFamily)
	}
	return nil
}

// Observation is one opinion about one brand, as the monitor sees it. Reposts, duplicates, spam and the
// brand's own posts are not opinions and are never observed (see the stage).
type Observation struct {
	Time                    time.Time
	Brand, Product, Network string
	// Negative says the opinion is negative; Scored that its sentiment is known (share mode counts
	// only scored posts in the total).
	Negative, Scored bool
	// Reach is the post's weight in ModeReach (ReachWeight); at least 1.
	Reach float64

	// Explanation of a negative post.
	UID       uint64
	PostID    string
	URL       string
	Author    string // handle
	Followers int64
	Influence float32
	Text      string
	Phrases   []string // sentiment drivers and signal phrases
	Entities  []string // catalogue ids of the entities mentioned
}

// ReachWeight is a post's weight in ModeReach: 1 + log10(1 + followers) + influence/25, so a post by an
// account with 10k followers weighs 5, one by an author of influence 100 four more.
func ReachWeight(followers int64, influence float32) float64 {
	return 1 + math.Log10(1+math.Max(0, float64(followers))) + math.Max(0, float64(influence))/25
}

// Notice is one alert as delivered: a new alert, its escalation or its resolution, with what drives it.
type Notice struct {
	// ID is deterministic: the scope and the first hot bucket, so a replay that fires the same alert
	// again yields the same ID.
	ID    string `json:"alert_id"`
	Scope Scope  `json:"-"`
	// Event is fired, escalated or resolved; State firing or resolved.
	Event    string `json:"event"`
	State    string `json:"state"`
	Severity string `json:"severity"`
	// Tier is the detector tier that fired the alert: immediate, sustained or sequential.
	Tier       string    `json:"tier"`
	ScopeKey   string    `json:"scope"`
	Brand      string    `json:"brand"`
	Product    string    `json:"product,omitempty"`
	Network    string    `json:"network,omitempty"`
	Mode       string    `json:"mode"`
	StartedAt  time.Time `json:"started_at"`
	FiredAt    time.Time `json:"fired_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// Value and Baseline are the firing bucket's value and expectation (negative posts, or reach);
	// Score its robust z and Peak the highest so far.
	Value    float64 `json:"value"`
	Baseline float64 `json:"baseline"`
	Score    float64 `json:"score"`
	Peak     float64 `json:"peak"`
	// Negative and Total count the posts of the alert's run so far (Total: scored posts).
	Negative      int     `json:"negative"`
	Total         int     `json:"total"`
	NegativeShare float64 `json:"negative_share"`
	BaselineShare float64 `json:"baseline_share"`
	Summary       string  `json:"summary"`
	Drivers       Drivers `json:"drivers"`
	// Version orders the notices of one alert (fired < escalated < resolved).
	Version uint64 `json:"version"`
}

// Drivers explain an alert.
type Drivers struct {
	TopPosts    []PostRef `json:"top_posts"`
	Phrases     []Count   `json:"phrases"`
	Entities    []Count   `json:"entities"`
	Influencers []Author  `json:"influencers"`
	Networks    []Count   `json:"networks"`
}

// PostRef is one of the negative posts with the most reach.
type PostRef struct {
	UID     uint64  `json:"uid"`
	Network string  `json:"network"`
	PostID  string  `json:"post_id"`
	URL     string  `json:"url,omitempty"`
	Author  string  `json:"author"`
	Reach   float64 `json:"reach"`
	Text    string  `json:"text"`
}

// Author is an account driving an alert: its negative posts and their summed reach.
type Author struct {
	Handle    string  `json:"handle"`
	Network   string  `json:"network"`
	Followers int64   `json:"followers"`
	Posts     int     `json:"posts"`
	Reach     float64 `json:"reach"`
}

// Count is a name and how often it occurs among the alert's negative posts.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// AlertID is the deterministic id of the alert of scope whose run started at start.
func AlertID(scope Scope, start time.Time) string {
	d := xxhash.New()
	_, _ = d.WriteString(scope.Key())
	_, _ = d.Write([]byte{0})
	_, _ = d.WriteString(start.UTC().Format(time.RFC3339Nano))
	return fmt.Sprintf("%016x", d.Sum64())
}

// series is one watched scope.
type series struct {
	scope    Scope
	det      *Detector
	neg, tot float64 // the open bucket
	negN     int
	recent   []Observation // ring of the last Keep negative observations
	next     int
	// counts of the last buckets, and of the current alert from its start
	hist           [64]bucketCount
	hpos           int
	runNeg, runTot int
	firing         bool
	folded         bool // firing, but folded into another open alert of the brand (Group)
	// early is the alert fired on the open bucket before it closed (Detector.Peek); the detector opens
	// it when the bucket closes. Zero Start: none.
	early Alert
	// version is the last notice's version, so the notices of a series keep increasing versions even
	// when one comes from the open bucket and the next from its closing.
	version uint64
}

// runSince counts the negative and scored posts of the closed buckets from start on (those still in hist).
func (s *series) runSince(start time.Time) (neg, tot int) {
	for _, h := range s.hist {
		if !h.t.IsZero() && !h.t.Before(start) {
			neg += h.neg
			tot += h.tot
		}
	}
	return neg, tot
}

// alert is the series' current alert: the one its open bucket fired, or its detector's.
func (s *series) alert() Alert {
	if !s.early.Start.IsZero() {
		return s.early
	}
	return s.det.alert
}

type bucketCount struct {
	t        time.Time
	neg, tot int
}

// Monitor runs one Detector per scope over a stream of observations on event time. Buckets close when
// the watermark (the latest event time seen, less Lateness) passes their end; a post older than the
// closed buckets is late and counts nowhere. It is not safe for concurrent use.
type Monitor struct {
	cfg     MonitorConfig
	narrow  Config // detector configuration of narrowed series
	series  map[Scope]*series
	open    map[string]int // open (not folded) alerts per brand
	order   []*series      // creation order, so closing is deterministic
	bucket  time.Time      // start of the open bucket; zero before the first observation
	maxSeen time.Time
	// Late counts observations older than the open bucket; Unwatched those of scopes over MaxSeries.
	Late, Unwatched int
}

// NewMonitor returns a Monitor, or the configuration error.
func NewMonitor(c MonitorConfig) (*Monitor, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Monitor{cfg: c, narrow: NarrowedConfig(c.Detector, c.NarrowFamily), series: map[Scope]*series{}, open: map[string]int{}}, nil
}

// Config returns the monitor's configuration.
func (m *Monitor) Config() MonitorConfig { return m.cfg }

// Series returns the number of watched scopes.
func (m *Monitor) Series() int { return len(m.order) }

// Firing returns the number of scopes with an open alert.
func (m *Monitor) Firing() int {
	n := 0
	for _, s := range m.order {
		if s.firing {
			n++
		}
	}
	return n
}

// ErrTooLate is returned by Observe for an observation older than the open bucket.
var ErrTooLate = errors.New("observation older than the open bucket")

// Observe adds o and returns the notices of the buckets it closed, in time order, and the alert the
// open bucket fired, if it did: the immediate tier does not wait for the bucket to close (and for
// Lateness after it) when the posts it already holds are enough (see Detector.Peek).
func (m *Monitor) Observe(o Observation) ([]Notice, error) {
	if o.Brand == "" {
		return nil, errors.New("observation without a brand")
	}
	var out []Notice
	if o.Time.After(m.maxSeen) {
		m.maxSeen = o.Time
		out = m.advance(m.maxSeen.Add(-m.cfg.Lateness))
	}
	b := o.Time.Truncate(m.cfg.Detector.Bucket)
	if m.bucket.IsZero() {
		m.bucket = b
	}
	if b.Before(m.bucket) {
		m.Late++
		return out, ErrTooLate
	}
	if !o.Scored && m.cfg.Mode != ModeShare {
		return out, nil
	}
	out = m.add(out, Scope{Brand: o.Brand}, o)
	if m.cfg.ByProduct && o.Product != "" {
		out = m.add(out, Scope{Brand: o.Brand, Product: o.Product}, o)
	}
	if m.cfg.ByNetwork && o.Network != "" {
		out = m.add(out, Scope{Brand: o.Brand, Network: o.Network}, o)
	}
	return out, nil
}

// Advance closes every bucket that ends at or before watermark (event time), as when a quiet stream
// still moves on; it returns their notices.
func (m *Monitor) Advance(watermark time.Time) []Notice {
	return m.advance(watermark)
}

// add counts o in sc's open bucket and appends to out the notice of the alert the open bucket fires.
func (m *Monitor) add(out []Notice, sc Scope, o Observation) []Notice {
	s := m.ensure(sc)
	if s == nil {
		return out
	}
	if o.Scored {
		s.tot++
	}
	if !o.Negative {
		return out
	}
	s.negN++
	if m.cfg.Mode == ModeReach {
		s.neg += math.Max(1, o.Reach)
	} else {
		s.neg++
	}
	if len(s.recent) < m.cfg.Keep {
		s.recent = append(s.recent, o)
	} else {
		s.recent[s.next] = o
		s.next = (s.next + 1) % m.cfg.Keep
	}
	if n, ok := m.peek(s); ok {
		out = append(out, n)
	}
	return out
}

// peek fires s's alert on its open bucket when the posts the bucket already holds make the immediate
// tier fire (Detector.Peek); the bucket's closing then opens the same alert in the detector without a
// second notice. Not in share mode.
func (m *Monitor) peek(s *series) (Notice, bool) {
	if m.cfg.Mode == ModeShare || s.firing || s.neg < s.det.cfg.MinVolume {
		return Notice{}, false // (Peek needs MinVolume too; this saves the look-up on most posts)
	}
	a, ok := s.det.Peek(m.bucket, s.neg)
	if !ok {
		return Notice{}, false
	}
	s.early, s.firing = a, true
	neg, tot := s.runSince(a.Start)
	s.runNeg, s.runTot = neg+s.negN, tot+int(s.tot) // and the open bucket's
	if m.cfg.Group && m.open[s.scope.Brand] > 0 {
		s.folded = true
		return Notice{}, false
	}
	m.open[s.scope.Brand]++
	return m.notice(s, Step{Time: m.bucket, Event: EventFired, Alert: a, ShareBaseline: math.NaN()}), true
}

// advance closes the buckets ending at or before wm.
func (m *Monitor) advance(wm time.Time) []Notice {
	var out []Notice
	bucket := m.cfg.Detector.Bucket
	for !m.bucket.IsZero() && !m.bucket.Add(bucket).After(wm) {
		for _, s := range m.order {
			if n, ok := m.close(s, m.bucket); ok {
				out = append(out, n)
			}
		}
		m.bucket = m.bucket.Add(bucket)
	}
	return out
}

func (m *Monitor) close(s *series, t time.Time) (Notice, bool) {
	var st Step
	var err error
	if m.cfg.Mode == ModeShare {
		st, err = s.det.ObserveShare(t, s.neg, math.Max(s.tot, s.neg))
	} else {
		st, err = s.det.Observe(t, s.neg)
	}
	negN, tot := s.negN, int(s.tot)
	s.neg, s.tot, s.negN = 0, 0, 0
	early := s.early
	s.early = Alert{}
	if !s.firing {
		early = Alert{} // (set back to calm since it fired: Reconcile)
	}
	if err != nil {
		if !early.Start.IsZero() {
			s.det.resume(early)
		}
		return Notice{}, false
	}
	s.hist[s.hpos] = bucketCount{t: t, neg: negN, tot: tot}
	s.hpos = (s.hpos + 1) % len(s.hist)
	if !early.Start.IsZero() {
		// The open bucket fired already (peek): the detector now opens the same alert, under the start
		// and tier it was delivered with. Peek promises the detector fires; should it not, the alert is
		// opened as delivered. Only an escalation within the bucket is news.
		if st.Event != EventFired {
			s.det.resume(early)
			st.Event, st.Alert = EventFired, early
		}
		s.det.alert.Start, s.det.alert.Immediate, s.det.alert.Sequential = early.Start, true, false
		st.Alert = s.det.alert
	}
	switch {
	case st.Event == EventFired:
		s.runNeg, s.runTot = s.runSince(st.Alert.Start)
	case s.firing:
		s.runNeg += negN
		s.runTot += tot
	}
	if st.Event == EventNone {
		return Notice{}, false
	}
	// With Group, a brand has one open alert at a time: a series that fires while another series of
	// its brand is open is folded into that alert (it still counts as firing, but says nothing).
	switch st.Event {
	case EventFired:
		if !early.Start.IsZero() {
			// delivered (or folded) when it fired on the open bucket
			if s.folded || st.Alert.Severity <= early.Severity {
				return Notice{}, false
			}
			st.Event = EventEscalated
			break
		}
		s.firing = true
		if m.cfg.Group && m.open[s.scope.Brand] > 0 {
			s.folded = true
			return Notice{}, false
		}
		m.open[s.scope.Brand]++
	case EventEscalated:
		if s.folded {
			return Notice{}, false
		}
	case EventResolved:
		s.firing = false
		if s.folded {
			s.folded = false
			return Notice{}, false
		}
		m.open[s.scope.Brand]--
		if m.cfg.Group {
			m.coolFamily(s.scope.Brand, st.Alert.ResolvedAt.Add(m.cfg.Detector.Cooldown))
		}
	}
	return m.notice(s, st), true
}

// coolFamily keeps every series of brand that is not firing quiet until until: with Group the brand's
// alert and its cooldown are the family's, so a product series does not page again for an incident whose
// brand alert just resolved. A series cooled for its family's alert does not page through the cooldown
// (Detector.cooling): the alert's peak is on another series' scale, so "bigger than the last alert" cannot
// be judged on it; the series that raised the alert can.
func (m *Monitor) coolFamily(brand string, until time.Time) {
	for _, s := range m.order {
		if s.scope.Brand == brand && !s.firing {
			s.det.coolDown(until, math.Inf(1))
		}
	}
}

func (m *Monitor) notice(s *series, st Step) Notice {
	a := st.Alert
	n := Notice{
		ID: AlertID(s.scope, a.Start), Scope: s.scope, ScopeKey: s.scope.Key(), Event: st.Event.String(),
		State: "firing", Severity: a.Severity.String(), Tier: a.Tier(), Brand: s.scope.Brand, Product: s.scope.Product,
		Network: s.scope.Network, Mode: string(m.cfg.Mode), StartedAt: a.Start, FiredAt: a.FiredAt,
		Value: a.Value, Baseline: a.Baseline, Score: round4(a.Score), Peak: round4(a.Peak),
		Negative: s.runNeg, Total: s.runTot,
	}
	if st.Event == EventResolved {
		n.State, n.ResolvedAt = "resolved", a.ResolvedAt
	}
	n.Version = max(uint64(st.Time.UnixMilli()), s.version+1)
	s.version = n.Version
	if n.Total > 0 {
		n.NegativeShare = round4(float64(n.Negative) / float64(n.Total))
	}
	if !math.IsNaN(st.ShareBaseline) {
		n.BaselineShare = round4(st.ShareBaseline)
	}
	n.Drivers = m.explain(s, a.Start)
	n.Summary = summary(n)
	return n
}

func round4(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*1e4) / 1e4
}

// explain builds the drivers from the series' recent negative posts since from.
func (m *Monitor) explain(s *series, from time.Time) Drivers {
	k := m.cfg.Explain
	var posts []PostRef
	phrases, entities, nets := map[string]int{}, map[string]int{}, map[string]int{}
	authors := map[string]*Author{}
	for i := range s.recent {
		o := &s.recent[i]
		if o.Time.Before(from) {
			continue
		}
		reach := ReachWeight(o.Followers, o.Influence)
		posts = append(posts, PostRef{UID: o.UID, Network: o.Network, PostID: o.PostID, URL: o.URL,
			Author: o.Author, Reach: round4(reach), Text: clip(o.Text, 280)})
		seen := map[string]bool{}
		for _, p := range o.Phrases {
			p = strings.ToLower(strings.TrimSpace(p))
			if p != "" && !seen[p] {
				seen[p] = true
				phrases[p]++
			}
		}
		for _, e := range o.Entities {
			entities[e]++
		}
		nets[o.Network]++
		key := o.Network + "\x00" + o.Author
		a := authors[key]
		if a == nil {
			a = &Author{Handle: o.Author, Network: o.Network}
			authors[key] = a
		}
		a.Posts++
		a.Reach += reach
		a.Followers = max(a.Followers, o.Followers)
	}
	sort.SliceStable(posts, func(i, j int) bool {
		if posts[i].Reach != posts[j].Reach {
			return posts[i].Reach > posts[j].Reach
		}
		return posts[i].UID < posts[j].UID
	})
	if len(posts) > k {
		posts = posts[:k]
	}
	var infl []Author
	for _, a := range authors {
		a.Reach = round4(a.Reach)
		infl = append(infl, *a)
	}
	sort.Slice(infl, func(i, j int) bool {
		if infl[i].Reach != infl[j].Reach {
			return infl[i].Reach > infl[j].Reach
		}
		return infl[i].Network+infl[i].Handle < infl[j].Network+infl[j].Handle
	})
	if len(infl) > k {
		infl = infl[:k]
	}
	return Drivers{TopPosts: posts, Phrases: top(phrases, k), Entities: top(entities, k),
		Influencers: infl, Networks: top(nets, k)}
}

func top(m map[string]int, k int) []Count {
	out := make([]Count, 0, len(m))
	for n, c := range m {
		out = append(out, Count{n, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// summary is the one-line text of a notice.
func summary(n Notice) string {
	var b strings.Builder
	switch n.Event {
	case "resolved":
		fmt.Fprintf(&b, "Resolved: negative spike for %s", n.ScopeKey)
	default:
		fmt.Fprintf(&b, "%s: negative spike for %s: %d negative posts since %s (%.0f in the last bucket, %.1f expected, z %.1f)",
			strings.ToUpper(n.Severity[:1])+n.Severity[1:], n.ScopeKey, n.Negative, n.StartedAt.UTC().Format("15:04:05"),
			n.Value, n.Baseline, n.Score)
	}
	if len(n.Drivers.Phrases) > 0 {
		b.WriteString("; phrases: ")
		for i, p := range n.Drivers.Phrases {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.Name)
		}
	}
	if len(n.Drivers.Networks) > 0 {
		b.WriteString("; networks: ")
		for i, p := range n.Drivers.Networks {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %d", p.Name, p.Count)
		}
	}
	return b.String()
}
