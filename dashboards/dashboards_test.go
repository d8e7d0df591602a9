package dashboards_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/rapport-dev/rapport/dashboards"
	"github.com/rapport-dev/rapport/dashboards/internal/seed"
	"github.com/rapport-dev/rapport/dashboards/plugin"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/kpi"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

const (
	chType  = "grafana-clickhouse-datasource"
	kpiType = "rapport-kpi-datasource"
)

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type gridPos struct{ X, Y, W, H int }

type target struct {
	RefID      string `json:"refId"`
	Datasource *dsRef `json:"datasource"`
	RawSQL     string `json:"rawSql"`
	Format     *int   `json:"format"`
	KPI        string `json:"kpi"`
	Mode       string `json:"mode"`
	raw        json.RawMessage
}

func (t *target) UnmarshalJSON(b []byte) error {
	type plain target
	if err := json.Unmarshal(b, (*plain)(t)); err != nil {
		return err
	}
	t.raw = append(json.RawMessage(nil), b...)
	return nil
}

type panel struct {
	ID         int      `json:"id"`
	Type       string   `json:"type"`
	Title      string   `json:"title"`
	Datasource *dsRef   `json:"datasource"`
	GridPos    *gridPos `json:"gridPos"`
	Targets    []target `json:"targets"`
	Panels     []panel  `json:"panels"` // a collapsed row's panels
}

