package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/alerting"
	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/config"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/internal/wiring"
	"github.com/rapport-dev/rapport/pipeline"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sim"
)

// newFullPipeline builds the pipeline over the env exactly as `rapport run` does (internal/wiring, every
// stage, default configuration, the simulator's catalogue and brand accounts), writing into a fresh
// ClickHouse database so that no warm start sees an earlier run's posts. The alerting stage runs its
// detector at the default configuration and drops the notices: delivering them belongs to the command. reg
// receives the pipeline's metrics.
func (e *env) newFullPipeline(tb testing.TB, group string, reg prometheus.Registerer) (*pipeline.Pipeline, driver.Conn) {
	tb.Helper()
	_, chCfg := testenv.ClickHouse(tb)
	catFile := filepath.Join(tb.TempDir(), "catalog.yml")
	if err := os.WriteFile(catFile, catalog.SimYAML(), 0o600); err != nil {
		tb.Fatalf("writing the catalogue: %v", err)
	}
	cfg := &config.Config{}
	cfg.Kafka.Brokers = e.brokers
	cfg.Kafka.Group = group
	cfg.Kafka.TopicPattern = "^" + regexp.QuoteMeta(e.namespace+".social.raw.")
	cfg.Kafka.DLQTopic = e.dlqTopic()
	cfg.ClickHouse.Addr = chCfg.Addr
	cfg.ClickHouse.Database = chCfg.Database
	cfg.Brands.Accounts = sim.BrandAccounts()
	cfg.Catalog.File = catFile
	if os.Getenv("RAPPORT_BENCH_THREAD_PREFETCH") == "off" {
		off := false
		cfg.Catalog.ThreadPrefetch = &off
	}
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		tb.Fatalf("benchmark configuration: %v", err)
	}
	alerts := func(*config.Config, driver.Conn, prometheus.Registerer, *zap.Logger) processors.Stage {
		mon, err := alerting.NewMonitor(alerting.DefaultMonitorConfig())
		if err != nil {
			tb.Fatalf("alerting monitor: %v", err)
		}
		return alerting.NewStage(mon, func(alerting.Notice) {}, alerting.NewMetrics(nil), nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, conn, err := wiring.Build(ctx, cfg, reg, zap.NewNop(), alerts)
	if err != nil {
		tb.Fatalf("building the pipeline: %v", err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return p, conn
}

// TestWiringFullPipeline runs a short stream through every stage as `rapport run` wires them and checks
// that each stage saw every post and that what was read is stored.
func TestWiringFullPipeline(t *testing.T) {
	e := newKfakeEnv(t, 3)
	const n = 3000
	e.produce(t, sim.New(sim.Config{Seed: 5}), n)
	reg := prometheus.NewRegistry()
	p, conn := e.newFullPipeline(t, e.group, reg)
	runUntil(t, p, n, 2*time.Minute)
	st := p.Consumer.Stats()
	if st.Records != n {
		t.Fatalf("read %d records; want %d", st.Records, n)
	}
	final, _ := countPosts(t, conn)
	if final == 0 || final > uint64(st.Posts) {
		t.Fatalf("stored %d live posts of %d decoded; want between 1 and %d", final, st.Posts, st.Posts)
	}
	in := metricValues(t, reg, "rapport_stage_posts_in_total", "stage")
	for _, stage := range []string{"erasure", "pii", "features", "langdetect", "dedup", "entities", "sentiment", "influence", "alerts"} {
		if _, ok := in[stage]; !ok {
			t.Errorf("stage %s saw no posts; stages that did: %v", stage, in)
		}
	}
	if in["erasure"] != float64(st.Posts) {
		t.Errorf("first stage saw %.0f posts; want the %d decoded", in["erasure"], st.Posts)
	}
}

// metricValues returns, by the value of label, the values of the counters (or histogram sums) named name.
func metricValues(tb testing.TB, g prometheus.Gatherer, name, label string) map[string]float64 {
	tb.Helper()
	families, err := g.Gather()
	if err != nil {
		tb.Fatalf("gathering metrics: %v", err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == label {
					key = l.GetValue()
				}
			}
			out[key] += metricValue(m)
		}
	}
	return out
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetHistogram() != nil:
		return m.GetHistogram().GetSampleSum()
	}
	return 0
}

// printStageTimes writes where the all-stages run spent its time: per stage the seconds spent on batches,
// the thread look-ups of the entities stage, and the sink's inserts.
func printStageTimes(w io.Writer, g prometheus.Gatherer, tb testing.TB) {
	busy := metricValues(tb, g, "rapport_stage_batch_duration_seconds", "stage")
	names := make([]string, 0, len(busy))
	for s := range busy {
		names = append(names, s)
	}
	sort.Slice(names, func(i, j int) bool { return busy[names[i]] > busy[names[j]] })
	var parts []string
	for _, s := range names {
		parts = append(parts, fmt.Sprintf("%s %.2f", s, busy[s]))
	}
	fmt.Fprintf(w, "  stage busy seconds: %s\n", strings.Join(parts, ", "))
	lookups := metricValues(tb, g, "rapport_entities_thread_lookups_total", "result")
	flushes := metricValues(tb, g, "rapport_sink_flushes_total", "table")
	flushSecs := metricValues(tb, g, "rapport_sink_flush_duration_seconds", "table")
	lookupSecs := metricValues(tb, g, "rapport_entities_thread_lookup_duration_seconds", "")
	asked := metricValues(tb, g, "rapport_entities_thread_lookup_posts_total", "result")
	fmt.Fprintf(w, "  entities thread look-ups: %.0f ok (%.2f s waited; %.0f parents found of %.0f asked), %.0f failed; sink: %.0f inserts, %.2f s inserting\n",
		lookups["ok"], lookupSecs[""], asked["found"], asked["found"]+asked["unknown"], lookups["error"], flushes["posts"], flushSecs["posts"])
}
