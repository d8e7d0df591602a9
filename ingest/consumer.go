// Package ingest reads raw social payloads from Kafka, normalizes each network's format into the canonical
// post, and sends everything it cannot read to the dead-letter topic with the reason.
//
// Delivery: every fetched record is tracked until its output is durable: posts when the last sink
// acknowledges their batch, rejects when the dead-letter write is acknowledged by the broker. Offsets are
// committed only up to the first record that is not durable yet (see Tracker), so a crash at any point
// re-reads, and never skips, a record.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// RawTopicPrefix marks raw social topics; the rest of the name is the network (social.raw.x,
// social.raw.mastodon, ...). A namespace may precede it (acme.social.raw.x).
const RawTopicPrefix = "social.raw."

// Dead-letter record headers.
const (
	HeaderReason          = "rapport-reason"
	HeaderDetail          = "rapport-detail"
	HeaderStage           = "rapport-stage"
	HeaderSourceTopic     = "rapport-source-topic"
	HeaderSourcePartition = "rapport-source-partition"
	HeaderSourceOffset    = "rapport-source-offset"
	HeaderNetwork         = "rapport-network"
)

// Config configures a Consumer. Zero values take the documented defaults.
type Config struct {
	Brokers        []string          // seed brokers; required
	Group          string            // consumer group; required
	TopicPattern   string            // regular expression of raw topics; default ^social\.raw\..+$
	DLQTopic       string            // dead-letter topic; default social.dlq
	Networks       map[string]string // topic → network ("auto": by header or payload shape), overriding the topic suffix
	NetworkHeader  string            // record header naming the record's network, overriding the topic; default rapport-network
	BatchSize      int               // max posts per batch handed to the stages; default 1000
	Decoders       int               // partitions decoded in parallel; default GOMAXPROCS
	MaxPollRecords int               // max records per poll; default 5000
	MaxPayload     int               // max raw payload bytes; default 256 KiB
	MaxInFlight    int               // records read but not yet durable before fetching pauses; default 100000
	FetchMaxBytes  int               // most bytes one fetch response may carry (and so be buffered); default 16 MiB
	CommitInterval time.Duration     // how often durable offsets are committed; default 1s
	SessionTimeout time.Duration     // group session timeout: how soon a dead member's partitions move; default 45s
	RevokeTimeout  time.Duration     // how long a revoked partition's in-flight records may take to finish before its offsets are committed anyway; default 20s
	ClientOpts     []kgo.Opt         // extra client options (TLS, SASL, logger, metrics hooks)
}

func (c *Config) setDefaults() {
	if c.NetworkHeader == "" {
		c.NetworkHeader = HeaderNetwork
	}
	if c.TopicPattern == "" {
		c.TopicPattern = `^social\.raw\..+$`
	}
	if c.DLQTopic == "" {
		c.DLQTopic = "social.dlq"
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 1000
	}
	if c.Decoders <= 0 {
		c.Decoders = runtime.GOMAXPROCS(0)
	}
	if c.MaxPollRecords <= 0 {
		c.MaxPollRecords = 5000
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 100000
	}
	if c.FetchMaxBytes <= 0 {
		c.FetchMaxBytes = 16 << 20
	}
	if c.MaxPayload <= 0 {
		c.MaxPayload = DefaultMaxPayloadBytes
	}
	if c.CommitInterval <= 0 {
		c.CommitInterval = time.Second
	}
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = 45 * time.Second
	}
	if c.RevokeTimeout <= 0 {
		c.RevokeTimeout = 20 * time.Second
	}
}

// Consumer is a consumer-group member that turns raw records into batches of canonical posts.
type Consumer struct {
	cfg         Config
	cl          *kgo.Client
	tracker     *Tracker
	decoder     Decoder
	normalizers map[post.Network]Normalizer
	metrics     *consumerMetrics
	log         *zap.Logger

	lagMu sync.Mutex
	lag   map[TopicPartition]int64

	stats struct{ records, posts, rejected, deadLetters atomic.Int64 }
}

// Stats are running totals since the consumer started.
type Stats struct {
	Records     int64 // raw records read
	Posts       int64 // records normalized into posts
	Rejected    int64 // records rejected
	DeadLetters int64 // rejected records whose dead-letter write the broker acknowledged
}

