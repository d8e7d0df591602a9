package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEvalInfluenceSmall(t *testing.T) {
	var out bytes.Buffer
	args := []string{"influence", "-seed", "3", "-authors", "300", "-rate", "0.05", "-history", "2d", "-window", "1d", "-compare-weights", "0.1,0.8,0.1"}
	if err := evalTo(context.Background(), &out, args); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"seed 3, 300 authors", "weights were fixed on seed 1", "network    authors   active      score  followers", "0.10,0.80,0.10"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// The X row and the pooled row carry correlations in [-1, 1] for the score and the follower baseline.
	for _, name := range []string{"x", "all"} {
		var row []string
		for _, line := range strings.Split(text, "\n") {
			if f := strings.Fields(line); len(f) == 8 && f[0] == name {
				row = f
				break
			}
		}
		if row == nil {
			t.Fatalf("no %s row in:\n%s", name, text)
		}
		for _, col := range row[3:5] {
			v, err := strconv.ParseFloat(col, 64)
			if err != nil || v < -1 || v > 1 {
				t.Errorf("%s row %v: %q is not a correlation", name, row, col)
			}
		}
	}
	out.Reset()
	if err := evalTo(context.Background(), &out, []string{"influence", "-seed", "1", "-authors", "100", "-rate", "0.02", "-history", "1d", "-window", "1d"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "NOTE: seed 1 is the seed the weights were checked on") {
		t.Errorf("reporting on the tuning seed is not flagged:\n%s", out.String())
	}
}

func TestEvalInfluenceBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"influence", "-compare-weights", "1,2"},
		{"influence", "-compare-weights", "1,0,0"},
		{"influence", "-window", "soon"},
		{"influence", "-authors", "3"},
	} {
		if err := evalTo(context.Background(), &bytes.Buffer{}, args); err == nil {
			t.Errorf("eval %v: got no error", args)
		}
	}
}

func TestParseDays(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 720 * time.Hour, "1d": 24 * time.Hour, "72h": 72 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := parseDays(in); err != nil || got != want {
			t.Errorf("parseDays(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-3d", "0d", "1.5d", "soon", "-1h"} {
		if _, err := parseDays(in); err == nil {
			t.Errorf("parseDays(%q): got no error", in)
		}
	}
}

func TestInfluenceCmdRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-window", "30m", "-once"}, {"-window", "x"}, {"extra"}} {
		if err := influenceCmd(context.Background(), args); err == nil {
			t.Errorf("influence %v: got no error", args)
		}
	}
}
