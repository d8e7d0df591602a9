package plugin_test

import (
	"context"
	"encoding/json"
	"math"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/rapport-dev/rapport/dashboards/internal/seed"
	"github.com/rapport-dev/rapport/dashboards/plugin"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

func instanceSettings(t *testing.T, jsonData map[string]any, password string) backend.DataSourceInstanceSettings {
	t.Helper()
	b, err := json.Marshal(jsonData)
	if err != nil {
		t.Fatal(err)
	}
	return backend.DataSourceInstanceSettings{UID: "kpi-test", Name: "Rapport KPIs", Type: plugin.ID, JSONData: b,
		DecryptedSecureJSONData: map[string]string{"password": password}, Updated: time.Unix(1, 0)}
}

func TestParseSettings(t *testing.T) {
	s, err := plugin.ParseSettings(instanceSettings(t, map[string]any{}, "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	c := s.ConnConfig()
	if s.Addr != "127.0.0.1:9000" || c.Database != "rapport" || c.Username != "default" || c.Password != "s3cret" || c.DialTimeout != 5*time.Second {
		t.Errorf("defaults: %+v; want 127.0.0.1:9000, rapport, default, the secure password, 5s", c)
	}
	s, err = plugin.ParseSettings(instanceSettings(t, map[string]any{"addr": "ch1:9000, ch2:9000", "database": "crm", "username": "grafana_ro"}, ""))
	if err != nil || len(s.ConnConfig().Addr) != 2 || s.ConnConfig().Addr[1] != "ch2:9000" {
		t.Errorf("two addresses: %+v, %v", s.ConnConfig(), err)
	}
	for _, c := range []struct {
		json  map[string]any
		field string
	}{
		{map[string]any{"database": "x; DROP"}, "jsonData.database"},
		{map[string]any{"addr": "nohost"}, "jsonData.addr"},
		{map[string]any{"dialTimeoutSeconds": -3}, "jsonData.dialTimeoutSeconds"},
		{map[string]any{"database": 7}, "jsonData"},
	} {
		_, err := plugin.ParseSettings(instanceSettings(t, c.json, ""))
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("settings %v: error %v; want one naming %s", c.json, err, c.field)
		}
	}
}

// fixture is a seeded database and the plugin settings pointing at it.
type fixture struct {
	settings backend.DataSourceInstanceSettings
	engine   *kpi.Engine
	res      seed.Result
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	conn, cfg := testenv.ClickHouse(t)
	res, err := seed.Load(context.Background(), conn, seed.Config{Records: 12000, Rate: 0.08})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		settings: instanceSettings(t, map[string]any{"addr": strings.Join(cfg.Addr, ","), "database": cfg.Database}, cfg.Password),
		engine:   kpi.NewEngine(conn), res: res,
	}
}

func (f *fixture) query(ref string, model map[string]any) backend.DataQuery {
	b, _ := json.Marshal(model)
	return backend.DataQuery{RefID: ref, JSON: b, Interval: time.Hour, MaxDataPoints: 500,
		TimeRange: backend.TimeRange{From: f.res.From.Truncate(time.Hour), To: f.res.To.Truncate(time.Hour).Add(time.Hour)}}
}

// handlers is what the tests call: the datasource directly, or the plugin over gRPC.
type handlers interface {
	backend.QueryDataHandler
	backend.CheckHealthHandler
}

func (f *fixture) pluginContext() backend.PluginContext {
	s := f.settings
	return backend.PluginContext{PluginID: plugin.ID, DataSourceInstanceSettings: &s}
}

// checkQueries runs the queries the leadership dashboard makes and checks the frames against the engine.
func (f *fixture) checkQueries(t *testing.T, h handlers) {
	t.Helper()
	ctx := context.Background()
	health, err := h.CheckHealth(ctx, &backend.CheckHealthRequest{PluginContext: f.pluginContext()})
	if err != nil || health.Status != backend.HealthStatusOk {
		t.Fatalf("health: %+v, %v; want OK", health, err)
	}
	t.Logf("health: %s", health.Message)
	req := &backend.QueryDataRequest{PluginContext: f.pluginContext(), Queries: []backend.DataQuery{
		f.query("series", map[string]any{"kpi": kpi.TrustIndex, "brand": "'__all__'", "interval": "6h", "components": true}),
		f.query("value", map[string]any{"mode": "value", "kpi": kpi.NPSProxy, "brand": "acme,brewhaus", "network": "x"}),
		f.query("compare", map[string]any{"mode": "compare", "brand": "fluxbank"}),
		f.query("badkpi", map[string]any{"kpi": "happiness"}),
		f.query("badnet", map[string]any{"kpi": kpi.NetSentiment, "network": "x,reddit"}),
	}}
	resp, err := h.QueryData(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	watched := 0
	for _, b := range f.res.Brands {
		if !seed.Competitors[b] && b != "zentro" && b != "bean-and-co" {
			watched++
		}
	}

	// Series: one frame per watched brand, a time field and the KPI, the five components alongside.
	sr := resp.Responses["series"]
	if sr.Error != nil || len(sr.Frames) != watched {
		t.Fatalf("series: error %v, %d frames; want one per watched brand (%d)", sr.Error, len(sr.Frames), watched)
	}
	for _, fr := range sr.Frames {
		brand := fr.Fields[1].Labels["brand"]
		def, _ := kpi.Lookup(kpi.TrustIndex)
		if len(fr.Fields) != 2+len(def.Components) || fr.Fields[0].Type() != data.FieldTypeTime || fr.Fields[1].Type() != data.FieldTypeNullableFloat64 {
			t.Fatalf("series %s: fields %v; want time, trust_index and %d components", brand, fieldNames(fr), len(def.Components))
		}
		q := kpi.Query{KPI: kpi.TrustIndex, Brand: brand, From: req.Queries[0].TimeRange.From, To: req.Queries[0].TimeRange.To, Interval: 6 * time.Hour}
		want, err := f.engine.Series(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if fr.Rows() != len(want) {
			t.Fatalf("series %s: %d rows; the engine has %d buckets", brand, fr.Rows(), len(want))
		}
		valid := 0
		for i, p := range want {
			got, _ := fr.Fields[1].ConcreteAt(i)
			if p.Valid != (got != nil) || (p.Valid && math.Abs(got.(float64)-p.Value) > 1e-9) || !fr.Fields[0].At(i).(time.Time).Equal(p.Time) {
				t.Fatalf("series %s row %d: %v at %v; the engine says %+v", brand, i, got, fr.Fields[0].At(i), p)
			}
			if p.Valid {
				valid++
			}
		}
		if valid == 0 {
			t.Errorf("series %s: no bucket with a trust index on the simulated stream", brand)
		}
	}

	// Value: one frame per named brand, equal to the engine's value for that brand on x.
	vr := resp.Responses["value"]
	if vr.Error != nil || len(vr.Frames) != 2 {
		t.Fatalf("value: %v, %d frames; want 2", vr.Error, len(vr.Frames))
	}
	for _, fr := range vr.Frames {
		brand := fr.Fields[0].Labels["brand"]
		p, err := f.engine.Value(ctx, kpi.Query{KPI: kpi.NPSProxy, Brand: brand, Network: "x", From: req.Queries[1].TimeRange.From, To: req.Queries[1].TimeRange.To})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := fr.Fields[0].ConcreteAt(0)
		if !p.Valid || got == nil || math.Abs(got.(float64)-p.Value) > 1e-9 {
			t.Errorf("value %s: %v; the engine says %+v (want a valid value)", brand, got, p)
		}
	}

	// Compare: a table row per leadership KPI, current and previous period.
	cr := resp.Responses["compare"]
	if cr.Error != nil || len(cr.Frames) != 1 || cr.Frames[0].Rows() != len(kpi.Leadership()) {
		t.Fatalf("compare: %v, frames %d; want one table of %d rows", cr.Error, len(cr.Frames), len(kpi.Leadership()))
	}
	tbl := cr.Frames[0]
	if names := fieldNames(tbl); strings.Join(names, ",") != "brand,kpi,title,current,previous,change,unit" {
		t.Errorf("compare columns %v", names)
	}
	for i := 0; i < tbl.Rows(); i++ {
		if cur, _ := tbl.Fields[3].ConcreteAt(i); cur == nil && tbl.Fields[1].At(i) == kpi.TrustIndex {
			t.Errorf("compare: no current trust index for fluxbank")
		}
		// The seeded stream starts at the range's start: the previous period is empty.
		if prev, ok := tbl.Fields[4].ConcreteAt(i); ok && tbl.Fields[1].At(i) == kpi.Opinions && prev.(float64) != 0 {
			t.Errorf("compare: %v opinions in the period before the stream", prev)
		}
	}

	for ref, want := range map[string]string{"badkpi": `unknown KPI "happiness"`, "badnet": "network: one value or All"} {
		r := resp.Responses[ref]
		if r.Error == nil || !strings.Contains(r.Error.Error(), want) || r.Status != backend.StatusBadRequest {
			t.Errorf("%s: error %v status %d; want 400 with %q", ref, r.Error, r.Status, want)
		}
	}
}

func fieldNames(f *data.Frame) []string {
	var out []string
	for _, fl := range f.Fields {
		out = append(out, fl.Name)
	}
	return out
}

// TestDirect calls the datasource instance directly.
func TestDirect(t *testing.T) {
	f := newFixture(t)
	inst, err := plugin.NewDatasource(context.Background(), f.settings)
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*plugin.Datasource)
	defer d.Dispose()
	f.checkQueries(t, d)

	var got []*backend.CallResourceResponse
	send := backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error { got = append(got, r); return nil })
	for _, path := range []string{"kpis", "brands", "nope"} {
		if err := d.CallResource(context.Background(), &backend.CallResourceRequest{Method: "GET", Path: path}, send); err != nil {
			t.Fatal(err)
		}
	}
	var kpis []struct{ Name, Unit string }
	var brands []struct {
		ID         string
		Competitor bool
	}
	if len(got) != 3 || got[0].Status != 200 || json.Unmarshal(got[0].Body, &kpis) != nil || len(kpis) != len(kpi.Catalog()) {
		t.Fatalf("GET kpis: %+v; want the %d KPIs of the catalogue", got, len(kpi.Catalog()))
	}
	if got[1].Status != 200 || json.Unmarshal(got[1].Body, &brands) != nil || len(brands) != len(f.res.Brands) {
		t.Errorf("GET brands: %d %s; want the %d brands", got[1].Status, got[1].Body, len(f.res.Brands))
	}
	if got[2].Status != 404 {
		t.Errorf("GET nope: %d; want 404", got[2].Status)
	}
}

// grpcClient calls the plugin over the SDK's gRPC protocol, as Grafana does.
type grpcClient struct {
	data   pluginv2.DataClient
	health pluginv2.DiagnosticsClient
}

func (c grpcClient) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp, err := c.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		return nil, err
	}
	return backend.FromProto().QueryDataResponse(resp)
}

