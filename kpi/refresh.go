package kpi

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// RefresherConfig tunes the refresher. Zero values take the documented defaults.
type RefresherConfig struct {
	// Interval between refreshes; default 5s.
	Interval time.Duration
	// Slack is how far behind the last watermark the refresher looks for newly inserted posts: a post is
	// stamped ingested_at when it is read from Kafka, and reaches ClickHouse up to a flush interval (or a
	// retry backoff) later. Default 5m.
	Slack time.Duration
	// ChunkHours is the most hours recomputed by one statement; default 24. Statements stay well within the
	// driver's read timeout even when a rebuild recomputes months.
	ChunkHours int
}

func (c *RefresherConfig) setDefaults() {
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.Slack <= 0 {
		c.Slack = 5 * time.Minute
	}
	if c.ChunkHours <= 0 {
		c.ChunkHours = 24
	}
}

// Refresher keeps the KPI rollups up to date: kpi_hourly, kpi_daily, kpi_customer_daily and
// kpi_customer_monthly. Each refresh finds the hours touched since the last one — the hours of every version
// of every post ingested since (watermark − slack), of the posts those reply to, and of every post of an
// author whose customer link changed — and recomputes those hours (their days, and then their months) from
// the deduplicated posts: the latest version of each (network, post_id), without the posts deleted at their
// source.
//
// Replays are safe because nothing is incremented: a recomputation inserts the hour's rows again with a
// higher version (ReplacingMergeTree keeps the latest; the engine reads the latest computation of each
// bucket), and zero rows for the keys of the hour that no longer have posts. Posts inserted twice collapse in the deduplication, so the recomputed rows are the
// same as before.
type Refresher struct {
	conn    driver.Conn
	cfg     RefresherConfig
	log     *zap.Logger
	metrics *refreshMetrics
	last    struct {
		posts, links         uint64
		postsMax, linksMax   time.Time
		watermarkInitialised bool
	}
}

type refreshMetrics struct {
	runs     prometheus.Counter
	errors   prometheus.Counter
	hours    prometheus.Counter
	duration prometheus.Histogram
	lag      prometheus.Gauge
}

// NewRefresher returns a refresher over conn. reg and log may be nil.
func NewRefresher(conn driver.Conn, cfg RefresherConfig, reg prometheus.Registerer, log *zap.Logger) *Refresher {
	cfg.setDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	m := &refreshMetrics{
		runs:   prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_kpi_refreshes_total", Help: "KPI rollup refreshes that recomputed at least one hour."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_kpi_refresh_errors_total", Help: "KPI rollup refreshes that failed (retried at the next interval)."}),
		hours:  prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_kpi_refreshed_hours_total", Help: "Hours of KPI rollups recomputed."}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rapport_kpi_refresh_duration_seconds", Help: "Time of one KPI rollup refresh.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 10)}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_kpi_refresh_watermark_lag_seconds", Help: "Now minus the newest ingested_at folded into the KPI rollups."}),
	}
	if reg != nil {
		reg.MustRegister(m.runs, m.errors, m.hours, m.duration, m.lag)
	}
	return &Refresher{conn: conn, cfg: cfg, log: log, metrics: m}
}