// Stats returns running totals since the consumer started.
func (c *Consumer) Stats() Stats {
	return Stats{
		Records:     c.stats.records.Load(),
		Posts:       c.stats.posts.Load(),
		Rejected:    c.stats.rejected.Load(),
		DeadLetters: c.stats.deadLetters.Load(),
	}
}

type consumerMetrics struct {
	records       *prometheus.CounterVec
	deadLetters   *prometheus.CounterVec
	dlqErrors     prometheus.Counter
	commits       prometheus.Counter
	commitErrs    prometheus.Counter
	inFlight      prometheus.GaugeFunc
	pauses        prometheus.Counter
	pausedSeconds prometheus.Counter
	lag           *prometheus.GaugeVec
	batchPosts    prometheus.Histogram
}

// NewConsumer creates the Kafka client and joins nothing yet: the group is joined on the first poll in Run.
// reg may be nil.
func NewConsumer(cfg Config, normalizers map[post.Network]Normalizer, reg prometheus.Registerer, log *zap.Logger) (*Consumer, error) {
	cfg.setDefaults()
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("creating consumer: no brokers")
	}
	if cfg.Group == "" {
		return nil, errors.New("creating consumer: no consumer group")
	}
	if _, err := regexp.Compile(cfg.TopicPattern); err != nil {
		return nil, fmt.Errorf("creating consumer: topic pattern: %w", err)
	}
	if log == nil {
		log = zap.NewNop()
	}
	c := &Consumer{
		cfg:         cfg,
		tracker:     NewTracker(),
		decoder:     Decoder{MaxPayloadBytes: cfg.MaxPayload},
		normalizers: normalizers,
		log:         log,
		lag:         map[TopicPartition]int64{},
	}
	c.metrics = newConsumerMetrics(reg, c.tracker)
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.TopicPattern),
		kgo.ConsumeRegex(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.OnPartitionsAssigned(c.onAssigned),
		kgo.OnPartitionsRevoked(c.onRevoked),
		kgo.OnPartitionsLost(c.onLost),
		kgo.MetadataMaxAge(10 * time.Second),
		kgo.SessionTimeout(cfg.SessionTimeout),
		kgo.ProducerLinger(5 * time.Millisecond),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.FetchMaxBytes(int32(cfg.FetchMaxBytes)),
		kgo.FetchMaxPartitionBytes(int32(min(cfg.FetchMaxBytes, max(cfg.MaxPayload*4, 1<<20)))),
	}
	opts = append(opts, cfg.ClientOpts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("creating kafka client: %w", err)
	}
	c.cl = cl
	return c, nil
}

func newConsumerMetrics(reg prometheus.Registerer, t *Tracker) *consumerMetrics {
	m := &consumerMetrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_ingest_records_total", Help: "Raw records read, by result: post, rejected (dead-lettered) or ignored (valid, nothing to store).",
		}, []string{"result"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_ingest_dead_letters_total", Help: "Records written to the dead-letter topic, by reason.",
		}, []string{"reason"}),
		dlqErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_ingest_dead_letter_errors_total", Help: "Dead-letter writes that failed; their records are read again after a restart.",
		}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_ingest_commits_total", Help: "Offset commits that succeeded.",
		}),
		commitErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_ingest_commit_errors_total", Help: "Offset commits that failed.",
		}),
		pauses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_ingest_backpressure_pauses_total", Help: "Times fetching paused because max_in_flight_records were read and not yet durable.",
		}),
		pausedSeconds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_ingest_backpressure_paused_seconds_total", Help: "Time fetching spent paused at the in-flight limit.",
		}),
		inFlight: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "rapport_ingest_in_flight_records", Help: "Records read and not yet durable (written to ClickHouse or the dead-letter topic).",
		}, func() float64 { return float64(t.Pending()) }),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rapport_ingest_consumer_lag_records", Help: "Records behind the partition high watermark, summed per topic, as of the last fetch.",
		}, []string{"topic"}),
		batchPosts: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "rapport_ingest_batch_posts", Help: "Posts per batch handed to the stages.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 7),
		}),
	}
	for _, r := range Reasons {
		m.deadLetters.WithLabelValues(string(r))
	}
	if reg != nil {
		reg.MustRegister(m.records, m.deadLetters, m.dlqErrors, m.commits, m.commitErrs, m.pauses, m.pausedSeconds, m.inFlight, m.lag, m.batchPosts)
	}
	return m
}

