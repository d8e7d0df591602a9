package main

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/link"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// linkStages returns the author→customer link stage when customers.link is on, else none. The directory
// and the pairs' states are reloaded from ClickHouse (customers, customer_keys, customer_links), which
// `rapport customers import` and `rapport customers sync` (the crm.customers topic) fill.
func linkStages(c *config.Config, conn driver.Conn, reg prometheus.Registerer) []processors.Stage {
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
