package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// Datasource is one configured instance of the KPI datasource. It connects to ClickHouse on first use, so a
// ClickHouse that is down when Grafana starts is reported by the health check instead of breaking the
// instance.
type Datasource struct {
	settings Settings

	mu     sync.Mutex
	conn   driver.Conn
	engine *kpi.Engine
}

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// NewDatasource is the instance factory: it reads and checks the settings.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	c, err := ParseSettings(s)
	if err != nil {
		return nil, fmt.Errorf("rapport kpi datasource %q: %w", s.Name, err)
	}
	return &Datasource{settings: c}, nil
}

// Dispose closes the connection when Grafana replaces the instance (its settings changed).
func (d *Datasource) Dispose() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		_ = d.conn.Close()
		d.conn, d.engine = nil, nil
	}
}

func (d *Datasource) connect(ctx context.Context) (driver.Conn, *kpi.Engine, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		return d.conn, d.engine, nil
	}
	conn, err := clickhouse.Open(ctx, d.settings.ConnConfig(), false)
	if err != nil {
		return nil, nil, err
	}
	d.conn, d.engine = conn, kpi.NewEngine(conn)
	return d.conn, d.engine, nil
}

// CheckHealth reports whether ClickHouse answers and the schema of this build is migrated.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	fail := func(format string, a ...any) (*backend.CheckHealthResult, error) {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: fmt.Sprintf(format, a...)}, nil
	}
	conn, _, err := d.connect(ctx)
	if err != nil {
		return fail("ClickHouse is not reachable: %v", err)
	}
	if err := conn.Ping(ctx); err != nil {
		return fail("ClickHouse does not answer: %v", err)
	}
	want, err := clickhouse.Migrations()
	if err != nil {
		return fail("reading the schema migrations of this build: %v", err)
	}
	applied, err := clickhouse.AppliedVersions(ctx, conn)
	if err != nil {
		return fail("database %s is not migrated (run `rapport migrate`): %v", d.settings.Database, err)
	}
	var missing []string
	for _, m := range want {
		if _, ok := applied[m.Version]; !ok {
			missing = append(missing, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
	}
	if len(missing) > 0 {
		return fail("database %s lacks schema migrations %s (run `rapport migrate`)", d.settings.Database, strings.Join(missing, ", "))
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk,
		Message: fmt.Sprintf("ClickHouse answers; database %s has all %d schema migrations; %d KPIs available", d.settings.Database, len(want), len(kpi.Catalog()))}, nil
}

// kpiInfo is one KPI as the resource handler lists it.
type kpiInfo struct {
	Name           string   `json:"name"`
	Title          string   `json:"title"`
	Unit           string   `json:"unit"`
	Version        int      `json:"version"`
	Description    string   `json:"description"`
	HigherIsBetter bool     `json:"higherIsBetter"`
	Components     []string `json:"components,omitempty"`
}

// CallResource serves GET kpis (the KPI catalogue) and GET brands (the catalogue's brands).
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	reply := func(status int, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return sender.Send(&backend.CallResourceResponse{Status: status, Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: b})
	}
	if req.Method != http.MethodGet {
		return reply(http.StatusMethodNotAllowed, map[string]string{"error": "only GET is served"})
	}
	switch strings.Trim(req.Path, "/") {
	case "kpis":
		var out []kpiInfo
		for _, k := range kpi.Catalog() {
			out = append(out, kpiInfo{Name: k.Name, Title: k.Title, Unit: string(k.Unit), Version: k.Version,
				Description: k.Description, HigherIsBetter: k.HigherIsBetter, Components: k.Components})
		}
		return reply(http.StatusOK, out)
	case "brands":
		conn, _, err := d.connect(ctx)
		if err != nil {
			return reply(http.StatusBadGateway, map[string]string{"error": err.Error()})
		}
		brands, err := catalogBrands(ctx, conn, true)
		if err != nil {
			return reply(http.StatusBadGateway, map[string]string{"error": err.Error()})
		}
		return reply(http.StatusOK, brands)
	}
	return reply(http.StatusNotFound, map[string]string{"error": "unknown resource " + req.Path + "; try kpis or brands"})
}

// brandInfo is one brand of the catalogue.
type brandInfo struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Competitor bool   `json:"competitor"`
}

