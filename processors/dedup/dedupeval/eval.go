// Package dedupeval measures the dedup stage against the simulator's ground truth: a stream is generated
// in-process, normalized by the ingest normalizers, passed through the brand-account and dedup stages, and
// every post's classification is compared with what the simulator knows it is.
//
// Truth per level, from sim.Record:
//
//   - redelivery: Record.Duplicate (a byte-identical redelivery of an earlier record); predicted: dropped.
//     Delete notices always pass and are not counted.
//   - repost: Truth.Kind is "repost"; predicted: post.DupRepost.
//   - near_text: a campaign post (Truth.Campaign) when another bot already posted the same campaign text
//     (in this campaign or another one with the same sim.Campaign.Template), and not a cross-network copy;
//     predicted: post.DupNearText.
//   - cross_network: a campaign post by a bot (Truth.Bot) that already posted on another network; predicted:
//     post.DupCrossNetwork.
//   - spam: a campaign post among those marked near_text or cross_network; predicted: Dup.Spam.
//
// Edits and delete notices are passed through the stage (an edit wrongly dropped counts against the
// redelivery level) but not scored at the other levels.
package dedupeval

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/brandaccounts"
	"github.com/rapport-dev/rapport/processors/dedup"
	"github.com/rapport-dev/rapport/sim"
)

// Options configure an evaluation run.
type Options struct {
	Seed       int64
	Records    int          // records to generate (default 300000)
	Partitions int          // partitions per topic the records are spread over by key (default 6)
	BatchSize  int          // posts per batch (default 500)
	Sim        sim.Config   // the stream; Seed is set from Options.Seed
	Dedup      dedup.Config // zero fields take the stage's defaults
}

// Counts are the confusion counts of one level.
type Counts struct{ TP, FP, FN int }

// Precision is TP/(TP+FP); 1 when nothing was predicted.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP/(TP+FN); 1 when there was nothing to find.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// Levels names the scored levels in report order.
var Levels = []string{"redelivery", "repost", "near_text", "cross_network", "spam"}

// Report is the result of a run.
type Report struct {
	Records, Posts, Campaigns int
	Levels                    map[string]*Counts
	Elapsed                   time.Duration
}

// Run generates the stream and scores the stage.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Records <= 0 {
		o.Records = 300000
	}
	if o.Partitions <= 0 {
		o.Partitions = 6
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	o.Sim.Seed = o.Seed
	stage, err := dedup.New(o.Dedup, nil, nil)
	if err != nil {
		return nil, err
	}
	stages := []processors.Stage{brandaccounts.New(brandAccounts()), stage}
	r := &Report{Levels: map[string]*Counts{}}
	for _, l := range Levels {
		r.Levels[l] = &Counts{}
	}
	g := sim.New(o.Sim)
	truth := newTruth(g)
	norms := ingest.Normalizers()
	var dec ingest.Decoder
	var (
		batch []*post.Post
		recs  []sim.Record
	)
	offsets := map[string]int64{}
	start := time.Now()
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		in := append([]*post.Post(nil), batch...)
		out := in
		for _, s := range stages {
			if out, err = s.Process(ctx, out); err != nil {
				return err
			}
		}
		passed := map[*post.Post]bool{}
		for _, p := range out {
			passed[p] = true
		}
		for i, p := range batch {
			truth.score(r, recs[i], p, passed[p])
		}
		batch, recs = batch[:0], recs[:0]
		return nil
	}
	for i := 0; i < o.Records; i++ {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec := g.Next()
		r.Records++
		if rec.Malformed {
			continue
		}
		p := &post.Post{Source: post.Source{Topic: rec.Topic, Partition: partition(rec.Key, o.Partitions)}}
		p.Source.Offset = offsets[fmt.Sprint(rec.Topic, p.Source.Partition)]
		offsets[fmt.Sprint(rec.Topic, p.Source.Partition)]++
		if err := dec.Decode(norms[rec.Network], rec.Value, p); err != nil {
			continue // ignored compliance notices
		}
		batch = append(batch, p)
		recs = append(recs, rec)
		r.Posts++
		if len(batch) == o.BatchSize {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	r.Campaigns = len(truth.template)
	r.Elapsed = time.Since(start)
	return r, nil
}

func partition(key []byte, n int) int32 {
	h := fnv.New32a()
	_, _ = h.Write(key)
	return int32(h.Sum32() % uint32(n))
}

// brandAccounts lists the simulator's brand handles the way `rapport demo` configures them, plus the
// brands' comment accounts on YouTube, Facebook and Instagram (the brand name in lower-case letters and
// digits), as a deployment configures its own accounts on every network it answers on.
func brandAccounts() map[string][]string {
	acc := sim.BrandAccounts()
	for _, b := range sim.Brands() {
		var h []rune
		for _, r := range strings.ToLower(b.Name) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				h = append(h, r)
			}
		}
		for _, n := range []string{"youtube", "facebook", "instagram"} {
			acc[n] = append(acc[n], string(h))
		}
	}
	return acc
}

