package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rapport-dev/rapport/identity"
)

// TestEvalLinks runs the link evaluation on a small simulated stream (another seed than the one reported)
// and holds automatic links to the 0.98 precision the project promises.
func TestEvalLinks(t *testing.T) {
	tally, err := runLinkEval(context.Background(), 2, 5000, 30000, 0.4, identity.MatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tally.Authors == 0 || tally.Linkable == 0 || tally.Auto < 50 {
		t.Fatalf("the evaluation exercised too little: %+v", tally)
	}
	if p := ratio(tally.AutoCorrect, tally.Auto); p < 0.98 {
		t.Errorf("precision of automatic links %.4f; want at least 0.98 (%+v)", p, tally)
	}
	if tally.AutoRule == 0 || tally.Auto == tally.AutoRule {
		t.Errorf("want both deterministic and probabilistic links: %+v", tally)
	}
	var out bytes.Buffer
	if err := evalTo(context.Background(), &out, []string{"links", "-seed", "2", "-authors", "3000", "-count", "5000"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"automatic links:", "precision", "recall of automatic links:", "review queue:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval links output lacks %q:\n%s", want, out.String())
		}
	}
}