type templateVar struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Datasource *dsRef          `json:"datasource"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
}

type annotation struct {
	Name       string  `json:"name"`
	BuiltIn    int     `json:"builtIn"`
	Datasource *dsRef  `json:"datasource"`
	Target     *target `json:"target"`
}

type dashboard struct {
	file        string
	UID         string `json:"uid"`
	Title       string `json:"title"`
	Panels      []panel
	Templating  struct{ List []templateVar }
	Annotations struct{ List []annotation }
}

func loadDashboards(t *testing.T) []*dashboard {
	t.Helper()
	names, err := fs.Glob(dashboards.Files, "json/*.json")
	if err != nil || len(names) < 3 {
		t.Fatalf("dashboards: %v, %v; want at least 3", names, err)
	}
	var out []*dashboard
	for _, name := range names {
		b, err := dashboards.Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		d := &dashboard{file: path.Base(name)}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if err := dec.Decode(d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, d)
	}
	return out
}

// allPanels returns the panels of d, the panels of collapsed rows included, rows left out.
func (d *dashboard) allPanels() []panel {
	var out []panel
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			out = append(out, p)
		}
	}
	walk(d.Panels)
	return out
}

func (d *dashboard) variable(name string) *templateVar {
	for i := range d.Templating.List {
		if d.Templating.List[i].Name == name {
			return &d.Templating.List[i]
		}
	}
	return nil
}

var dsVarRe = regexp.MustCompile(`^\$\{([A-Za-z0-9_]+)\}$`)

// checkDatasource checks that ref names its datasource through a datasource variable of d of the same type.
func checkDatasource(t *testing.T, d *dashboard, where string, ref *dsRef) {
	t.Helper()
	if ref == nil {
		t.Errorf("%s: %s: no datasource", d.file, where)
		return
	}
	m := dsVarRe.FindStringSubmatch(ref.UID)
	if m == nil {
		t.Errorf("%s: %s: datasource uid %q is not a variable reference", d.file, where, ref.UID)
		return
	}
	v := d.variable(m[1])
	if v == nil || v.Type != "datasource" {
		t.Errorf("%s: %s: datasource variable %s is not a datasource variable of the dashboard", d.file, where, m[1])
		return
	}
	var q string
	if err := json.Unmarshal(v.Query, &q); err != nil || q != ref.Type {
		t.Errorf("%s: %s: variable %s selects %s datasources; the reference has type %q", d.file, where, m[1], v.Query, ref.Type)
	}
}

// TestDashboardStructure checks every dashboard without any service: unique uids, datasources through
// variables, targets on every panel, a sane grid without overlaps, and the query conventions.
func TestDashboardStructure(t *testing.T) {
	uids := map[string]string{}
	for _, d := range loadDashboards(t) {
		if d.UID == "" || d.Title == "" {
			t.Errorf("%s: uid %q, title %q: both are required", d.file, d.UID, d.Title)
		}
		if other, ok := uids[d.UID]; ok {
			t.Errorf("%s: uid %q already used by %s", d.file, d.UID, other)
		}
		uids[d.UID] = d.file
		if v := d.variable("datasource"); v == nil || v.Type != "datasource" {
			t.Errorf("%s: no datasource variable named datasource", d.file)
		}
		for _, v := range d.Templating.List {
			if v.Type == "query" {
				checkDatasource(t, d, "variable "+v.Name, v.Datasource)
				if v.Multi && v.IncludeAll && v.AllValue != "'__all__'" {
					t.Errorf("%s: variable %s: allValue %q; the queries expect '__all__'", d.file, v.Name, v.AllValue)
				}
			}
		}
		for _, a := range d.Annotations.List {
			if a.BuiltIn == 0 {
				checkDatasource(t, d, "annotation "+a.Name, a.Datasource)
				if a.Target == nil || a.Target.RawSQL == "" {
					t.Errorf("%s: annotation %s has no query", d.file, a.Name)
				}
			}
		}
		ids := map[int]bool{}
		var boxes []struct {
			title string
			g     gridPos
		}
		for _, p := range d.Panels {
			if ids[p.ID] || p.ID == 0 {
				t.Errorf("%s: panel %q: id %d missing or not unique", d.file, p.Title, p.ID)
			}
			ids[p.ID] = true
			g := p.GridPos
			if g == nil || g.W < 1 || g.W > 24 || g.H < 1 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
				t.Errorf("%s: panel %q: gridPos %+v outside the 24-column grid", d.file, p.Title, g)
				continue
			}
			for _, b := range boxes {
				if g.X < b.g.X+b.g.W && b.g.X < g.X+g.W && g.Y < b.g.Y+b.g.H && b.g.Y < g.Y+g.H {
					t.Errorf("%s: panels %q %+v and %q %+v overlap", d.file, p.Title, *g, b.title, b.g)
				}
			}
			boxes = append(boxes, struct {
				title string
				g     gridPos
			}{p.Title, *g})
		}
		for _, p := range d.allPanels() {
			where := fmt.Sprintf("panel %q", p.Title)
			checkDatasource(t, d, where, p.Datasource)
			if len(p.Targets) == 0 {
				t.Errorf("%s: %s has no targets", d.file, where)
			}
			for _, tg := range p.Targets {
				if tg.Datasource != nil && p.Datasource != nil && *tg.Datasource != *p.Datasource {
					t.Errorf("%s: %s: target %s datasource %+v differs from the panel's %+v", d.file, where, tg.RefID, *tg.Datasource, *p.Datasource)
				}
				if p.Datasource == nil {
					continue
				}
				switch p.Datasource.Type {
				case chType:
					checkSQL(t, d.file+": "+where, p.Type, tg)
				case kpiType:
					if _, ok := kpi.Lookup(tg.KPI); !ok && tg.Mode != "compare" {
						t.Errorf("%s: %s: target %s: %q is not a KPI of the catalogue", d.file, where, tg.RefID, tg.KPI)
					}
				default:
					t.Errorf("%s: %s: datasource type %q", d.file, where, p.Datasource.Type)
				}
			}
		}
	}
}

var fromPostsRe = regexp.MustCompile(`FROM posts\b(\s+FINAL)?`)

func checkSQL(t *testing.T, where, panelType string, tg target) {
	t.Helper()
	q := tg.RawSQL
	if q == "" || tg.Format == nil {
		t.Errorf("%s: target %s: rawSql and format are required", where, tg.RefID)
		return
	}
	if panelType == "timeseries" && *tg.Format != 0 {
		t.Errorf("%s: target %s: a time series panel needs format 0 (time series)", where, tg.RefID)
	}
	if strings.Contains(q, "$__timeInterval") || strings.Contains(q, "toStartOfInterval") {
		t.Errorf("%s: target %s: toStartOfInterval is not in ClickHouse 18.16; bucket with intDiv and $__interval_s", where, tg.RefID)
	}
	for _, m := range fromPostsRe.FindAllStringSubmatch(q, -1) {
		if m[1] == "" {
			t.Errorf("%s: target %s: posts read without FINAL", where, tg.RefID)
		}
	}
	if strings.Contains(q, "FROM posts") {
		if !strings.Contains(q, "deleted = 0") {
			t.Errorf("%s: target %s: posts read without deleted = 0", where, tg.RefID)
		}
		if strings.Contains(q, "count()") && !strings.Contains(q, "dup_level = 0 AND spam = 0") {
			t.Errorf("%s: target %s: counts posts without leaving out duplicates and spam", where, tg.RefID)
		}
	}
}

// scenario is one selection of the dashboard variables.
type scenario struct {
	name   string
	values map[string][]string // variable → selected values; missing: All
}

// TestDashboardQueries runs every query of every dashboard, its variables' queries included, against a
// ClickHouse database holding a simulated stream, once with every variable on All and once with one value
// each, and checks the shape of what comes back.
func TestDashboardQueries(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	ctx := context.Background()
	res, err := seed.Load(ctx, conn, seed.Config{Records: 20000, Rate: 0.08})
	if err != nil {
		t.Fatal(err)
	}
	kpiDS := kpiDatasource(t, cfg)
	t.Logf("seeded %d post rows from %s to %s", res.Posts, res.From, res.To)
	scenarios := []scenario{
		{name: "all"},
		{name: "one", values: map[string][]string{"brand": {"acme"}, "product": {"acme/acme-home-hub"}, "network": {"x"},
			"language": {"en"}, "segment": {"vip"}}},
		{name: "several", values: map[string][]string{"brand": {"fluxbank", "zentro"}, "network": {"x", "reddit", "review"}}},
	}
	kpiTargets := 0
	for _, d := range loadDashboards(t) {
		for _, sc := range scenarios {
			e := &expander{from: res.From, to: res.To, interval: time.Hour, vars: map[string]*variable{}}
			t.Run(d.file+"/"+sc.name, func(t *testing.T) {
				for _, v := range d.Templating.List {
					vv := &variable{Name: v.Name, Type: v.Type, Multi: v.Multi, AllValue: v.AllValue}
					switch v.Type {
					case "constant":
						if err := json.Unmarshal(v.Query, &vv.Const); err != nil {
							t.Fatalf("constant %s: %v", v.Name, err)
						}
					case "query":
						var q struct {
							RawSQL string `json:"rawSql"`
						}
						if err := json.Unmarshal(v.Query, &q); err != nil || q.RawSQL == "" {
							t.Fatalf("variable %s: query %s: want an object with rawSql (%v)", v.Name, v.Query, err)
						}
						sql, err := e.expand(q.RawSQL)
						if err != nil {
							t.Fatalf("variable %s: %v", v.Name, err)
						}
						options := queryColumn(t, ctx, conn, sql)
						if len(options) == 0 {
							t.Fatalf("variable %s: no options from\n%s", v.Name, sql)
						}
						if want, ok := sc.values[v.Name]; ok {
							for _, w := range want {
								if !slices.Contains(options, w) {
									t.Fatalf("variable %s: %q is not among its options %v", v.Name, w, options)
								}
							}
							if !v.Multi {
								want = want[:1]
							}
							vv.Values = want
						} else {
							vv.All = true
						}
					}
					e.vars[v.Name] = vv
				}
				for _, a := range d.Annotations.List {
					if a.Target == nil {
						continue
					}
					cols, rows := runQuery(t, ctx, conn, e, "annotation "+a.Name, a.Target.RawSQL)
					checkColumns(t, "annotation "+a.Name, cols, []string{"time", "timeEnd", "text"})
					if sc.name == "all" && rows == 0 {
						t.Errorf("annotation %s: no rows", a.Name)
					}
				}
				for _, p := range d.allPanels() {
					for _, tg := range p.Targets {
						where := fmt.Sprintf("panel %q target %s", p.Title, tg.RefID)
						if p.Datasource.Type == kpiType {
							kpiTargets++
							runKPITarget(t, ctx, kpiDS, e, where, p.Type, tg, sc.name == "all")
							continue
						}
						cols, rows := runQuery(t, ctx, conn, e, where, tg.RawSQL)
						checkShape(t, where, p.Type, *tg.Format, cols)
						if sc.name == "all" && rows == 0 {
							t.Errorf("%s: no rows on the whole simulated stream", where)
						}
						t.Logf("%s: %d rows, columns %v", where, rows, cols)
					}
				}
			})
		}
	}
	t.Logf("%d KPI datasource targets run through the plugin", kpiTargets/len(scenarios))
}

// kpiDatasource returns the KPI datasource plugin configured for the test database.
func kpiDatasource(t *testing.T, cfg clickhouse.ConnConfig) *plugin.Datasource {
	t.Helper()
	js, err := json.Marshal(map[string]any{"addr": strings.Join(cfg.Addr, ","), "database": cfg.Database, "username": cfg.Username})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "kpi", Name: "KPIs", JSONData: js,
		DecryptedSecureJSONData: map[string]string{"password": cfg.Password}})
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*plugin.Datasource)
	t.Cleanup(d.Dispose)
	return d
}

// runKPITarget expands the template variables of a KPI datasource target, as the plugin's frontend does,
// runs it through the plugin and checks the frames against the panel.
func runKPITarget(t *testing.T, ctx context.Context, ds *plugin.Datasource, e *expander, where, panelType string, tg target, wantValues bool) {
	t.Helper()
	js, err := e.expandVars(string(tg.raw))
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	resp, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: tg.RefID, JSON: json.RawMessage(js),
		Interval: e.interval, MaxDataPoints: 500, TimeRange: backend.TimeRange{From: e.from, To: e.to}}}})
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	r := resp.Responses[tg.RefID]
	if r.Error != nil || len(r.Frames) == 0 {
		t.Errorf("%s: error %v, %d frames\n%s", where, r.Error, len(r.Frames), js)
		return
	}
	values := 0
	for _, f := range r.Frames {
		var nums int
		for _, fl := range f.Fields {
			if fl.Type().Numeric() {
				nums++
				for i := 0; i < fl.Len(); i++ {
					if v, ok := fl.ConcreteAt(i); ok && v != nil {
						values++
					}
				}
			}
		}
		switch panelType {
		case "timeseries":
			if len(f.Fields) < 2 || f.Fields[0].Type() != data.FieldTypeTime || nums == 0 {
				t.Errorf("%s: frame %s is not a time series: %v", where, f.Name, f.Fields)
			}
		case "stat":
			if nums == 0 || f.Rows() != 1 {
				t.Errorf("%s: frame %s: %d rows, %d numeric fields; want one value", where, f.Name, f.Rows(), nums)
			}
		case "table":
			if len(f.Fields) < 2 || f.Rows() == 0 {
				t.Errorf("%s: frame %s: a table of %d fields and %d rows", where, f.Name, len(f.Fields), f.Rows())
			}
		}
	}
	if wantValues && values == 0 {
		t.Errorf("%s: no value at all on the whole simulated stream\n%s", where, js)
	}
	t.Logf("%s: %d frames, %d values", where, len(r.Frames), values)
}

func queryColumn(t *testing.T, ctx context.Context, conn driver.Conn, sql string) []string {
	t.Helper()
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatalf("scanning a variable option: %v\n%s", err, sql)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type column struct{ name, typ string }

// runQuery expands and runs q, decodes every row, and returns the columns and the number of rows.
func runQuery(t *testing.T, ctx context.Context, conn driver.Conn, e *expander, where, q string) ([]column, int) {
	t.Helper()
	sql, err := e.expand(q)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return nil, 0
	}
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rows, err := conn.Query(qctx, sql)
	if err != nil {
		t.Errorf("%s: %v\n%s", where, err, sql)
		return nil, 0
	}
	defer func() { _ = rows.Close() }()
	var cols []column
	dest := []any{}
	for _, ct := range rows.ColumnTypes() {
		cols = append(cols, column{ct.Name(), ct.DatabaseTypeName()})
		dest = append(dest, reflect.New(ct.ScanType()).Interface())
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			t.Errorf("%s: decoding row %d: %v", where, n, err)
			return cols, n
		}
		if strings.HasPrefix(cols[0].typ, "DateTime") {
			ts := reflect.ValueOf(dest[0]).Elem().Interface().(time.Time)
			if ts.Before(e.from.Add(-24*time.Hour)) || ts.After(e.to.Add(24*time.Hour)) {
				t.Errorf("%s: row %d: time %s far outside the range %s – %s", where, n, ts, e.from, e.to)
			}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Errorf("%s: %v", where, err)
	}
	return cols, n
}

func numeric(typ string) bool {
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "Nullable("), ")")
	for _, p := range []string{"UInt", "Int", "Float", "Decimal"} {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// checkShape checks the columns a panel gets against what its visualisation needs.
func checkShape(t *testing.T, where, panelType string, format int, cols []column) {
	t.Helper()
	if len(cols) == 0 {
		return // the query failed, already reported
	}
	nums := 0
	for _, c := range cols {
		if numeric(c.typ) {
			nums++
		}
	}
	switch {
	case format == 0:
		if !strings.HasPrefix(cols[0].typ, "DateTime") || cols[0].name != "time" {
			t.Errorf("%s: a time series starts with a DateTime column named time, got %+v", where, cols[0])
		}
		for _, c := range cols[1:] {
			if !numeric(c.typ) && c.typ != "String" {
				t.Errorf("%s: time series column %+v is neither a value nor a label", where, c)
			}
		}
		if nums == 0 {
			t.Errorf("%s: time series without a numeric column: %+v", where, cols)
		}
	case panelType == "stat" || panelType == "piechart" || panelType == "barchart":
		if nums == 0 {
			t.Errorf("%s: %s without a numeric column: %+v", where, panelType, cols)
		}
		if panelType == "barchart" && cols[0].typ != "String" {
			t.Errorf("%s: a bar chart's first column is its String category, got %+v", where, cols[0])
		}
	case panelType == "table":
		if len(cols) < 2 {
			t.Errorf("%s: a table of one column: %+v", where, cols)
		}
	}
}

// checkColumns checks that cols has the named columns.
func checkColumns(t *testing.T, where string, cols []column, names []string) {
	t.Helper()
	if len(cols) == 0 {
		return
	}
	for _, n := range names {
		if !slices.ContainsFunc(cols, func(c column) bool { return c.name == n }) {
			t.Errorf("%s: no column %s in %+v", where, n, cols)
		}
	}
}
