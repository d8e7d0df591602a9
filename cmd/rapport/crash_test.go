package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sim"
)

// TestCrashRecovery kills `rapport run` with SIGKILL several times while the simulator is writing to the real
// broker, restarts it each time, and checks that ClickHouse queries then see exactly the distinct posts
// produced: nothing lost, nothing doubled.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test is long; skipped with -short")
	}
	brokers := testenv.Kafka(t)
	conn, chCfg := testenv.ClickHouse(t)
	name := testenv.Name(t)
	ns := name + "."

	bin := filepath.Join(t.TempDir(), "rapport")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building rapport: %v", err)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerLinger(2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	var topics []string
	for _, tp := range simTopics {
		topics = append(topics, ns+tp)
	}
	if _, err := kadm.NewClient(cl).CreateTopics(ctx, 6, 1, nil, append(topics, ns+"social.dlq")...); err != nil {
		t.Fatalf("creating topics: %v", err)
	}

	env := append(os.Environ(),
		"RAPPORT_KAFKA_BROKERS="+brokers[0],
		"RAPPORT_KAFKA_GROUP="+name,
		"RAPPORT_KAFKA_TOPIC_PATTERN=^"+regexp.QuoteMeta(ns+"social.raw."),
		"RAPPORT_KAFKA_DLQ_TOPIC="+ns+"social.dlq",
		"RAPPORT_KAFKA_COMMIT_INTERVAL=200ms",
		"RAPPORT_KAFKA_SESSION_TIMEOUT=6s",
		"RAPPORT_CLICKHOUSE_ADDR="+chCfg.Addr[0],
		"RAPPORT_CLICKHOUSE_DATABASE="+chCfg.Database,
		"RAPPORT_CLICKHOUSE_FLUSH_INTERVAL=200ms",
		"RAPPORT_CLICKHOUSE_BATCH_ROWS=2000",
		"RAPPORT_HTTP_LISTEN=off",
		"RAPPORT_LOG_LEVEL=warn",
	)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "rapport.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "run")
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting rapport run: %v", err)
		}
		return cmd
	}

	// The producer writes while the pipeline is being killed.
	const total = 40000
	gen := sim.New(sim.Config{Seed: 11, DuplicateRate: 0.03, MalformedRate: 0.01})
	prodDone := make(chan error, 1)
	go func() {
		for i := 0; i < total; i++ {
			rec := gen.Next()
			cl.Produce(ctx, &kgo.Record{Topic: ns + rec.Topic, Key: rec.Key, Value: rec.Value}, nil)
			if i%1000 == 999 {
				time.Sleep(200 * time.Millisecond) // ~5k records/s: the stream goes on while the kills happen
			}
		}
		prodDone <- cl.Flush(ctx)
	}()

	// Each run is killed shortly after it has written something, so every kill lands mid-stream: with
	// batches in the stages, inserts in flight and offsets not yet committed.
	const kills = 5
	rng := rand.New(rand.NewPCG(11, 11))
	rowCount := func() uint64 {
		var rows uint64
		_ = conn.QueryRow(ctx, "SELECT count() FROM posts").Scan(&rows)
		return rows
	}
	for i := 0; i < kills; i++ {
		before := rowCount()
		cmd := start()
		for wait := time.Now().Add(60 * time.Second); rowCount() == before && time.Now().Before(wait); {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Duration(100+rng.IntN(600)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill -9: %v", err)
		}
		_ = cmd.Wait()
		t.Logf("kill -9 #%d: %d rows in ClickHouse so far", i+1, rowCount())
	}
	if err := <-prodDone; err != nil {
		t.Fatalf("producing: %v", err)
	}

	// The last run must finish the stream by itself, then stop gracefully on SIGTERM.
	cmd := start()
	adm := kadm.NewClient(cl)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		lag, err := adm.Lag(ctx, name)
		if err == nil {
			if l, ok := lag[name]; ok && l.Error() == nil && l.Lag.Total() == 0 && len(l.Lag) > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the group did not catch up within 3 minutes")
		}
		time.Sleep(300 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("rapport run after SIGTERM: %v", err)
	}

	st := gen.Stats()
	var final, distinct, raw uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM posts FINAL WHERE deleted = 0").Scan(&final); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT uniqExact(network, post_id), count() FROM posts").Scan(&distinct, &raw); err != nil {
		t.Fatal(err)
	}
	t.Logf("produced %d records (%d distinct posts, %d redeliveries, %d malformed); ClickHouse: %d rows stored (before FINAL), %d distinct, %d visible with FINAL",
		total, st.Unique, st.Duplicates, st.Malformed, raw, distinct, final)
	if distinct != uint64(st.Unique) {
		t.Errorf("distinct posts in ClickHouse: got %d; want %d (%+d)", distinct, st.Unique, int64(distinct)-int64(st.Unique))
	}
	if final != uint64(st.Visible) {
		t.Errorf("queries see %d posts; want %d, the distinct posts produced less the %d deleted at their source", final, st.Visible, st.Deletes)
	}
	fmt.Fprintf(os.Stderr, "crash test: %d kill -9, %d distinct posts produced (%d deleted at the source), %d distinct in ClickHouse, %d visible (want %d)\n",
		kills, st.Unique, st.Deletes, distinct, final, st.Visible)
}
