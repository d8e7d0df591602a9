package seed_test

import (
	"context"
	"testing"

	"github.com/rapport-dev/rapport/dashboards/internal/seed"
	"github.com/rapport-dev/rapport/internal/testenv"
)

func TestID(t *testing.T) {
	for in, want := range map[string]string{"Acme": "acme", "Bean & Co": "bean-and-co", "Acme Pulse 3": "acme-pulse-3",
		"Bean & Co Nitro Cold Brew": "bean-and-co-nitro-cold-brew", "Fluxbank app": "fluxbank-app"} {
		if got := seed.ID(in); got != want {
			t.Errorf("ID(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestLoad(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	res, err := seed.Load(ctx, conn, seed.Config{Records: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if !res.To.After(res.From) || res.Posts < 2500 || len(res.Brands) != 5 {
		t.Fatalf("result %+v: want a time range, at least 2500 posts and 5 brands", res)
	}
	counts := map[string]uint64{}
	for name, q := range map[string]string{
		"visible":   "SELECT count() FROM posts FINAL WHERE deleted = 0",
		"entities":  "SELECT count() FROM posts FINAL WHERE deleted = 0 AND length(entity_ids) > 0",
		"scored":    "SELECT count() FROM posts FINAL WHERE deleted = 0 AND sentiment_scored = 1",
		"brand":     "SELECT count() FROM posts FINAL WHERE deleted = 0 AND author_brand = 1",
		"reposts":   "SELECT count() FROM posts FINAL WHERE deleted = 0 AND dup_level = 2",
		"customers": "SELECT count() FROM customers FINAL WHERE deleted = 0",
		"links":     "SELECT count() FROM customer_links FINAL",
		"influence": "SELECT count() FROM author_influence FINAL",
		"firing":    "SELECT count() FROM alerts FINAL WHERE state = 'firing'",
	} {
		var n uint64
		if err := conn.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		counts[name] = n
		if n == 0 {
			t.Errorf("%s: no rows", q)
		}
	}
	if counts["visible"] > uint64(res.Posts) || counts["links"] != counts["customers"] {
		t.Errorf("counts %v for %d posts written: want visible <= written and one link per customer", counts, res.Posts)
	}
	t.Logf("%d post rows, %v", res.Posts, counts)
}
