// Package erasure is the stage that drops posts of authors whose data was erased on request, so that a
// replay of old Kafka records cannot bring an erased author back.
package erasure

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/post"
)

// Loader returns the erased authors as network → set of network user ids.
type Loader func(ctx context.Context) (map[string]map[string]bool, error)

// Stage drops the posts of erased authors. It reloads the erasure list every Refresh from within Process
// (it starts no goroutine). The first load must succeed; later failed reloads keep the last list and are
// counted, and the pipeline stops only if the list is older than ten refresh intervals.
type Stage struct {
	load     Loader
	refresh  time.Duration
	erased   map[string]map[string]bool
	loadedAt time.Time
	now      func() time.Time

	dropped    prometheus.Counter
	loadErrors prometheus.Counter
}

// New returns the stage. refresh ≤ 0 means 5s. reg may be nil.
func New(load Loader, refresh time.Duration, reg prometheus.Registerer) *Stage {
	if refresh <= 0 {
		refresh = 5 * time.Second
	}
	s := &Stage{
		load: load, refresh: refresh, now: time.Now,
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_erasure_dropped_posts_total", Help: "Posts dropped because their author's data was erased.",
		}),
		loadErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_erasure_load_errors_total", Help: "Failed reloads of the erasure list.",
		}),
	}
	if reg != nil {
		reg.MustRegister(s.dropped, s.loadErrors)
	}
	return s
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "erasure" }

// Process implements processors.Stage.
func (s *Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	if now := s.now(); s.erased == nil || now.Sub(s.loadedAt) >= s.refresh {
		erased, err := s.load(ctx)
		switch {
		case err == nil:
			s.erased, s.loadedAt = erased, now
		case s.erased == nil || now.Sub(s.loadedAt) > 10*s.refresh:
			return nil, fmt.Errorf("loading erased authors: %w", err)
		default:
			s.loadErrors.Inc()
		}
	}
	if len(s.erased) == 0 {
		return posts, nil
	}
	out := posts[:0]
	for _, p := range posts {
		if p.Action == post.ActionUpsert && s.erased[string(p.Network)][p.Author.ID] {
			s.dropped.Inc()
			continue
		}
		out = append(out, p)
	}
	return out, nil
}
