// Package clickhouse is the ClickHouse sink: connection setup, ordered schema migrations, and the writer that
// inserts canonical posts in native batches and acknowledges them back to ingest once ClickHouse has them.
//
// SQL here stays in the subset shared by ClickHouse 18.16 and current releases: explicit insert columns,
// client-side positional binding, no DateTime64, TTL, Map or JSON types.
package clickhouse

import (
	"context"
	"crypto/tls"
	"fmt"
	"regexp"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ConnConfig says how to reach ClickHouse.
type ConnConfig struct {
	Addr        []string      // native-protocol host:port list; default 127.0.0.1:9000
	Database    string        // default "rapport"
	Username    string        // default "default"
	Password    string        // default empty
	TLS         *tls.Config   // nil: plain TCP
	DialTimeout time.Duration // default 5s
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidIdentifier reports whether s can be used unquoted as a database or table name.
func ValidIdentifier(s string) bool { return identRe.MatchString(s) }

func (c ConnConfig) withDefaults() ConnConfig {
	if len(c.Addr) == 0 {
		c.Addr = []string{"127.0.0.1:9000"}
	}
	if c.Database == "" {
		c.Database = "rapport"
	}
	if c.Username == "" {
		c.Username = "default"
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 5 * time.Second
	}
	return c
}

// Open connects to the configured database and checks that it answers. With create set, it first creates
// the database if it does not exist (which needs a user allowed to).
func Open(ctx context.Context, cfg ConnConfig, create bool) (driver.Conn, error) {
	cfg = cfg.withDefaults()
	if !ValidIdentifier(cfg.Database) {
		return nil, fmt.Errorf("clickhouse database name %q is not a plain identifier", cfg.Database)
	}
	if create {
		conn, err := open(ctx, cfg, "default")
		if err != nil {
			return nil, err
		}
		err = conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+cfg.Database)
		_ = conn.Close()
		if err != nil {
			return nil, fmt.Errorf("creating database %s: %w", cfg.Database, err)
		}
	}
	return open(ctx, cfg, cfg.Database)
}

func open(ctx context.Context, cfg ConnConfig, database string) (driver.Conn, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        cfg.Addr,
		Auth:        clickhouse.Auth{Database: database, Username: cfg.Username, Password: cfg.Password},
		TLS:         cfg.TLS,
		DialTimeout: cfg.DialTimeout,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to clickhouse %v: %w", cfg.Addr, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	if err := conn.Ping(pingCtx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("connecting to clickhouse %v database %s: %w", cfg.Addr, database, err)
	}
	return conn, nil
}
