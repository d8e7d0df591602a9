package clickhouse

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// WriterConfig tunes the writer. Zero values take the documented defaults.
type WriterConfig struct {
	BatchRows     int           // rows per insert; a flush happens when this many are pending; default 20000
	FlushInterval time.Duration // longest time a row waits before its flush; default 1s
	MinBackoff    time.Duration // first retry delay after a failed insert; default 100ms
	MaxBackoff    time.Duration // longest retry delay; default 30s
}

func (c *WriterConfig) setDefaults() {
	if c.BatchRows <= 0 {
		c.BatchRows = 20000
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
}

// Writer inserts posts into the posts table in native batches and acknowledges each pipeline batch once all
// of its rows are in. A failed insert is retried with exponential backoff, indefinitely, until it succeeds
// or the writer is aborted; while it retries the writer reads nothing, so the pipeline's bounded queues fill
// and fetching stops. Rows are idempotent by (network, post_id), so an insert that is retried after it
// actually succeeded leaves no visible duplicate.
type Writer struct {
	rowsAcked atomic.Int64
	conn      driver.Conn
	cfg       WriterConfig
	metrics   *writerMetrics
	log       *zap.Logger
}

type writerMetrics struct {
	rows        prometheus.Counter
	flushes     prometheus.Counter
	flushErrors prometheus.Counter
	flushTime   prometheus.Histogram
	batchRows   prometheus.Histogram
	retrying    prometheus.Gauge
	pending     prometheus.Gauge
}

// NewWriter returns a writer over conn. reg and log may be nil.
func NewWriter(conn driver.Conn, cfg WriterConfig, reg prometheus.Registerer, log *zap.Logger) *Writer {
	cfg.setDefaults()
	if log == nil {
		log = zap.NewNop()
	}
	m := &writerMetrics{
		rows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_sink_rows_total", Help: "Rows acknowledged by ClickHouse.", ConstLabels: prometheus.Labels{"table": "posts"},
		}),
		flushes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_sink_flushes_total", Help: "Inserts acknowledged by ClickHouse.", ConstLabels: prometheus.Labels{"table": "posts"},
		}),
		flushErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_sink_flush_errors_total", Help: "Insert attempts that failed and will be retried.", ConstLabels: prometheus.Labels{"table": "posts"},
		}),
		flushTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "rapport_sink_flush_duration_seconds", Help: "Time of one successful insert.", ConstLabels: prometheus.Labels{"table": "posts"},
			Buckets: prometheus.ExponentialBuckets(0.001, 3, 10),
		}),
		batchRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "rapport_sink_batch_rows", Help: "Rows per insert.", ConstLabels: prometheus.Labels{"table": "posts"},
			Buckets: prometheus.ExponentialBuckets(1, 4, 9),
		}),
		retrying: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rapport_sink_retrying", Help: "1 while inserts are failing and being retried (the pipeline is stalled behind the sink).", ConstLabels: prometheus.Labels{"table": "posts"},
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rapport_sink_pending_rows", Help: "Rows held by the writer, not yet acknowledged.", ConstLabels: prometheus.Labels{"table": "posts"},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.rows, m.flushes, m.flushErrors, m.flushTime, m.batchRows, m.retrying, m.pending)
	}
	return &Writer{conn: conn, cfg: cfg, metrics: m, log: log}
}

// Run reads batches until in is closed, then flushes what it holds and returns nil. When ctx is cancelled
// it returns ctx.Err() at once, without acknowledging what it holds: those records are read again after a
// restart. Cancel ctx only to abort; a graceful stop closes in.
func (w *Writer) Run(ctx context.Context, in <-chan *processors.Batch) error {
	var (
		held  []*processors.Batch
		rows  int
		timer = time.NewTimer(w.cfg.FlushInterval)
	)
	defer timer.Stop()
	flush := func() error {
		if len(held) == 0 {
			return nil
		}
		if err := w.insertWithRetry(ctx, held, rows); err != nil {
			return err
		}
		for _, b := range held {
			if b.Ack != nil {
				b.Ack()
			}
		}
		held, rows = held[:0], 0
		w.metrics.pending.Set(0)
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b, ok := <-in:
			if !ok {
				return flush()
			}
			if len(held) == 0 {
				resetTimer(timer, w.cfg.FlushInterval)
			}
			held = append(held, b)
			rows += len(b.Posts)
			w.metrics.pending.Set(float64(rows))
			if rows >= w.cfg.BatchRows {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-timer.C:
			if err := flush(); err != nil {
				return err
			}
			timer.Reset(w.cfg.FlushInterval)
		}
	}
}

