package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/internal/testenv"
)

// TestDemo runs the demo end to end on a small stream and checks that its summary reports every generated
// post stored exactly once.
func TestDemo(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t) // skips, or fails under CI, without ClickHouse
	db := testenv.Name(t)
	defer func() { _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db) }()
	var out bytes.Buffer
	err := runDemo(context.Background(), []string{
		"-count", "20000", "-clickhouse", cfg.Addr[0], "-database", db, "-http", "off",
		"-log", filepath.Join(t.TempDir(), "demo.log"),
	}, &out)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"processed 20000 records", "none lost, none doubled", "top hashtags", "first response time"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	if !regexp.MustCompile(`produced [\d,]+ +read [\d,]+ +rows in ClickHouse`).MatchString(text) {
		t.Errorf("demo output has no progress line:\n%s", text)
	}
	// Authors are linked to the simulated CRM, so every brand's headline row has a customer loyalty index
	// (a number, not "–"), and the links are stored.
	if !regexp.MustCompile(`customer directory: [1-9][\d]* simulated CRM customers`).MatchString(text) {
		t.Errorf("demo output does not report the simulated CRM:\n%s", text)
	}
	if rows := regexp.MustCompile(`(?m)^ +acme +[\d,]+ .* [\d.]+ +[\d.]+$`).FindString(text); rows == "" {
		t.Errorf("acme's headline row has no trust and loyalty index:\n%s", text)
	}
	var links uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+db+".customer_links WHERE status = 'auto'").Scan(&links); err != nil || links == 0 {
		t.Errorf("automatic customer links stored: %d, %v; want some", links, err)
	}
}

func TestSimulateWritesTheStream(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	truth := filepath.Join(t.TempDir(), "truth.jsonl")
	if err := simulateCmd(context.Background(), []string{"-brokers", brokers, "-count", "3000", "-seed", "4", "-partitions", "2", "-truth", truth}); err != nil {
		t.Fatalf("simulate: %v", err)
	}
	data, err := os.ReadFile(truth)
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(l, `{"incident"`) {
			continue
		}
		if !strings.Contains(l, `"post_id"`) {
			t.Errorf("truth line without post_id: %s", l)
		}
		lines++
	}
	if lines != 3000 {
		t.Errorf("truth has %d record lines; want 3000, one per record", lines)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), simTopics...)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	perTopic := map[string]int64{}
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset; perTopic[o.Topic] += o.Offset })
	if total != 3000 {
		t.Errorf("topics hold %d records (%v); want 3000", total, perTopic)
	}
	for _, topic := range simTopics {
		if perTopic[topic] == 0 {
			t.Errorf("topic %s is empty; want the simulator to write every network", topic)
		}
	}
}
