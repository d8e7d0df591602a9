#!/usr/bin/env bash
# Local single-node Apache Kafka broker (KRaft, combined broker+controller)
# run from Maven Central jars (see scripts/kafka/pom.xml) on the system Java.
#
# Usage: scripts/kafka.sh {install|start|stop|status|wait|pid}
#        scripts/kafka.sh topics [TopicCommand args...]   e.g. topics --list
#        scripts/kafka.sh run CLASS [args...]             any class from the libs
#
# Environment:
#   RAPPORT_LOCAL                  state directory (default: <repo>/.local)
#   RAPPORT_KAFKA_PORT             PLAINTEXT listener on 127.0.0.1 (default: 19092)
#   RAPPORT_KAFKA_CONTROLLER_PORT  KRaft controller listener (default: 19093)
#   RAPPORT_KAFKA_HEAP             broker heap (default: 512m)
#   RAPPORT_KAFKA_WAIT             seconds to wait for readiness (default: 90)
#   RAPPORT_KAFKA_LIBS             directory of the broker jars (default: $RAPPORT_LOCAL/kafka/libs)
#
# All state (jars, config, data, logs, pid file) lives in $RAPPORT_LOCAL/kafka.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
RAPPORT_LOCAL="${RAPPORT_LOCAL:-$REPO_DIR/.local}"
KAFKA_PORT="${RAPPORT_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${RAPPORT_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP="${RAPPORT_KAFKA_HEAP:-512m}"
KAFKA_WAIT="${RAPPORT_KAFKA_WAIT:-90}"
KAFKA_HOST=127.0.0.1
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

POM="$SCRIPT_DIR/kafka/pom.xml"
K_DIR="$RAPPORT_LOCAL/kafka"
K_LIBS="${RAPPORT_KAFKA_LIBS:-$K_DIR/libs}"
K_STAMP="$K_LIBS/.pom.sha256"
K_DATA="$K_DIR/data"
K_LOGDIR="$K_DIR/logs"
K_PROPS="$K_DIR/server.properties"
K_LOG4J="$K_DIR/log4j2.properties"
K_TOOLS_LOG4J="$K_DIR/log4j2-tools.properties"
K_CLUSTER_ID_FILE="$K_DIR/cluster.id"
K_PIDFILE="$K_DIR/kafka.pid"
K_STDOUT="$K_LOGDIR/kafka.out"

log() { echo "kafka: $*"; }
die() { echo "kafka: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (and sudo is not available)"
  fi
}