func (c grpcClient) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	resp, err := c.health.CheckHealth(ctx, &pluginv2.CheckHealthRequest{
		PluginContext: backend.ToProto().PluginContext(req.PluginContext), Headers: req.Headers})
	if err != nil {
		return nil, err
	}
	return backend.FromProto().CheckHealthResponse(resp), nil
}

// The SDK's standalone server registers its metrics globally, so one server serves every test of the
// package; TestMain stops it.
var (
	grpcOnce   sync.Once
	grpcServer *grpc.Server
	grpcConn   *grpc.ClientConn
	grpcErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if grpcConn != nil {
		_ = grpcConn.Close()
	}
	if grpcServer != nil {
		grpcServer.Stop()
	}
	os.Exit(code)
}

func serveGRPC(t *testing.T) grpcClient {
	t.Helper()
	grpcOnce.Do(func() {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			grpcErr = err
			return
		}
		addr := l.Addr().String()
		_ = l.Close()
		if grpcServer, grpcErr = backend.TestStandaloneServe(plugin.NewService().ServeOpts(), addr); grpcErr != nil {
			return
		}
		grpcConn, grpcErr = grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	})
	if grpcErr != nil {
		t.Fatalf("serving the plugin over gRPC: %v", grpcErr)
	}
	return grpcClient{data: pluginv2.NewDataClient(grpcConn), health: pluginv2.NewDiagnosticsClient(grpcConn)}
}