// Client returns the underlying Kafka client, e.g. for readiness checks.
func (c *Consumer) Client() *kgo.Client { return c.cl }

// InFlight returns how many records are read and not yet durable.
func (c *Consumer) InFlight() int { return c.tracker.Pending() }

// Lag returns the records behind the high watermark over all owned partitions, as of the last fetch.
func (c *Consumer) Lag() int64 {
	c.lagMu.Lock()
	defer c.lagMu.Unlock()
	var n int64
	for _, l := range c.lag {
		n += l
	}
	return n
}

// Run polls until ctx is cancelled, sending batches of posts to out and rejects to the dead-letter topic,
// and committing durable offsets every CommitInterval. It closes out when it returns (it owns out). Sending
// blocks when out is full: that is the backpressure that stops fetching while the stages or sinks are busy.
// After Run returns, drain the pipeline, then call Close, which commits what became durable.
func (c *Consumer) Run(ctx context.Context, out chan<- *processors.Batch) error {
	defer close(out)
	commitCtx, stopCommits := context.WithCancel(context.Background())
	commitsDone := make(chan struct{})
	go func() {
		defer close(commitsDone)
		t := time.NewTicker(c.cfg.CommitInterval)
		defer t.Stop()
		for {
			select {
			case <-commitCtx.Done():
				return
			case <-t.C:
				c.commit(commitCtx)
			}
		}
	}()
	defer func() { stopCommits(); <-commitsDone }()

	for {
		room, ok := c.waitForRoom(ctx)
		if !ok {
			return nil
		}
		fetches := c.cl.PollRecords(ctx, room)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			return nil
		}
		failed := false
		fetches.EachError(func(topic string, partition int32, err error) {
			if !errors.Is(err, context.Canceled) {
				failed = true
				c.log.Warn("fetch error", zap.String("topic", topic), zap.Int32("partition", partition), zap.Error(err))
			}
		})
		if failed && fetches.NumRecords() == 0 {
			// A persistent error (authorization, a deleted topic) returns at once on every poll: pace the
			// retries instead of spinning.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		var parts []kgo.FetchTopicPartition
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			if len(p.Records) == 0 {
				return
			}
			last := p.Records[len(p.Records)-1]
			c.setLag(TopicPartition{p.Topic, p.Partition}, p.HighWatermark-last.Offset-1)
			parts = append(parts, p)
		})
		// Decoding is the costly part of ingest: partitions decode in parallel (each in order), then their
		// batches go out partition by partition.
		decoded := make([][]*processors.Batch, len(parts))
		var wg sync.WaitGroup
		sem := make(chan struct{}, c.cfg.Decoders)
		for i, p := range parts {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				decoded[i] = c.decodePartition(ctx, p.Topic, p.Partition, p.Records)
			}()
		}
		wg.Wait()
		for _, batches := range decoded {
			for _, b := range batches {
				select {
				case <-ctx.Done():
					return nil // what was decoded and not sent is never acknowledged: it is read again
				case out <- b:
				}
			}
		}
	}
}

