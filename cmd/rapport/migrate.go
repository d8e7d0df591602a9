package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

func migrateCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "YAML configuration file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(ctx, connConfig(cfg), true)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	n, err := clickhouse.Migrate(ctx, conn, log)
	if err != nil {
		return err
	}
	all, _ := clickhouse.Migrations()
	fmt.Printf("applied %d migration(s); schema of database %s is at version %d\n", n, cfg.ClickHouse.Database, all[len(all)-1].Version)
	return nil
}
