package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
)

func runCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file (default: defaults and RAPPORT_* environment only)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof); default none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	reg := newRegistry()

	p, conn, err := buildPipeline(ctx, cfg, reg, log)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped while starting: nothing was read yet, so this is a clean stop, not a failure.
			log.Info("stopped before the pipeline started", zap.Error(err))
			return nil
		}
		return err
	}
	defer func() { _ = conn.Close() }()
	stopInfluence := startInfluence(ctx, cfg, conn, log)
	defer stopInfluence()

	httpCtx, stopHTTP := context.WithCancel(context.Background())
	defer stopHTTP()
	waitHTTP, err := serveHTTP(httpCtx, cfg.HTTP.Listen, reg, map[string]readiness{
		"clickhouse": conn.Ping,
		"kafka":      p.Consumer.Client().Ping,
	}, log.With(zap.String("component", "http")))
	if err != nil {
		return fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
	}
	log.Info("rapport running", zap.Strings("brokers", cfg.Kafka.Brokers), zap.String("group", cfg.Kafka.Group),
		zap.Strings("clickhouse", cfg.ClickHouse.Addr), zap.Int("pid", os.Getpid()))
	stopKPI := startKPIRefresher(ctx, cfg, conn, reg, log)
	err = p.Run(ctx)
	closeAlertDelivery(10 * time.Second)
	stopKPI()
	stopHTTP()
	waitHTTP()
	return err
}

// newRegistry returns the process registry with the Go runtime and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
