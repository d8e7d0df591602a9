package config

import (
	"strings"
	"testing"
	"time"
)

func TestCatalogFile(t *testing.T) {
	c, err := Load("", []string{"RAPPORT_CATALOG_FILE=testdata/full.good.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Catalog.File != "testdata/full.good.yml" {
		t.Fatalf("catalog.file: got %q", c.Catalog.File)
	}
	if _, err := Load("", []string{"RAPPORT_CATALOG_FILE=testdata"}); err == nil || !strings.Contains(err.Error(), `catalog.file: "testdata" is a directory`) {
		t.Fatalf("got %v; want an error naming catalog.file", err)
	}
	c, err = Load("", []string{})
	if err != nil || c.Catalog.File != "" {
		t.Fatalf("default: %q, %v", c.Catalog.File, err)
	}
}

func TestCatalogThreads(t *testing.T) {
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Catalog.ThreadHorizon != 72*time.Hour || c.Catalog.ThreadMaxPosts != 500000 || !*c.Catalog.ThreadLookup {
		t.Fatalf("defaults: got %s, %d, %v; want 72h, 500000, true", c.Catalog.ThreadHorizon, c.Catalog.ThreadMaxPosts, *c.Catalog.ThreadLookup)
	}
	c = &Config{}
	if err := Parse([]byte("catalog:\n  thread_horizon: 6h\n  thread_max_posts: -1\n  thread_lookup: false\n"), c); err != nil {
		t.Fatal(err)
	}
	c.SetDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Catalog.ThreadHorizon != 6*time.Hour || c.Catalog.ThreadMaxPosts != -1 || *c.Catalog.ThreadLookup {
		t.Fatalf("parsed: got %s, %d, %v", c.Catalog.ThreadHorizon, c.Catalog.ThreadMaxPosts, *c.Catalog.ThreadLookup)
	}
	for env, want := range map[string]string{
		"RAPPORT_CATALOG_THREAD_HORIZON=10s":      "catalog.thread_horizon: must be between 1m and 8760h, got 10s",
		"RAPPORT_CATALOG_THREAD_HORIZON=9000h":    "catalog.thread_horizon: must be between 1m and 8760h",
		"RAPPORT_CATALOG_THREAD_MAX_POSTS=-5":     "catalog.thread_max_posts: must be -1 (off) or between 1 and 100000000, got -5",
		"RAPPORT_CATALOG_THREAD_MAX_POSTS=2e9":    "RAPPORT_CATALOG_THREAD_MAX_POSTS",
		"RAPPORT_CATALOG_THREAD_LOOKUP=sometimes": "RAPPORT_CATALOG_THREAD_LOOKUP",
	} {
		if _, err := Load("", []string{env}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v; want an error containing %q", env, err, want)
		}
	}
}
