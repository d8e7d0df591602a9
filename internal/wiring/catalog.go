package wiring

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// LoadCatalog loads the configured catalogue, stores its entities in catalog_entities and returns its
// recognizer; nil when no catalogue is configured.
func LoadCatalog(ctx context.Context, c *config.Config, conn driver.Conn, log *zap.Logger) (*catalog.Recognizer, error) {
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