func catalogBrands(ctx context.Context, conn driver.Conn, competitors bool) ([]brandInfo, error) {
	q := "SELECT entity_id, name, competitor FROM catalog_entities FINAL WHERE kind = 'brand'"
	if !competitors {
		q += " AND competitor = 0"
	}
	rows, err := conn.Query(ctx, q+" ORDER BY competitor, entity_id")
	if err != nil {
		return nil, fmt.Errorf("reading the brand catalogue: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []brandInfo
	for rows.Next() {
		var b brandInfo
		var comp uint8
		if err := rows.Scan(&b.ID, &b.Name, &comp); err != nil {
			return nil, fmt.Errorf("reading the brand catalogue: %w", err)
		}
		b.Competitor = comp == 1
		out = append(out, b)
	}
	return out, rows.Err()
}

// QueryModel is one query of a panel.
type QueryModel struct {
	// Mode is series (default: one time series per brand), value (one value per brand over the range) or
	// compare (a table of KPIs over the range and over the period of the same length just before it).
	Mode string `json:"mode"`
	// KPI names the KPI of series and value modes (kpi.Catalog).
	KPI string `json:"kpi"`
	// KPIs are the KPIs of compare mode; empty means kpi.Leadership().
	KPIs []string `json:"kpis"`
	// Brand is a catalogue brand id, several comma-separated, or All ("", "All", "$__all", "__all__" or
	// "'__all__'"): every watched brand (competitors left out).
	Brand string `json:"brand"`
	// Product, Network, Language and Segment each take one value or All.
	Product  string `json:"product"`
	Network  string `json:"network"`
	Language string `json:"language"`
	Segment  string `json:"segment"`
	// Interval is the bucket width of series mode: a Go duration, or 1d / 1w; whole hours. Empty: Grafana's
	// interval for the panel, rounded up to whole hours.
	Interval string `json:"interval"`
	// Components adds the parts of a composite KPI (trust index, loyalty index, …) as extra series.
	Components bool `json:"components"`
	// BusinessHours "9-17" measures first-response times within 9:00–17:00 UTC, Monday to Friday.
	BusinessHours string `json:"businessHours"`
}

// QueryData answers every query of the request; a bad query gets its own error response.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		frames, err := d.query(ctx, q)
		if err != nil {
			var bad badQuery
			if errors.As(err, &bad) {
				resp.Responses[q.RefID] = backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, err.Error())
			} else {
				resp.Responses[q.RefID] = backend.ErrDataResponseWithSource(backend.StatusBadGateway, backend.ErrorSourceDownstream, err.Error())
			}
			continue
		}
		resp.Responses[q.RefID] = backend.DataResponse{Frames: frames}
	}
	return resp, nil
}

// badQuery marks an error in the query itself (as opposed to ClickHouse failing).
type badQuery struct{ msg string }

func (e badQuery) Error() string { return e.msg }

func badf(format string, a ...any) error { return badQuery{fmt.Sprintf(format, a...)} }

func isAll(s string) bool {
	switch strings.TrimSpace(s) {
	case "", "All", "$__all", "__all__", "'__all__'", "*":
		return true
	}
	return false
}

// one returns the single value of a filter that takes one value or All.
func one(field, s string) (string, error) {
	if isAll(s) {
		return "", nil
	}
	if strings.Contains(s, ",") {
		return "", badf("%s: one value or All, got %q", field, s)
	}
	return strings.TrimSpace(s), nil
}

