# shellcheck shell=bash
# Local single-node Apache Kafka 4.x (KRaft, broker+controller) on 127.0.0.1,
# run from jars that Maven downloads into .cache/kafka/libs -- no Docker.
#
# Sourced by scripts/services-up.sh, services-down.sh and kafka-ctl.sh, or run
# directly:  bash scripts/lib/kafka.sh start|stop|kill|restart|status|fetch
#
# Environment (all optional):
#   MOTCUA_KAFKA_PORT=39092             broker listener (PLAINTEXT)
#   MOTCUA_KAFKA_CONTROLLER_PORT=39093  KRaft controller listener
#   MOTCUA_KAFKA_VERSION=4.1.1          org.apache.kafka:kafka_2.13 version (4.0.0+)
#   MOTCUA_KAFKA_HEAP_OPTS="-Xmx512m -Xms256m"
#   MOTCUA_KAFKA_READY_TIMEOUT=120      seconds to wait until a topic can be created
#   MOTCUA_KAFKA_STOP_TIMEOUT=60        seconds to wait for a clean shutdown before SIGKILL
#   MOTCUA_MVN_ARGS                     extra arguments for mvn (e.g. -Dmaven.repo.local=...)

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_VERSION="${MOTCUA_KAFKA_VERSION:-4.1.1}"
KAFKA_PORT="${MOTCUA_KAFKA_PORT:-39092}"
KAFKA_CONTROLLER_PORT="${MOTCUA_KAFKA_CONTROLLER_PORT:-39093}"
KAFKA_HEAP_OPTS="${MOTCUA_KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
KAFKA_READY_TIMEOUT="${MOTCUA_KAFKA_READY_TIMEOUT:-120}"
KAFKA_STOP_TIMEOUT="${MOTCUA_KAFKA_STOP_TIMEOUT:-60}"
KAFKA_BOOTSTRAP="$MOTCUA_BIND_HOST:$KAFKA_PORT"
KAFKA_HEALTH_TOPIC="motcua.healthcheck"

KAFKA_SRC="$MOTCUA_ROOT/scripts/kafka"
KAFKA_LIBS="$MOTCUA_CACHE_DIR/kafka/libs"
KAFKA_LIBS_MARKER="$KAFKA_LIBS/.motcua-kafka-$KAFKA_VERSION.ok"
KAFKA_RUN="$MOTCUA_RUN_DIR/kafka"
KAFKA_DATA="$KAFKA_RUN/data"
KAFKA_PIDFILE="$KAFKA_RUN/kafka.pid"
KAFKA_PROPS="$KAFKA_RUN/server.properties"
KAFKA_TOOLS_PROPS="$KAFKA_RUN/tools.properties"
KAFKA_CLUSTER_ID_FILE="$KAFKA_RUN/cluster.id"
KAFKA_LOG="$KAFKA_RUN/server.log"
KAFKA_CONSOLE="$KAFKA_RUN/console.log"

# ---------------------------------------------------------------- helpers

kafka_check_ports() {
  is_port_number "$KAFKA_PORT" || die "MOTCUA_KAFKA_PORT='$KAFKA_PORT' is not a port number"
  is_port_number "$KAFKA_CONTROLLER_PORT" ||
    die "MOTCUA_KAFKA_CONTROLLER_PORT='$KAFKA_CONTROLLER_PORT' is not a port number"
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] ||
    die "MOTCUA_KAFKA_PORT and MOTCUA_KAFKA_CONTROLLER_PORT must differ (both $KAFKA_PORT)"
}

kafka_check_java() {
  command -v java >/dev/null 2>&1 ||
    die "java not found on PATH: Kafka $KAFKA_VERSION needs Java 17+ (apt-get install -y openjdk-17-jre-headless)"
  local line major
  line=$(java -version 2>&1 | head -n 1)
  major=$(sed -E 's/.*version "([0-9]+)(\.[0-9]+)?.*/\1/' <<<"$line")
  [[ "$major" == 1 ]] && major=8
  if [[ "$major" =~ ^[0-9]+$ ]] && ((major < 17)); then
    die "Kafka $KAFKA_VERSION needs Java 17+, found: $line"
  fi
}