// truth derives each record's expected level from what came before it.
type truth struct {
	campaigns map[string]map[int]bool // campaign template → bots that posted it
	template  map[string]string       // campaign id → template
	g         *sim.Generator
	botNets   map[int]map[post.Network]bool // bot → networks it posted on
}

func newTruth(g *sim.Generator) *truth {
	return &truth{campaigns: map[string]map[int]bool{}, template: map[string]string{}, botNets: map[int]map[post.Network]bool{}, g: g}
}

// templateOf returns the text template of a campaign.
func (t *truth) templateOf(id string) string {
	if tm, ok := t.template[id]; ok {
		return tm
	}
	for _, c := range t.g.Campaigns() {
		t.template[c.ID] = c.Template
	}
	return t.template[id]
}

func (t *truth) score(r *Report, rec sim.Record, p *post.Post, passed bool) {
	if rec.Action != post.ActionUpsert {
		return
	}
	add := func(level string, want, got bool) {
		c := r.Levels[level]
		switch {
		case want && got:
			c.TP++
		case got:
			c.FP++
		case want:
			c.FN++
		}
	}
	add("redelivery", rec.Duplicate, !passed)
	if rec.Duplicate || rec.Edit || !passed {
		return
	}
	tr := rec.Truth
	var cross, near bool
	if tr.Bot > 0 {
		for n := range t.botNets[tr.Bot] {
			if n != rec.Network {
				cross = true
			}
		}
		if t.botNets[tr.Bot] == nil {
			t.botNets[tr.Bot] = map[post.Network]bool{}
		}
		t.botNets[tr.Bot][rec.Network] = true
	}
	if tr.Campaign != "" {
		tm := t.templateOf(tr.Campaign)
		bots := t.campaigns[tm]
		if bots == nil {
			bots = map[int]bool{}
			t.campaigns[tm] = bots
		}
		for b := range bots {
			if b != tr.Bot {
				near = !cross
			}
		}
		bots[tr.Bot] = true
	}
	add("repost", tr.Kind == "repost", p.Dup.Level == post.DupRepost)
	add("near_text", near, p.Dup.Level == post.DupNearText)

	add("cross_network", cross, p.Dup.Level == post.DupCrossNetwork)
	if p.Dup.Level == post.DupNearText || p.Dup.Level == post.DupCrossNetwork || near || cross {
		add("spam", tr.Campaign != "", p.Dup.Spam)
	}
}

// Print writes the report as a table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "%d records, %d well-formed posts, %d spam campaigns, evaluated in %s\n\n", r.Records, r.Posts, r.Campaigns, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-14s %9s %9s %8s %8s %8s\n", "level", "precision", "recall", "TP", "FP", "FN")
	for _, l := range Levels {
		c := r.Levels[l]
		fmt.Fprintf(w, "%-14s %9.4f %9.4f %8d %8d %8d\n", l, c.Precision(), c.Recall(), c.TP, c.FP, c.FN)
	}
}
