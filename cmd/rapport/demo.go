package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// demoCmd runs the whole system on this machine: an in-process Kafka (kfake) fed by the simulator, the full
// pipeline, and a ClickHouse that it starts with scripts/clickhouse.sh when none answers. It shows live
// progress and ends with a KPI summary read back from ClickHouse.
func demoCmd(ctx context.Context, args []string) error { return runDemo(ctx, args, os.Stdout) }

func runDemo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	chAddr := fs.String("clickhouse", envOr("RAPPORT_CLICKHOUSE_ADDR", "127.0.0.1:9000"), "ClickHouse native address")
	database := fs.String("database", "rapport_demo", "ClickHouse database; dropped and recreated at start")
	partitions := fs.Int("partitions", 6, "partitions per raw topic")
	logPath := fs.String("log", filepath.Join(os.TempDir(), "rapport-demo.log"), "file for the pipeline's JSON logs")
	httpAddr := fs.String("http", "127.0.0.1:9464", `address of /metrics, /healthz, /readyz; "off" disables`)
	catalogFile := fs.String("catalog", "", "brand and product catalogue; default the simulator's (catalog/sim.yml)")
	insertsInFlight := fs.Int("inserts-in-flight", 2, "ClickHouse inserts running at once while the next accumulates (clickhouse.inserts_in_flight); 1 = one after the other")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the pipeline run to this file (go tool pprof); default none")
	var sf simFlags
	sf.register(fs, 250000)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sf.count <= 0 {
		return errors.New("-count: the demo needs a finite number of records")
	}
	fmt.Fprintf(out, "Rapport demo: %d simulated records (seed %d) → embedded Kafka → pipeline → ClickHouse %s/%s\n",
		sf.count, sf.seed, *chAddr, *database)

	cfg := &config.Config{}
	cfg.ClickHouse.Addr = []string{*chAddr}
	cfg.ClickHouse.Database = *database
	cfg.ClickHouse.InsertsInFlight = *insertsInFlight
	cfg.HTTP.Listen = *httpAddr
	cfg.Brands.Accounts = sim.BrandAccounts()
	catFile, err := demoCatalog(*catalogFile)
	if err != nil {
		return err
	}
	cfg.Catalog.File = catFile
	// Authors are linked to the simulated CRM (imported below), so the loyalty KPIs have customers.
	link := true
	cfg.Customers.Link = &link
	cfg.PII.Key = demoPIIKey
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}

	if err := ensureClickHouse(ctx, connConfig(cfg), out); err != nil {
		return err
	}
	if err := resetDatabase(ctx, connConfig(cfg)); err != nil {
		return err
	}

	logFile, err := os.Create(*logPath)
	if err != nil {
		return fmt.Errorf("creating log file: %w", err)
	}
	defer func() { _ = logFile.Close() }()
	log := zap.New(newJSONCore(logFile))
	defer func() { _ = log.Sync() }()

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(int32(*partitions), append(simTopics, cfg.Kafka.DLQTopic)...))
	if err != nil {
		return fmt.Errorf("starting embedded kafka: %w", err)
	}
	defer cluster.Close()
	cfg.Kafka.Brokers = cluster.ListenAddrs()
	fmt.Fprintf(out, "embedded Kafka at %s; logs in %s\n", strings.Join(cfg.Kafka.Brokers, ","), *logPath)

	reg := newRegistry()
	p, conn, err := buildPipeline(ctx, cfg, reg, log)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	gen := sf.generator()
	customers, err := importDemoCRM(ctx, conn, gen)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "customer directory: %d simulated CRM customers (authors are linked to them as posts arrive)\n", customers)
	httpCtx, stopHTTP := context.WithCancel(context.Background())
	defer stopHTTP()
	if wait, err := serveHTTP(httpCtx, cfg.HTTP.Listen, reg, map[string]readiness{"clickhouse": conn.Ping}, log); err != nil {
		fmt.Fprintf(out, "metrics endpoint off: %v\n", err)
	} else {
		defer func() { stopHTTP(); wait() }()
		if cfg.HTTP.Listen != "off" {
			fmt.Fprintf(out, "metrics at http://%s/metrics\n", cfg.HTTP.Listen)
		}
	}

	producer, err := kgo.NewClient(kgo.SeedBrokers(cfg.Kafka.Brokers...), kgo.ProducerLinger(2*time.Millisecond))
	if err != nil {
		return fmt.Errorf("creating producer: %w", err)
	}
	defer producer.Close()

	var produced atomic.Int64
	prodDone := make(chan error, 1)
	pipeCtx, stopPipe := context.WithCancel(context.Background())
	defer stopPipe()
	pipeDone := make(chan error, 1)
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	start := time.Now()
	go func() { prodDone <- produceStream(ctx, producer, gen, sf.count, sf.rate, &produced, nil) }()
	go func() { err := p.Run(pipeCtx); closeAlertDelivery(10 * time.Second); pipeDone <- err }()

	view := newProgressView(out, sf.count)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var (
		producerFinished bool
		firstQueryable   time.Duration
		milestone        = int64(200000)
	)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "\ninterrupted; stopping")
			stopPipe()
			done = true
		case err := <-prodDone:
			producerFinished = true
			if err != nil && !errors.Is(err, context.Canceled) {
				stopPipe()
				<-pipeDone
				return err
			}
		case err := <-pipeDone:
			return fmt.Errorf("pipeline stopped: %w", err)
		case <-tick.C:
			st := p.Consumer.Stats()
			rows := p.Writer.RowsWritten()
			if firstQueryable == 0 && rows >= milestone && sf.count >= int(milestone) {
				firstQueryable = time.Since(start)
			}
			view.draw(progress{
				elapsed: time.Since(start), produced: produced.Load(), read: st.Records, rows: rows,
				deadLetters: st.DeadLetters, inFlight: p.Consumer.InFlight(), lag: p.Consumer.Lag(),
			})
			if producerFinished && st.Records >= produced.Load() && p.Consumer.InFlight() == 0 {
				done = true
			}
		}
	}
	view.finish()
	stopPipe()
	if err := <-pipeDone; err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	elapsed := time.Since(start)
	stopProfile()
	st := p.Consumer.Stats()
	gs := gen.Stats()
	fmt.Fprintf(out, "\nprocessed %d records in %s (%.0f records/s end to end): %d posts written, %d dead letters\n",
		st.Records, elapsed.Round(time.Millisecond), float64(st.Records)/elapsed.Seconds(), st.Posts, st.DeadLetters)
	if firstQueryable > 0 {
		fmt.Fprintf(out, "the first %d posts were queryable in ClickHouse after %s\n", milestone, firstQueryable.Round(time.Millisecond))
	}
	return printSummary(context.Background(), out, conn, int64(gs.Visible))
}