# kafka_fetch: download the broker + tools jars once (skipped when the marker exists).
kafka_fetch() {
  [[ -f "$KAFKA_LIBS_MARKER" ]] && return 0
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: it is needed once to download Kafka $KAFKA_VERSION (apt-get install -y maven)"
  local tmp="$MOTCUA_CACHE_DIR/kafka/libs.tmp.$$" mlog="$MOTCUA_CACHE_DIR/kafka/mvn.log" t0
  mkdir -p "$MOTCUA_CACHE_DIR/kafka"
  rm -rf "$tmp"
  log "downloading Kafka $KAFKA_VERSION jars with Maven (first run only, ~45 MB) ..."
  t0=$(now_ms)
  # shellcheck disable=SC2086  # MOTCUA_MVN_ARGS is a list of words on purpose
  if ! mvn -B -q -Dstyle.color=never -f "$KAFKA_SRC/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" \
      -Dmaven.wagon.http.retryHandler.count=3 \
      ${MOTCUA_MVN_ARGS:-} \
      dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp" </dev/null >"$mlog" 2>&1; then
    tail_file "$mlog" 30
    rm -rf "$tmp"
    die "Maven could not download org.apache.kafka:kafka_2.13:$KAFKA_VERSION (log: $mlog)"
  fi
  local jar
  for jar in "kafka_2.13-$KAFKA_VERSION.jar" "kafka-tools-$KAFKA_VERSION.jar" "kafka-clients-$KAFKA_VERSION.jar"; do
    [[ -f "$tmp/$jar" ]] || { rm -rf "$tmp"; die "Maven finished but $jar is missing (log: $mlog)"; }
  done
  touch "$tmp/.motcua-kafka-$KAFKA_VERSION.ok"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  log "downloaded $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars, $(du -sm "$KAFKA_LIBS" | cut -f1) MB in $(ms_to_s $(($(now_ms) - t0)))s -> $KAFKA_LIBS"
}