ensure_java_maven() {
  local pkgs=()
  command -v java >/dev/null 2>&1 || pkgs+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  [ ${#pkgs[@]} -eq 0 ] && return 0
  log "installing ${pkgs[*]} via apt"
  mkdir -p "$K_DIR"
  local apt_log="$K_DIR/apt.log"
  : >"$apt_log"
  if ! apt-cache show "${pkgs[@]}" >/dev/null 2>&1; then
    as_root apt-get update -qq >>"$apt_log" 2>&1 ||
      { tail -n 30 "$apt_log" >&2; die "apt-get update failed"; }
  fi
  as_root env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
    apt-get install -y -qq "${pkgs[@]}" >>"$apt_log" 2>&1 </dev/null ||
    { tail -n 30 "$apt_log" >&2; die "apt-get install failed (log: $apt_log)"; }
}

pom_sum() { sha256sum "$POM" | cut -d' ' -f1; }

libs_current() {
  [ -f "$K_STAMP" ] && [ "$(cat "$K_STAMP")" = "$(pom_sum)" ] &&
    compgen -G "$K_LIBS/kafka_2.13-*.jar" >/dev/null &&
    compgen -G "$K_LIBS/kafka-tools-*.jar" >/dev/null
}

cmd_install() {
  if libs_current; then
    command -v java >/dev/null 2>&1 || ensure_java_maven
    return 0
  fi
  ensure_java_maven
  log "fetching Kafka jars with Maven into $K_LIBS"
  mkdir -p "$K_DIR"
  local tmp="$K_DIR/libs.tmp" mvn_log="$K_DIR/mvn.log"
  rm -rf "$tmp"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" >"$mvn_log" 2>&1 </dev/null; then
    tail -n 40 "$mvn_log" >&2
    die "maven failed (log: $mvn_log)"
  fi
  pom_sum >"$tmp/.pom.sha256"
  rm -rf "$K_LIBS"
  mkdir -p "$(dirname "$K_LIBS")"
  mv "$tmp" "$K_LIBS"
  log "installed $(basename "$(compgen -G "$K_LIBS/kafka_2.13-*.jar" | head -n1)" .jar)"
}

# Runs a JVM class from the libs with a quiet (stderr, WARN) log4j2 setup.
run_class() {
  write_tools_log4j
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$K_TOOLS_LOG4J" \
    -cp "$K_LIBS/*" "$@"
}

# Fast protocol-level probe: send an ApiVersions (v0) request over
# /dev/tcp and check that a response with our correlation id comes back.
port_answers() {
  # shellcheck disable=SC2016 # expanded by the inner shell
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    # size=10 | api_key=18 | api_version=0 | correlation_id=0x52415054 | client_id=null
    printf "\x00\x00\x00\x0a\x00\x12\x00\x00\x52\x41\x50\x54\xff\xff" >&3
    resp="$(head -c 8 <&3 | od -An -tx1 | tr -d " \n")"
    exec 3<&-
    [ "${resp:8:8}" = "52415054" ]
  ' "$KAFKA_HOST" "$KAFKA_PORT" >/dev/null 2>&1
}

# Real metadata round trip through the Admin client.
topic_list() {
  write_tools_log4j
  timeout 30 java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$K_TOOLS_LOG4J" \
    -cp "$K_LIBS/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$BOOTSTRAP" --list
}

read_pid() {
  [ -f "$K_PIDFILE" ] || return 1
  local pid
  pid="$(cat "$K_PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

write_tools_log4j() {
  [ -f "$K_TOOLS_LOG4J" ] && return 0
  mkdir -p "$K_DIR"
  cat >"$K_TOOLS_LOG4J.tmp" <<'EOF'
# Generated by scripts/kafka.sh: logging for command line tools.
status = error
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
EOF
  mv -f "$K_TOOLS_LOG4J.tmp" "$K_TOOLS_LOG4J"
}

write_config() {
  mkdir -p "$K_DIR" "$K_DATA" "$K_LOGDIR"
  cat >"$K_PROPS.tmp" <<EOF
# Generated by scripts/kafka.sh; edits are overwritten on start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT

log.dirs=$K_DATA
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true

offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=134217728
log.retention.check.interval.ms=300000
EOF
  mv -f "$K_PROPS.tmp" "$K_PROPS"

  cat >"$K_LOG4J.tmp" <<'EOF'
# Generated by scripts/kafka.sh: broker logging (log4j2).
status = error
name = kafka
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF
  mv -f "$K_LOG4J.tmp" "$K_LOG4J"
  write_tools_log4j
}

format_storage() {
  if [ -f "$K_DATA/meta.properties" ]; then
    return 0
  fi
  local cid
  if [ -s "$K_CLUSTER_ID_FILE" ]; then
    cid="$(cat "$K_CLUSTER_ID_FILE")"
  else
    cid="$(run_class kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    [ -n "$cid" ] || die "could not generate a cluster id"
    echo "$cid" >"$K_CLUSTER_ID_FILE"
  fi
  local fmt_log="$K_LOGDIR/format.log"
  if ! run_class kafka.tools.StorageTool format -t "$cid" -c "$K_PROPS" \
      --ignore-formatted >"$fmt_log" 2>&1; then
    cat "$fmt_log" >&2
    die "storage format failed"
  fi
  log "formatted storage in $K_DATA (cluster id $cid)"
}

show_logs() {
  local f
  for f in "$K_LOGDIR/server.log" "$K_STDOUT"; do
    if [ -s "$f" ]; then
      echo "---- last 50 lines of $f ----" >&2
      tail -n 50 "$f" >&2
    fi
  done
}

# Waits until the broker answers the protocol probe and then a real
# metadata request (topic listing through the Admin client).
wait_ready() {
  local deadline=$((SECONDS + KAFKA_WAIT)) pid="${1:-}"
  while :; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "broker process $pid exited during startup"
      return 1
    fi
    if port_answers && topic_list >/dev/null 2>&1; then
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "not answering on $BOOTSTRAP after ${KAFKA_WAIT}s"
      return 1
    fi
    sleep 1
  done
}

cmd_start() {
  if port_answers; then
    log "already answering on $BOOTSTRAP"
    return 0
  fi
  cmd_install
  local pid
  if pid="$(read_pid)"; then
    log "process $pid exists but does not answer yet; waiting"
    if wait_ready "$pid"; then
      log "ready on $BOOTSTRAP"
      return 0
    fi
    show_logs
    exit 1
  fi
  write_config
  format_storage
  rm -f "$K_PIDFILE"
  (
    cd "$K_DIR"
    exec setsid nohup java \
      "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dkafka.logs.dir="$K_LOGDIR" \
      -Dlog4j2.configurationFile="$K_LOG4J" \
      -cp "$K_LIBS/*" kafka.Kafka "$K_PROPS" \
      >>"$K_STDOUT" 2>&1 </dev/null
  ) &
  pid=$!
  echo "$pid" >"$K_PIDFILE"
  if ! wait_ready "$pid"; then
    show_logs
    exit 1
  fi
  log "started (pid $pid) on $BOOTSTRAP, data in $K_DATA"
}

cmd_stop() {
  local pid
  if ! pid="$(read_pid)"; then
    rm -f "$K_PIDFILE"
    if port_answers; then
      log "a broker answers on $BOOTSTRAP but was not started by this script; leaving it"
    else
      log "not running"
    fi
    return 0
  fi
  # A paused (SIGSTOP) broker would ignore TERM until continued.
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  local limit="${RAPPORT_KAFKA_STOP_WAIT:-20}"
  local deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "pid $pid did not exit after ${limit}s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$K_PIDFILE"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if port_answers; then
    pid="$(read_pid || echo '?')"
    log "running, answering on $BOOTSTRAP, pid $pid"
  elif pid="$(read_pid)"; then
    log "process $pid exists but does not answer on $BOOTSTRAP"
    return 1
  else
    log "not running"
    return 1
  fi
}

cmd_wait() {
  libs_current || die "not installed (run: $0 install)"
  if ! wait_ready; then
    show_logs
    exit 1
  fi
  log "ready on $BOOTSTRAP"
}

cmd_pid() {
  read_pid || die "not running (no live pid in $K_PIDFILE)"
}

cmd_topics() {
  libs_current || die "not installed (run: $0 install)"
  run_class org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "$@"
}

cmd_run() {
  [ $# -ge 1 ] || die "usage: $0 run CLASS [args...]"
  libs_current || die "not installed (run: $0 install)"
  run_class "$@"
}

usage() {
  echo "usage: $0 {install|start|stop|status|wait|pid|topics [args...]|run CLASS [args...]}" >&2
  exit 2
}

[ $# -ge 1 ] || usage
sub="$1"
shift
case "$sub" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  pid) cmd_pid ;;
  topics) cmd_topics "$@" ;;
  run) cmd_run "$@" ;;
  *) usage ;;
esac
