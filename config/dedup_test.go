package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/processors/dedup"
)

func TestDedupDefaults(t *testing.T) {
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Dedup.Stage(), dedup.DefaultConfig(); got != want {
		t.Errorf("dedup defaults: got %+v; want the stage's defaults %+v", got, want)
	}
}

func TestDedupFullConfig(t *testing.T) {
	c, err := Load("testdata/dedup/full.good.yml", []string{"RAPPORT_DEDUP_CROSS_THRESHOLD=0.95"})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Dedup.Stage()
	want := dedup.Config{
		Horizon: 2 * time.Hour, MaxRedeliveryEntries: 500000, MaxTextEntries: 100000, Threshold: 0.7, MinWords: 5,
		ShortWords: 10, LongWords: 40, MaxCandidates: 32, ClusterAuthors: 3, ClusterWindow: 30 * time.Minute,
		NewAccount: 720 * time.Hour, FewFollowers: 20, SpamAuthors: 4, SpamWindow: 2 * time.Hour,
		CrossWindow: 10 * time.Minute, CrossThreshold: 0.95, CrossExactWords: 20,
	}
	if got != want {
		t.Errorf("dedup section: got %+v; want %+v", got, want)
	}
}

func TestDedupBadConfigs(t *testing.T) {
	want := map[string]string{
		"threshold.bad.yml":   "dedup.threshold: must be in (0, 1], got 1.5",
		"short_words.bad.yml": "dedup.short_words: must be at least dedup.min_words (8), got 6",
		"horizon.bad.yml":     "dedup.horizon: must be a positive duration, got -1h0m0s",
	}
	files, _ := filepath.Glob("testdata/dedup/*.bad.yml")
	if len(files) != len(want) {
		t.Fatalf("found %d bad dedup fixtures; want %d", len(files), len(want))
	}
	for _, f := range files {
		_, err := Load(f, []string{})
		if err == nil || !strings.Contains(err.Error(), want[filepath.Base(f)]) {
			t.Errorf("Load(%s): got error %v; want one containing %q", f, err, want[filepath.Base(f)])
		}
	}
	if _, err := Load("", []string{"RAPPORT_DEDUP_THRESHOLD=high"}); err == nil || !strings.Contains(err.Error(), "dedup.threshold") {
		t.Errorf("RAPPORT_DEDUP_THRESHOLD=high: got error %v; want one naming dedup.threshold", err)
	}
}