// TestGRPC serves the plugin with the SDK's standalone gRPC server and calls it through the generated
// clients: settings, the secure password, queries and frames all cross the wire.
func TestGRPC(t *testing.T) {
	f := newFixture(t)
	c := serveGRPC(t)
	f.checkQueries(t, c)
}

// TestHealthFailures checks what the health check says when ClickHouse is unreachable, the database is not
// migrated, or a setting is invalid — directly and over gRPC.
func TestHealthFailures(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	ctx := context.Background()
	empty := cfg.Database + "_empty"
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+empty); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+empty) })
	partial := cfg.Database + "_partial"
	pconn, err := clickhouse.Open(ctx, clickhouse.ConnConfig{Addr: cfg.Addr, Database: partial}, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+partial); _ = pconn.Close() })
	if _, err := clickhouse.Migrate(ctx, pconn, nil); err != nil {
		t.Fatal(err)
	}
	// The KPI rollups' migration (0040) recorded as not applied.
	for _, q := range []string{
		"CREATE TABLE schema_migrations_kept AS schema_migrations",
		"INSERT INTO schema_migrations_kept SELECT * FROM schema_migrations WHERE version != 40",
		"DROP TABLE schema_migrations",
		"RENAME TABLE schema_migrations_kept TO schema_migrations",
	} {
		if err := pconn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	cases := []struct {
		name string
		json map[string]any
		want string
	}{
		{"unreachable", map[string]any{"addr": "127.0.0.1:1", "dialTimeoutSeconds": 1}, "not reachable"},
		{"not migrated", map[string]any{"addr": strings.Join(cfg.Addr, ","), "database": empty}, "not migrated"},
		{"migration missing", map[string]any{"addr": strings.Join(cfg.Addr, ","), "database": partial}, "0040_kpi_rollups"},
		{"bad setting", map[string]any{"database": "no-such db"}, "jsonData.database"},
	}
	c := serveGRPC(t)
	for _, tc := range cases {
		s := instanceSettings(t, tc.json, "")
		s.UID = tc.name // a distinct instance per case
		pc := backend.PluginContext{PluginID: plugin.ID, DataSourceInstanceSettings: &s}
		viaGRPC, err := c.CheckHealth(ctx, &backend.CheckHealthRequest{PluginContext: pc})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		direct, err := plugin.NewService().CheckHealth(ctx, &backend.CheckHealthRequest{PluginContext: pc})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for how, r := range map[string]*backend.CheckHealthResult{"grpc": viaGRPC, "direct": direct} {
			if r.Status != backend.HealthStatusError || !strings.Contains(r.Message, tc.want) {
				t.Errorf("%s (%s): %v %q; want an error mentioning %q", tc.name, how, r.Status, r.Message, tc.want)
			}
		}
	}
}
