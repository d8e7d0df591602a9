// Package entities is the stage that finds the brands and products of the catalogue a post mentions (see
// package catalog), with their spans, and stores them in Post.Entities. It runs after the features stage,
// whose hashtags, cashtags and mentions it also reads, and before sentiment, which scores each entity.
package entities

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/post"
)

// Stage recognises catalogue entities. Without threads it keeps no state beyond its recognizer; with them (see
// NewThreaded) it remembers the entities of recent posts.
type Stage struct {
	rec      *catalog.Recognizer
	mentions *prometheus.CounterVec
	posts    prometheus.Counter
	threads  *threads // nil: no thread inheritance (see NewThreaded)
}

// New returns the stage recognising with rec (nil: an empty catalogue, which finds nothing). reg may be nil.
func New(rec *catalog.Recognizer, reg prometheus.Registerer) *Stage {
	if rec == nil {
		rec = (*catalog.Catalog)(nil).Recognizer()
	}
	s := &Stage{
		rec: rec,
		mentions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_entities_mentions_total",
			Help: "Catalogue entities found in posts, by kind (brand or product); each entity counts once per post.",
		}, []string{"kind"}),
		posts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_entities_posts_total",
			Help: "Posts that mention at least one catalogue entity.",
		}),
	}
	if reg != nil {
		reg.MustRegister(s.mentions, s.posts)
	}
	return s
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "entities" }

// Process implements processors.Stage. It never drops a post; delete notices pass untouched (with threads they
// also make the stage forget the post). Without threads it never fails (a batch takes milliseconds, so it does
// not watch ctx); with threads, only a failed first warm-up from the store is an error.
func (s *Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	if s.threads != nil {
		brands, products, with, err := s.processThreads(ctx, posts)
		if err != nil {
			return nil, err
		}
		s.count(brands, products, with)
		return posts, nil
	}
	if s.rec.Len() == 0 {
		return posts, nil
	}
	brands, products, with := 0, 0, 0
	for _, p := range posts {
		if p.Action == post.ActionDelete {
			continue
		}
		p.Entities = s.rec.Find(p)
		if len(p.Entities) > 0 {
			with++
		}
		for _, e := range p.Entities {
			if e.Kind == post.EntityProduct {
				products++
			} else {
				brands++
			}
		}
	}
	s.count(brands, products, with)
	return posts, nil
}

func (s *Stage) count(brands, products, with int) {
	s.mentions.WithLabelValues(string(post.EntityBrand)).Add(float64(brands))
	s.mentions.WithLabelValues(string(post.EntityProduct)).Add(float64(products))
	s.posts.Add(float64(with))
}
