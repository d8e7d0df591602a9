package identity

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// febrlDir finds the Febrl data sets: $RAPPORT_TEST_FEBRL, or ../shared/datasets/matching/febrl next to the
// module root. Without them the test skips, except under CI=true where it fails.
func febrlDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("RAPPORT_TEST_FEBRL")
	if dir == "" {
		root, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for root != filepath.Dir(root) {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			root = filepath.Dir(root)
		}
		dir = filepath.Join(root, "..", "shared", "datasets", "matching", "febrl")
	}
	if _, err := os.Stat(filepath.Join(dir, "dataset1.csv")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Febrl data sets not found in %s (set RAPPORT_TEST_FEBRL): %v", dir, err)
		}
		t.Skipf("Febrl data sets not found in %s (set RAPPORT_TEST_FEBRL to run this test): %v", dir, err)
	}
	return dir
}

// loadFebrl reads one Febrl deduplication file with roles detected from its header and the entity of
// each record taken from its id (rec-<entity>-org, rec-<entity>-dup-<n>).
func loadFebrl(t testing.TB, path string) (*Dataset, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	tab, err := ReadTable(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDataset(Input{Table: tab, IDColumn: "rec_id", Columns: DetectRoles(tab)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^rec-(\d+)-`)
	entity := make([]string, len(d.Records))
	for i, r := range d.Records {
		if m := re.FindStringSubmatch(r.ID); m != nil {
			entity[i] = m[1]
		}
	}
	return d, entity
}

func TestFebrl(t *testing.T) {
	dir := febrlDir(t)
	for _, name := range []string{"dataset1.csv", "dataset2.csv", "dataset3.csv"} {
		t.Run(name, func(t *testing.T) {
			d, entity := loadFebrl(t, filepath.Join(dir, name))
			res, err := Match(context.Background(), d, Options{})
			if err != nil {
				t.Fatal(err)
			}
			m := Evaluate(d, res, entity)
			t.Logf("%s: records %d, candidates %d, true pairs %d, blocking recall %.4f, linked %d, review %d, precision %.4f, recall %.4f, F1 %.4f",
				name, m.Records, m.Candidates, m.TruePairs, m.BlockingRecall, m.Linked, m.Review, m.Precision, m.Recall, m.F1)
			if m.F1 < 0.99 {
				t.Errorf("F1 %.4f; want ≥ 0.99", m.F1)
			}
			if m.BlockingRecall < 0.995 {
				t.Errorf("blocking recall %.4f; want ≥ 0.995", m.BlockingRecall)
			}
			// Nine passes apply to Febrl, each pairing a record with at most DefaultWindow-1 others.
			if max := len(d.Records) * 9 * (DefaultWindow - 1); m.Candidates > max {
				t.Errorf("candidate pairs %d; want ≤ %d", m.Candidates, max)
			}
		})
	}
}
