// Package dashboards holds Rapport's Grafana dashboards and provisioning files, and the backend datasource
// plugin that serves the named KPIs (dashboards/plugin).
//
// The dashboards are JSON files in json/, reviewed like code. They reference their datasources only through
// dashboard variables (${datasource} for the official ClickHouse datasource, ${kpi_datasource} for the
// Rapport KPI datasource), so the same files work with any datasource names. Posts are read as
// `FROM posts FINAL WHERE deleted = 0`, and opinion counts leave out reposts and near-duplicates
// (dup_level > 0), spam and the brands' own posts. The SQL stays in the subset ClickHouse 18.16 and current
// releases share (no toStartOfInterval, so no $__timeInterval: buckets are intDiv of the epoch by
// $__interval_s).
//
// Multi-value variables (brand, product, network, language, segment) use the custom all value '__all__',
// which Grafana inserts as written (quotes included) whatever the format, and every filter reads
// ('__all__' IN (${var:singlequote}) OR <condition>).
//
// The test in this package loads every dashboard, checks its structure, expands the Grafana macros and
// template variables of every query and runs it against a ClickHouse database holding a simulated stream.
package dashboards

import "embed"

// Files holds the dashboards, as json/<name>.json.
//
//go:embed json/*.json
var Files embed.FS
