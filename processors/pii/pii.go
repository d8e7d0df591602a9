// Package pii is the stage that keeps personal data out of storage: it finds e-mail addresses and phone
// numbers in a post's text and its author's profile, keeps only their keyed hashes (post.PII, used to link
// authors to CRM customers) and replaces the clear values with "[email]" and "[phone]".
package pii

import (
	"context"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/post"
)

// Stage redacts personal data. Without a hasher it still redacts, and post.PII stays empty.
type Stage struct {
	hasher   *pii.Hasher
	redacted *prometheus.CounterVec
}

// New returns the stage. hasher and reg may be nil.
func New(hasher *pii.Hasher, reg prometheus.Registerer) *Stage {
	s := &Stage{
		hasher: hasher,
		redacted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_pii_redacted_total",
			Help: "E-mail addresses and phone numbers removed from posts and profiles before storage.",
		}, []string{"kind"}),
	}
	if reg != nil {
		reg.MustRegister(s.redacted)
	}
	return s
}

// Name implements processors.Stage.
func (*Stage) Name() string { return "pii" }

// Process implements processors.Stage.
func (s *Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	for _, p := range posts {
		if p.Action == post.ActionDelete {
			continue
		}
		a := &p.Author
		for _, f := range []*string{&p.Text, &p.Title, &a.Bio, &a.DisplayName, &a.Location, &a.ProfileURL, &a.Handle} {
			s.scrub(p, f)
		}
	}
	return posts, ctx.Err()
}

func (s *Stage) scrub(p *post.Post, field *string) {
	if *field == "" {
		return
	}
	found := pii.Find(*field)
	if strings.HasPrefix(*field, "mailto:") && len(found.Emails) == 0 {
		found.Emails = []string{strings.TrimPrefix(*field, "mailto:")}
	}
	if len(found.Emails) == 0 && len(found.Phones) == 0 {
		return
	}
	if s.hasher != nil {
		for _, e := range found.Emails {
			p.PII.Emails = appendOnce(p.PII.Emails, s.hasher.Email(e))
		}
		for _, ph := range found.Phones {
			p.PII.Phones = appendOnce(p.PII.Phones, s.hasher.Phone(ph))
		}
	}
	s.redacted.WithLabelValues("email").Add(float64(len(found.Emails)))
	s.redacted.WithLabelValues("phone").Add(float64(len(found.Phones)))
	if strings.HasPrefix(*field, "mailto:") {
		*field = "mailto:[email]"
		return
	}
	*field = pii.Redact(*field)
}

func appendOnce(list []string, h string) []string {
	if h == "" || slices.Contains(list, h) {
		return list
	}
	return append(list, h)
}
