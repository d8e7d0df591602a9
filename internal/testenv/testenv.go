// Package testenv gives integration tests the real services they need: ClickHouse and a Kafka broker.
//
// Addresses come from RAPPORT_TEST_CLICKHOUSE (default 127.0.0.1:9000) and RAPPORT_TEST_KAFKA (default
// 127.0.0.1:19092, the broker scripts/kafka.sh starts). When a service does not answer, the test is skipped
// with a message saying how to start it, except under CI=true, where it fails: CI never passes by skipping.
package testenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// Unavailable skips t, or fails it under CI=true, because service is not reachable.
func Unavailable(t testing.TB, service string, err error) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available (%v); start it with `scripts/services.sh start` or run `make test`", service, err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " — under CI=true a missing service is a failure")
	}
	t.Skip(msg)
}

// ClickHouseAddr returns the address of the test ClickHouse.
func ClickHouseAddr() string {
	if a := os.Getenv("RAPPORT_TEST_CLICKHOUSE"); a != "" {
		return a
	}
	return "127.0.0.1:9000"
}

// KafkaBrokers returns the seed brokers of the test Kafka.
func KafkaBrokers() []string {
	if a := os.Getenv("RAPPORT_TEST_KAFKA"); a != "" {
		return strings.Split(a, ",")
	}
	return []string{"127.0.0.1:19092"}
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// Name returns a unique identifier-safe name derived from the test's name, for databases, topics and groups.
func Name(t testing.TB) string {
	base := strings.ToLower(nonIdent.ReplaceAllString(t.Name(), "_"))
	if len(base) > 40 {
		base = base[:40]
	}
	return fmt.Sprintf("t_%s_%06x", base, rand.IntN(1<<24))
}

// ClickHouse returns a connection to a fresh, migrated database of the test ClickHouse, and its config. The
// database is dropped when the test ends, unless RAPPORT_TEST_KEEP is set.
func ClickHouse(t testing.TB) (driver.Conn, clickhouse.ConnConfig) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := clickhouse.ConnConfig{Addr: []string{ClickHouseAddr()}, Database: Name(t), DialTimeout: 3 * time.Second}
	conn, err := clickhouse.Open(ctx, cfg, true)
	if err != nil {
		Unavailable(t, "ClickHouse at "+ClickHouseAddr(), err)
	}
	if _, err := clickhouse.Migrate(ctx, conn, nil); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	t.Cleanup(func() {
		defer func() { _ = conn.Close() }()
		if os.Getenv("RAPPORT_TEST_KEEP") != "" {
			t.Logf("keeping ClickHouse database %s", cfg.Database)
			return
		}
		if err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfg.Database); err != nil {
			t.Errorf("dropping test database: %v", err)
		}
	})
	return conn, cfg
}

// Kafka checks that the test broker answers and returns its seed brokers.
func Kafka(t testing.TB) []string {
	t.Helper()
	brokers := KafkaBrokers()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatalf("creating kafka client: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		Unavailable(t, "Kafka at "+strings.Join(brokers, ","), err)
	}
	return brokers
}