func (d *Datasource) query(ctx context.Context, dq backend.DataQuery) (data.Frames, error) {
	var m QueryModel
	if err := json.Unmarshal(dq.JSON, &m); err != nil {
		return nil, badf("reading the query: %v", err)
	}
	base := kpi.Query{From: dq.TimeRange.From.UTC(), To: dq.TimeRange.To.UTC()}
	var err error
	if base.Product, err = one("product", m.Product); err != nil {
		return nil, err
	}
	if base.Network, err = one("network", m.Network); err != nil {
		return nil, err
	}
	if base.Lang, err = one("language", m.Language); err != nil {
		return nil, err
	}
	if base.Segment, err = one("segment", m.Segment); err != nil {
		return nil, err
	}
	if m.BusinessHours != "" {
		from, to, ok := strings.Cut(m.BusinessHours, "-")
		s, err1 := strconv.Atoi(strings.TrimSpace(from))
		e, err2 := strconv.Atoi(strings.TrimSpace(to))
		if !ok || err1 != nil || err2 != nil || s < 0 || e > 24 || s >= e {
			return nil, badf("businessHours: want start-end hours like 9-17, got %q", m.BusinessHours)
		}
		base.BusinessHours = &kpi.BusinessHours{Start: s, End: e}
	}
	if !base.From.Before(base.To) {
		return nil, badf("time range: from %s is not before to %s", base.From, base.To)
	}
	mode := m.Mode
	if mode == "" {
		mode = "series"
	}
	var names []string
	switch mode {
	case "series", "value":
		if _, ok := kpi.Lookup(m.KPI); !ok {
			return nil, badf("kpi: unknown KPI %q (GET resources/kpis lists them)", m.KPI)
		}
	case "compare":
		names = m.KPIs
		if len(names) == 0 {
			names = kpi.Leadership()
		}
		for _, n := range names {
			if _, ok := kpi.Lookup(n); !ok {
				return nil, badf("kpis: unknown KPI %q (GET resources/kpis lists them)", n)
			}
		}
	default:
		return nil, badf("mode: series, value or compare, got %q", m.Mode)
	}
	conn, engine, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	brands, err := d.brands(ctx, conn, m.Brand, base.Product)
	if err != nil {
		return nil, err
	}
	switch mode {
	case "series":
		if base.Interval, err = interval(m.Interval, dq.Interval, base.To.Sub(base.From)); err != nil {
			return nil, err
		}
		return d.series(ctx, engine, base, m, brands)
	case "value":
		return d.values(ctx, engine, base, m, brands)
	}
	return d.compare(ctx, engine, base, names, brands)
}

// brands resolves the brand filter: the named brands, or every watched brand for All. A product implies its
// brand.
func (d *Datasource) brands(ctx context.Context, conn driver.Conn, s, product string) ([]string, error) {
	if product != "" {
		b, _, ok := strings.Cut(product, "/")
		if !ok {
			return nil, badf("product: %q is not a catalogue product id (brand/product)", product)
		}
		return []string{b}, nil
	}
	if !isAll(s) {
		var out []string
		for _, b := range strings.Split(s, ",") {
			if b = strings.TrimSpace(b); b != "" {
				out = append(out, b)
			}
		}
		return out, nil
	}
	list, err := catalogBrands(ctx, conn, false)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, badf("brand: All selected but the catalogue (catalog_entities) has no watched brand")
	}
	out := make([]string, len(list))
	for i, b := range list {
		out[i] = b.ID
	}
	return out, nil
}

// maxPoints bounds the buckets of a series, below the engine's own limit.
const maxPoints = 2000

// interval returns the bucket width: the query's, else Grafana's, in whole hours, with at most maxPoints
// buckets over span.
func interval(s string, grafana time.Duration, span time.Duration) (time.Duration, error) {
	d := grafana
	switch s {
	case "":
	case "1d":
		d = 24 * time.Hour
	case "1w":
		d = 7 * 24 * time.Hour
	default:
		var err error
		if d, err = time.ParseDuration(s); err != nil || d <= 0 {
			return 0, badf("interval: want a duration such as 1h, 6h, 1d or 1w, got %q", s)
		}
	}
	if d < time.Hour {
		d = time.Hour
	}
	d = (d + time.Hour - 1) / time.Hour * time.Hour
	for span/d > maxPoints {
		d *= 2
	}
	return d, nil
}

// unit maps a KPI unit to Grafana's.
func unit(u kpi.Unit) string {
	switch u {
	case kpi.UnitPercent:
		return "percent"
	case kpi.UnitSeconds:
		return "s"
	case kpi.UnitCount:
		return "short"
	}
	return "none"
}

