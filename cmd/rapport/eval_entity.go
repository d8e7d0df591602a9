package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/sentiment"
)

// inputEntity is an entity as analyze and eval read it: a post.Entity as encoding/json writes it (ID,
// Matched, Start, End, …), or a short form with only "text" (and optionally "id"), located in the text by
// its first whole-word occurrence.
type inputEntity struct {
	ID      string           `json:"id"`
	Brand   string           `json:"brand"`
	Kind    post.EntityKind  `json:"kind"`
	Matched string           `json:"matched"`
	Text    string           `json:"text"`
	Start   *int             `json:"start"`
	End     *int             `json:"end"`
	Expect  *sentiment.Label `json:"expect"` // eval only: the expected label
}

// analyzeEntity is one entity of an analyze output line.
type analyzeEntity struct {
	ID       string             `json:"id"`
	Matched  string             `json:"matched,omitempty"`
	Start    int                `json:"start"`
	End      int                `json:"end"`
	Compound float64            `json:"compound"`
	Label    sentiment.Label    `json:"label"`
	InText   bool               `json:"in_text"` // false: not found in the text; the post's sentiment stands for it
	Drivers  []sentiment.Driver `json:"drivers,omitempty"`
}

// analyzeSignal is one loyalty signal of an analyze output line.
type analyzeSignal struct {
	Kind   string `json:"kind"`
	Phrase string `json:"phrase"`
	Entity string `json:"entity,omitempty"`
}

// locateEntities turns input entities into post entities with byte spans into text. A given span must lie
// inside the text; without one, the entity's matched text (or "text") is looked up as a whole word,
// ignoring case, and an entity not found gets the span -1, -1 (found outside the text).
func locateEntities(text string, in []inputEntity) ([]post.Entity, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]post.Entity, 0, len(in))
	for i, e := range in {
		name := e.Matched
		if name == "" {
			name = e.Text
		}
		pe := post.Entity{ID: e.ID, Brand: e.Brand, Kind: e.Kind, Matched: name, Start: -1, End: -1}
		switch {
		case e.Start != nil && e.End != nil && *e.Start == -1 && *e.End == -1:
		case e.Start != nil && e.End != nil:
			if *e.Start < 0 || *e.End <= *e.Start || *e.End > len(text) {
				return nil, fmt.Errorf("entity %d: span %d..%d is not inside the %d-byte text", i+1, *e.Start, *e.End, len(text))
			}
			pe.Start, pe.End = *e.Start, *e.End
			if pe.Matched == "" {
				pe.Matched = text[pe.Start:pe.End]
			}
		case name == "":
			return nil, fmt.Errorf("entity %d has neither a span (start, end) nor a text", i+1)
		default:
			if st := wholeWordIndex(text, name); st >= 0 {
				pe.Start, pe.End = st, st+len(name)
			}
		}
		if pe.ID == "" {
			pe.ID = strings.ToLower(pe.Matched)
		}
		out = append(out, pe)
	}
	return out, nil
}

// wholeWordIndex is the byte offset of the first whole-word occurrence of name in text, ignoring case, or
// -1.
func wholeWordIndex(text, name string) int {
	isWord := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	for i := 0; i+len(name) <= len(text); i++ {
		if !strings.EqualFold(text[i:i+len(name)], name) {
			continue
		}
		if (i > 0 && isWord(text[i-1])) || (i+len(name) < len(text) && isWord(text[i+len(name)])) {
			continue
		}
		return i
	}
	return -1
}

// entityCase is one line of an entity sentiment test set.
type entityCase struct {
	Text     string        `json:"text"`
	Lang     string        `json:"lang"`
	Rating   int8          `json:"rating"`
	Entities []inputEntity `json:"entities"`
	Signals  []struct {
		Kind   post.SignalKind `json:"kind"`
		Entity string          `json:"entity"`
	} `json:"signals"`
}

// readEntityCases reads a test set: one JSON object a line (text, entities with "expect", signals).
func readEntityCases(file string) ([]entityCase, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	lines, err := sentiment.ReadLines(f)
	if err != nil {
		return nil, err
	}
	var out []entityCase
	for n, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var c entityCase
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", file, n+1, err)
		}
		if c.Text == "" {
			return nil, fmt.Errorf("%s line %d: no text", file, n+1)
		}
		for i, e := range c.Entities {
			if e.Expect == nil {
				return nil, fmt.Errorf("%s line %d: entity %d has no expected label (\"expect\")", file, n+1, i+1)
			}
			switch *e.Expect {
			case sentiment.Negative, sentiment.Neutral, sentiment.Positive:
			default:
				return nil, fmt.Errorf("%s line %d: entity %d: expect %q is not negative, neutral or positive", file, n+1, i+1, *e.Expect)
			}
		}
		for i, s := range c.Signals {
			if !knownSignal(s.Kind) {
				return nil, fmt.Errorf("%s line %d: signal %d: unknown kind %q", file, n+1, i+1, s.Kind)
			}
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no test case", file)
	}
	return out, nil
}

var signalKinds = []post.SignalKind{post.SignalRecommend, post.SignalPraise, post.SignalPurchase, post.SignalComplaint, post.SignalQuestion, post.SignalChurn}

