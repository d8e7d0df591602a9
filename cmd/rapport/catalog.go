package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// loadCatalog loads the configured catalogue, stores its entities in catalog_entities and returns its
// recognizer; nil when no catalogue is configured.
func loadCatalog(ctx context.Context, c *config.Config, conn driver.Conn, log *zap.Logger) (*catalog.Recognizer, error) {
	if c.Catalog.File == "" {
		return nil, nil
	}
	cat, err := catalog.Load(c.Catalog.File)
	if err != nil {
		return nil, err
	}
	ents := cat.Entities()
	if err := clickhouse.WriteCatalog(ctx, conn, ents, time.Now()); err != nil {
		return nil, err
	}
	log.Info("catalogue loaded", zap.String("component", "catalog"), zap.String("file", c.Catalog.File),
		zap.Int("brands", len(cat.Brands)), zap.Int("entities", len(ents)))
	return cat.Recognizer(), nil
}

// demoCatalog returns the catalogue file of the demo: path when given, else the simulator's built-in
// catalogue written to a temporary file.
func demoCatalog(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	// Written under a temporary name and renamed, so a demo starting at the same moment never reads half.
	f := filepath.Join(os.TempDir(), "rapport-demo-catalog.yml")
	tmp, err := os.CreateTemp(os.TempDir(), "rapport-demo-catalog-*.yml")
	if err != nil {
		return "", fmt.Errorf("writing the demo catalogue: %w", err)
	}
	_, err = tmp.Write(catalog.SimYAML())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("writing the demo catalogue: %w", err)
	}
	return f, nil
}
