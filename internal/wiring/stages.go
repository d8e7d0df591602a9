package wiring

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/dedup"
	"github.com/rapport-dev/rapport/processors/entities"
	influencestage "github.com/rapport-dev/rapport/processors/influence"
	"github.com/rapport-dev/rapport/processors/link"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// DedupStage builds the deduplication stage, warmed up from the posts ClickHouse holds for each partition
// it is given.
func DedupStage(c *config.Config, conn driver.Conn, reg prometheus.Registerer) processors.Stage {
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

// ThreadConfig is the entities stage's thread inheritance as configured: warmed up from the posts table at
// start, and looking up missed parents there when catalog.thread_lookup is on. conn may be nil (no store).
func ThreadConfig(c *config.Config, conn driver.Conn) entities.ThreadConfig {
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

// InfluenceStage is the pipeline stage that puts the latest author influence on each post.
func InfluenceStage(c *config.Config, conn driver.Conn, reg prometheus.Registerer) processors.Stage {
	return influencestage.New(func(ctx context.Context, after uint64) (*influence.Snapshot, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return influence.LoadStored(ctx, conn, after)
	}, c.Influence.Refresh, reg)
}

// LinkStages returns the author→customer link stage when customers.link is on, else none. The directory
// and the pairs' states are reloaded from ClickHouse (customers, customer_keys, customer_links), which
// `rapport customers import` and `rapport customers sync` (the crm.customers topic) fill.
func LinkStages(c *config.Config, conn driver.Conn, reg prometheus.Registerer) []processors.Stage {
	if !c.Customers.LinkEnabled() {
		return nil
	}
	hasher, err := pii.New([]byte(c.PII.Key))
	if err != nil {
		// Config validation requires the key when linking is on; this is a programming error.
		panic("link stage: " + err.Error())
	}
	opts := identity.MatchOptions{LinkThreshold: c.Customers.LinkThreshold, ReviewThreshold: c.Customers.ReviewThreshold}
	load := func(ctx context.Context) (*identity.Directory, []identity.Link, error) {
		customers, err := clickhouse.LoadCustomers(ctx, conn)
		if err != nil {
			return nil, nil, err
		}
		dir, err := identity.NewDirectory(customers, hasher, opts)
		if err != nil {
			return nil, nil, err
		}
		states, err := clickhouse.LinkStates(ctx, conn, clickhouse.LinkFilter{})
		if err != nil {
			return nil, nil, err
		}
		return dir, states, nil
	}
	write := func(ctx context.Context, links []identity.Link) error { return clickhouse.WriteLinks(ctx, conn, links) }
	return []processors.Stage{link.New(load, write, c.Customers.Refresh, c.Customers.CacheAuthors, reg)}
}
