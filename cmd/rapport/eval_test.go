package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalSentimentTweetEval(t *testing.T) {
	var out bytes.Buffer
	dir := filepath.Join("..", "..", "processors", "sentiment", "testdata", "tweeteval")
	if err := evalTo(context.Background(), &out, []string{"sentiment", "-dataset", dir, "-format", "tweeteval", "-rules-only"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(6 texts)", "labels: rules only", "negative", "neutral", "positive", "macro-recall 1.000", "accuracy 1.000", "0.57 macro-recall"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
	// The text file names the split too; the default labels come from the learned layer.
	out.Reset()
	if err := evalTo(context.Background(), &out, []string{"sentiment", "-dataset", filepath.Join(dir, "val_text.txt")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(6 texts)", "labels: learned layer", "macro-recall"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestEvalCmd(t *testing.T) {
	dir := filepath.Join("..", "..", "processors", "sentiment", "testdata", "vader", "tinySnippets_GroundTruth.txt")
	if err := evalCmd(context.Background(), []string{"sentiment", "-dataset", dir, "-format", "vader"}); err != nil {
		t.Fatal(err)
	}
}

func TestEvalSentimentSnippets(t *testing.T) {
	var out bytes.Buffer
	dir := filepath.Join("..", "..", "processors", "sentiment", "testdata", "vader")
	if err := evalTo(context.Background(), &out, []string{"sentiment", "-dataset", dir, "-fit-neutral"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tinySnippets_GroundTruth.txt", "Pearson r", "Amazon 0.565, movies 0.451, NYT 0.492", "no other file to fit on", "fitted on all files"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestEvalSentimentErrors(t *testing.T) {
	f := func(args []string, want string) {
		t.Helper()
		err := evalTo(context.Background(), &bytes.Buffer{}, args)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("eval %q: got %v; want an error containing %q", args, err, want)
		}
	}
	f(nil, "usage")
	f([]string{"loyalty"}, "usage")
	f([]string{"sentiment"}, "-dataset is required")
	f([]string{"sentiment", "-dataset", "x", "-format", "csv"}, "tweeteval or vader")
	f([]string{"sentiment", "-dataset", filepath.Join(t.TempDir(), "missing")}, "no such file")
}
