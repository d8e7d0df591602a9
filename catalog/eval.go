package catalog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Example is one labelled post of an evaluation set: its text and the entity ids it mentions (a product's
// brand included).
type Example struct {
	Text     string   `json:"text"`
	Entities []string `json:"entities"`
}

// ReadExamples reads an evaluation set: JSON lines {"text": "...", "entities": ["id", ...]}.
func ReadExamples(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	var out []Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var ex Example
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ex); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if ex.Text == "" {
			return nil, fmt.Errorf("%s:%d: text: empty", path, line)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}

// Score counts true positives, false positives and false negatives.
type Score struct{ TP, FP, FN int }

// Add counts the predicted ids against the gold ids (sets: order and repeats do not matter).
func (s *Score) Add(gold, predicted []string) {
	g := map[string]bool{}
	for _, id := range gold {
		g[id] = true
	}
	p := map[string]bool{}
	for _, id := range predicted {
		if p[id] {
			continue
		}
		p[id] = true
		if g[id] {
			s.TP++
		} else {
			s.FP++
		}
	}
	for id := range g {
		if !p[id] {
			s.FN++
		}
	}
}

// Precision is TP / (TP + FP); 1 when nothing was predicted.
func (s Score) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is TP / (TP + FN); 1 when there was nothing to find.
func (s Score) Recall() float64 {
	if s.TP+s.FN == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FN)
}

// F1 is the harmonic mean of precision and recall.
func (s Score) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Miss is one example the recognizer got wrong.
type Miss struct {
	Text           string
	Missing, Extra []string
}

// Evaluation is the result of running a recognizer over an evaluation set.
type Evaluation struct {
	All, Brands, Products Score
	Misses                []Miss
}

// Evaluate runs r over the examples. An id with a "/" is a product's.
func Evaluate(r *Recognizer, examples []Example) Evaluation {
	var ev Evaluation
	for _, ex := range examples {
		var pred, predB, predP, goldB, goldP []string
		for _, e := range r.FindText(ex.Text) {
			pred = append(pred, e.ID)
			if e.Kind == "product" {
				predP = append(predP, e.ID)
			} else {
				predB = append(predB, e.ID)
			}
		}
		for _, id := range ex.Entities {
			if isProductID(id) {
				goldP = append(goldP, id)
			} else {
				goldB = append(goldB, id)
			}
		}
		ev.All.Add(ex.Entities, pred)
		ev.Brands.Add(goldB, predB)
		ev.Products.Add(goldP, predP)
		if m := diff(ex.Entities, pred); len(m.Missing)+len(m.Extra) > 0 {
			m.Text = ex.Text
			ev.Misses = append(ev.Misses, m)
		}
	}
	return ev
}

func isProductID(id string) bool { return strings.Contains(id, "/") }

func diff(gold, pred []string) Miss {
	var m Miss
	g, p := map[string]bool{}, map[string]bool{}
	for _, id := range gold {
		g[id] = true
	}
	for _, id := range pred {
		p[id] = true
		if !g[id] {
			m.Extra = append(m.Extra, id)
		}
	}
	for id := range g {
		if !p[id] {
			m.Missing = append(m.Missing, id)
		}
	}
	sort.Strings(m.Missing)
	return m
}
