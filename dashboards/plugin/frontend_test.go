package plugin_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestFrontendModule runs testdata/module_smoke.js under Node.js: the frontend module loads with stand-ins
// for Grafana's modules, interpolates dashboard variables into the query fields, sends only queries that
// name a KPI, and keeps the password in secureJsonData.
func TestFrontendModule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed; under CI=true the frontend module must be checked")
		}
		t.Skip("node is not installed; the frontend module is not checked")
	}
	out, err := exec.Command(node, "testdata/module_smoke.js").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "module.js: ok") {
		t.Fatalf("module smoke test: %v\n%s", err, out)
	}
}
