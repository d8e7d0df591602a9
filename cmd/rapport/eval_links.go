package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/sim"
)

// evalLinksKey is the hashing key of the evaluation: any key works, the evaluation never leaves the process.
const evalLinksKey = "rapport-eval-links-key"

// linkTally counts the outcome of matching simulated authors against the simulated CRM.
type linkTally struct {
	Authors          int // distinct authors looked up
	Linkable         int // authors who are a consenting customer
	Customers        int // customers in the directory
	Auto             int // automatic links made
	AutoCorrect      int
	AutoRule         int // of which by a deterministic rule
	AutoRuleCorrect  int
	ReviewAuthors    int // authors with at least one pair in the review queue
	Review           int // pairs in the review queue
	ReviewCorrect    int
	LinkableInReview int // linkable authors whose true customer is in the queue (and not linked)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// evalLinks runs simulated posts through the normalizers and matching against the simulated CRM, and prints
// precision and recall of automatic links, the review-queue share and its precision.
func evalLinks(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("eval links", flag.ContinueOnError)
	seed := fs.Int64("seed", 1, "simulator seed")
	authors := fs.Int("authors", 20000, "size of the simulated author population")
	count := fs.Int("count", 200000, "simulated records to read")
	share := fs.Float64("customer-share", 0.4, "share of the population who are customers")
	link := fs.Float64("link-threshold", identity.DefaultLinkThreshold, "probability for an automatic link")
	review := fs.Float64("review-threshold", identity.DefaultReviewThreshold, "probability for the review queue")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *count <= 0 || *authors <= 0 {
		return errors.New("eval links: -count and -authors must be positive")
	}
	t, err := runLinkEval(ctx, *seed, *authors, *count, *share, identity.MatchOptions{LinkThreshold: *link, ReviewThreshold: *review})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "simulated CRM: %d customers; %d distinct authors looked up, %d of them consenting customers\n", t.Customers, t.Authors, t.Linkable)
	fmt.Fprintf(w, "automatic links: %d, precision %.4f (deterministic rules: %d, precision %.4f; probabilistic: %d, precision %.4f)\n",
		t.Auto, ratio(t.AutoCorrect, t.Auto), t.AutoRule, ratio(t.AutoRuleCorrect, t.AutoRule),
		t.Auto-t.AutoRule, ratio(t.AutoCorrect-t.AutoRuleCorrect, t.Auto-t.AutoRule))
	fmt.Fprintf(w, "recall of automatic links: %.4f (%d of %d consenting customers who post)\n", ratio(t.AutoCorrect, t.Linkable), t.AutoCorrect, t.Linkable)
	fmt.Fprintf(w, "review queue: %d pairs for %d authors, share of authors %.4f, precision %.4f; recall with the queue confirmed: %.4f\n",
		t.Review, t.ReviewAuthors, ratio(t.ReviewAuthors, t.Authors), ratio(t.ReviewCorrect, t.Review),
		ratio(t.AutoCorrect+t.LinkableInReview, t.Linkable))
	if p := ratio(t.AutoCorrect, t.Auto); t.Auto > 0 && p < 0.98 {
		return fmt.Errorf("eval links: precision of automatic links %.4f is below 0.98", p)
	}
	return nil
}

func runLinkEval(ctx context.Context, seed int64, authors, count int, share float64, opts identity.MatchOptions) (linkTally, error) {
	var t linkTally
	h, err := pii.New([]byte(evalLinksKey))
	if err != nil {
		return t, err
	}
	g := sim.New(sim.Config{Seed: seed, Authors: authors, DuplicateRate: -1})
	crm := g.CRM(sim.CRMOptions{CustomerShare: share})
	// The export goes through the same CSV import as `rapport customers import`.
	var buf bytes.Buffer
	if err := sim.WriteCRM(&buf, crm); err != nil {
		return t, err
	}
	var customers []identity.Customer
	_, bad, err := identity.ReadCustomersCSV(&buf, identity.DefaultCSVMapping(), h, 1, time.Now(), func(c identity.Customer) error {
		customers = append(customers, c)
		return nil
	})
	if err != nil {
		return t, err
	}
	if len(bad) > 0 {
		return t, fmt.Errorf("simulated CRM export has bad rows, first: %v", bad[0])
	}
	dir, err := identity.NewDirectory(customers, h, opts)
	if err != nil {
		return t, err
	}
	t.Customers = dir.Len()
	truth := map[int]string{} // person → customer id
	consent := map[string]bool{}
	for _, c := range crm {
		consent[c.ID] = c.Consent
		if c.Person >= 0 {
			truth[c.Person] = c.ID
		}
	}
	normalizers := ingest.Normalizers()
	seen := map[string]bool{}
	for i := 0; i < count; i++ {
		if i%10000 == 0 && ctx.Err() != nil {
			return t, ctx.Err()
		}
		rec := g.Next()
		if rec.Malformed || rec.Duplicate || rec.Action != post.ActionUpsert || rec.Truth.Person < 0 || rec.Truth.BrandAccount {
			continue
		}
		n, ok := normalizers[rec.Network]
		if !ok {
			continue
		}
		p := post.Post{Network: rec.Network} // the consumer sets the network before normalizing
		if err := n.Normalize(rec.Value, &p); err != nil || p.Author.ID == "" {
			continue
		}
		key := string(p.Network) + "\x00" + p.Author.ID
		if seen[key] {
			continue
		}
		seen[key] = true
		// What the PII stage does: hash e-mails and phones found in the profile.
		found := pii.Find(p.Author.Bio + " " + p.Author.ProfileURL)
		for _, e := range found.Emails {
			p.PII.Emails = append(p.PII.Emails, h.Email(e))
		}
		for _, ph := range found.Phones {
			p.PII.Phones = append(p.PII.Phones, h.Phone(ph))
		}
		t.Authors++
		want, isCustomer := truth[rec.Truth.Person]
		linkable := isCustomer && consent[want]
		if linkable {
			t.Linkable++
		}
		inReview := false
		for _, m := range dir.Lookup(identity.AuthorOf(&p)) {
			correct := m.CustomerID == want
			rule := len(m.Evidence) > 0 && !strings.Contains(m.Evidence[0], "bits")
			switch m.Status {
			case identity.StatusAuto:
				t.Auto++
				if correct {
					t.AutoCorrect++
				}
				if rule {
					t.AutoRule++
					if correct {
						t.AutoRuleCorrect++
					}
				}
			case identity.StatusReview:
				t.Review++
				inReview = true
				if correct {
					t.ReviewCorrect++
					t.LinkableInReview++
				}
			}
		}
		if inReview {
			t.ReviewAuthors++
		}
	}
	return t, nil
}
