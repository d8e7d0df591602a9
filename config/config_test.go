package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGoodConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.good.yml")
	if len(files) == 0 {
		t.Fatal("no good fixtures found")
	}
	for _, f := range files {
		if _, err := Load(f, []string{}); err != nil {
			t.Errorf("Load(%s): %v", f, err)
		}
	}
}

func TestBadConfigs(t *testing.T) {
	want := map[string]string{
		"unknown_field.bad.yml":     "field brokerz not found",
		"broker.bad.yml":            `kafka.brokers[0]: "localhost" is not host:port`,
		"batch_rows.bad.yml":        "clickhouse.batch_rows: must be between 1 and 1000000, got -5",
		"inserts_in_flight.bad.yml": "clickhouse.inserts_in_flight: must be between 1 and 16, got 64",
		"dlq_loop.bad.yml":          "kafka.dlq_topic:",
		"database.bad.yml":          "clickhouse.database:",
		"duration.bad.yml":          "cannot unmarshal",
		"catalog.bad.yml":           "catalog.file: stat testdata/no-such-catalogue.yml",
		"thread.bad.yml":            "catalog.thread_horizon: must be between 1m and 8760h, got 30s",
	}
	files, _ := filepath.Glob("testdata/*.bad.yml")
	if len(files) != len(want) {
		t.Fatalf("found %d bad fixtures; want %d", len(files), len(want))
	}
	for _, f := range files {
		_, err := Load(f, []string{})
		if err == nil {
			t.Errorf("Load(%s): got no error; want one containing %q", f, want[filepath.Base(f)])
			continue
		}
		if !strings.Contains(err.Error(), want[filepath.Base(f)]) {
			t.Errorf("Load(%s): got error %q; want it to contain %q", f, err, want[filepath.Base(f)])
		}
	}
}

func TestFullConfigValues(t *testing.T) {
	c, err := Load("testdata/full.good.yml", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ClickHouse.FlushInterval, 500*time.Millisecond; got != want {
		t.Errorf("clickhouse.flush_interval: got %s; want %s", got, want)
	}
	if *c.ClickHouse.Migrate {
		t.Errorf("clickhouse.migrate: got true; want false")
	}
	if got := c.ClickHouse.InsertsInFlight; got != 3 {
		t.Errorf("clickhouse.inserts_in_flight: got %d; want 3", got)
	}
	if got := c.Kafka.Networks["social.raw.twitter"]; got != "x" {
		t.Errorf("kafka.networks[social.raw.twitter]: got %q; want x", got)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Load("", []string{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Kafka.Brokers, ","); got != "127.0.0.1:9092" {
		t.Errorf("kafka.brokers default: got %s; want 127.0.0.1:9092", got)
	}
	if c.ClickHouse.BatchRows != 20000 || c.ClickHouse.InsertsInFlight != 2 || c.Pipeline.QueueDepth != 4 || !*c.ClickHouse.Migrate {
		t.Errorf("defaults: got batch_rows=%d inserts_in_flight=%d queue_depth=%d migrate=%v; want 20000, 2, 4, true",
			c.ClickHouse.BatchRows, c.ClickHouse.InsertsInFlight, c.Pipeline.QueueDepth, *c.ClickHouse.Migrate)
	}
}

func TestEnvOverrides(t *testing.T) {
	env := []string{
		"RAPPORT_KAFKA_BROKERS=a:1, b:2",
		"RAPPORT_CLICKHOUSE_BATCH_ROWS=7",
		"RAPPORT_CLICKHOUSE_FLUSH_INTERVAL=250ms",
		"RAPPORT_CLICKHOUSE_MIGRATE=false",
		"RAPPORT_CLICKHOUSE_INSERTS_IN_FLIGHT=1",
		"RAPPORT_KAFKA_NETWORKS=t1=x,t2=reddit",
		"UNRELATED=1",
	}
	c, err := Load("testdata/full.good.yml", env)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Kafka.Brokers, ","); got != "a:1,b:2" {
		t.Errorf("kafka.brokers: got %s; want a:1,b:2", got)
	}
	if c.ClickHouse.BatchRows != 7 || c.ClickHouse.FlushInterval != 250*time.Millisecond || *c.ClickHouse.Migrate {
		t.Errorf("clickhouse: got batch_rows=%d flush_interval=%s migrate=%v; want 7, 250ms, false",
			c.ClickHouse.BatchRows, c.ClickHouse.FlushInterval, *c.ClickHouse.Migrate)
	}
	if c.ClickHouse.InsertsInFlight != 1 {
		t.Errorf("clickhouse.inserts_in_flight from env: got %d; want 1", c.ClickHouse.InsertsInFlight)
	}
	if c.Kafka.Networks["t2"] != "reddit" {
		t.Errorf("kafka.networks from env: got %v", c.Kafka.Networks)
	}
	_, err = Load("", []string{"RAPPORT_CLICKHOUSE_BATCH_ROWS=many"})
	if err == nil || !strings.Contains(err.Error(), "clickhouse.batch_rows (from RAPPORT_CLICKHOUSE_BATCH_ROWS)") {
		t.Errorf("bad env value: got %v; want an error naming clickhouse.batch_rows", err)
	}
}

func TestPasswordFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(f, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load("", []string{"RAPPORT_CLICKHOUSE_PASSWORD_FILE=" + f})
	if err != nil {
		t.Fatal(err)
	}
	if c.ClickHouse.Password != "s3cret" {
		t.Errorf("password from file: got %q; want s3cret", c.ClickHouse.Password)
	}
}