func (d *Datasource) series(ctx context.Context, e *kpi.Engine, base kpi.Query, m QueryModel, brands []string) (data.Frames, error) {
	def, _ := kpi.Lookup(m.KPI)
	var frames data.Frames
	for _, b := range brands {
		q := base
		q.KPI, q.Brand = m.KPI, b
		points, err := e.Series(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s of %s: %w", m.KPI, b, err)
		}
		times := make([]time.Time, len(points))
		values := make([]*float64, len(points))
		comps := map[string][]*float64{}
		if m.Components {
			for _, c := range def.Components {
				comps[c] = make([]*float64, len(points))
			}
		}
		for i, p := range points {
			times[i] = p.Time
			if p.Valid {
				v := p.Value
				values[i] = &v
			}
			for c, vs := range comps {
				if v, ok := p.Components[c]; ok && p.Valid {
					vs[i] = &v
				}
			}
		}
		labels := data.Labels{"brand": b}
		val := data.NewField(m.KPI, labels, values).SetConfig(&data.FieldConfig{
			DisplayNameFromDS: def.Title + " · " + b, Unit: unit(def.Unit), Description: def.Description})
		f := data.NewFrame(m.KPI+" "+b, data.NewField("time", nil, times), val)
		for _, c := range def.Components {
			if vs, ok := comps[c]; ok {
				f.Fields = append(f.Fields, data.NewField(m.KPI+"."+c, labels, vs).SetConfig(&data.FieldConfig{
					DisplayNameFromDS: def.Title + " · " + c + " · " + b}))
			}
		}
		f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, ExecutedQueryString: fmt.Sprintf("%s brand=%s product=%s network=%s lang=%s segment=%s interval=%s",
			m.KPI, b, q.Product, q.Network, q.Lang, q.Segment, q.Interval)}
		frames = append(frames, f)
	}
	return frames, nil
}

func (d *Datasource) values(ctx context.Context, e *kpi.Engine, base kpi.Query, m QueryModel, brands []string) (data.Frames, error) {
	def, _ := kpi.Lookup(m.KPI)
	var frames data.Frames
	for _, b := range brands {
		q := base
		q.KPI, q.Brand = m.KPI, b
		p, err := e.Value(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s of %s: %w", m.KPI, b, err)
		}
		var v *float64
		if p.Valid {
			v = &p.Value
		}
		val := data.NewField(m.KPI, data.Labels{"brand": b}, []*float64{v}).SetConfig(&data.FieldConfig{
			DisplayNameFromDS: def.Title + " · " + b, Unit: unit(def.Unit), Description: def.Description})
		frames = append(frames, data.NewFrame(m.KPI+" "+b, val, data.NewField("n", data.Labels{"brand": b}, []int64{p.N})))
	}
	return frames, nil
}

// compare returns one table: per brand and KPI, the value over the range and over the period just before.
func (d *Datasource) compare(ctx context.Context, e *kpi.Engine, base kpi.Query, names, brands []string) (data.Frames, error) {
	span := base.To.Sub(base.From)
	prev := base
	prev.From, prev.To = base.From.Add(-span), base.From
	var (
		colBrand, colKPI, colTitle, colUnit []string
		colCur, colPrev, colChange          []*float64
	)
	for _, b := range brands {
		q, pq := base, prev
		q.Brand, pq.Brand = b, b
		cur, err := e.Values(ctx, q, names)
		if err != nil {
			return nil, fmt.Errorf("KPIs of %s: %w", b, err)
		}
		before, err := e.Values(ctx, pq, names)
		if err != nil {
			return nil, fmt.Errorf("KPIs of %s, previous period: %w", b, err)
		}
		for _, n := range names {
			def, _ := kpi.Lookup(n)
			c, p := cur[n], before[n]
			colBrand, colKPI, colTitle, colUnit = append(colBrand, b), append(colKPI, n), append(colTitle, def.Title), append(colUnit, string(def.Unit))
			colCur, colPrev = append(colCur, valuePtr(c)), append(colPrev, valuePtr(p))
			var ch *float64
			if c.Valid && p.Valid {
				v := c.Value - p.Value
				ch = &v
			}
			colChange = append(colChange, ch)
		}
	}
	f := data.NewFrame("kpis",
		data.NewField("brand", nil, colBrand), data.NewField("kpi", nil, colKPI), data.NewField("title", nil, colTitle),
		data.NewField("current", nil, colCur), data.NewField("previous", nil, colPrev), data.NewField("change", nil, colChange),
		data.NewField("unit", nil, colUnit))
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return data.Frames{f}, nil
}

func valuePtr(p kpi.Point) *float64 {
	if !p.Valid {
		return nil
	}
	v := p.Value
	return &v
}