func knownSignal(k post.SignalKind) bool {
	for _, s := range signalKinds {
		if s == k {
			return true
		}
	}
	return false
}

// evalEntitySentiment is `rapport eval entities-sentiment FILE`: per-entity sentiment accuracy and macro-F1, next
// to labelling every entity with its post's label, and signal precision/recall per kind (a signal counts
// as found when its kind and entity both match; phrases are not compared).
func evalEntitySentiment(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("eval entities-sentiment", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "print every mislabelled entity and every missed or extra signal")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: rapport eval entities-sentiment [-v] FILE (JSON lines: text, entities with expect, signals)")
	}
	file := fs.Arg(0)
	cases, err := readEntityCases(file)
	if err != nil {
		return err
	}
	a, err := sentiment.New()
	if err != nil {
		return err
	}
	var ent, postLevel sentiment.Confusion
	type counts struct{ tp, fp, fn int }
	sig := map[post.SignalKind]*counts{}
	for _, k := range signalKinds {
		sig[k] = &counts{}
	}
	var d sentiment.Detail
	for n, c := range cases {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ents, err := locateEntities(c.Text, c.Entities)
		if err != nil {
			return fmt.Errorf("%s case %d: %w", file, n+1, err)
		}
		if c.Lang != "" && !sentiment.Supports(c.Lang) {
			return fmt.Errorf("%s case %d: language %q is not supported", file, n+1, c.Lang)
		}
		a.AnalyzePost(c.Text, 0, ents, c.Rating, &d)
		for i, e := range c.Entities {
			got := d.Entities[i].Label
			ent.Add(*e.Expect, got)
			postLevel.Add(*e.Expect, d.Label)
			if *verbose && got != *e.Expect {
				fmt.Fprintf(w, "entity  case %d %q: %s expected %s, got %s %v\n", n+1, c.Text, ents[i].ID, *e.Expect, got, d.Entities[i].Drivers)
			}
		}
		want := map[string]bool{}
		for _, s := range c.Signals {
			want[string(s.Kind)+"\x00"+s.Entity] = true
		}
		got := map[string]bool{}
		for _, s := range d.Signals {
			key := string(s.Kind) + "\x00" + s.Entity
			if got[key] {
				continue
			}
			got[key] = true
			if want[key] {
				sig[s.Kind].tp++
			} else {
				sig[s.Kind].fp++
				if *verbose {
					fmt.Fprintf(w, "signal  case %d %q: extra %s(%s) from %q\n", n+1, c.Text, s.Kind, s.Entity, s.Phrase)
				}
			}
		}
		for _, s := range c.Signals {
			key := string(s.Kind) + "\x00" + s.Entity
			if !got[key] {
				sig[s.Kind].fn++
				got[key] = true
				if *verbose {
					fmt.Fprintf(w, "signal  case %d %q: missed %s(%s)\n", n+1, c.Text, s.Kind, s.Entity)
				}
			}
		}
	}
	fmt.Fprintf(w, "Per-entity sentiment: %s (%d posts, %d entities), model %s\n\n", file, len(cases), ent.Total(), sentiment.ModelVersion)
	fmt.Fprintf(w, "%-10s %9s %9s %9s %7s\n", "class", "precision", "recall", "F1", "gold")
	for k, l := range sentiment.Classes {
		fmt.Fprintf(w, "%-10s %9.3f %9.3f %9.3f %7d\n", l, ent.Precision(k), ent.Recall(k), ent.F1(k), ent[k][0]+ent[k][1]+ent[k][2])
	}
	fmt.Fprintf(w, "\naccuracy %.3f   macro-F1 %.3f   macro-recall %.3f\n", ent.Accuracy(), ent.MacroF1(), ent.MacroRecall())
	fmt.Fprintf(w, "confusion (rows gold neg/neu/pos, columns predicted): %v\n", ent)
	fmt.Fprintf(w, "baseline, every entity labelled with its post's label: accuracy %.3f   macro-F1 %.3f\n\n", postLevel.Accuracy(), postLevel.MacroF1())
	fmt.Fprintf(w, "Signals (kind and entity must match)\n%-10s %9s %9s %9s %6s %6s %6s\n", "kind", "precision", "recall", "F1", "tp", "fp", "fn")
	var all counts
	for _, k := range signalKinds {
		c := sig[k]
		all.tp += c.tp
		all.fp += c.fp
		all.fn += c.fn
		p, r := ratioOf(c.tp, c.tp+c.fp), ratioOf(c.tp, c.tp+c.fn)
		fmt.Fprintf(w, "%-10s %9.3f %9.3f %9.3f %6d %6d %6d\n", k, p, r, f1Of(p, r), c.tp, c.fp, c.fn)
	}
	p, r := ratioOf(all.tp, all.tp+all.fp), ratioOf(all.tp, all.tp+all.fn)
	fmt.Fprintf(w, "%-10s %9.3f %9.3f %9.3f %6d %6d %6d\n", "all", p, r, f1Of(p, r), all.tp, all.fp, all.fn)
	return nil
}

func ratioOf(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func f1Of(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
