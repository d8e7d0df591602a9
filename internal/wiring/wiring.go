// Package wiring builds what `rapport run` runs from a validated configuration: the ClickHouse connection,
// the Kafka consumer, the processor stages in pipeline order and the ClickHouse writer. It is the one place
// stages are registered. cmd/rapport calls it, and so does the pipeline benchmark, so that the benchmark
// measures the chain users run rather than a copy of it.
//
// The alerting stage is passed in (AlertsFunc): its delivery goroutines and producers belong to the
// command, which stops them after the pipeline drained.
package wiring

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"
	"github.com/twmb/franz-go/plugin/kzap"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/config"
	identitypii "github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/pipeline"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/brandaccounts"
	"github.com/rapport-dev/rapport/processors/entities"
	"github.com/rapport-dev/rapport/processors/erasure"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/processors/langdetect"
	piistage "github.com/rapport-dev/rapport/processors/pii"
	"github.com/rapport-dev/rapport/processors/sentiment"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// AlertsFunc builds the alerting stage as the alerts section of c says, starting whatever delivers its
// notices. log may be nil.
type AlertsFunc func(c *config.Config, conn driver.Conn, reg prometheus.Registerer, log *zap.Logger) processors.Stage

// Stages lists the processor stages in pipeline order. alerts builds the alerting stage; nil leaves it out.
// reg may be nil.
func Stages(c *config.Config, conn driver.Conn, analyzer *sentiment.Analyzer, rec *catalog.Recognizer, reg prometheus.Registerer, alerts AlertsFunc) []processors.Stage {
	ents := entities.NewThreaded(rec, ThreadConfig(c, conn), reg)
	list := []processors.Stage{
		erasure.New(func(ctx context.Context) (map[string]map[string]bool, error) {
			return clickhouse.ErasedAuthors(ctx, conn)
		}, ErasureRefresh, reg),
		piistage.New(PIIHasher(c), reg),
		brandaccounts.New(c.Brands.Accounts),
		features.Stage{},
	}
	if c.Catalog.ThreadPrefetch == nil || *c.Catalog.ThreadPrefetch {
		// Starts the thread look-ups of a batch here, so that they run while langdetect and dedup work.
		list = append(list, ents.Prefetcher())
	}
	list = append(list,
		langdetect.New(nil, 0, reg),
		DedupStage(c, conn, reg),
		ents,
		sentiment.NewStage(analyzer, "", reg),
		InfluenceStage(c, conn, reg),
	)
	if alerts != nil {
		list = append(list, alerts(c, conn, reg, nil))
	}
	return append(list, LinkStages(c, conn, reg)...)
}

// ErasureRefresh is how often the pipeline reloads the erased authors; `rapport erase` waits longer than
// this (plus a flush) before deleting, so no post of an erased author is still on its way.
const ErasureRefresh = 5 * time.Second

// ConnConfig is the ClickHouse connection c configures.
func ConnConfig(c *config.Config) clickhouse.ConnConfig {
	// A bad TLS file is reported by Validate-time checks in Build; here it only leaves TLS unset.
	tlsCfg, _ := c.ClickHouseTLS()
	return clickhouse.ConnConfig{
		Addr:     c.ClickHouse.Addr,
		Database: c.ClickHouse.Database,
		Username: c.ClickHouse.Username,
		Password: c.ClickHouse.Password,
		TLS:      tlsCfg,
	}
}

// Build connects to ClickHouse (migrating when configured) and assembles consumer, stages and writer, as
// `rapport run` runs them. extra are further Kafka client options. The caller closes the returned
// connection after the pipeline stopped.
func Build(ctx context.Context, c *config.Config, reg prometheus.Registerer, log *zap.Logger, alerts AlertsFunc, extra ...kgo.Opt) (*pipeline.Pipeline, driver.Conn, error) {
	if _, err := c.ClickHouseTLS(); err != nil {
		return nil, nil, err
	}
	security, err := KafkaSecurity(c)
	if err != nil {
		return nil, nil, err
	}
	conn, err := clickhouse.Open(ctx, ConnConfig(c), *c.ClickHouse.Migrate)
	if err != nil {
		return nil, nil, err
	}
	p, err := build(ctx, c, conn, reg, log, alerts, append(security, extra...))
	if err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	return p, conn, nil
}

