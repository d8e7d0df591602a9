package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// scoreLine returns precision, recall and F1 of the row named name in eval output.
func scoreLine(t *testing.T, out, name string) (p, r, f float64) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, name+" ") {
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, name))
		if len(fields) != 6 {
			t.Fatalf("row %q: %d fields", line, len(fields))
		}
		var v [3]float64
		for i := range v {
			x, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				t.Fatalf("row %q: %v", line, err)
			}
			v[i] = x
		}
		return v[0], v[1], v[2]
	}
	t.Fatalf("no row %q in:\n%s", name, out)
	return 0, 0, 0
}

func TestEvalEntities(t *testing.T) {
	var out bytes.Buffer
	dir := filepath.Join("..", "..", "catalog", "testdata")
	args := []string{"entities", "-sim", "3000", "-catalog", filepath.Join(dir, "real.yml"), "-posts", filepath.Join(dir, "posts.jsonl"), "-v"}
	if err := evalTo(context.Background(), &out, args); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"Simulator truth:", "3000 records", "With thread inheritance (horizon 72h0m0s", "Labelled posts:", "(131 posts", "posts with an error:"} {
		if !strings.Contains(s, want) {
			t.Errorf("eval output lacks %q:\n%s", want, s)
		}
	}
	// Floors well below the measured numbers: they catch a broken recognizer, not a small regression.
	if p, r, _ := scoreLine(t, s, "brand, posts that name it"); p < 0.95 || r < 0.9 {
		t.Errorf("simulator brands: precision %.3f recall %.3f", p, r)
	}
	// Thread inheritance finds the brand of replies that do not name it: recall over all posts rises well
	// above recognition alone, at much the same precision.
	_, own, _ := scoreLine(t, s, "brand, all posts")
	if p, r, _ := scoreLine(t, s, "brand, all posts, threads"); p < 0.95 || r < own+0.2 {
		t.Errorf("simulator brands with threads: precision %.3f recall %.3f (%.3f without)", p, r, own)
	}
	if _, r, _ := scoreLine(t, s, "  posts with inherited entities"); r < 0.9 {
		t.Errorf("simulator brands inherited: recall %.3f", r)
	}
	if p, r, _ := scoreLine(t, s, "all entities"); p < 0.9 || r < 0.9 {
		t.Errorf("labelled posts: precision %.3f recall %.3f", p, r)
	}
}

func TestEvalEntitiesBadInput(t *testing.T) {
	var out bytes.Buffer
	err := evalTo(context.Background(), &out, []string{"entities", "-sim", "0", "-catalog", "no-such.yml"})
	if err == nil || !strings.Contains(err.Error(), "-catalog") {
		t.Fatalf("got %v; want an error naming -catalog", err)
	}
	err = evalTo(context.Background(), &out, []string{"entities", "-sim", "0", "-catalog", filepath.Join("..", "..", "catalog", "testdata", "real.yml"), "-posts", "no-such.jsonl"})
	if err == nil || !strings.Contains(err.Error(), "-posts") {
		t.Fatalf("got %v; want an error naming -posts", err)
	}
}
