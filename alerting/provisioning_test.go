package alerting

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"
)

// exportedMetrics returns the names of the metrics NewMetrics defines.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	m := NewMetrics(nil)
	ch := make(chan *prometheus.Desc, 64)
	for _, c := range []prometheus.Collector{m.Notices, m.Firing, m.Series, m.Late, m.Skipped, m.Deliveries, m.Dropped, m.Latency, m.Lag} {
		c.Describe(ch)
	}
	close(ch)
	re := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	names := map[string]bool{}
	for d := range ch {
		if mm := re.FindStringSubmatch(d.String()); mm != nil {
			names[mm[1]] = true
			names[mm[1]+"_bucket"], names[mm[1]+"_sum"], names[mm[1]+"_count"] = true, true, true
		}
	}
	if len(names) == 0 {
		t.Fatal("no metric names found")
	}
	return names
}

var metricRe = regexp.MustCompile(`\brapport_[a-z_]+`)

func checkExprMetrics(t *testing.T, where, expr string, known map[string]bool) {
	t.Helper()
	found := metricRe.FindAllString(expr, -1)
	if len(found) == 0 {
		t.Errorf("%s: expression %q uses no rapport metric", where, expr)
	}
	for _, name := range found {
		if !known[name] {
			t.Errorf("%s: expression uses %s, which the alerting package does not export", where, name)
		}
	}
}

type grafanaProvisioning struct {
	APIVersion int `yaml:"apiVersion"`
	Groups     []struct {
		OrgID    int    `yaml:"orgId"`
		Name     string `yaml:"name"`
		Folder   string `yaml:"folder"`
		Interval string `yaml:"interval"`
		Rules    []struct {
			UID       string `yaml:"uid"`
			Title     string `yaml:"title"`
			Condition string `yaml:"condition"`
			Data      []struct {
				RefID             string `yaml:"refId"`
				DatasourceUID     string `yaml:"datasourceUid"`
				RelativeTimeRange *struct {
					From int `yaml:"from"`
					To   int `yaml:"to"`
				} `yaml:"relativeTimeRange"`
				Model map[string]any `yaml:"model"`
			} `yaml:"data"`
			NoDataState  string            `yaml:"noDataState"`
			ExecErrState string            `yaml:"execErrState"`
			For          string            `yaml:"for"`
			Annotations  map[string]string `yaml:"annotations"`
			Labels       map[string]string `yaml:"labels"`
			IsPaused     bool              `yaml:"isPaused"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestGrafanaAlertRules checks the Grafana alert-rule provisioning file against the provisioning format
// (apiVersion 1, groups of rules with a condition naming one of their queries, relative time ranges,
// server-side expressions over existing queries, known no-data and error states) and checks that every
// metric it queries is one the alerting package exports.
func TestGrafanaAlertRules(t *testing.T) {
	b, err := os.ReadFile("../dashboards/provisioning/alerting/rapport-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var p grafanaProvisioning
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if p.APIVersion != 1 || len(p.Groups) == 0 {
		t.Fatalf("apiVersion %d with %d groups; want apiVersion 1 and at least one group", p.APIVersion, len(p.Groups))
	}
	known := exportedMetrics(t)
	uidRe := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)
	uids := map[string]bool{}
	for _, g := range p.Groups {
		iv, err := time.ParseDuration(g.Interval)
		if err != nil || iv <= 0 || iv%(10*time.Second) != 0 {
			t.Errorf("group %s: interval %q must be a positive multiple of 10s", g.Name, g.Interval)
		}
		if g.OrgID < 1 || g.Name == "" || g.Folder == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: want orgId, name, folder and rules", g.Name)
		}
		for _, r := range g.Rules {
			where := "rule " + r.UID
			if !uidRe.MatchString(r.UID) || uids[r.UID] {
				t.Errorf("%s: uid must be unique, 1-40 letters, digits, - or _", where)
			}
			uids[r.UID] = true
			if r.Title == "" || r.Annotations["summary"] == "" {
				t.Errorf("%s: want a title and a summary annotation", where)
			}
			if _, err := time.ParseDuration(r.For); err != nil {
				t.Errorf("%s: for %q: %v", where, r.For, err)
			}
			switch r.NoDataState {
			case "NoData", "Alerting", "OK":
			default:
				t.Errorf("%s: noDataState %q", where, r.NoDataState)
			}
			switch r.ExecErrState {
			case "Error", "Alerting", "OK":
			default:
				t.Errorf("%s: execErrState %q", where, r.ExecErrState)
			}
			refs := map[string]bool{}
			for _, d := range r.Data {
				refs[d.RefID] = true
				if d.Model["refId"] != d.RefID {
					t.Errorf("%s: query %s: model.refId %v differs", where, d.RefID, d.Model["refId"])
				}
			}
			if !refs[r.Condition] {
				t.Errorf("%s: condition %q names no query", where, r.Condition)
			}
			for _, d := range r.Data {
				if d.DatasourceUID == "__expr__" {
					expr, _ := d.Model["expression"].(string)
					if d.Model["type"] == nil || !refs[expr] {
						t.Errorf("%s: expression %s: want a type and an expression naming a query, got %v", where, d.RefID, d.Model)
					}
					continue
				}
				if d.DatasourceUID == "" || d.RelativeTimeRange == nil || d.RelativeTimeRange.From <= d.RelativeTimeRange.To {
					t.Errorf("%s: query %s: want a datasourceUid and a relativeTimeRange with from > to", where, d.RefID)
				}
				expr, _ := d.Model["expr"].(string)
				checkExprMetrics(t, where, expr, known)
			}
		}
	}
}

// TestPrometheusRules checks the shipped Prometheus rules use exported metrics, and runs their unit
// tests with promtool when it is installed (make lint runs them too).
func TestPrometheusRules(t *testing.T) {
	b, err := os.ReadFile("../deploy/prometheus-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	known := exportedMetrics(t)
	n := 0
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			n++
			checkExprMetrics(t, r.Alert, r.Expr, known)
		}
	}
	if n == 0 {
		t.Fatal("no rules")
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool not found; under CI=true the rule tests must run")
		}
		t.Skip("promtool not found; install Prometheus' promtool to run the rule unit tests")
	}
	out, err := exec.Command(promtool, "test", "rules", "../deploy/prometheus-rules.test.yml").CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}
