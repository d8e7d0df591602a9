# Grafana with the Rapport KPI datasource plugin (dashboards/plugin), for docker-compose.yml. Plugins live in
# the image (GF_PATHS_PLUGINS=/opt/rapport/plugins), outside the data volume, so a rebuilt image always
# brings its own plugin build. The official ClickHouse datasource is installed there by Grafana at start
# (GF_PLUGINS_PREINSTALL_SYNC); datasources and dashboards come from dashboards/provisioning and
# dashboards/json, mounted by docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
      -o /out/gpx_rapport_kpi_datasource_linux_$(go env GOARCH) ./dashboards/plugin/cmd/rapport-kpi-datasource

FROM grafana/grafana:12.2.0
USER root
COPY dashboards/plugin/static/ /opt/rapport/plugins/rapport-kpi-datasource/
COPY --from=build /out/ /opt/rapport/plugins/rapport-kpi-datasource/
RUN chown -R 472:0 /opt/rapport/plugins && chmod -R g+rwX /opt/rapport/plugins
USER 472
ENV GF_PATHS_PLUGINS=/opt/rapport/plugins
