package main

import (
	"context"

	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/entities"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/sim"
)

// evalEntities prints the precision, recall and F1 of entity recognition on the simulator's ground truth and
// on a hand-labelled set of real-world posts with its own catalogue.
func evalEntities(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("eval entities", flag.ContinueOnError)
	records := fs.Int("sim", 20000, "simulated records to evaluate on; 0 skips the simulator")
	seed := fs.Int64("seed", 1, "simulator seed")
	catFile := fs.String("catalog", "catalog/testdata/real.yml", "catalogue of the labelled set; empty skips it")
	posts := fs.String("posts", "catalog/testdata/posts.jsonl", "labelled posts: JSON lines {\"text\", \"entities\": [ids]}")
	verbose := fs.Bool("v", false, "list every labelled post the recognizer got wrong")
	var tc entities.ThreadConfig
	fs.DurationVar(&tc.Horizon, "thread-horizon", 72*time.Hour, "thread inheritance: how far back in event time a parent may be; 0 skips the thread block")
	fs.IntVar(&tc.MaxPosts, "thread-max", 500000, "thread inheritance: posts remembered")
	fs.BoolVar(&tc.NoConversation, "thread-no-root", false, "thread inheritance: never inherit from the conversation root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *records > 0 {
		if err := evalSimEntities(ctx, w, *records, *seed, tc); err != nil {
			return err
		}
	}
	if *catFile != "" {
		cat, err := catalog.Load(*catFile)
		if err != nil {
			return fmt.Errorf("-catalog: %w", err)
		}
		examples, err := catalog.ReadExamples(*posts)
		if err != nil {
			return fmt.Errorf("-posts: %w", err)
		}
		ev := catalog.Evaluate(cat.Recognizer(), examples)
		fmt.Fprintf(w, "\nLabelled posts: %s (%d posts, catalogue %s with %d entities)\n\n", *posts, len(examples), *catFile, len(cat.Entities()))
		printScores(w, []string{"brands", "products", "all entities"}, []catalog.Score{ev.Brands, ev.Products, ev.All})
		fmt.Fprintf(w, "posts with an error: %d of %d\n", len(ev.Misses), len(examples))
		if *verbose {
			for _, m := range ev.Misses {
				fmt.Fprintf(w, "  missing %v extra %v: %s\n", m.Missing, m.Extra, m.Text)
			}
		}
	}
	return nil
}

func printScores(w io.Writer, names []string, scores []catalog.Score) {
	fmt.Fprintf(w, "%-34s %9s %9s %9s %7s %7s %7s\n", "", "precision", "recall", "F1", "TP", "FP", "FN")
	for i, s := range scores {
		fmt.Fprintf(w, "%-34s %9.3f %9.3f %9.3f %7d %7d %7d\n", names[i], s.Precision(), s.Recall(), s.F1(), s.TP, s.FP, s.FN)
	}
}