// ensureClickHouse checks that ClickHouse answers at cfg and, when it does not and the address is local,
// starts the project's ClickHouse with scripts/clickhouse.sh.
func ensureClickHouse(ctx context.Context, cfg clickhouse.ConnConfig, out io.Writer) error {
	probe := cfg
	probe.Database = "default"
	probe.DialTimeout = 2 * time.Second
	if conn, err := clickhouse.Open(ctx, probe, false); err == nil {
		_ = conn.Close()
		return nil
	}
	script, err := findScript("scripts/clickhouse.sh")
	if err != nil {
		return fmt.Errorf("no ClickHouse answers at %v, and %w; start one or run the demo from the repository", cfg.Addr, err)
	}
	fmt.Fprintf(out, "no ClickHouse answers at %v; starting one with %s\n", cfg.Addr, script)
	cmd := exec.CommandContext(ctx, "bash", script, "start")
	cmd.Stdout, cmd.Stderr = out, out
	if host, port, ok := strings.Cut(cfg.Addr[0], ":"); ok && (host == "127.0.0.1" || host == "localhost") {
		cmd.Env = append(os.Environ(), "RAPPORT_CLICKHOUSE_PORT="+port)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("starting clickhouse: %w", err)
	}
	conn, err := clickhouse.Open(ctx, probe, false)
	if err != nil {
		return err
	}
	return conn.Close()
}

// findScript looks for rel in the working directory and its parents, then beside the executable.
func findScript(rel string) (string, error) {
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe), filepath.Dir(filepath.Dir(exe)))
	}
	for _, d := range dirs {
		p := filepath.Join(d, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s was not found", rel)
}

// resetDatabase drops and recreates the demo database, so the summary describes this run only.
func resetDatabase(ctx context.Context, cfg clickhouse.ConnConfig) error {
	admin := cfg
	admin.Database = "default"
	conn, err := clickhouse.Open(ctx, admin, false)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if !clickhouse.ValidIdentifier(cfg.Database) {
		return fmt.Errorf("-database %q is not a plain identifier", cfg.Database)
	}
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+cfg.Database); err != nil {
		return fmt.Errorf("dropping demo database: %w", err)
	}
	return nil
}
