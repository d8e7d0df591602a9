package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/identity"
	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// demoPIIKey hashes e-mails and phones in the demo database only. It is no secret: the demo's data is
// simulated and its database is dropped at every start. Real deployments set pii.key (see docs/OPERATIONS.md).
const demoPIIKey = "rapport-demo-key-not-a-secret"

// importDemoCRM stores the simulator's CRM export in the customer directory through the same CSV reader as
// `rapport customers import`, so that the link stage ties authors to customers and the loyalty KPIs have
// customers to measure. It returns the number of customers stored.
func importDemoCRM(ctx context.Context, conn driver.Conn, gen *sim.Generator) (int, error) {
	h, err := pii.New([]byte(demoPIIKey))
	if err != nil {
		return 0, err
	}
	var export bytes.Buffer
	if err := sim.WriteCRM(&export, gen.CRM(sim.CRMOptions{})); err != nil {
		return 0, fmt.Errorf("writing the simulated CRM export: %w", err)
	}
	now := time.Now()
	var customers []identity.Customer
	n, bad, err := identity.ReadCustomersCSV(&export, identity.DefaultCSVMapping(), h, uint64(now.UnixMilli()), now,
		func(c identity.Customer) error {
			customers = append(customers, c)
			return nil
		})
	if err != nil {
		return 0, fmt.Errorf("reading the simulated CRM export: %w", err)
	}
	if len(bad) > 0 {
		return 0, fmt.Errorf("simulated CRM export has %d bad rows, first: %v", len(bad), bad[0])
	}
	for len(customers) > 0 {
		k := min(len(customers), customerBatch)
		if err := clickhouse.WriteCustomers(ctx, conn, customers[:k]); err != nil {
			return 0, fmt.Errorf("storing the simulated CRM: %w", err)
		}
		customers = customers[k:]
	}
	return n, nil
}
