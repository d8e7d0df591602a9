package clickhouse

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
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
	// InsertsInFlight is how many inserts may be sent and not yet acknowledged at once; while they run the
	// writer reads and accumulates the next one. 1 inserts strictly one after the other. Default 2.
	InsertsInFlight int
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
	if c.InsertsInFlight <= 0 {
		c.InsertsInFlight = 2
	}
}

// Writer inserts posts into the posts table in native batches and acknowledges each pipeline batch once all
// of its rows are in.
//
// Up to InsertsInFlight inserts run at once, each over consecutive pipeline batches; while they run, the
// writer keeps reading and accumulates the next insert. Batches are acknowledged strictly in the order they
// were read, each only after its own insert and every earlier one succeeded, so an insert that finishes
// early waits for those before it.
//
// A failed insert is retried with exponential backoff, indefinitely, until it succeeds or the writer is
// aborted. While it retries nothing after it is acknowledged, no further insert starts once InsertsInFlight
// are unacknowledged, and the writer stops reading when the next insert is full; the pipeline's bounded
// queues then fill and fetching stops. The writer so holds at most InsertsInFlight+1 inserts' worth of rows
// (each at most BatchRows plus one pipeline batch). Rows are idempotent by (network, post_id), so an insert
// that is retried after it actually succeeded, or that lands before an earlier one, leaves no visible
// duplicate and no older version on top.
type Writer struct {
	rowsAcked atomic.Int64
	conn      driver.Conn
	cfg       WriterConfig
	metrics   *writerMetrics
	log       *zap.Logger

	retryMu  sync.Mutex
	retrying int // inserts that failed and are being retried
}

type writerMetrics struct {
	rows        prometheus.Counter
	flushes     prometheus.Counter
	flushErrors prometheus.Counter
	flushTime   prometheus.Histogram
	batchRows   prometheus.Histogram
	retrying    prometheus.Gauge
	pending     prometheus.Gauge
	inFlight    prometheus.Gauge
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
			Name: "rapport_sink_pending_rows", Help: "Rows held by the writer, not yet acknowledged (being inserted or waiting for their insert).", ConstLabels: prometheus.Labels{"table": "posts"},
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rapport_sink_inserts_in_flight", Help: "Inserts started and not yet acknowledged (at most clickhouse.inserts_in_flight).", ConstLabels: prometheus.Labels{"table": "posts"},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.rows, m.flushes, m.flushErrors, m.flushTime, m.batchRows, m.retrying, m.pending, m.inFlight)
	}
	return &Writer{conn: conn, cfg: cfg, metrics: m, log: log}
}

// insertJob is one insert: consecutive pipeline batches, acknowledged together once their rows are in and
// every earlier insert's are.
type insertJob struct {
	batches []*processors.Batch
	rows    int
	done    bool // the insert succeeded (or had no rows); owned by Run
}

// Run reads batches until in is closed, then flushes what it holds, waits for every insert and returns nil.
// When ctx is cancelled it returns ctx.Err() as soon as the running inserts gave up, without acknowledging
// anything more: what it holds is read again after a restart. Cancel ctx only to abort; a graceful stop
// closes in. Acknowledgements are made from Run's goroutine only, never after it returned.
func (w *Writer) Run(ctx context.Context, in <-chan *processors.Batch) error {
	var (
		maxInFlight = w.cfg.InsertsInFlight
		results     = make(chan *insertJob, maxInFlight) // at most maxInFlight inserts are unacknowledged
		inserts     sync.WaitGroup
		queue       []*insertJob // started, not yet acknowledged, in the order read
		inFlight    int          // jobs in queue with rows: the inserts that count against maxInFlight
		cur         = &insertJob{}
		held        int  // rows in queue and cur
		due         bool // cur's flush interval elapsed
		closed      bool // in is closed: flush and finish
		timer       = time.NewTimer(w.cfg.FlushInterval)
	)
	defer inserts.Wait() // on abort the inserts return once they see ctx
	defer timer.Stop()
	setGauges := func() {
		w.metrics.pending.Set(float64(held))
		w.metrics.inFlight.Set(float64(inFlight))
	}
	// ackReady acknowledges, in order, the finished jobs at the head of the queue.
	ackReady := func() {
		for len(queue) > 0 && queue[0].done && ctx.Err() == nil {
			j := queue[0]
			queue[0] = nil
			queue = queue[1:]
			for _, b := range j.batches {
				if b.Ack != nil {
					b.Ack()
				}
			}
			held -= j.rows
			if j.rows > 0 {
				inFlight--
			}
		}
		setGauges()
	}
	for {
		if len(cur.batches) > 0 && (cur.rows >= w.cfg.BatchRows || due || closed) {
			switch {
			case cur.rows == 0:
				// Every post was filtered: nothing to write, the batches are acknowledged in their turn.
				cur.done = true
				queue = append(queue, cur)
				cur, due = &insertJob{}, false
				ackReady()
			case inFlight < maxInFlight:
				j := cur
				queue = append(queue, j)
				inFlight++
				cur, due = &insertJob{}, false
				setGauges()
				inserts.Add(1)
				go func() {
					defer inserts.Done()
					if w.insertWithRetry(ctx, j.batches, j.rows) == nil {
						results <- j
					}
				}()
			}
		}
		if closed && len(cur.batches) == 0 && len(queue) == 0 {
			return nil
		}
		read := in
		if closed || cur.rows >= w.cfg.BatchRows {
			read = nil // the next insert is full: wait for a slot
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case j := <-results:
			j.done = true
			ackReady()
		case b, ok := <-read:
			if !ok {
				closed = true
				continue
			}
			if len(cur.batches) == 0 {
				resetTimer(timer, w.cfg.FlushInterval)
			}
			cur.batches = append(cur.batches, b)
			cur.rows += len(b.Posts)
			held += len(b.Posts)
			setGauges()
		case <-timer.C:
			due = len(cur.batches) > 0
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

// setRetrying counts inserts entering (+1) or leaving (-1) retries; the gauge is 1 while any retries.
func (w *Writer) setRetrying(delta int) {
	w.retryMu.Lock()
	defer w.retryMu.Unlock()
	w.retrying += delta
	if w.retrying > 0 {
		w.metrics.retrying.Set(1)
	} else {
		w.metrics.retrying.Set(0)
	}
}

// insertWithRetry inserts the rows of batches, retrying until it succeeds (nil) or ctx is cancelled
// (ctx.Err()). It is called concurrently for different inserts.
func (w *Writer) insertWithRetry(ctx context.Context, batches []*processors.Batch, rows int) error {
	failing := false
	defer func() {
		if failing {
			w.setRetrying(-1)
		}
	}()
	backoff := w.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		start := time.Now()
		err := w.insert(ctx, batches)
		if err == nil {
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
		if !failing {
			failing = true
			w.setRetrying(1)
		}
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
