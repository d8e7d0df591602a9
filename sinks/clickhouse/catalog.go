package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/catalog"
)

// WriteCatalog stores the catalogue's entities in catalog_entities, one row each, versioned by loadedAt so
// the latest load wins when the table merges. Entities dropped from the catalogue keep their last row:
// posts written while they were known still name them.
func WriteCatalog(ctx context.Context, conn driver.Conn, entities []catalog.Entity, loadedAt time.Time) error {
	if len(entities) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, "INSERT INTO catalog_entities (entity_id, brand, kind, name, competitor, aliases, version, loaded_at)")
	if err != nil {
		return fmt.Errorf("writing the catalogue: %w", err)
	}
	version := uint64(loadedAt.UnixMilli())
	for _, e := range entities {
		var competitor uint8
		if e.Competitor {
			competitor = 1
		}
		aliases := e.Aliases
		if aliases == nil {
			aliases = []string{}
		}
		if err := b.Append(e.ID, e.Brand, string(e.Kind), e.Name, competitor, aliases, version, loadedAt); err != nil {
			_ = b.Abort()
			return fmt.Errorf("writing the catalogue entity %s: %w", e.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("writing the catalogue: %w", err)
	}
	return nil
}
