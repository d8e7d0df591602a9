package main

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/entities"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// threadConfig is the entities stage's thread inheritance as configured: warmed up from the posts table at
// start, and looking up missed parents there when catalog.thread_lookup is on. conn may be nil (no store).
func threadConfig(c *config.Config, conn driver.Conn) entities.ThreadConfig {
	tc := entities.ThreadConfig{Horizon: c.Catalog.ThreadHorizon, MaxPosts: c.Catalog.ThreadMaxPosts}
	if conn == nil || tc.MaxPosts <= 0 {
		return tc
	}
	tc.Warm = func(ctx context.Context, since time.Time, limit int) ([]entities.Remembered, error) {
		rows, err := clickhouse.RecentEntities(ctx, conn, since, limit)
		return remembered(rows), err
	}
	if c.Catalog.ThreadLookup == nil || *c.Catalog.ThreadLookup {
		tc.Lookup = func(ctx context.Context, network post.Network, ids []string) ([]entities.Remembered, error) {
			rows, err := clickhouse.PostEntities(ctx, conn, string(network), ids)
			return remembered(rows), err
		}
	}
	return tc
}

// remembered converts stored rows; a row whose arrays disagree in length keeps the entities all of them cover.
func remembered(rows []clickhouse.ThreadPost) []entities.Remembered {
	out := make([]entities.Remembered, 0, len(rows))
	for _, r := range rows {
		n := min(len(r.IDs), len(r.Brands), len(r.Kinds), len(r.Competitor))
		m := entities.Remembered{UID: r.UID, Time: r.CreatedAt.UnixMilli(), Entities: make([]entities.ThreadEntity, n)}
		for i := 0; i < n; i++ {
			m.Entities[i] = entities.ThreadEntity{ID: r.IDs[i], Brand: r.Brands[i], Kind: post.EntityKind(r.Kinds[i]), Competitor: r.Competitor[i] != 0}
		}
		out = append(out, m)
	}
	return out
}
