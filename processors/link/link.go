// Package link is the stage that links social authors to CRM customers: for each post it looks the author up
// in the customer directory (identity.Directory) and writes new or changed decisions to customer_links.
//
// Decisions are versioned rows (identity.LinkVersion). An automatic decision takes the content time of the
// post that caused it as its version, so a replayed post writes the very row it wrote before and the table
// collapses the two: a replay changes no visible state. Analysts' decisions outrank every automatic one, and
// the stage never writes a pair an analyst decided, so a rejected pair is never linked again automatically.
//
// When the directory is reloaded, links and proposals to customers who were deleted or withdrew consent
// are taken back (status dropped); so is an author's link or proposal that a new lookup of the author no
// longer makes (the profile or the customer changed).
//
// Posts pass through unchanged. The stage keeps, per author (bounded, see New), a fingerprint of the profile
// it last looked up against the current directory, so a busy author costs one map access per post; a new
// directory, or a changed profile, is looked up again.
package link

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/post"
)

// Loader returns the current directory and the current state of every known pair (the latest row of each
// pair in customer_links).
type Loader func(ctx context.Context) (*identity.Directory, []identity.Link, error)

// Writer stores decisions durably (one batch).
type Writer func(ctx context.Context, links []identity.Link) error

type pair struct{ network, author, customer string }

// Stage is the link stage. It reloads directory and states every refresh from within Process (it starts
// no goroutine); the first load must succeed, later failures keep the last directory and are counted, and
// the pipeline stops only when the directory is older than ten refresh intervals.
type Stage struct {
	load     Loader
	write    Writer
	refresh  time.Duration
	now      func() time.Time
	dir      *identity.Directory
	gen      uint64 // directory generation, part of every author fingerprint
	loadedAt time.Time
	states   map[pair]identity.Link
	byAuthor map[string][]string // network\x00author → customers of its automatic (auto, review) states

	cacheSize int
	cur, prev map[string]uint64 // author → fingerprint of profile and generation (two generations: bounded)

	lookups, cacheHits, loadErrors prometheus.Counter
	decisions                      *prometheus.CounterVec
	customers                      prometheus.Gauge
}

// New returns the stage. refresh ≤ 0 means one minute; cacheAuthors ≤ 0 means 100000 (the stage remembers
// between cacheAuthors/2 and cacheAuthors authors). reg may be nil.
func New(load Loader, write Writer, refresh time.Duration, cacheAuthors int, reg prometheus.Registerer) *Stage {
	if refresh <= 0 {
		refresh = time.Minute
	}
	if cacheAuthors <= 0 {
		cacheAuthors = 100000
	}
	s := &Stage{
		load: load, write: write, refresh: refresh, now: time.Now, cacheSize: max(cacheAuthors/2, 1),
		cur: map[string]uint64{}, prev: map[string]uint64{},
		lookups: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_link_lookups_total", Help: "Authors looked up in the customer directory.",
		}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_link_cache_hits_total", Help: "Posts whose author was already looked up with the same profile and directory.",
		}),
		loadErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_link_load_errors_total", Help: "Failed reloads of the customer directory.",
		}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_link_decisions_total", Help: "Link decisions written, by status.",
		}, []string{"status"}),
		customers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rapport_link_directory_customers", Help: "Customers in the loaded directory.",
		}),
	}
	if reg != nil {
		reg.MustRegister(s.lookups, s.cacheHits, s.loadErrors, s.decisions, s.customers)
	}
	return s
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "link" }

func (s *Stage) reload(ctx context.Context) error {
	now := s.now()
	if s.dir != nil && now.Sub(s.loadedAt) < s.refresh {
		return nil
	}
	dir, states, err := s.load(ctx)
	switch {
	case err == nil:
		s.dir, s.loadedAt = dir, now
		s.gen++
		s.states = make(map[pair]identity.Link, len(states))
		s.byAuthor = map[string][]string{}
		var dropped []identity.Link
		for _, l := range states {
			// A link or proposal to a customer who was deleted or withdrew consent is taken back.
			if (l.Status == identity.StatusAuto || l.Status == identity.StatusReview) && !dir.Consenting(l.CustomerID) {
				l.Status, l.Evidence, l.DecidedBy = identity.StatusDropped, []string{"customer deleted or without consent"}, identity.AutomaticDecider
				l.Version, l.UpdatedAt = identity.LinkVersion(false, now), now.UTC().Truncate(time.Second)
				dropped = append(dropped, l)
			}
			s.states[pair{l.Network, l.AuthorID, l.CustomerID}] = l
			s.track(l)
		}
		if len(dropped) > 0 {
			if err := s.write(ctx, dropped); err != nil {
				s.dir = nil // load again next time
				return fmt.Errorf("writing dropped customer links: %w", err)
			}
			s.decisions.WithLabelValues(identity.StatusDropped).Add(float64(len(dropped)))
		}
		s.customers.Set(float64(dir.Len()))
	case s.dir == nil || now.Sub(s.loadedAt) > 10*s.refresh:
		return fmt.Errorf("loading the customer directory: %w", err)
	default:
		s.loadErrors.Inc()
	}
	return nil
}

