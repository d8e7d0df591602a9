package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/kpi"
)

// startKPIRefresher runs the KPI rollup refresher in its own goroutine, next to the pipeline and never in
// its way, when kpi.refresh is on. The returned function stops it and waits until it has.
func startKPIRefresher(ctx context.Context, c *config.Config, conn driver.Conn, reg prometheus.Registerer, log *zap.Logger) (stop func()) {
	if !*c.KPI.Refresh {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	r := kpi.NewRefresher(conn, kpi.RefresherConfig{Interval: c.KPI.RefreshInterval, Slack: c.KPI.RefreshSlack}, reg,
		log.With(zap.String("component", "kpi")))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// printKPIHeadline brings the KPI rollups up to date and prints the headline KPIs of the most mentioned
// brands over the whole range of the stored posts.
func printKPIHeadline(ctx context.Context, w io.Writer, conn driver.Conn) error {
	if _, err := kpi.NewRefresher(conn, kpi.RefresherConfig{}, nil, nil).Refresh(ctx); err != nil {
		return fmt.Errorf("refreshing KPI rollups: %w", err)
	}
	var from, to time.Time
	if err := conn.QueryRow(ctx, `SELECT min(hour), max(hour) FROM kpi_hourly`).Scan(&from, &to); err != nil {
		return fmt.Errorf("reading KPI range: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT brand FROM kpi_hourly FINAL WHERE product = '' AND competitor = 0
		GROUP BY brand HAVING sum(opinions) > 0 ORDER BY sum(opinions) DESC, brand LIMIT 3`)
	if err != nil {
		return fmt.Errorf("reading brands: %w", err)
	}
	var brands []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return fmt.Errorf("reading brands: %w", err)
		}
		brands = append(brands, b)
	}
	rows.Close()
	fmt.Fprintln(w, "\n── Headline KPIs (docs/KPIS.md) ──────────────────────────────────────")
	if len(brands) == 0 {
		fmt.Fprintln(w, "no stored post mentions a watched catalogue brand yet")
		return nil
	}
	q := kpi.Query{From: from, To: to.Add(time.Hour)}
	names := []string{kpi.Opinions, kpi.NetSentiment, kpi.NPSProxy, kpi.ShareOfVoice, kpi.ResponseRate, kpi.FirstResponseMedian, kpi.TrustIndex, kpi.LoyaltyIndex}
	eng := kpi.NewEngine(conn)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"brand"}
	for _, n := range names {
		d, _ := kpi.Lookup(n)
		head = append(head, d.Title)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, b := range brands {
		q.Brand = b
		v, err := eng.Values(ctx, q, names)
		if err != nil {
			return err
		}
		line := []string{b}
		for _, n := range names {
			d, _ := kpi.Lookup(n)
			line = append(line, formatKPI(valuePtr(v[n]), d.Unit))
		}
		fmt.Fprintln(tw, strings.Join(line, "\t")+"\t")
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "per brand: `rapport kpi -brand B -from … -to …`")
	return nil
}
