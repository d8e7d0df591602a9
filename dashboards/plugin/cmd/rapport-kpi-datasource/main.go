// Command rapport-kpi-datasource is the backend of the Rapport KPI datasource plugin for Grafana. Grafana
// starts it; it is not meant to be run by hand. Build the plugin directory with `make plugin`.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/rapport-dev/rapport/dashboards/plugin"
)

func main() {
	backend.SetupPluginEnvironment(plugin.ID)
	if err := backend.Manage(plugin.ID, plugin.NewService().ServeOpts()); err != nil {
		log.DefaultLogger.Error("serving the plugin", "error", err.Error())
		os.Exit(1)
	}
}
