package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/identity"
)

// WriteCustomers inserts customer versions into customers and customer_keys in one batch each. A deleted
// customer is a row with deleted = 1 and its version.
func WriteCustomers(ctx context.Context, conn driver.Conn, cs []identity.Customer) error {
	if len(cs) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, `INSERT INTO customers (customer_id, name, email_hmacs, phone_hmacs, city, region,
		country, handles, consent, segment, lifetime_value, deleted, version, updated_at)`)
	if err != nil {
		return fmt.Errorf("preparing customers insert: %w", err)
	}
	for _, c := range cs {
		if err := b.Append(c.ID, c.Name, nonNil(c.EmailHMACs), nonNil(c.PhoneHMACs), c.City, c.Region, c.Country,
			nonNil(c.Handles), boolByte(c.Consent), c.Segment, c.LifetimeValue, boolByte(c.Deleted), c.Version,
			updatedAt(c.UpdatedAt)); err != nil {
			_ = b.Abort()
			return fmt.Errorf("adding customer %s: %w", c.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("inserting customers: %w", err)
	}
	k, err := conn.PrepareBatch(ctx, "INSERT INTO customer_keys (customer_id, email_local_hmacs, websites, version)")
	if err != nil {
		return fmt.Errorf("preparing customer_keys insert: %w", err)
	}
	for _, c := range cs {
		if err := k.Append(c.ID, nonNil(c.LocalHMACs), nonNil(c.Websites), c.Version); err != nil {
			_ = k.Abort()
			return fmt.Errorf("adding keys of customer %s: %w", c.ID, err)
		}
	}
	if err := k.Send(); err != nil {
		return fmt.Errorf("inserting customer_keys: %w", err)
	}
	return nil
}

func updatedAt(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return t
}

// LoadCustomers returns the current version of every customer that is not deleted, with its matching keys.
func LoadCustomers(ctx context.Context, conn driver.Conn) ([]identity.Customer, error) {
	type keys struct {
		local, sites []string
		version      uint64
	}
	extra := map[string]keys{}
	rows, err := conn.Query(ctx, "SELECT customer_id, email_local_hmacs, websites, version FROM customer_keys FINAL")
	if err != nil {
		return nil, fmt.Errorf("reading customer_keys: %w", err)
	}
	for rows.Next() {
		var id string
		var k keys
		if err := rows.Scan(&id, &k.local, &k.sites, &k.version); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading customer_keys: %w", err)
		}
		extra[id] = k
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading customer_keys: %w", err)
	}
	rows, err = conn.Query(ctx, `SELECT customer_id, name, email_hmacs, phone_hmacs, city, region, country, handles,
		consent, segment, lifetime_value, version, updated_at FROM customers FINAL WHERE deleted = 0`)
	if err != nil {
		return nil, fmt.Errorf("reading customers: %w", err)
	}
	defer rows.Close()
	var out []identity.Customer
	for rows.Next() {
		var c identity.Customer
		var consent uint8
		if err := rows.Scan(&c.ID, &c.Name, &c.EmailHMACs, &c.PhoneHMACs, &c.City, &c.Region, &c.Country, &c.Handles,
			&consent, &c.Segment, &c.LifetimeValue, &c.Version, &c.UpdatedAt); err != nil {
			return nil, fmt.Errorf("reading customers: %w", err)
		}
		c.Consent = consent == 1
		if k, ok := extra[c.ID]; ok && k.version == c.Version {
			c.LocalHMACs, c.Websites = k.local, k.sites
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// WriteLinks inserts link decisions into customer_links in one batch.
func WriteLinks(ctx context.Context, conn driver.Conn, links []identity.Link) error {
	if len(links) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, `INSERT INTO customer_links (network, author_id, customer_id, status, probability,
		evidence, decided_by, version, updated_at)`)
	if err != nil {
		return fmt.Errorf("preparing customer_links insert: %w", err)
	}
	for _, l := range links {
		if err := b.Append(l.Network, l.AuthorID, l.CustomerID, l.Status, l.Probability, nonNil(l.Evidence),
			l.DecidedBy, l.Version, updatedAt(l.UpdatedAt)); err != nil {
			_ = b.Abort()
			return fmt.Errorf("adding link %s/%s→%s: %w", l.Network, l.AuthorID, l.CustomerID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("inserting customer_links: %w", err)
	}
	return nil
}

// LinkFilter selects link rows; empty fields select everything.
type LinkFilter struct {
	Network    string
	AuthorID   string
	CustomerID string
	Status     string
	Limit      int // 0: no limit
}

func (f LinkFilter) where() (string, []any) {
	clause, args := " WHERE 1 = 1", []any{}
	for _, c := range []struct{ col, v string }{{"network", f.Network}, {"author_id", f.AuthorID}, {"customer_id", f.CustomerID}} {
		if c.v != "" {
			clause += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	return clause, args
}

const linkColumns = "network, author_id, customer_id, status, probability, evidence, decided_by, version, updated_at"

// LinkStates returns the current state (latest version) of every pair the filter selects, most probable
// first. The status filter applies to the current state.
func LinkStates(ctx context.Context, conn driver.Conn, f LinkFilter) ([]identity.Link, error) {
	where, args := f.where()
	q := "SELECT " + linkColumns + " FROM customer_links FINAL" + where
	if f.Status != "" {
		q += " AND status = ?"
		args = append(args, f.Status)
	}
	q += " ORDER BY probability DESC, network, author_id, customer_id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return queryLinks(ctx, conn, q, args)
}

// LinkHistory returns every version of the pairs the filter selects, oldest first.
func LinkHistory(ctx context.Context, conn driver.Conn, f LinkFilter) ([]identity.Link, error) {
	where, args := f.where()
	q := "SELECT DISTINCT " + linkColumns + " FROM customer_links" + where + " ORDER BY network, author_id, customer_id, version"
	return queryLinks(ctx, conn, q, args)
}

func queryLinks(ctx context.Context, conn driver.Conn, q string, args []any) ([]identity.Link, error) {
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading customer_links: %w", err)
	}
	defer rows.Close()
	var out []identity.Link
	for rows.Next() {
		var l identity.Link
		if err := rows.Scan(&l.Network, &l.AuthorID, &l.CustomerID, &l.Status, &l.Probability, &l.Evidence,
			&l.DecidedBy, &l.Version, &l.UpdatedAt); err != nil {
			return nil, fmt.Errorf("reading customer_links: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
