# Rapport — build, run and test. `make demo` and `make test` are the two commands of the README.

SHELL      := /bin/bash
LOCAL      ?= $(CURDIR)/.local
GOBIN_DIR  := $(LOCAL)/bin
STATICCHECK_VERSION := v0.8.2
GO_TEST_FLAGS ?= -race -shuffle=on -timeout 45m
export RAPPORT_TEST_CLICKHOUSE ?= 127.0.0.1:9000
export RAPPORT_TEST_KAFKA ?= 127.0.0.1:19092

.PHONY: all build demo test unit lint services services-stop faults faults-services bench fuzz clean plugin

all: build

build:
	go build -o bin/rapport ./cmd/rapport

## demo: the whole system on this machine (embedded Kafka, simulator, pipeline, ClickHouse started if needed)
demo:
	go run ./cmd/rapport demo

## test: install and start real ClickHouse and Kafka (plus the fault suite's own pair), lint, then every test
## with the race detector, the fault suite included
test: services faults-services lint
	RAPPORT_FAULTS=1 $(FAULT_ENV) go test $(GO_TEST_FLAGS) ./...

FAULT_ENV := RAPPORT_FAULT_CLICKHOUSE=127.0.0.1:9100 RAPPORT_FAULT_KAFKA=127.0.0.1:19192

faults-services: services
	scripts/faults.sh start

## faults: the fault suite alone (kill -9, SIGTERM, ClickHouse paused and rejecting, broker restart,
## rebalance storm) against its dedicated ClickHouse and broker, with a results table
faults: faults-services
	set -o pipefail; RAPPORT_FAULTS=1 $(FAULT_ENV) go test -count=1 -v -run '^TestFault' -timeout 30m ./cmd/rapport/ 2>&1 | grep -E '^(=== RUN|--- |fault |ok|FAIL|PASS)|faults_test'


## unit: tests only, no services started (integration tests skip unless CI=true)
unit:
	go test -race ./...

services:
	scripts/services.sh start

services-stop:
	scripts/services.sh stop

$(GOBIN_DIR)/staticcheck:
	GOBIN=$(GOBIN_DIR) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## lint: gofmt, go vet, staticcheck and the deployment files; fails on any finding
lint: $(GOBIN_DIR)/staticcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	$(GOBIN_DIR)/staticcheck ./...
	scripts/tools.sh
	docker-compose -f docker-compose.yml config -q
	promtool check config deploy/prometheus.yml
	promtool test rules deploy/prometheus-rules.test.yml

## bench: end-to-end throughput through the real broker into ClickHouse, next to the consume-only ceiling
bench: services
	go test -run '^$$' -bench . -benchtime 1x -timeout 30m ./pipeline/

## bench-kpi: leadership KPI queries on 10 million posts generated inside ClickHouse (RAPPORT_BENCH_KPI_POSTS to change;
## RAPPORT_TEST_KEEP=1 keeps the database, RAPPORT_BENCH_KPI_DB=name reuses it and also times each rollup read)
.PHONY: bench-kpi
bench-kpi: services
	RAPPORT_BENCH_KPI=1 go test -run '^$$' -bench 'Leadership|RollupReads' -benchtime 20x -timeout 60m -v ./kpi/

## fuzz: run every normalizer fuzz target for FUZZTIME each (default 30s)
FUZZTIME ?= 30s
fuzz:
	for t in FuzzXNormalizer FuzzMastodonNormalizer FuzzRedditNormalizer FuzzYouTubeNormalizer FuzzFacebookNormalizer \
		FuzzInstagramNormalizer FuzzReviewNormalizer FuzzGenericNormalizer; do \
		go test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./ingest/ || exit 1; done

## plugin: the Rapport KPI datasource as a Grafana plugin directory, dist/rapport-kpi-datasource (copy or mount
## it into Grafana's plugins directory; it is unsigned: allow it with GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS)
PLUGIN_DIR  ?= dist/rapport-kpi-datasource
PLUGIN_OS   ?= $(shell go env GOOS)
PLUGIN_ARCH ?= $(shell go env GOARCH)
plugin:
	mkdir -p $(PLUGIN_DIR)
	cp -r dashboards/plugin/static/. $(PLUGIN_DIR)/
	CGO_ENABLED=0 GOOS=$(PLUGIN_OS) GOARCH=$(PLUGIN_ARCH) go build -trimpath \
		-o $(PLUGIN_DIR)/gpx_rapport_kpi_datasource_$(PLUGIN_OS)_$(PLUGIN_ARCH) ./dashboards/plugin/cmd/rapport-kpi-datasource

clean:
	rm -rf bin dist
