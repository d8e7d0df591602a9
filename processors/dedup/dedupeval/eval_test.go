package dedupeval_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport-dev/rapport/processors/dedup/dedupeval"
)

// TestStageMeetsTheQualityBar scores the stage's defaults on a simulated stream (seed 3, not the one the
// defaults were chosen on): precision at least 0.99 and recall at least 0.95 at every level.
func TestStageMeetsTheQualityBar(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and scores 60000 records")
	}
	r, err := dedupeval.Run(context.Background(), dedupeval.Options{Seed: 3, Records: 60000})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"redelivery", "repost", "near_text", "cross_network"} {
		c := r.Levels[l]
		if c.TP == 0 {
			t.Errorf("%s: no true positives; the stream should hold some", l)
		}
		if c.Precision() < 0.99 || c.Recall() < 0.95 {
			t.Errorf("%s: precision %.4f, recall %.4f (TP %d, FP %d, FN %d); want at least 0.99 and 0.95",
				l, c.Precision(), c.Recall(), c.TP, c.FP, c.FN)
		}
	}
	if t.Failed() || testing.Verbose() {
		var b strings.Builder
		r.Print(&b)
		t.Log("\n" + b.String())
	}
}
