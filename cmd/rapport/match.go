package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/identity"
)

// matchCmd links the records of two CSV files, or finds the duplicates within one, and writes one JSON line
// per pair at or above the review threshold.
func matchCmd(ctx context.Context, args []string) error {
	return runMatch(ctx, args, os.Stdout, os.Stderr)
}

// matchLine is one output line: a pair, its score, the decision and the evidence per field.
type matchLine struct {
	Left        string              `json:"left"`
	Right       string              `json:"right"`
	Probability float64             `json:"probability"`
	Weight      float64             `json:"weight"`
	Decision    identity.Decision   `json:"decision"`
	Evidence    []identity.Evidence `json:"evidence"`
}

func runMatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	leftPath := fs.String("left", "", "CSV file to deduplicate, or the left side of a linkage (required)")
	rightPath := fs.String("right", "", "CSV file to link the left file with; empty deduplicates the left file")
	mapSpec := fs.String("map", "", "role=column,… (role=leftcol:rightcol when the files differ); empty detects roles from column names")
	idCol := fs.String("id", "", "column holding record identifiers (leftcol:rightcol when the files differ); empty uses row numbers")
	truth := fs.String("truth", "", "evaluate against the truth: a column naming the entity, or a regular expression on the id whose first group names it, e.g. 'rec-(\\d+)-'")
	outPath := fs.String("out", "", "write pairs to this file instead of standard output")
	linkAt := fs.Float64("link", identity.DefaultLinkThreshold, "match probability at or above which a pair is linked")
	reviewAt := fs.Float64("review", identity.DefaultReviewThreshold, "match probability at or above which a pair is sent to review")
	window := fs.Int("window", identity.DefaultWindow, "sorted-neighbourhood window of every blocking pass")
	showModel := fs.Bool("model", false, "print the fitted model (m, u and weight per field and level) to standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *leftPath == "" {
		return errors.New("-left is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	start := time.Now()
	mapping, err := identity.ParseMapping(*mapSpec)
	if err != nil {
		return err
	}
	left, err := readTable(*leftPath)
	if err != nil {
		return err
	}
	leftID, rightID, two := strings.Cut(*idCol, ":")
	if !two {
		rightID = leftID
	}
	lin := identity.Input{Table: left, IDColumn: leftID, Columns: mapping.Left}
	if len(mapping.Left) == 0 {
		lin.Columns = identity.DetectRoles(left)
	}
	var rin *identity.Input
	var right *identity.Table
	if *rightPath != "" {
		if right, err = readTable(*rightPath); err != nil {
			return err
		}
		rin = &identity.Input{Table: right, IDColumn: rightID, Columns: mapping.Right}
		if len(mapping.Right) == 0 {
			rin.Columns = identity.DetectRoles(right)
		}
	}
	d, err := identity.NewDataset(lin, rin)
	if err != nil {
		return err
	}
	var entity []string
	if *truth != "" {
		if entity, err = truthEntities(*truth, d, left, right); err != nil {
			return err
		}
	}
	res, err := identity.Match(ctx, d, identity.Options{Window: *window, LinkThreshold: *linkAt, ReviewThreshold: *reviewAt})
	if err != nil {
		return err
	}

	var written int
	if *outPath == "" {
		written, err = writePairs(stdout, d, res)
	} else {
		written, err = writePairsFile(*outPath, d, res)
	}
	if err != nil {
		return err
	}

	fmt.Fprintf(stderr, "records %d, fields %v, candidate pairs %d, written %d (link ≥ %g, review ≥ %g), %s\n",
		len(d.Records), d.Roles(), len(res.Pairs), written, res.Options.LinkThreshold, res.Options.ReviewThreshold, time.Since(start).Round(time.Millisecond))
	if *showModel && res.Model != nil {
		printModel(stderr, res.Model)
	}
	if entity != nil {
		m := identity.Evaluate(d, res, entity)
		fmt.Fprintf(stderr, "true pairs %d, kept by blocking %d (blocking recall %.4f), linked %d, correct %d, review %d\n",
			m.TruePairs, m.Blocked, m.BlockingRecall, m.Linked, m.Correct, m.Review)
		fmt.Fprintf(stderr, "precision %.4f recall %.4f F1 %.4f\n", m.Precision, m.Recall, m.F1)
	}
	return nil
}

// writePairsFile writes the pairs to a new file at path; see writePairs.
func writePairsFile(path string, d *identity.Dataset, res *identity.Result) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := writePairs(f, d, res)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing pairs: %w", cerr)
	}
	return n, err
}

// writePairs writes one JSON line per pair decided link or review, in candidate order, and returns how
// many it wrote.
func writePairs(w io.Writer, d *identity.Dataset, res *identity.Result) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	written := 0
	for i, p := range res.Pairs {
		if p.Decision == identity.DecisionNonLink {
			continue
		}
		line := matchLine{
			Left: d.Records[p.A].ID, Right: d.Records[p.B].ID,
			Probability: round(p.Probability, 6), Weight: round(p.Weight, 3),
			Decision: p.Decision, Evidence: res.Evidence(d, i),
		}
		for e := range line.Evidence {
			line.Evidence[e].Weight = round(line.Evidence[e].Weight, 3)
		}
		if err := enc.Encode(line); err != nil {
			return written, fmt.Errorf("writing pairs: %w", err)
		}
		written++
	}
	if err := bw.Flush(); err != nil {
		return written, fmt.Errorf("writing pairs: %w", err)
	}
	return written, nil
}

func readTable(path string) (*identity.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	t, err := identity.ReadTable(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// truthEntities names the entity of every record of d: from a column when spec names one in every
// input, otherwise from the first group (or the whole match) of spec as a regular expression on the id.
// Records the expression does not match get no entity and count as matching nothing.
func truthEntities(spec string, d *identity.Dataset, tables ...*identity.Table) ([]string, error) {
	entity := make([]string, 0, len(d.Records))
	isColumn := true
	for _, t := range tables {
		if t != nil && t.Column(spec) < 0 {
			isColumn = false
		}
	}
	if isColumn {
		for _, t := range tables {
			if t == nil {
				continue
			}
			c := t.Column(spec)
			for _, row := range t.Rows {
				entity = append(entity, row[c])
			}
		}
		return entity, nil
	}
	re, err := regexp.Compile(spec)
	if err != nil {
		return nil, fmt.Errorf("-truth %q: not a column of every input, nor a regular expression: %w", spec, err)
	}
	for _, r := range d.Records {
		m := re.FindStringSubmatch(r.ID)
		switch {
		case m == nil:
			entity = append(entity, "")
		case len(m) > 1:
			entity = append(entity, m[1])
		default:
			entity = append(entity, m[0])
		}
	}
	return entity, nil
}

func printModel(w io.Writer, m *identity.Model) {
	fmt.Fprintf(w, "model: λ %.5f, %d EM iterations (converged %v)\n", m.Lambda, m.Iterations, m.Converged)
	for f, name := range m.Fields {
		for l, level := range m.Levels[f] {
			fmt.Fprintf(w, "  %-14s %-10s m %.4f  u %.6f  weight %+7.2f\n", name, level, m.M[f][l], m.U[f][l], m.Weight(f, l))
		}
	}
}

// round rounds x to digits decimals, for readable output.
func round(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}