// evalSimEntities runs the simulator's catalogue over simulated posts, normalized as the pipeline does.
//
// The simulator's truth names the brand and product each post is about. A post is scored on its subject: a
// true positive when the truth's brand (product) is among the entities found, a false positive when
// entities were found but not that one (a post that also names a rival still counts as right), a false
// negative when it was not found. Some posts are about a brand without naming it (a reply "same here"
// under a complaint, a support answer), and many name the brand but not the product; so the second block
// counts only posts whose text, as the simulator wrote it, contains one of the simulator's own names,
// aliases, hashtags, cashtags or handles of the brand (product).
//
// With tc enabled, a third block scores the entities stage with thread inheritance over the same posts in
// stream order (deletes included, so that they are forgotten), split by whether the post's entities were its
// own, inherited, or none were found.
func evalSimEntities(ctx context.Context, w io.Writer, n int, seed int64, tc entities.ThreadConfig) error {
	cat, err := catalog.Parse(catalog.SimYAML())
	if err != nil {
		return fmt.Errorf("the simulator's catalogue: %w", err)
	}
	rec := cat.Recognizer()
	brandID, productID := map[string]string{}, map[string]string{}
	for _, e := range cat.Entities() {
		if e.Kind == post.EntityBrand {
			brandID[e.Name] = e.ID
		} else {
			productID[e.Name] = e.ID
		}
	}
	forms := simForms()
	gen := sim.New(sim.Config{Seed: seed, DuplicateRate: -1})
	norms := ingest.Normalizers()
	var brandAll, prodAll, brandNamed, prodNamed catalog.Score
	te := newThreadEval(rec, tc)
	scored := 0
	for i := 0; i < n; i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		r := gen.Next()
		if r.Duplicate || r.Malformed {
			continue
		}
		nz := norms[r.Network]
		if nz == nil {
			return fmt.Errorf("no normalizer for network %s", r.Network)
		}
		var p post.Post
		if err := nz.Normalize(r.Value, &p); err != nil {
			return fmt.Errorf("normalizing simulated %s post %s: %w", r.Network, r.PostID, err)
		}
		if r.Action == post.ActionDelete {
			if err := te.forget(ctx, &p); err != nil {
				return err
			}
			continue
		}
		f := features.Extract(p.Text)
		p.Hashtags, p.Mentions, p.Cashtags = f.Hashtags, f.Mentions, f.Cashtags
		var foundB, foundP []string
		for _, e := range rec.Find(&p) {
			if e.Kind == post.EntityProduct {
				foundP = append(foundP, e.ID)
			} else {
				foundB = append(foundB, e.ID)
			}
		}
		var goldB, goldP []string
		if b := r.Truth.Brand; b != "" {
			id, ok := brandID[b]
			if !ok {
				return fmt.Errorf("the simulator's brand %q is not in its catalogue", b)
			}
			goldB = []string{id}
		}
		if pr := r.Truth.Product; pr != "" {
			goldP = []string{productID[pr]}
		}
		scored++
		subject(&brandAll, goldB, foundB)
		subject(&prodAll, goldP, foundP)
		text := strings.ToLower(p.Title + "\n" + p.Text)
		if len(goldB) == 0 || containsAny(text, forms[r.Truth.Brand]) {
			subject(&brandNamed, goldB, foundB)
		}
		if len(goldP) == 0 || containsAny(text, forms[r.Truth.Product]) {
			subject(&prodNamed, goldP, foundP)
		}
		if err := te.add(ctx, &p, goldB, goldP); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "Simulator truth: %d posts (seed %d; %d records, duplicates off, deletes skipped), catalogue catalog/sim.yml\n\n", scored, seed, n)
	printScores(w, []string{"brand, all posts", "product, all posts", "brand, posts that name it", "product, posts that name it"},
		[]catalog.Score{brandAll, prodAll, brandNamed, prodNamed})
	te.print(w)
	return nil
}

// subject scores one post on its subject (see evalSimEntities).
func subject(s *catalog.Score, gold, found []string) {
	hit := false
	for _, id := range found {
		if len(gold) > 0 && id == gold[0] {
			hit = true
		}
	}
	switch {
	case hit:
		s.TP++
	case len(found) > 0:
		s.FP++
		if len(gold) > 0 {
			s.FN++
		}
	case len(gold) > 0:
		s.FN++
	}
}

// simForms returns, per simulated brand and product name, the lower-cased forms the simulator writes for it:
// a brand's names, aliases, hashtags, cashtag, handles and its products' names; a product's name, aliases and
// hashtags that its brand does not use as well.
func simForms() map[string][]string {
	m := map[string][]string{}
	lower := func(ss ...string) []string {
		out := make([]string, 0, len(ss))
		for _, s := range ss {
			if s != "" {
				out = append(out, strings.ToLower(s))
			}
		}
		return out
	}
	for _, b := range sim.Brands() {
		bf := lower(append([]string{b.Name, b.Cashtag, b.XMain, b.XSupport, b.Mastodon, b.Reddit}, append(b.Aliases, b.Hashtags...)...)...)
		own := map[string]bool{}
		for _, f := range bf {
			own[f] = true
		}
		for _, p := range b.Products {
			var pf []string
			// A form the brand uses too ("#Fluxbank" for the Fluxbank app) does not name the product.
			for _, f := range lower(append(append([]string{p.Name}, p.Aliases...), p.Hashtags...)...) {
				if !own[f] {
					pf = append(pf, f)
				}
			}
			m[p.Name] = pf
			bf = append(bf, pf...)
		}
		m[b.Name] = bf
	}
	return m
}

func containsAny(text string, forms []string) bool {
	for _, f := range forms {
		if strings.Contains(text, f) {
			return true
		}
	}
	return false
}
