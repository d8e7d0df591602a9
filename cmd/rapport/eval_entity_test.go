package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnalyzeEntitiesAndSignals(t *testing.T) {
	input := strings.Join([]string{
		`{"text": "love the camera but Acme support is a joke", "entities": [{"id": "camera", "text": "camera"}, {"id": "acme", "matched": "Acme support", "start": 20, "end": 32}]}`,
		`{"text": "Switched from Acme to Globex", "entities": [{"id": "acme", "text": "Acme"}, {"id": "globex", "text": "Globex"}, {"id": "initech", "text": "Initech"}]}`,
		`{"text": "Séjour parfait", "lang": "fr", "rating": 5}`,
		`{"text": "bad span", "entities": [{"id": "x", "start": 3, "end": 99}]}`,
	}, "\n") + "\n"
	got := runAnalyze(t, input, maxAnalyzeLine)
	if len(got) != 4 {
		t.Fatalf("got %d output lines for 4 input lines", len(got))
	}
	e := got[0].Entities
	if len(e) != 2 || e[0].Label != "positive" || e[1].Label != "negative" || e[1].Start != 20 || len(e[0].Drivers) == 0 {
		t.Errorf("line 1 entities: got %+v; want camera positive and Acme support negative with drivers", e)
	}
	if !hasSignal(got[0].Signals, "complaint", "acme") || !hasSignal(got[0].Signals, "praise", "camera") {
		t.Errorf("line 1 signals: got %+v; want praise(camera) and complaint(acme)", got[0].Signals)
	}
	if e := got[1].Entities; len(e) != 3 || e[2].InText || e[2].Start != -1 || !e[0].InText {
		t.Errorf("line 2 entities: got %+v; want Initech not in the text (span -1, -1), Acme in it", e)
	}
	if !hasSignal(got[1].Signals, "churn", "acme") {
		t.Errorf("line 2 signals: got %+v; want churn(acme)", got[1].Signals)
	}
	if !got[2].Unscored || !hasSignal(got[2].Signals, "praise", "") {
		t.Errorf("line 3 (French, 5 stars): got %+v; want unscored with the rating's praise", got[2])
	}
	if got[3].Error == "" || got[3].Sentiment != nil {
		t.Errorf("line 4 (span outside the text): got %+v; want an error line", got[3])
	}
}

func hasSignal(ss []analyzeSignal, kind, entity string) bool {
	for _, s := range ss {
		if s.Kind == kind && s.Entity == entity && s.Phrase != "" {
			return true
		}
	}
	return false
}

func TestEvalEntitySentiment(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "set.jsonl")
	set := `{"text": "love the camera but Acme support is a joke", "entities": [{"id": "camera", "text": "camera", "expect": "positive"}, {"id": "acme", "text": "Acme support", "expect": "negative"}], "signals": [{"kind": "praise", "entity": "camera"}, {"kind": "complaint", "entity": "acme"}]}
{"text": "Is the Acme X2 any good?", "entities": [{"id": "x2", "text": "Acme X2", "expect": "positive"}], "signals": [{"kind": "question", "entity": "x2"}, {"kind": "purchase", "entity": "x2"}]}
`
	if err := os.WriteFile(file, []byte(set), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := evalTo(context.Background(), &out, []string{"entities-sentiment", file}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	// 2 of 3 entities right (the X2 question is neutral, labelled positive here on purpose); signals: 3 of 3
	// found, 1 of 4 expected missed (purchase).
	for _, want := range []string{"(2 posts, 3 entities)", "accuracy 0.667", "question       1.000     1.000", "purchase       0.000     0.000", "all            1.000     0.750"} {
		if !strings.Contains(s, want) {
			t.Errorf("eval output lacks %q:\n%s", want, s)
		}
	}
	bad := filepath.Join(dir, "bad.jsonl")
	for _, line := range []string{
		`{"text": "x", "entities": [{"id": "a", "text": "x"}]}`,
		`{"text": "x", "entities": [{"id": "a", "text": "x", "expect": "good"}]}`,
		`{"text": "x", "signals": [{"kind": "love"}]}`,
		`{"text": "x", "colour": "red"}`,
		`not json`,
	} {
		if err := os.WriteFile(bad, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := evalTo(context.Background(), &out, []string{"entities-sentiment", bad}); err == nil {
			t.Errorf("test set line %s: got no error", line)
		}
	}
}
