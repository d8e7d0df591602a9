package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// influenceCmd computes author influence from the stored posts and writes it to author_influence: once, or
// every influence.interval until stopped.
func influenceCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("influence", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file (default: defaults and RAPPORT_* environment only)")
	once := fs.Bool("once", false, "compute once and exit (default: every influence.interval until stopped)")
	full := fs.Bool("full", false, "read the window from every post in it (FROM posts FINAL) instead of the per-day tables, and leave those untouched")
	var window durationFlag
	fs.Var(&window, "window", "posts created this long before now are looked at, e.g. 30d or 72h (default: influence.window)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	if window > 0 {
		if time.Duration(window) < time.Hour {
			return fmt.Errorf("-window: must be at least 1h, got %s", time.Duration(window))
		}
		cfg.Influence.Window = time.Duration(window)
	}
	if _, err := cfg.ClickHouseTLS(); err != nil {
		return err
	}
	log, err := newLogger(cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	conn, err := clickhouse.Open(ctx, connConfig(cfg), *cfg.ClickHouse.Migrate)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if *cfg.ClickHouse.Migrate {
		if _, err := clickhouse.Migrate(ctx, conn, log.With(zap.String("component", "migrate"))); err != nil {
			return err
		}
	}
	ilog := log.With(zap.String("component", "influence"))
	for {
		if err := computeInfluence(ctx, conn, cfg.Influence, *full, time.Now(), os.Stdout, ilog); err != nil {
			if *once || ctx.Err() != nil {
				return err
			}
			ilog.Error("computing author influence; will retry at the next interval", zap.Error(err))
		}
		if *once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(cfg.Influence.Interval):
		}
	}
}

// computeInfluence runs one computation over the window ending at now and stores it: it brings the per-day
// tables up to date and assembles the window from them, or with full reads every post of the window. It
// writes a summary line to out when out is not nil.
func computeInfluence(ctx context.Context, conn driver.Conn, c config.Influence, full bool, now time.Time, out io.Writer, log *zap.Logger) error {
	start := time.Now()
	w := influence.Window{From: now.Add(-c.Window), To: now, HalfLife: c.HalfLife}
	var (
		authors []influence.Author
		links   []influence.Link
		err     error
	)
	if full {
		authors, links, err = influence.Load(ctx, conn, w)
	} else {
		var st influence.DaysStats
		authors, links, st, err = influence.NewDays(conn, influence.DaysConfig{Slack: c.Slack, Retain: c.Retain}).Load(ctx, w)
		if err == nil {
			log.Info("influence days refreshed", zap.Bool("rebuild", st.Rebuild), zap.Int("handle_days", st.HandleDays),
				zap.Int("graph_days", st.GraphDays), zap.Int("holders_changed", st.Holders), zap.Int("handle_parts", st.HandleParts), zap.Strings("dropped", st.Dropped), zap.Time("watermark", st.Watermark),
				zap.Duration("refresh", st.Refresh), zap.Duration("read", st.ReadWindow))
		}
	}
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	res, err := influence.Compute(authors, links, influence.Options{})
	if err != nil {
		return err
	}
	computed := time.Since(start) - loaded
	if err := influence.Write(ctx, conn, res, w, now); err != nil {
		return err
	}
	log.Info("author influence computed", zap.Int("authors", len(res.Scores)), zap.Int("graph_nodes", res.Nodes),
		zap.Int("graph_edges", res.Edges), zap.Int("pagerank_iterations", res.PageRank.Iterations),
		zap.Bool("pagerank_converged", res.PageRank.Converged), zap.Duration("load", loaded), zap.Duration("compute", computed),
		zap.Duration("total", time.Since(start)), zap.Time("window_start", w.From), zap.Time("window_end", w.To))
	if out != nil {
		fmt.Fprintf(out, "author influence: %d authors scored (%d networks), graph %d nodes / %d edges, PageRank %d iterations (converged %v), window %s .. %s, took %s\n",
			len(res.Scores), len(res.Networks), res.Nodes, res.Edges, res.PageRank.Iterations, res.PageRank.Converged,
			w.From.UTC().Format(time.RFC3339), w.To.UTC().Format(time.RFC3339), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// startInfluence recomputes author influence every influence.interval in its own goroutine, so that the
// pipeline never waits for it; a failed computation is logged and retried at the next interval, and a
// computation is skipped when the stored one is younger than the interval (another process made it). It
// does nothing when influence.compute is off. The returned function stops the goroutine and waits for it.
func startInfluence(ctx context.Context, cfg *config.Config, conn driver.Conn, log *zap.Logger) (stop func()) {
	if !*cfg.Influence.Compute {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		log := log.With(zap.String("component", "influence"))
		for {
			// Several members of a consumer group share one database: a member skips a computation that
			// another one made less than an interval ago.
			last, err := influence.LastComputed(ctx, conn)
			if err == nil && time.Since(last) < cfg.Influence.Interval*9/10 {
				log.Debug("author influence is recent; skipping this computation", zap.Time("last", last))
			} else if err := computeInfluence(ctx, conn, cfg.Influence, false, time.Now(), nil, log); err != nil && ctx.Err() == nil {
				log.Warn("computing author influence; will retry at the next interval", zap.Error(err))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(cfg.Influence.Interval):
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// durationFlag is a duration that also accepts whole days ("30d").
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := parseDays(s)
	if err != nil {
		return err
	}
	*d = durationFlag(v)
	return nil
}

// parseDays parses a Go duration, or a whole number of days written Nd.
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("%q is not a number of days such as 30d", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 30d or 72h", s)
	}
	return v, nil
}
