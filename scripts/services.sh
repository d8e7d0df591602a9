#!/usr/bin/env bash
# Starts/stops the local development services (ClickHouse and Kafka).
#
# Usage: scripts/services.sh {start|stop|status}
# See scripts/clickhouse.sh and scripts/kafka.sh for the environment variables.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

case "${1:-}" in
  start)
    "$SCRIPT_DIR/clickhouse.sh" start
    "$SCRIPT_DIR/kafka.sh" start
    ;;
  stop)
    rc=0
    "$SCRIPT_DIR/kafka.sh" stop || rc=1
    "$SCRIPT_DIR/clickhouse.sh" stop || rc=1
    exit "$rc"
    ;;
  status)
    rc=0
    "$SCRIPT_DIR/clickhouse.sh" status || rc=1
    "$SCRIPT_DIR/kafka.sh" status || rc=1
    exit "$rc"
    ;;
  *)
    echo "usage: $0 {start|stop|status}" >&2
    exit 2
    ;;
esac