// Process implements processors.Stage.
func (s *Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	if err := s.reload(ctx); err != nil {
		return nil, err
	}
	var out []identity.Link
	for _, p := range posts {
		if p.Action != post.ActionUpsert || p.Author.ID == "" || p.Author.Brand {
			continue
		}
		key := string(p.Network) + "\x00" + p.Author.ID
		fp := s.fingerprint(p)
		if s.cached(key, fp) {
			s.cacheHits.Inc()
			continue
		}
		s.lookups.Inc()
		at := contentTime(p)
		version := identity.LinkVersion(false, at)
		matches := s.dir.Lookup(identity.AuthorOf(p))
		decide := func(l identity.Link) {
			k := pair{l.Network, l.AuthorID, l.CustomerID}
			old, ok := s.states[k]
			// An analyst's decision stands; the same decision again is no new state; a post older than the
			// one behind the current decision does not overrule it.
			if ok && (identity.AnalystStatus(old.Status) || identity.SameDecision(old, l) || old.Version > l.Version) {
				return
			}
			s.states[k] = l
			s.track(l)
			out = append(out, l)
		}
		for _, m := range matches {
			decide(identity.Link{
				Network: string(p.Network), AuthorID: p.Author.ID, CustomerID: m.CustomerID, Status: m.Status,
				Probability: float32(m.Probability), Evidence: m.Evidence, DecidedBy: identity.AutomaticDecider,
				Version: version, UpdatedAt: at.UTC().Truncate(time.Second),
			})
		}
		// Links and proposals of this author that the directory no longer makes are taken back.
		for _, cid := range s.byAuthor[key] {
			if slices.ContainsFunc(matches, func(m identity.CustomerMatch) bool { return m.CustomerID == cid }) {
				continue
			}
			old := s.states[pair{string(p.Network), p.Author.ID, cid}]
			if old.Status != identity.StatusAuto && old.Status != identity.StatusReview {
				continue
			}
			decide(identity.Link{
				Network: string(p.Network), AuthorID: p.Author.ID, CustomerID: cid, Status: identity.StatusDropped,
				Probability: 0, Evidence: []string{"no longer proposed"}, DecidedBy: identity.AutomaticDecider,
				Version: version, UpdatedAt: at.UTC().Truncate(time.Second),
			})
		}
	}
	if len(out) > 0 {
		if err := s.write(ctx, out); err != nil {
			// The batch is not acknowledged, so its records are read again and produce these rows again.
			for _, l := range out {
				delete(s.states, pair{l.Network, l.AuthorID, l.CustomerID})
			}
			return nil, fmt.Errorf("writing customer links: %w", err)
		}
		for _, l := range out {
			s.decisions.WithLabelValues(l.Status).Inc()
		}
	}
	return posts, nil
}

// track records which customers an author's automatic states name.
func (s *Stage) track(l identity.Link) {
	key := l.Network + "\x00" + l.AuthorID
	ids := s.byAuthor[key]
	i := slices.Index(ids, l.CustomerID)
	live := l.Status == identity.StatusAuto || l.Status == identity.StatusReview
	switch {
	case live && i < 0:
		s.byAuthor[key] = append(ids, l.CustomerID)
	case !live && i >= 0:
		ids = slices.Delete(ids, i, i+1)
		if len(ids) == 0 {
			delete(s.byAuthor, key)
		} else {
			s.byAuthor[key] = ids
		}
	}
}

// cached reports whether the author was looked up with the same fingerprint, and records it if not.
func (s *Stage) cached(key string, fp uint64) bool {
	if v, ok := s.cur[key]; ok && v == fp {
		return true
	}
	if v, ok := s.prev[key]; ok && v == fp {
		s.remember(key, fp)
		return true
	}
	s.remember(key, fp)
	return false
}

func (s *Stage) remember(key string, fp uint64) {
	if len(s.cur) >= s.cacheSize {
		s.prev, s.cur = s.cur, make(map[string]uint64, s.cacheSize)
	}
	s.cur[key] = fp
}

// fingerprint hashes what matching reads of a post's author, with the directory generation.
func (s *Stage) fingerprint(p *post.Post) uint64 {
	d := xxhash.New()
	var g [8]byte
	for i := range g {
		g[i] = byte(s.gen >> (8 * i))
	}
	_, _ = d.Write(g[:])
	for _, v := range []string{p.Author.Handle, p.Author.DisplayName, p.Author.Location, p.Author.ProfileURL} {
		_, _ = d.WriteString(v)
		_, _ = d.Write([]byte{0})
	}
	for _, v := range p.PII.Emails {
		_, _ = d.WriteString(v)
		_, _ = d.Write([]byte{1})
	}
	for _, v := range p.PII.Phones {
		_, _ = d.WriteString(v)
		_, _ = d.Write([]byte{2})
	}
	return d.Sum64()
}

// contentTime is the time of the post's content (its edit, else its creation), else its ingestion.
func contentTime(p *post.Post) time.Time {
	if v := p.Version(); v > 0 {
		return time.UnixMilli(int64(v)).UTC()
	}
	if !p.IngestedAt.IsZero() {
		return p.IngestedAt.UTC()
	}
	return time.Unix(0, 0).UTC()
}