func build(ctx context.Context, c *config.Config, conn driver.Conn, reg prometheus.Registerer, log *zap.Logger, alerts AlertsFunc, extra []kgo.Opt) (*pipeline.Pipeline, error) {
	if *c.ClickHouse.Migrate {
		if _, err := clickhouse.Migrate(ctx, conn, log.With(zap.String("component", "migrate"))); err != nil {
			return nil, err
		}
	}
	rec, err := LoadCatalog(ctx, c, conn, log)
	if err != nil {
		return nil, err
	}
	normalizers, err := Normalizers(c)
	if err != nil {
		return nil, err
	}
	kafkaLog := log.With(zap.String("component", "kafka"))
	opts := []kgo.Opt{
		kgo.WithLogger(kzap.New(kafkaLog, kzap.Level(kgo.LogLevelWarn))),
		kgo.WithHooks(kprom.NewMetrics("rapport_kafka", kprom.Registerer(reg))),
	}
	opts = append(opts, extra...)
	consumer, err := ingest.NewConsumer(ingest.Config{
		Brokers:        c.Kafka.Brokers,
		Group:          c.Kafka.Group,
		TopicPattern:   c.Kafka.TopicPattern,
		DLQTopic:       c.Kafka.DLQTopic,
		Networks:       c.Kafka.Networks,
		NetworkHeader:  c.Kafka.NetworkHeader,
		BatchSize:      c.Pipeline.BatchSize,
		MaxPollRecords: c.Kafka.MaxPollRecords,
		MaxPayload:     c.Pipeline.MaxPayloadBytes,
		MaxInFlight:    c.Pipeline.MaxInFlight,
		FetchMaxBytes:  c.Kafka.FetchMaxBytes,
		CommitInterval: c.Kafka.CommitInterval,
		SessionTimeout: c.Kafka.SessionTimeout,
		RevokeTimeout:  c.Kafka.RevokeTimeout,
		ClientOpts:     opts,
	}, normalizers, reg, log.With(zap.String("component", "ingest")))
	if err != nil {
		return nil, err
	}
	analyzer, err := sentiment.New()
	if err != nil {
		return nil, fmt.Errorf("loading the sentiment model: %w", err)
	}
	runner := processors.NewRunner(Stages(c, conn, analyzer, rec, reg, alerts), c.Pipeline.QueueDepth, processors.NewMetrics(reg), log.With(zap.String("component", "processors")))
	writer := clickhouse.NewWriter(conn, clickhouse.WriterConfig{
		BatchRows:       c.ClickHouse.BatchRows,
		FlushInterval:   c.ClickHouse.FlushInterval,
		MaxBackoff:      c.ClickHouse.MaxBackoff,
		InsertsInFlight: c.ClickHouse.InsertsInFlight,
	}, reg, log.With(zap.String("component", "sink")))
	return &pipeline.Pipeline{
		Consumer:        consumer,
		Runner:          runner,
		Writer:          writer,
		Log:             log.With(zap.String("component", "pipeline")),
		ShutdownTimeout: c.Pipeline.ShutdownTimeout,
	}, nil
}

// Normalizers returns the built-in normalizers plus the configured generic ones.
func Normalizers(c *config.Config) (map[post.Network]ingest.Normalizer, error) {
	all := ingest.Normalizers()
	for i, g := range c.Ingest.Generic {
		network := post.Network(g.Network)
		if _, taken := all[network]; taken || network == ingest.AutoNetwork {
			return nil, fmt.Errorf("ingest.generic[%d].network: %q is already a network of its own", i, g.Network)
		}
		n, err := ingest.NewGenericNormalizer(network, g.Fields)
		if err != nil {
			return nil, fmt.Errorf("ingest.generic[%d]: %w", i, err)
		}
		all[network] = n
	}
	return all, nil
}

// PIIHasher returns the keyed hasher of personal data, or nil when no pii.key is configured (the pii stage
// then still redacts, and posts carry no hashes to link authors with).
func PIIHasher(c *config.Config) *identitypii.Hasher {
	if c.PII.Key == "" {
		return nil
	}
	h, err := identitypii.New([]byte(c.PII.Key))
	if err != nil {
		return nil // Validate has already rejected keys that are too short
	}
	return h
}