func resetTimer(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
}

func (w *Writer) insertWithRetry(ctx context.Context, batches []*processors.Batch, rows int) error {
	if rows == 0 {
		return nil // every post was filtered: nothing to write, the batches can be acknowledged
	}
	backoff := w.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		start := time.Now()
		err := w.insert(ctx, batches)
		if err == nil {
			w.metrics.retrying.Set(0)
			w.metrics.flushes.Inc()
			w.metrics.rows.Add(float64(rows))
			w.rowsAcked.Add(int64(rows))
			w.metrics.batchRows.Observe(float64(rows))
			w.metrics.flushTime.Observe(time.Since(start).Seconds())
			if attempt > 1 {
				w.log.Info("insert succeeded after retries", zap.Int("attempts", attempt), zap.Int("rows", rows))
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.metrics.flushErrors.Inc()
		w.metrics.retrying.Set(1)
		// Full jitter keeps a fleet of writers from retrying in lockstep against a recovering server.
		sleep := time.Duration(rand.Int64N(int64(backoff))) + backoff/2
		w.log.Warn("inserting posts; will retry", zap.Int("attempt", attempt), zap.Int("rows", rows),
			zap.Duration("retry_in", sleep), zap.Error(err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sleep):
		}
		backoff = min(backoff*2, w.cfg.MaxBackoff)
	}
}

// RowsWritten returns how many rows ClickHouse acknowledged since the writer started (repeats included).
func (w *Writer) RowsWritten() int64 { return w.rowsAcked.Load() }

// insertColumns is the column list of every insert; Append below must follow its order.
const insertColumns = `uid, network, post_id, schema_version, kind, deleted, author_id, author_handle, author_name,
 author_bio, author_location, author_url, author_followers, author_following, author_verified, author_bot,
 author_brand, author_created_at, title, text, lang, created_at, edited_at, ingested_at, reply_to_id,
 reply_to_author_id, quote_of_id, repost_of_id, conversation_id, likes, reposts, replies, quotes, views, url,
 rating, hashtags, mentions, cashtags, emoji, urls, sentiment_scored, sentiment, sentiment_label, sentiment_model,
 sentiment_drivers, entity_ids, entity_brands, entity_kinds, entity_competitor, entity_matched, entity_start,
 entity_end, entity_scored, entity_sentiment, entity_label, signal_kinds, signal_phrases, signal_entities, dup_level,
 dup_of, dup_cluster, spam, influence, author_email_hmacs, author_phone_hmacs, src_topic, src_partition, src_offset, version`

// TombstoneVersion is the version of a deletion tombstone: above every content version, so the tombstone
// wins over the post in every order of arrival and every replay.
const TombstoneVersion = math.MaxUint64

func (w *Writer) insert(ctx context.Context, batches []*processors.Batch) (err error) {
	b, err := w.conn.PrepareBatch(ctx, "INSERT INTO posts ("+insertColumns+")")
	if err != nil {
		return fmt.Errorf("preparing insert: %w", err)
	}
	defer func() {
		if err != nil {
			_ = b.Abort()
		}
	}()
	for _, batch := range batches {
		for _, p := range batch.Posts {
			if err := appendPost(b, p); err != nil {
				return fmt.Errorf("appending post %s/%s: %w", p.Network, p.ID, err)
			}
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("sending insert: %w", err)
	}
	return nil
}

func appendPost(b driver.Batch, p *post.Post) error {
	a := &p.Author
	deleted, version := uint8(0), p.Version()
	if p.Action == post.ActionDelete {
		deleted, version = 1, TombstoneVersion
	}
	var s post.Sentiment
	scored := uint8(0)
	if p.Sentiment != nil {
		s, scored = *p.Sentiment, 1
	}
	e := entityColumns(p.Entities)
	g := signalColumns(p.Signals)
	return b.Append(
		p.UID(), string(p.Network), p.ID, uint16(p.SchemaVersion), p.Kind(), deleted,
		a.ID, a.Handle, a.DisplayName, a.Bio, a.Location, a.ProfileURL, a.Followers, a.Following,
		boolByte(a.Verified), boolByte(a.Bot), boolByte(a.Brand), clampTime(a.CreatedAt),
		p.Title, p.Text, p.Lang, clampTime(p.CreatedAt), clampTime(p.EditedAt), clampTime(p.IngestedAt),
		p.Refs.ReplyToID, p.Refs.ReplyToAuthorID, p.Refs.QuoteOfID, p.Refs.RepostOfID, p.Refs.ConversationID,
		p.Engagement.Likes, p.Engagement.Reposts, p.Engagement.Replies, p.Engagement.Quotes, p.Engagement.Views,
		p.URL, p.Rating, nonNil(p.Hashtags), nonNil(p.Mentions), nonNil(p.Cashtags), nonNil(p.Emoji), nonNil(p.URLs),
		scored, float32(s.Score), s.Label, s.Model, nonNil(s.Drivers),
		e.ids, e.brands, e.kinds, e.competitor, e.matched, e.start, e.end, e.scored, e.sentiment, e.label,
		g.kinds, g.phrases, g.entities, uint8(p.Dup.Level), p.Dup.Of, p.Dup.Cluster, boolByte(p.Dup.Spam), p.Influence,
		nonNil(p.PII.Emails), nonNil(p.PII.Phones),
		p.Source.Topic, p.Source.Partition, p.Source.Offset, version,
	)
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DateTime holds seconds since 1970 in 32 bits; times outside are stored at the nearest end (the zero time,
// meaning unknown, becomes 1970-01-01).
var (
	minDateTime = time.Unix(0, 0).UTC()
	maxDateTime = time.Unix(1<<32-1, 0).UTC()
)

func clampTime(t time.Time) time.Time {
	if t.Before(minDateTime) {
		return minDateTime
	}
	if t.After(maxDateTime) {
		return maxDateTime
	}
	return t
}

// entityCols holds a post's entities as the parallel arrays of the posts table.
type entityCols struct {
	ids, brands, kinds, matched []string
	competitor, scored          []uint8
	start, end                  []int32
	sentiment                   []float32
	label                       []int8
}

func entityColumns(es []post.Entity) entityCols {
	n := len(es)
	c := entityCols{
		ids: make([]string, n), brands: make([]string, n), kinds: make([]string, n), matched: make([]string, n),
		competitor: make([]uint8, n), scored: make([]uint8, n), start: make([]int32, n), end: make([]int32, n),
		sentiment: make([]float32, n), label: make([]int8, n),
	}
	for i, e := range es {
		c.ids[i], c.brands[i], c.kinds[i], c.matched[i] = e.ID, e.Brand, string(e.Kind), e.Matched
		c.competitor[i], c.scored[i] = boolByte(e.Competitor), boolByte(e.Scored)
		c.start[i], c.end[i] = int32(e.Start), int32(e.End)
		c.sentiment[i], c.label[i] = float32(e.Sentiment), e.Label
	}
	return c
}

// signalCols holds a post's signals as the parallel arrays of the posts table.
type signalCols struct{ kinds, phrases, entities []string }

func signalColumns(ss []post.Signal) signalCols {
	n := len(ss)
	c := signalCols{kinds: make([]string, n), phrases: make([]string, n), entities: make([]string, n)}
	for i, s := range ss {
		c.kinds[i], c.phrases[i], c.entities[i] = string(s.Kind), s.Phrase, s.Entity
	}
	return c
}