# kafka_tool CLASS ARGS...: run a Kafka command-line tool (quiet logging, small JVM).
kafka_tool() {
  local cls=$1
  shift
  java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2-tools.xml" \
    -cp "$KAFKA_LIBS/*" "$cls" "$@" 9>&-
}

# kafka_render_config: .run/kafka/server.properties from the template (ports may change).
kafka_render_config() {
  local tpl="$KAFKA_SRC/server.properties.template" text
  [[ -f "$tpl" ]] || die "missing $tpl"
  mkdir -p "$KAFKA_DATA"
  text=$(<"$tpl")
  text=${text//@HOST@/$MOTCUA_BIND_HOST}
  text=${text//@BROKER_PORT@/$KAFKA_PORT}
  text=${text//@CONTROLLER_PORT@/$KAFKA_CONTROLLER_PORT}
  text=${text//@DATA_DIR@/$KAFKA_DATA}
  printf '%s\n' "$text" >"$KAFKA_PROPS.tmp"
  mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
  # Admin-client settings for the readiness probe: fail fast and retry.
  printf '%s\n' 'request.timeout.ms=5000' 'default.api.timeout.ms=10000' \
    'retries=2' >"$KAFKA_TOOLS_PROPS"
}

# kafka_format: format the KRaft storage once (skipped when meta.properties exists).
kafka_format() {
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then return 0; fi
  local cid
  if [[ -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
    cid=$(<"$KAFKA_CLUSTER_ID_FILE")
  else
    # A Kafka Uuid is 16 random bytes in URL-safe base64 without padding.
    cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    printf '%s\n' "$cid" >"$KAFKA_CLUSTER_ID_FILE"
  fi
  log "formatting KRaft storage in $KAFKA_DATA (cluster id $cid)"
  local out
  if ! out=$(kafka_tool kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_PROPS" --ignore-formatted 2>&1); then
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    die "kafka-storage format failed for $KAFKA_DATA"
  fi
}

# kafka_pid: print the pid of OUR broker (pid file + alive + its command line).
kafka_pid() {
  local pid
  pid=$(read_pid "$KAFKA_PIDFILE") || return 1
  pid_alive "$pid" || return 1
  pid_cmdline_has "$pid" "kafka.Kafka" || return 1
  pid_cmdline_has "$pid" "$KAFKA_PROPS" || return 1
  echo "$pid"
}

# kafka_is_running: our broker is alive and its port answers.
kafka_is_running() {
  kafka_pid >/dev/null && port_open "$KAFKA_PORT"
}

# kafka_orphans: pids of brokers running OUR server.properties without a valid
# pid file (diagnostics only: we never stop a process that we did not record).
kafka_orphans() {
  local f pid
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    pid_cmdline_has "$pid" "kafka.Kafka $KAFKA_PROPS" && pid_alive "$pid" && echo "$pid"
  done
  return 0
}

kafka_clean_stale_pidfile() {
  if [[ -e "$KAFKA_PIDFILE" ]] && ! kafka_pid >/dev/null; then
    log "removing stale pid file $KAFKA_PIDFILE (pid $(head -c 20 "$KAFKA_PIDFILE" | tr -d '\n') is not our broker)"
    rm -f "$KAFKA_PIDFILE"
  fi
}

# kafka_launch: start the JVM detached (own session, not our child), record its pid.
kafka_launch() {
  local jvm_opts
  # shellcheck disable=SC2206  # heap options are a list of words on purpose
  jvm_opts=($KAFKA_HEAP_OPTS
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true
    -Dkafka.logs.dir="$KAFKA_RUN"
    -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.xml")
  rm -f "$KAFKA_PIDFILE"
  printf '=== %s starting Kafka %s on %s\n' "$(date -Is)" "$KAFKA_VERSION" "$KAFKA_BOOTSTRAP" >>"$KAFKA_CONSOLE"
  # Double fork + setsid: the broker survives this shell, its job control and
  # its process group; the inner bash writes its own pid, then execs java.
  (
    cd "$KAFKA_RUN"
    # shellcheck disable=SC2016  # $$, $0 and $@ belong to the inner bash
    setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$KAFKA_PIDFILE" \
      java "${jvm_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS" \
      </dev/null >>"$KAFKA_CONSOLE" 2>&1 9>&- &
  )
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$KAFKA_PIDFILE" ]] && break
    sleep 0.05
  done
  [[ -s "$KAFKA_PIDFILE" ]] || die "Kafka did not start (no pid file); see $KAFKA_CONSOLE"
  log "started Kafka $KAFKA_VERSION, pid $(<"$KAFKA_PIDFILE"), logs $KAFKA_LOG"
}

kafka_fail() {
  tail_file "$KAFKA_CONSOLE" 20
  tail_file "$KAFKA_LOG" 40
  die "$*"
}

# kafka_wait_ready: until a client can create and list a topic (or $KAFKA_READY_TIMEOUT s).
kafka_wait_ready() {
  local timeout=$KAFKA_READY_TIMEOUT t0 now elapsed last=0 pid out
  t0=$(now_ms)
  log "waiting for Kafka on $KAFKA_BOOTSTRAP (timeout ${timeout}s) ..."
  while :; do
    now=$(now_ms)
    elapsed=$(((now - t0) / 1000))
    pid=$(kafka_pid) || kafka_fail "Kafka exited while starting (after ${elapsed}s)"
    if port_open "$KAFKA_PORT"; then
      # The port answers: ask for a topic for real.
      if out=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
        --command-config "$KAFKA_TOOLS_PROPS" --create --if-not-exists \
        --topic "$KAFKA_HEALTH_TOPIC" --partitions 1 --replication-factor 1 2>&1) &&
        out=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
          --command-config "$KAFKA_TOOLS_PROPS" --list 2>&1) &&
        grep -qx "$KAFKA_HEALTH_TOPIC" <<<"$out"; then
        log "Kafka ready on $KAFKA_BOOTSTRAP (pid $pid) after $(ms_to_s $(($(now_ms) - t0)))s: topic $KAFKA_HEALTH_TOPIC created/listed"
        return 0
      fi
    fi
    now=$(now_ms)
    elapsed=$(((now - t0) / 1000))
    if ((elapsed >= timeout)); then
      [[ -n "${out:-}" ]] && printf '%s\n' "$out" | tail -n 10 | sed 's/^/  | /' >&2
      kafka_fail "Kafka (pid $pid) not ready after ${timeout}s"
    fi
    if ((elapsed - last >= 5)); then
      log "  still waiting for Kafka ... ${elapsed}s"
      last=$elapsed
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- commands

# kafka_start: reuse a running broker, or fetch/format/launch and wait until ready.
kafka_start() {
  kafka_check_ports
  local pid
  if pid=$(kafka_pid); then
    if port_open "$KAFKA_PORT"; then
      log "Kafka already running on $KAFKA_BOOTSTRAP (pid $pid): reusing it"
      return 0
    fi
    log "Kafka pid $pid is alive but $KAFKA_BOOTSTRAP does not answer yet"
    kafka_wait_ready
    return 0
  fi
  kafka_clean_stale_pidfile
  local p
  local orphans
  orphans=$(kafka_orphans | tr '\n' ' ')
  if [[ -n "$orphans" ]]; then
    die "a broker with our config $KAFKA_PROPS is running (pid $orphans) but its pid file
  $KAFKA_PIDFILE is missing or wrong; stop it yourself (kill $orphans), then retry"
  fi
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$p"; then
      die "port $MOTCUA_BIND_HOST:$p is already used by another process (not started by these scripts):
$(who_listens "$p")
  stop it, or choose other ports: MOTCUA_KAFKA_PORT / MOTCUA_KAFKA_CONTROLLER_PORT"
    fi
  done
  kafka_check_java
  kafka_fetch
  mkdir -p "$KAFKA_RUN"
  kafka_render_config
  kafka_format
  kafka_launch
  kafka_wait_ready
}

# kafka_stop [--kill]: stop OUR broker (recorded pid only): SIGTERM, then SIGKILL after a timeout.
kafka_stop() {
  local pid sig=TERM
  [[ "${1:-}" == --kill ]] && sig=KILL
  if ! pid=$(kafka_pid); then
    kafka_clean_stale_pidfile
    local orphans
    orphans=$(kafka_orphans | tr '\n' ' ')
    if [[ -n "$orphans" ]]; then
      warn "no valid pid file, but a broker with our config is running: pid $orphans (not stopped: kill it yourself)"
      return 1
    fi
    log "Kafka is not running"
    return 0
  fi
  log "stopping Kafka (pid $pid, SIG$sig) ..."
  kill -s "$sig" "$pid" 2>/dev/null || true
  local t0 t1 elapsed
  t0=$(now_ms)
  while pid_alive "$pid"; do
    elapsed=$((($(now_ms) - t0) / 1000))
    if ((elapsed >= KAFKA_STOP_TIMEOUT)); then
      warn "Kafka pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s: sending SIGKILL"
      kill -s KILL "$pid" 2>/dev/null || true
      t1=$(now_ms)
      while pid_alive "$pid" && (($(now_ms) - t1 < 10000)); do sleep 0.1; done
      pid_alive "$pid" && die "could not stop Kafka pid $pid"
      break
    fi
    sleep 0.1
  done
  # The JVM is gone; make sure the kernel has released its listening ports
  # too, so that an immediate `start` does not find them busy.
  local p
  t1=$(now_ms)
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    while port_open "$p" && (($(now_ms) - t1 < 10000)); do sleep 0.1; done
  done
  rm -f "$KAFKA_PIDFILE"
  log "Kafka stopped in $(ms_to_s $(($(now_ms) - t0)))s"
}

kafka_status() {
  local pid
  if pid=$(kafka_pid); then
    if port_open "$KAFKA_PORT"; then
      echo "kafka: running, pid $pid, bootstrap $KAFKA_BOOTSTRAP"
      return 0
    fi
    echo "kafka: pid $pid alive but $KAFKA_BOOTSTRAP not answering"
    return 1
  fi
  echo "kafka: stopped"
  return 3
}

kafka_purge() {
  if kafka_pid >/dev/null || [[ -n "$(kafka_orphans)" ]]; then
    die "Kafka is running: stop it before purging its data"
  fi
  log "removing Kafka data $KAFKA_DATA"
  rm -rf "$KAFKA_DATA" "$KAFKA_CLUSTER_ID_FILE"
}

kafka_main() {
  local cmd=${1:-}
  _MOTCUA_TAG=kafka
  case "$cmd" in
    start) kafka_start ;;
    stop) kafka_stop ;;
    kill) kafka_stop --kill ;;
    restart)
      kafka_stop
      kafka_start
      ;;
    status) kafka_status ;;
    fetch)
      kafka_check_java
      kafka_fetch
      ;;
    *)
      echo "usage: $0 start|stop|kill|restart|status|fetch" >&2
      return 2
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  with_lock
  kafka_main "$@"
fi
