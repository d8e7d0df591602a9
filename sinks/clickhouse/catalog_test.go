package clickhouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

func TestWriteCatalog(t *testing.T) {
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	c, err := catalog.Parse(catalog.SimYAML())
	if err != nil {
		t.Fatal(err)
	}
	first := time.Now().Add(-time.Minute).Truncate(time.Second)
	if err := clickhouse.WriteCatalog(ctx, conn, c.Entities(), first); err != nil {
		t.Fatal(err)
	}
	// A second load renames one entity; the latest load wins.
	ents := c.Entities()
	ents[0].Name = "Acme Corp"
	if err := clickhouse.WriteCatalog(ctx, conn, ents, first.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM (SELECT entity_id FROM catalog_entities FINAL)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(ents) {
		t.Fatalf("catalog_entities has %d entities; want %d", n, len(ents))
	}
	var name, brand, kind string
	var competitor uint8
	var aliases []string
	row := conn.QueryRow(ctx, "SELECT name, brand, kind, competitor, aliases FROM catalog_entities FINAL WHERE entity_id = ?", ents[0].ID)
	if err := row.Scan(&name, &brand, &kind, &competitor, &aliases); err != nil {
		t.Fatal(err)
	}
	if name != "Acme Corp" || brand != "acme" || kind != "brand" || competitor != 0 {
		t.Fatalf("got %q %q %q %d", name, brand, kind, competitor)
	}
	row = conn.QueryRow(ctx, "SELECT kind, competitor, aliases FROM catalog_entities FINAL WHERE entity_id = 'zentro/z9'")
	if err := row.Scan(&kind, &competitor, &aliases); err != nil {
		t.Fatal(err)
	}
	if kind != "product" || competitor != 1 || len(aliases) != 2 {
		t.Fatalf("zentro/z9: %q %d %v", kind, competitor, aliases)
	}
}