// Run refreshes every Interval until ctx is cancelled, then returns nil. A failed refresh is logged and
// retried at the next interval; the pipeline never waits for the refresher.
func (r *Refresher) Run(ctx context.Context) error {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := r.Refresh(ctx); err != nil && ctx.Err() == nil {
			r.metrics.errors.Inc()
			r.log.Warn("refreshing KPI rollups", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RefreshStats says what one refresh did.
type RefreshStats struct {
	Hours    int       // hours recomputed
	Days     int       // customer days recomputed
	Upto     time.Time // the new watermark: newest posts.ingested_at folded in
	Duration time.Duration
}

const (
	stateName    = "posts"
	stateLinks   = "customer_links"
	changesQuery = `SELECT count(), max(ingested_at) FROM posts`
	linksQuery   = `SELECT count(), max(updated_at) FROM customer_links`
)

// Refresh recomputes the hours touched since the last refresh (all hours the first time, when no
// watermark is stored). It does nothing when neither posts nor customer_links changed since the previous
// call.
func (r *Refresher) Refresh(ctx context.Context) (RefreshStats, error) {
	start := time.Now()
	var (
		st                 RefreshStats
		nPosts, nLinks     uint64
		maxPosts, maxLinks time.Time
	)
	if err := r.conn.QueryRow(ctx, changesQuery).Scan(&nPosts, &maxPosts); err != nil {
		return st, fmt.Errorf("reading posts watermark: %w", err)
	}
	if err := r.conn.QueryRow(ctx, linksQuery).Scan(&nLinks, &maxLinks); err != nil {
		return st, fmt.Errorf("reading customer_links watermark: %w", err)
	}
	if r.last.watermarkInitialised && nPosts == r.last.posts && nLinks == r.last.links &&
		maxPosts.Equal(r.last.postsMax) && maxLinks.Equal(r.last.linksMax) {
		r.metrics.lag.Set(time.Since(maxPosts).Seconds())
		return st, nil
	}
	wPosts, okPosts, err := r.watermark(ctx, stateName)
	if err != nil {
		return st, err
	}
	wLinks, okLinks, err := r.watermark(ctx, stateLinks)
	if err != nil {
		return st, err
	}
	var hours []uint32
	if !okPosts {
		hours, err = r.allHours(ctx)
	} else {
		if !okLinks {
			wLinks = time.Unix(0, 0)
		}
		linksChanged := !r.last.watermarkInitialised || nLinks != r.last.links || !maxLinks.Equal(r.last.linksMax)
		hours, err = r.touchedHours(ctx, wPosts.Add(-r.cfg.Slack), wLinks.Add(-r.cfg.Slack), linksChanged)
	}
	if err != nil {
		return st, err
	}
	if err := r.recompute(ctx, hours, &st); err != nil {
		return st, err
	}
	if err := r.saveWatermark(ctx, stateName, maxPosts); err != nil {
		return st, err
	}
	if err := r.saveWatermark(ctx, stateLinks, maxLinks); err != nil {
		return st, err
	}
	r.last.posts, r.last.links, r.last.postsMax, r.last.linksMax, r.last.watermarkInitialised = nPosts, nLinks, maxPosts, maxLinks, true
	st.Upto, st.Duration = maxPosts, time.Since(start)
	if st.Hours > 0 {
		r.metrics.runs.Inc()
		r.metrics.hours.Add(float64(st.Hours))
		r.metrics.duration.Observe(st.Duration.Seconds())
		r.log.Debug("refreshed KPI rollups", zap.Int("hours", st.Hours), zap.Int("days", st.Days), zap.Duration("took", st.Duration))
	}
	r.metrics.lag.Set(time.Since(maxPosts).Seconds())
	return st, nil
}

// Rebuild recomputes every hour that holds posts, whatever the watermarks, and stores the watermarks, so
// that the next Refresh starts from here.
func (r *Refresher) Rebuild(ctx context.Context) (RefreshStats, error) {
	start := time.Now()
	var (
		st                 RefreshStats
		nPosts, nLinks     uint64
		maxPosts, maxLinks time.Time
	)
	if err := r.conn.QueryRow(ctx, changesQuery).Scan(&nPosts, &maxPosts); err != nil {
		return st, fmt.Errorf("reading posts watermark: %w", err)
	}
	if err := r.conn.QueryRow(ctx, linksQuery).Scan(&nLinks, &maxLinks); err != nil {
		return st, fmt.Errorf("reading customer_links watermark: %w", err)
	}
	hours, err := r.allHours(ctx)
	if err != nil {
		return st, err
	}
	if err := r.recompute(ctx, hours, &st); err != nil {
		return st, err
	}
	if err := r.saveWatermark(ctx, stateName, maxPosts); err != nil {
		return st, err
	}
	if err := r.saveWatermark(ctx, stateLinks, maxLinks); err != nil {
		return st, err
	}
	r.last.posts, r.last.links, r.last.postsMax, r.last.linksMax, r.last.watermarkInitialised = nPosts, nLinks, maxPosts, maxLinks, true
	st.Upto, st.Duration = maxPosts, time.Since(start)
	return st, nil
}

func (r *Refresher) watermark(ctx context.Context, name string) (time.Time, bool, error) {
	var (
		n uint64
		w time.Time
	)
	if err := r.conn.QueryRow(ctx, `SELECT count(), max(watermark) FROM kpi_refresh_state FINAL WHERE name = ?`, name).Scan(&n, &w); err != nil {
		return time.Time{}, false, fmt.Errorf("reading kpi_refresh_state: %w", err)
	}
	return w, n > 0, nil
}

func (r *Refresher) saveWatermark(ctx context.Context, name string, w time.Time) error {
	b, err := r.conn.PrepareBatch(ctx, "INSERT INTO kpi_refresh_state (name, watermark, version)")
	if err != nil {
		return fmt.Errorf("saving kpi_refresh_state: %w", err)
	}
	if w.Unix() < 0 {
		w = time.Unix(0, 0)
	}
	if err := b.Append(name, w, uint64(time.Now().UnixNano())); err != nil {
		_ = b.Abort()
		return fmt.Errorf("saving kpi_refresh_state: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("saving kpi_refresh_state: %w", err)
	}
	return nil
}

func (r *Refresher) allHours(ctx context.Context) ([]uint32, error) {
	return r.hourList(ctx, `SELECT DISTINCT toUInt32(hour) FROM kpi_posts`)
}

// touchedHours returns the hours of every stored version of the posts ingested since postsSince, of the
// posts they reply to, and — when linksChanged — of the posts of authors whose customer link changed since
// linksSince. The first two are primary-key lookups; only the last reads the whole table.
func (r *Refresher) touchedHours(ctx context.Context, postsSince, linksSince time.Time, linksChanged bool) ([]uint32, error) {
	ps, ls := clampUnix(postsSince), clampUnix(linksSince)
	const hourOf = `SELECT DISTINCT toUInt32(intDiv(toUInt32(created_at), 3600) * 3600) FROM posts WHERE `
	queries := []string{
		hourOf + `(network, post_id) IN (SELECT network, post_id FROM posts WHERE ingested_at >= toDateTime(` + ps + `))`,
		hourOf + `(network, post_id) IN (SELECT network, reply_to_id FROM posts WHERE ingested_at >= toDateTime(` + ps + `) AND reply_to_id != '')`,
	}
	if linksChanged {
		queries = append(queries, hourOf+`(network, author_id) IN (SELECT network, author_id FROM customer_links WHERE updated_at >= toDateTime(`+ls+`))`)
	}
	seen := map[uint32]bool{}
	var out []uint32
	for _, q := range queries {
		hours, err := r.hourList(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range hours {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func clampUnix(t time.Time) string {
	if t.Unix() < 0 {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

func (r *Refresher) hourList(ctx context.Context, sql string) ([]uint32, error) {
	rows, err := r.conn.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("finding hours to refresh: %w", err)
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var h uint32
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("finding hours to refresh: %w", err)
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, rows.Err()
}

func (r *Refresher) recompute(ctx context.Context, hours []uint32, st *RefreshStats) error {
	// Posts without a time (deletion notices of posts never seen, stored at the epoch) belong to no hour.
	for len(hours) > 0 && hours[0] < 86400 {
		hours = hours[1:]
	}
	months := map[time.Time]bool{}
	for _, h := range hours {
		t := time.Unix(int64(h), 0).UTC()
		months[time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)] = true
	}
	for len(hours) > 0 {
		// A chunk ends at a day boundary when it can, so that no day is recomputed twice.
		n := min(len(hours), r.cfg.ChunkHours)
		for n < len(hours) && n > 1 && hours[n]/86400 == hours[n-1]/86400 {
			n--
		}
		if n == 1 && len(hours) > 1 && hours[1]/86400 == hours[0]/86400 {
			n = min(len(hours), r.cfg.ChunkHours)
		}
		chunk := hours[:n]
		hours = hours[n:]
		version := uint64(time.Now().UnixNano())
		days := map[uint32]bool{}
		for _, h := range chunk {
			days[h-h%86400] = true
		}
		dayList := make([]uint32, 0, len(days))
		for d := range days {
			dayList = append(dayList, d)
		}
		sort.Slice(dayList, func(i, j int) bool { return dayList[i] < dayList[j] })
		rep := strings.NewReplacer("{v}", strconv.FormatUint(version+1, 10), "{v0}", strconv.FormatUint(version, 10),
			"{hours}", uintList(chunk), "{days}", uintList(dayList),
			"{lo}", strconv.FormatUint(uint64(dayList[0]), 10), "{hi}", strconv.FormatUint(uint64(dayList[len(dayList)-1])+86400, 10))
		for _, s := range []struct{ what, sql string }{
			{"recomputing kpi_hourly", hourlyInsert},
			{"clearing stale kpi_hourly rows", hourlyZeros},
			{"recomputing kpi_customer_daily", customerInsert},
			{"clearing stale kpi_customer_daily rows", customerZeros},
			{"recomputing kpi_daily", dailyInsert},
			{"clearing stale kpi_daily rows", dailyZeros},
		} {
			if err := r.conn.Exec(ctx, rep.Replace(s.sql)); err != nil {
				return fmt.Errorf("%s: %w", s.what, err)
			}
		}
		st.Hours += len(chunk)
		st.Days += len(dayList)
	}
	// The months of the recomputed days, once each, after all their days.
	monthList := make([]time.Time, 0, len(months))
	for m := range months {
		monthList = append(monthList, m)
	}
	sort.Slice(monthList, func(i, j int) bool { return monthList[i].Before(monthList[j]) })
	for _, m := range monthList {
		version := uint64(time.Now().UnixNano())
		rep := strings.NewReplacer("{v}", strconv.FormatUint(version+1, 10), "{v0}", strconv.FormatUint(version, 10),
			"{mfrom}", m.Format(time.DateOnly), "{mto}", m.AddDate(0, 1, 0).Format(time.DateOnly))
		for _, s := range []struct{ what, sql string }{
			{"recomputing kpi_customer_monthly", customerMonthlyInsert},
			{"clearing stale kpi_customer_monthly rows", customerMonthlyZeros},
		} {
			if err := r.conn.Exec(ctx, rep.Replace(s.sql)); err != nil {
				return fmt.Errorf("%s for %s: %w", s.what, m.Format("2006-01"), err)
			}
		}
	}
	return nil
}

func uintList(v []uint32) string {
	var sb strings.Builder
	for i, x := range v {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatUint(uint64(x), 10))
	}
	return sb.String()
}
