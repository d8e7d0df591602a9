package main

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/dedup"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// dedupStage builds the deduplication stage, warmed up from the posts ClickHouse holds for each partition it
// is given.
func dedupStage(c *config.Config, conn driver.Conn, reg prometheus.Registerer) processors.Stage {
	limit := c.Dedup.MaxRedeliveryEntries
	load := func(ctx context.Context, topic string, partition int32, since time.Time) ([]*post.Post, error) {
		return clickhouse.RecentPosts(ctx, conn, topic, partition, since, limit)
	}
	s, err := dedup.New(c.Dedup.Stage(), load, reg)
	if err != nil {
		// config.Validate checks the section with the same rules before anything is built.
		panic("dedup configuration passed validation but the stage refused it: " + err.Error())
	}
	return s
}
