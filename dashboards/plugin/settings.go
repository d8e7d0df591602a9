// Package plugin is the Rapport KPI datasource for Grafana: a backend datasource plugin, built on
// grafana-plugin-sdk-go, that serves the named trust and loyalty KPIs of package kpi, so that dashboards ask
// for "trust_index of acme, daily" instead of carrying SQL.
//
// What it answers:
//
//   - QueryData: each query names a KPI (or, in compare mode, a list of them), the brands (one, several, or
//     All = every watched brand of the catalogue), optionally one product, network, language and customer
//     segment, and a bucket interval. Series mode returns one time series frame per brand; value mode one
//     value per brand over the whole range; compare mode a table of every KPI this period against the period
//     of the same length before it.
//   - CheckHealth: ClickHouse answers, and every schema migration of this build is applied (the KPI rollups
//     included).
//   - CallResource: GET kpis lists the catalogue of KPIs (name, title, unit, formula, components) for the
//     query editor; GET brands lists the catalogue's brands.
//
// Settings: jsonData {addr, database, username, dialTimeoutSeconds}; the password is a secure setting
// (secureJsonData.password), which Grafana stores encrypted and hands over only to the backend.
package plugin

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// ID is the plugin id, as in plugin.json.
const ID = "rapport-kpi-datasource"

// Settings are a datasource instance's settings.
type Settings struct {
	// Addr lists ClickHouse native-protocol addresses, comma-separated (default 127.0.0.1:9000).
	Addr string `json:"addr"`
	// Database holds the posts and the KPI rollups (default rapport).
	Database string `json:"database"`
	// Username is a read-only ClickHouse user (default default).
	Username string `json:"username"`
	// DialTimeoutSeconds bounds connecting and the health check's ping (default 5).
	DialTimeoutSeconds int `json:"dialTimeoutSeconds"`

	// Password comes from secureJsonData.password.
	Password string `json:"-"`
}

// ParseSettings reads an instance's settings, applies the defaults and checks them.
func ParseSettings(s backend.DataSourceInstanceSettings) (Settings, error) {
	var c Settings
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &c); err != nil {
			return c, fmt.Errorf("jsonData: %w", err)
		}
	}
	c.Password = s.DecryptedSecureJSONData["password"]
	if strings.TrimSpace(c.Addr) == "" {
		c.Addr = "127.0.0.1:9000"
	}
	if c.Database == "" {
		c.Database = "rapport"
	}
	if c.Username == "" {
		c.Username = "default"
	}
	if c.DialTimeoutSeconds == 0 {
		c.DialTimeoutSeconds = 5
	}
	if c.DialTimeoutSeconds < 1 || c.DialTimeoutSeconds > 300 {
		return c, fmt.Errorf("jsonData.dialTimeoutSeconds: must be between 1 and 300, got %d", c.DialTimeoutSeconds)
	}
	if !clickhouse.ValidIdentifier(c.Database) {
		return c, fmt.Errorf("jsonData.database: %q is not a plain identifier", c.Database)
	}
	for _, a := range c.addrs() {
		if !strings.Contains(a, ":") {
			return c, fmt.Errorf("jsonData.addr: %q is not host:port", a)
		}
	}
	return c, nil
}

func (c Settings) addrs() []string {
	var out []string
	for _, a := range strings.Split(c.Addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// ConnConfig returns the ClickHouse connection settings.
func (c Settings) ConnConfig() clickhouse.ConnConfig {
	return clickhouse.ConnConfig{Addr: c.addrs(), Database: c.Database, Username: c.Username, Password: c.Password,
		DialTimeout: time.Duration(c.DialTimeoutSeconds) * time.Second}
}
