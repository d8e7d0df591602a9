package main

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/internal/wiring"
	"github.com/rapport-dev/rapport/pipeline"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// The stages, the consumer and the writer are built by internal/wiring (where the pipeline benchmark builds
// them too); this file only adds what the command owns: the alerting stage's delivery.

// erasureRefresh is how often the pipeline reloads the erased authors (see wiring.ErasureRefresh).
const erasureRefresh = wiring.ErasureRefresh

// connConfig is the ClickHouse connection c configures.
func connConfig(c *config.Config) clickhouse.ConnConfig { return wiring.ConnConfig(c) }

// buildPipeline connects to ClickHouse (migrating when configured) and assembles consumer, stages (the
// alerting stage by alertsStage) and writer. The caller closes the returned connection after the pipeline
// stopped, and then calls closeAlertDelivery.
func buildPipeline(ctx context.Context, c *config.Config, reg prometheus.Registerer, log *zap.Logger, extra ...kgo.Opt) (*pipeline.Pipeline, driver.Conn, error) {
	return wiring.Build(ctx, c, reg, log, alertsStage, extra...)
}
