package config

import (
	"strings"
	"testing"
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