// waitForRoom holds fetching while MaxInFlight records are read and not yet durable (the sink is slow or
// down), and returns how many records the next poll may take. It returns false when ctx is done.
func (c *Consumer) waitForRoom(ctx context.Context) (int, bool) {
	var since time.Time
	for {
		pending := c.tracker.Pending()
		if room := c.cfg.MaxInFlight - pending; room > 0 {
			if !since.IsZero() {
				c.metrics.pausedSeconds.Add(time.Since(since).Seconds())
			}
			return min(room, c.cfg.MaxPollRecords), true
		}
		if since.IsZero() {
			since = time.Now()
			c.metrics.pauses.Inc()
		}
		select {
		case <-ctx.Done():
			c.metrics.pausedSeconds.Add(time.Since(since).Seconds())
			return 0, false
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *Consumer) setLag(tp TopicPartition, lag int64) {
	if lag < 0 {
		lag = 0
	}
	c.lagMu.Lock()
	c.lag[tp] = lag
	var sum int64
	for have, l := range c.lag {
		if have.Topic == tp.Topic {
			sum += l
		}
	}
	c.lagMu.Unlock()
	c.metrics.lag.WithLabelValues(tp.Topic).Set(float64(sum))
}

// decodePartition tracks and decodes one partition's records in order into batches of at most BatchSize
// posts, sending rejects to the dead-letter topic.
func (c *Consumer) decodePartition(ctx context.Context, topic string, partition int32, recs []*kgo.Record) []*processors.Batch {
	tp := TopicPartition{topic, partition}
	topicNetwork := c.topicNetwork(topic)
	var (
		batches []*processors.Batch
		posts   []*post.Post
		offsets []int64
	)
	flush := func() {
		if len(posts) == 0 {
			return
		}
		b := &processors.Batch{Topic: topic, Partition: partition, Posts: posts}
		done := offsets
		b.Ack = func() {
			for _, o := range done {
				c.tracker.Done(tp, o)
			}
		}
		c.metrics.batchPosts.Observe(float64(len(posts)))
		posts, offsets = nil, nil
		batches = append(batches, b)
	}
	for _, r := range recs {
		if !c.tracker.Track(tp, r.Offset, r.LeaderEpoch) {
			continue // revoked meanwhile, or a record we already have in flight
		}
		c.stats.records.Add(1)
		p := &post.Post{Source: post.Source{Topic: topic, Partition: partition, Offset: r.Offset}}
		network := c.recordNetwork(topicNetwork, r)
		norm := c.normalizers[post.Network(network)]
		var err error
		switch {
		case network == "" || network == AutoNetwork:
			err = reject(ReasonUnknownNetwork, "topic %s: the payload's shape matches no known network", topic)
		case norm == nil:
			err = reject(ReasonUnknownNetwork, "no normalizer for network %q of topic %s", network, topic)
		default:
			err = c.decoder.Decode(norm, r.Value, p)
		}
		if errors.Is(err, ErrIgnore) {
			c.metrics.records.WithLabelValues("ignored").Inc()
			c.tracker.Done(tp, r.Offset)
			continue
		}
		if err != nil {
			c.metrics.records.WithLabelValues("rejected").Inc()
			c.stats.rejected.Add(1)
			c.deadLetter(ctx, tp, r, network, "ingest", AsReject(err))
			continue
		}
		c.metrics.records.WithLabelValues("post").Inc()
		c.stats.posts.Add(1)
		posts = append(posts, p)
		offsets = append(offsets, r.Offset)
		if len(posts) >= c.cfg.BatchSize {
			flush()
		}
	}
	flush()
	return batches
}

// AutoNetwork, as a topic's network, means the topic mixes networks: each record's network comes from its
// header, or else from the shape of its payload (DetectNetwork).
const AutoNetwork = "auto"

// topicNetwork returns the network configured for topic, or else the one its name says: what follows
// "social.raw." (a namespace before it, as in tenant.social.raw.x, is allowed).
func (c *Consumer) topicNetwork(topic string) string {
	if network, ok := c.cfg.Networks[topic]; ok {
		return network
	}
	if i := strings.LastIndex(topic, RawTopicPrefix); i >= 0 {
		return topic[i+len(RawTopicPrefix):]
	}
	return ""
}

// recordNetwork returns the network of one record: its network header when it has one, else the topic's
// network, else (for an "auto" topic) the payload's shape.
func (c *Consumer) recordNetwork(topicNetwork string, r *kgo.Record) string {
	if c.cfg.NetworkHeader != "" {
		for _, h := range r.Headers {
			if h.Key == c.cfg.NetworkHeader && len(h.Value) > 0 {
				return string(h.Value)
			}
		}
	}
	if topicNetwork == AutoNetwork {
		return string(DetectNetwork(r.Value))
	}
	return topicNetwork
}

// deadLetter writes the original record with the reason to the dead-letter topic and marks its offset done
// once the broker acknowledged the write. A failed write leaves the offset in flight, so the record is read
// again after a restart instead of being lost.
func (c *Consumer) deadLetter(ctx context.Context, tp TopicPartition, r *kgo.Record, network, stage string, rej *RejectError) {
	c.metrics.deadLetters.WithLabelValues(string(rej.Reason)).Inc()
	dl := &kgo.Record{
		Topic: c.cfg.DLQTopic,
		Key:   r.Key,
		Value: r.Value,
		Headers: append([]kgo.RecordHeader{
			{Key: HeaderReason, Value: []byte(rej.Reason)},
			{Key: HeaderDetail, Value: []byte(truncate(rej.Detail, 1024))},
			{Key: HeaderStage, Value: []byte(stage)},
			{Key: HeaderSourceTopic, Value: []byte(tp.Topic)},
			{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(int(tp.Partition)))},
			{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(r.Offset, 10))},
			{Key: HeaderNetwork, Value: []byte(network)},
		}, r.Headers...),
	}
	offset := r.Offset
	// The produce context is not ctx: a shutdown must not abandon dead letters already handed over; Close
	// flushes them.
	c.cl.Produce(context.WithoutCancel(ctx), dl, func(_ *kgo.Record, err error) {
		if err != nil {
			c.metrics.dlqErrors.Inc()
			c.log.Error("writing dead letter", zap.String("topic", tp.Topic), zap.Int32("partition", tp.Partition),
				zap.Int64("offset", offset), zap.Error(err))
			return
		}
		c.stats.deadLetters.Add(1)
		c.tracker.Done(tp, offset)
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func (c *Consumer) onAssigned(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
	for topic, parts := range assigned {
		for _, p := range parts {
			c.tracker.Assign(TopicPartition{topic, p})
		}
	}
	c.log.Info("partitions assigned", zap.Any("partitions", assigned))
}

// onRevoked waits (up to RevokeTimeout) for the revoked partitions' in-flight records to become durable,
// commits them, and forgets the partitions. Records still in flight after the timeout are read again by
// the new owner; their rows collapse by identity in ClickHouse.
func (c *Consumer) onRevoked(ctx context.Context, _ *kgo.Client, revoked map[string][]int32) {
	var tps []TopicPartition
	for topic, parts := range revoked {
		for _, p := range parts {
			tps = append(tps, TopicPartition{topic, p})
		}
	}
	if len(tps) == 0 {
		return
	}
	// Stop tracking new records of these partitions first: a poll running now must not add work to them.
	for _, tp := range tps {
		c.tracker.Close(tp)
	}
	deadline := time.Now().Add(c.cfg.RevokeTimeout)
	for c.tracker.Pending(tps...) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	c.commitPartitions(ctx, tps...)
	for _, tp := range tps {
		c.tracker.Forget(tp)
		c.lagMu.Lock()
		delete(c.lag, tp)
		c.lagMu.Unlock()
	}
	c.log.Info("partitions revoked", zap.Any("partitions", revoked), zap.Int("still_in_flight", c.tracker.Pending(tps...)))
}

func (c *Consumer) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	for topic, parts := range lost {
		for _, p := range parts {
			c.tracker.Forget(TopicPartition{topic, p})
		}
	}
	c.log.Warn("partitions lost", zap.Any("partitions", lost))
}

func (c *Consumer) commit(ctx context.Context) { c.commitPartitions(ctx) }

// commitPartitions commits the durable offsets of tps (of every partition when none are given).
func (c *Consumer) commitPartitions(ctx context.Context, tps ...TopicPartition) {
	pending := c.tracker.Committable(tps...)
	if len(pending) == 0 {
		return
	}
	offsets := map[string]map[int32]kgo.EpochOffset{}
	for tp, cm := range pending {
		if offsets[tp.Topic] == nil {
			offsets[tp.Topic] = map[int32]kgo.EpochOffset{}
		}
		offsets[tp.Topic][tp.Partition] = kgo.EpochOffset{Epoch: cm.LeaderEpoch, Offset: cm.Offset}
	}
	c.cl.CommitOffsetsSync(ctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			c.metrics.commitErrs.Inc()
			if !errors.Is(err, context.Canceled) {
				c.log.Warn("committing offsets", zap.Error(err))
			}
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				tp := TopicPartition{t.Topic, p.Partition}
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					c.metrics.commitErrs.Inc()
					c.log.Warn("committing offset", zap.String("topic", t.Topic), zap.Int32("partition", p.Partition), zap.Error(err))
					continue
				}
				c.tracker.MarkCommitted(tp, pending[tp])
			}
		}
		c.metrics.commits.Inc()
	})
}

// Close flushes outstanding dead letters, commits every durable offset, and leaves the group. Call it after
// Run returned and the pipeline drained. ctx bounds the flush and the commit.
func (c *Consumer) Close(ctx context.Context) {
	if err := c.cl.Flush(ctx); err != nil {
		c.log.Warn("flushing dead letters", zap.Error(err))
	}
	c.commit(ctx)
	c.cl.Close()
}
