package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/sentiment"
)

func runAnalyze(t *testing.T, input string, maxLine int) []analyzeOutput {
	t.Helper()
	a, err := sentiment.New()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := analyzeStream(context.Background(), a, strings.NewReader(input), &out, "en", maxLine); err != nil {
		t.Fatalf("analyze: %v", err)
	}
	var got []analyzeOutput
	for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var o analyzeOutput
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("output line %d %q is not JSON: %v", i+1, line, err)
		}
		got = append(got, o)
	}
	return got
}

func TestAnalyzeOneLinePerInput(t *testing.T) {
	p := post.Post{SchemaVersion: 1, Network: post.NetworkX, ID: "1701", Text: "I love this brand!", Lang: "en", CreatedAt: time.Unix(0, 0)}
	canonical, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	input := strings.Join([]string{
		"The service was awful :(",
		string(canonical),
		`{"text": "not good at all", "lang": "en-GB"}`,
		`{"text": "broken json`,
		`{"lang": "en"}`,
		`{"text": "c'est génial", "lang": "fr"}`,
		"",
		`{"text": "#NotHappy", "lang": "und"}`,
		"the meeting is at noon",
	}, "\n") + "\n"
	got := runAnalyze(t, input, maxAnalyzeLine)
	if len(got) != 9 {
		t.Fatalf("got %d output lines for 9 input lines: %+v", len(got), got)
	}
	f := func(i int, label sentiment.Label, wantErr string, unscored bool) {
		t.Helper()
		o := got[i]
		if o.Line != i+1 {
			t.Errorf("line %d: numbered %d", i+1, o.Line)
		}
		if wantErr != "" {
			if !strings.Contains(o.Error, wantErr) || o.Sentiment != nil {
				t.Errorf("line %d: got %+v; want error containing %q", i+1, o, wantErr)
			}
			return
		}
		if o.Error != "" {
			t.Errorf("line %d: unexpected error %q", i+1, o.Error)
		}
		if o.Unscored != unscored || (unscored && o.Sentiment != nil) {
			t.Errorf("line %d: got unscored %v sentiment %+v; want unscored %v", i+1, o.Unscored, o.Sentiment, unscored)
		}
		if !unscored && (o.Sentiment == nil || o.Sentiment.Label != label || o.Sentiment.ModelVersion != sentiment.ModelVersion) {
			t.Errorf("line %d: got sentiment %+v; want label %s", i+1, o.Sentiment, label)
		}
	}
	f(0, sentiment.Negative, "", false)
	f(1, sentiment.Positive, "", false)
	f(2, sentiment.Negative, "", false)
	f(3, "", "decoding JSON", false)
	f(4, "", `no "text"`, false)
	f(5, "", "", true)
	f(6, "", "empty line", false)
	f(7, sentiment.Negative, "", false)
	f(8, sentiment.Neutral, "", false)
	if got[1].ID != "1701" || got[1].Network != "x" || got[1].Lang != "en" {
		t.Errorf("canonical post: got id %q network %q lang %q", got[1].ID, got[1].Network, got[1].Lang)
	}
	if len(got[1].Drivers) != 1 || got[1].Drivers[0].Token != "love" {
		t.Errorf("canonical post drivers: %+v", got[1].Drivers)
	}
	if p := got[1].Sentiment.Probabilities; p == nil || p.Positive <= p.Negative || p.Positive <= p.Neutral {
		t.Errorf("canonical post probabilities: %+v", p)
	}
	if got[5].Lang != "fr" || got[7].Lang != "en" {
		t.Errorf("langs: got %q and %q; want fr and en", got[5].Lang, got[7].Lang)
	}
}

func TestAnalyzeOverlongLine(t *testing.T) {
	input := "good\n" + strings.Repeat("x", 100) + "\nbad\n" + strings.Repeat("y", 300) + "\nok then\r\nthe last line is great"
	got := runAnalyze(t, input, 64)
	want := []string{"positive", "error", "negative", "error", "neutral", "positive"}
	if len(got) != len(want) {
		t.Fatalf("got %d lines %+v; want %d", len(got), got, len(want))
	}
	for i, w := range want {
		switch {
		case w == "error" && !strings.Contains(got[i].Error, "longer than 64"):
			t.Errorf("line %d: got %+v; want an over-long line error", i+1, got[i])
		case w != "error" && (got[i].Sentiment == nil || string(got[i].Sentiment.Label) != w):
			t.Errorf("line %d: got %+v; want %s", i+1, got[i], w)
		}
	}
}

func TestAnalyzeCmdRejectsArguments(t *testing.T) {
	if err := analyzeCmd(context.Background(), []string{"file.txt"}); err == nil || !strings.Contains(err.Error(), "stdin") {
		t.Errorf("analyze file.txt: got %v; want an error about stdin", err)
	}
}
