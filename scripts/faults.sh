#!/usr/bin/env bash
# A dedicated ClickHouse and Kafka broker for the fault suite, which pauses, breaks and restarts them; the
# development services stay untouched.
#
# Usage: scripts/faults.sh {start|stop|clickhouse-pid|restart-kafka|env}
#
# ClickHouse listens on 127.0.0.1:9100 (http 8124), Kafka on 127.0.0.1:19192 (controller 19193); state lives
# in <repo>/.local/faults. The broker reuses the jars of scripts/kafka.sh.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
export RAPPORT_LOCAL="$REPO_DIR/.local/faults"
export RAPPORT_CLICKHOUSE_PORT=9100 RAPPORT_CLICKHOUSE_HTTP_PORT=8124
export RAPPORT_KAFKA_PORT=19192 RAPPORT_KAFKA_CONTROLLER_PORT=19193
export RAPPORT_KAFKA_LIBS="$REPO_DIR/.local/kafka/libs"

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
  clickhouse-pid) "$SCRIPT_DIR/clickhouse.sh" pid ;;
  restart-kafka)
    "$SCRIPT_DIR/kafka.sh" stop
    "$SCRIPT_DIR/kafka.sh" start
    ;;
  env)
    echo "RAPPORT_FAULT_CLICKHOUSE=127.0.0.1:9100"
    echo "RAPPORT_FAULT_KAFKA=127.0.0.1:19192"
    ;;
  *)
    echo "usage: $0 {start|stop|clickhouse-pid|restart-kafka|env}" >&2
    exit 2
    ;;
esac
