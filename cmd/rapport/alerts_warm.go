package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/post"
)

// alertsWarmup is the alerting stage's warm-up after a start: a replay of alerts.history of stored posts
// (every brand at once; hours without posts skipped, consecutive hours read together up to 200,000 posts) and, when the stage writes the alerts table, the alerts it
// delivered before. Nil without ClickHouse or with the history off.
func alertsWarmup(a config.Alerts, conn driver.Conn, log *zap.Logger) *alerting.Warmup {
	if conn == nil || a.History < 0 {
		return nil
	}
	w := &alerting.Warmup{History: a.History, Chunk: time.Hour, Log: log,
		Load: func(ctx context.Context, from, to time.Time, fn func(*post.Post) error) error {
			return storedPosts(ctx, conn, "", from, to, fn)
		},
		Hours: func(ctx context.Context, from, to time.Time) ([]alerting.HourCount, error) {
			return storedPostHours(ctx, conn, from, to)
		}}
	if a.ClickHouse != nil && *a.ClickHouse {
		w.Prior = func(ctx context.Context, resolvedSince time.Time) ([]alerting.PriorAlert, error) {
			return priorAlerts(ctx, conn, resolvedSince)
		}
	}
	return w
}

// storedPostHours counts the stored posts of [from, to) per hour (without FINAL: the counts only size the
// replay's reads), hours without posts left out.
func storedPostHours(ctx context.Context, conn driver.Conn, from, to time.Time) ([]alerting.HourCount, error) {
	rows, err := conn.Query(ctx, `SELECT toStartOfHour(created_at) AS h, count() FROM posts
		WHERE created_at >= ? AND created_at < ? GROUP BY h ORDER BY h`, from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("counting posts per hour: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []alerting.HourCount
	for rows.Next() {
		var h alerting.HourCount
		if err := rows.Scan(&h.Hour, &h.Posts); err != nil {
			return nil, fmt.Errorf("counting posts per hour: %w", err)
		}
		h.Hour = h.Hour.UTC()
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting posts per hour: %w", err)
	}
	return out, nil
}

// priorAlerts reads from the alerts table the alerts still open and those resolved at or after
// resolvedSince, each at its latest notice.
func priorAlerts(ctx context.Context, conn driver.Conn, resolvedSince time.Time) ([]alerting.PriorAlert, error) {
	rows, err := conn.Query(ctx, `SELECT alert_id, brand, product, network, severity, state, started_at, fired_at,
		resolved_at, negative, total, score FROM alerts FINAL WHERE state = 'firing' OR resolved_at >= ?`, resolvedSince.UTC())
	if err != nil {
		return nil, fmt.Errorf("reading alerts: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []alerting.PriorAlert
	for rows.Next() {
		var (
			p                                alerting.PriorAlert
			brand, product, network, sev, st string
			started, fired, resolved         time.Time
			negative, total                  uint32
			score                            float32
		)
		if err := rows.Scan(&p.ID, &brand, &product, &network, &sev, &st, &started, &fired, &resolved,
			&negative, &total, &score); err != nil {
			return nil, fmt.Errorf("reading alerts: %w", err)
		}
		p.Scope = alerting.Scope{Brand: brand, Product: product, Network: network}
		p.Severity, p.Peak = alerting.ParseSeverity(sev), float64(score)
		p.StartedAt, p.FiredAt = started.UTC(), fired.UTC()
		if st == "resolved" {
			p.ResolvedAt = resolved.UTC()
		}
		p.Negative, p.Total = int(negative), int(total)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading alerts: %w", err)
	}
	return out, nil
}
