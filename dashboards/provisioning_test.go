package dashboards_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rapport-dev/rapport/dashboards/plugin"
)

type provisionedDS struct {
	Name           string            `yaml:"name"`
	UID            string            `yaml:"uid"`
	Type           string            `yaml:"type"`
	JSONData       map[string]any    `yaml:"jsonData"`
	SecureJSONData map[string]string `yaml:"secureJsonData"`
}

var envRef = regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`)

// TestProvisioning checks that the provisioning files, the plugin's files, the build and the compose file
// agree: one datasource per type the dashboards use, credentials only from the environment (and set by the
// compose file), the password a secure setting, the plugin id and executable name consistent.
func TestProvisioning(t *testing.T) {
	var dsFile struct {
		APIVersion  int             `yaml:"apiVersion"`
		Datasources []provisionedDS `yaml:"datasources"`
	}
	readYAML(t, "provisioning/datasources/rapport.yaml", &dsFile)
	compose, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]provisionedDS{}
	for _, ds := range dsFile.Datasources {
		types[ds.Type] = ds
		raw, _ := yaml.Marshal(ds.JSONData)
		for _, m := range envRef.FindAllStringSubmatch(string(raw)+ds.SecureJSONData["password"], -1) {
			if !strings.Contains(string(compose), m[1]+":") {
				t.Errorf("datasource %s reads ${%s}, which docker-compose.yml does not set", ds.Name, m[1])
			}
		}
		if p := ds.SecureJSONData["password"]; !envRef.MatchString(p) {
			t.Errorf("datasource %s: secureJsonData.password %q is not taken from the environment", ds.Name, p)
		}
		if _, ok := ds.JSONData["password"]; ok {
			t.Errorf("datasource %s: a password in jsonData is stored in clear", ds.Name)
		}
		if u, _ := ds.JSONData["username"].(string); !envRef.MatchString(u) {
			t.Errorf("datasource %s: username %q is not taken from the environment", ds.Name, u)
		}
	}
	for _, d := range loadDashboards(t) {
		for _, v := range d.Templating.List {
			var q string
			if v.Type == "datasource" && json.Unmarshal(v.Query, &q) == nil {
				if _, ok := types[q]; !ok {
					t.Errorf("%s: variable %s selects %s datasources; none is provisioned", d.file, v.Name, q)
				}
			}
		}
	}

	var dbFile struct {
		Providers []struct {
			Options struct{ Path string } `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "provisioning/dashboards/rapport.yaml", &dbFile)
	if len(dbFile.Providers) != 1 || !strings.Contains(string(compose), "./dashboards/json:"+dbFile.Providers[0].Options.Path+":ro") {
		t.Errorf("dashboard providers %+v: docker-compose.yml must mount dashboards/json at the provider's path", dbFile.Providers)
	}

	var pj struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Backend    bool   `json:"backend"`
		Executable string `json:"executable"`
	}
	b, err := os.ReadFile("plugin/static/plugin.json")
	if err != nil || json.Unmarshal(b, &pj) != nil {
		t.Fatalf("plugin.json: %v", err)
	}
	if pj.ID != plugin.ID || pj.Type != "datasource" || !pj.Backend {
		t.Errorf("plugin.json: %+v; want a backend datasource with id %s", pj, plugin.ID)
	}
	if _, ok := types[pj.ID]; !ok {
		t.Errorf("the plugin %s is not provisioned", pj.ID)
	}
	for _, f := range []string{"../Makefile", "grafana.Dockerfile"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), pj.Executable+"_") {
			t.Errorf("%s does not build the executable %s_<os>_<arch> that plugin.json names", f, pj.Executable)
		}
	}
	if !strings.Contains(string(compose), "GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: "+pj.ID) {
		t.Errorf("docker-compose.yml does not allow the unsigned plugin %s", pj.ID)
	}
	if _, err := os.Stat("plugin/static/module.js"); err != nil {
		t.Errorf("the plugin has no frontend module: %v", err)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
