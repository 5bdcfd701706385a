# shellcheck shell=bash
# Local PostgreSQL (Debian packages) on 127.0.0.1 with its own cluster in
# .run/pg/data -- no Docker, independent of Debian's default cluster on 5432.
#
# Sourced by scripts/services-up.sh and services-down.sh, or run directly:
#   bash scripts/lib/postgres.sh start|stop|status
#
# Environment (all optional):
#   MOTCUA_PG_PORT=55432          TCP port on 127.0.0.1
#   MOTCUA_PG_READY_TIMEOUT=60    seconds to wait until it accepts connections
#
# Layout (recorded in .run/pg/ so that services-down finds it again):
#   .run/pg/data              the cluster (owned by the postgres OS user), or
#   /var/tmp/motcua-pg-<hash>/data when the postgres user cannot reach the checkout
#   .run/pg/datadir           path of the data directory in use
#   .run/pg/pidfile           path of postgres's own postmaster.pid
#   .run/pg/sockdir           unix socket directory (mode 700)
#   .run/pg/postgres.log      server log (in the fallback folder when one is used)

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_PORT="${MOTCUA_PG_PORT:-55432}"
PG_HOST="$MOTCUA_BIND_HOST"
PG_READY_TIMEOUT="${MOTCUA_PG_READY_TIMEOUT:-60}"
PG_APP_USER=motcua
PG_APP_PASSWORD=motcua
PG_DATABASES=(motcua_intake motcua_workflow motcua_notify motcua_analytics motcua_bench)
PG_OS_USER=postgres
PG_RUN="$MOTCUA_RUN_DIR/pg"

PG_BIN=""   # /usr/lib/postgresql/<major>/bin
PG_BASE=""  # folder holding data/, sock/, postgres.log
PG_DATA=""
PG_SOCK=""
PG_LOG=""

# ---------------------------------------------------------------- helpers

# as_pg CMD...: run CMD as the postgres OS user (initdb and postgres refuse root).
# It runs from / since the postgres user may not be allowed into the caller's cwd.
as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u "$PG_OS_USER" -- "$@" 9>&-)
  else
    (cd / && "$@" 9>&-)
  fi
}

# pg_find_bin: newest /usr/lib/postgresql/*/bin with initdb, or the one matching
# an existing cluster's PG_VERSION. Returns 1 when PostgreSQL is not installed.
pg_find_bin() {
  local want="" d best=""
  if [[ -n "$PG_DATA" && -f "$PG_DATA/PG_VERSION" ]]; then
    want=$(<"$PG_DATA/PG_VERSION")
    if [[ -x "/usr/lib/postgresql/$want/bin/initdb" ]]; then
      PG_BIN="/usr/lib/postgresql/$want/bin"
      return 0
    fi
  fi
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] || continue
    if [[ -z "$best" ]] || [[ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n 1)" == "$d" ]]; then
      best=$d
    fi
  done
  [[ -n "$best" ]] || return 1
  if [[ -n "$want" ]]; then
    die "the cluster in $PG_DATA was made by PostgreSQL $want, but only $best is installed.
  remove it with: bash scripts/services-down.sh --purge"
  fi
  PG_BIN=$best
}

# pg_install: apt-get install postgresql when no server binaries exist.
pg_install() {
  pg_find_bin && return 0
  ((EUID == 0)) || die "PostgreSQL server is not installed and we are not root: run 'sudo apt-get install -y postgresql'"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server is not installed and apt-get is not available"
  local had_main=0 t0 alog="$MOTCUA_RUN_DIR/apt-postgresql.log"
  command -v pg_lsclusters >/dev/null 2>&1 && [[ -n "$(pg_lsclusters -h 2>/dev/null)" ]] && had_main=1
  log "PostgreSQL server not found: apt-get install postgresql (log $alog) ..."
  t0=$(now_ms)
  mkdir -p "$MOTCUA_RUN_DIR"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get -o DPkg::Lock::Timeout=300 update &&
    apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends postgresql; } \
    </dev/null >"$alog" 2>&1; then
    tail_file "$alog" 30
    die "apt-get install postgresql failed (log $alog)"
  fi
  pg_find_bin || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
  log "installed PostgreSQL ($PG_BIN) in $((($(now_ms) - t0) / 1000))s"
  # Debian's postinst creates and may start a default cluster on 5432: we don't
  # use it, so stop the one that this install just created (not any other).
  if ((had_main == 0)) && command -v pg_lsclusters >/dev/null 2>&1; then
    local ver name _port status _rest
    while read -r ver name _port status _rest; do
      if [[ "$status" == online* ]]; then
        log "stopping Debian's default cluster $ver/$name created by apt (not used here)"
        pg_ctlcluster "$ver" "$name" stop 9>&- || warn "could not stop cluster $ver/$name"
      fi
    done < <(pg_lsclusters -h 2>/dev/null || true)
  fi
}

pg_hash() { printf '%s' "$MOTCUA_ROOT" | sha256sum | cut -c1-12; }

# pg_resolve_dirs [--no-create]: decide where the cluster lives (stable once recorded).
pg_resolve_dirs() {
  local create=1
  [[ "${1:-}" == --no-create ]] && create=0
  local base=""
  if [[ -s "$PG_RUN/datadir" ]]; then
    base=$(dirname "$(<"$PG_RUN/datadir")")
  elif ((create == 1)); then
    mkdir -p "$PG_RUN"
    chmod 755 "$PG_RUN"
    base="$PG_RUN"
    if ((EUID == 0)) && id "$PG_OS_USER" >/dev/null 2>&1 &&
      ! runuser -u "$PG_OS_USER" -- test -x "$PG_RUN" 9>&- 2>/dev/null; then
      # A parent of the checkout is not traversable for the postgres user (e.g. /root).
      base="/var/tmp/motcua-pg-$(pg_hash)"
      log "user $PG_OS_USER cannot reach $PG_RUN: using $base for the cluster"
    fi
  else
    return 1
  fi
  PG_BASE=$base
  PG_DATA="$PG_BASE/data"
  PG_LOG="$PG_BASE/postgres.log"
  PG_SOCK="$PG_BASE/sock"
  if [[ -s "$PG_RUN/sockdir" ]]; then
    PG_SOCK=$(<"$PG_RUN/sockdir")
  elif ((${#PG_SOCK} + 20 > 100)); then
    # unix socket paths are limited to 107 bytes
    PG_SOCK="/var/tmp/motcua-pg-$(pg_hash)/sock"
  fi
  if ((create == 1)); then
    mkdir -p "$PG_RUN"
    printf '%s\n' "$PG_DATA" >"$PG_RUN/datadir"
    printf '%s\n' "$PG_DATA/postmaster.pid" >"$PG_RUN/pidfile"
    printf '%s\n' "$PG_SOCK" >"$PG_RUN/sockdir"
    printf '%s\n' "$PG_LOG" >"$PG_RUN/logfile"
  fi
}

# pg_pid: pid of OUR postmaster (from postmaster.pid, alive, running postgres).
pg_pid() {
  local pid
  [[ -n "$PG_DATA" ]] || return 1
  pid=$(read_pid "$PG_DATA/postmaster.pid") || return 1
  pid_alive "$pid" || return 1
  pid_cmdline_has "$pid" "postgres" || return 1
  pid_cmdline_has "$pid" "$PG_DATA" || return 1
  echo "$pid"
}

pg_ready() {
  local bin=${PG_BIN:-/usr/bin}
  "$bin/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
}

pg_is_running() {
  pg_resolve_dirs --no-create || return 1
  pg_pid >/dev/null && pg_ready
}

# pg_wait_ready: until it accepts TCP connections on 127.0.0.1:PORT.
pg_wait_ready() {
  local t0 elapsed last=0
  t0=$(now_ms)
  until pg_ready; do
    elapsed=$((($(now_ms) - t0) / 1000))
    if ! pg_pid >/dev/null; then
      tail_file "$PG_LOG" 30
      die "PostgreSQL exited while starting (log $PG_LOG)"
    fi
    if ((elapsed >= PG_READY_TIMEOUT)); then
      tail_file "$PG_LOG" 30
      die "PostgreSQL does not accept connections on $PG_HOST:$PG_PORT after ${PG_READY_TIMEOUT}s"
    fi
    if ((elapsed - last >= 5)); then
      log "  still waiting for PostgreSQL ... ${elapsed}s"
      last=$elapsed
    fi
    sleep 0.2
  done
}

# pg_init: initdb once, as the postgres OS user.
pg_init() {
  if [[ -f "$PG_DATA/PG_VERSION" ]]; then return 0; fi
  local ilog="$PG_BASE/initdb.log"
  if [[ -d "$PG_DATA" ]] && [[ -n "$(ls -A "$PG_DATA" 2>/dev/null)" ]]; then
    log "removing incomplete cluster directory $PG_DATA (no PG_VERSION)"
    rm -rf "$PG_DATA"
  fi
  mkdir -p "$PG_BASE" "$PG_DATA"
  if ((EUID == 0)); then
    chown "$PG_OS_USER:$PG_OS_USER" "$PG_DATA"
    # the fallback base is ours alone; postgres writes its log there
    [[ "$PG_BASE" != "$PG_RUN" ]] && chown "$PG_OS_USER:$PG_OS_USER" "$PG_BASE"
  fi
  chmod 700 "$PG_DATA"
  log "initdb $PG_DATA ($("$PG_BIN/postgres" --version 2>/dev/null | sed 's/.*) //'))"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 </dev/null >"$ilog" 2>&1; then
    tail_file "$ilog" 30
    die "initdb failed (log $ilog)"
  fi
}

# pg_write_conf: our settings, included from postgresql.conf; rewritten at each start.
pg_write_conf() {
  local conf="$PG_DATA/motcua.conf"
  cat >"$conf" <<EOF
# written by scripts/lib/postgres.sh at each start -- edit that script instead
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 256MB
fsync = on
# Projection rebuilds and benches write hundreds of MB of WAL a minute: with the default
# 1GB a checkpoint every few seconds, each followed by full-page images of every page touched.
max_wal_size = 4GB
password_encryption = scram-sha-256
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_timezone = 'UTC'
timezone = 'UTC'
EOF
  if ! grep -qx "include_if_exists = 'motcua.conf'" "$PG_DATA/postgresql.conf"; then
    printf '\n%s\n' "include_if_exists = 'motcua.conf'" >>"$PG_DATA/postgresql.conf"
  fi
  mkdir -p "$PG_SOCK"
  chmod 700 "$PG_SOCK"
  touch "$PG_LOG"
  if ((EUID == 0)); then
    chown "$PG_OS_USER:$PG_OS_USER" "$conf" "$PG_SOCK" "$PG_LOG"
  fi
}

# pg_bootstrap: role motcua and the databases, idempotently (superuser over the socket).
pg_bootstrap() {
  local arr
  arr=$(printf "'%s'," "${PG_DATABASES[@]}")
  arr="ARRAY[${arr%,}]"
  local out
  if ! out=$(as_pg "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" \
    -U postgres -d postgres 2>&1 <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$PG_APP_USER', '$PG_APP_PASSWORD')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_APP_USER') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', '$PG_APP_USER', '$PG_APP_PASSWORD')
 FROM pg_roles WHERE rolname = '$PG_APP_USER'
   AND NOT (rolcanlogin AND rolcreatedb) \gexec
SELECT format('CREATE DATABASE %I OWNER %I', d, '$PG_APP_USER')
  FROM unnest($arr) AS d
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d) \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', datname, '$PG_APP_USER')
  FROM pg_database
 WHERE datname = ANY($arr) AND pg_get_userbyid(datdba) <> '$PG_APP_USER' \gexec
SQL
  ); then
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    die "could not create role $PG_APP_USER / databases"
  fi
  # The role must really log in over TCP with its password.
  if ! out=$(PGPASSWORD=$PG_APP_PASSWORD "$PG_BIN/psql" -X -q -A -t -h "$PG_HOST" -p "$PG_PORT" \
    -U "$PG_APP_USER" -d "${PG_DATABASES[0]}" -c 'SELECT 1' 2>&1 9>&-); then
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    die "role $PG_APP_USER cannot log in on $PG_HOST:$PG_PORT"
  fi
}

pg_clean_stale_pidfile() {
  local f="$PG_DATA/postmaster.pid" pid lock
  pg_pid >/dev/null && return 0
  if [[ -e "$f" ]]; then
    # postgres itself ignores a pid file whose pid is gone, but refuses to start
    # when that pid still answers kill -0 (a zombie nobody reaped, or a pid
    # reused by an unrelated process): remove it in every case.
    pid=$(read_pid "$f" || echo "?")
    log "removing stale $f (pid $pid is not a running postgres)"
    rm -f "$f"
  fi
  # Same for the socket lock file in our own socket directory.
  for lock in "$PG_SOCK"/.s.PGSQL.*.lock; do
    [[ -e "$lock" ]] || continue
    pid=$(read_pid "$lock" || echo "?")
    if [[ "$pid" == "?" ]] || ! pid_alive "$pid" || ! pid_cmdline_has "$pid" postgres; then
      log "removing stale socket lock $lock (pid $pid)"
      rm -f "$lock" "${lock%.lock}"
    fi
  done
}

# ---------------------------------------------------------------- commands

pg_start() {
  is_port_number "$PG_PORT" || die "MOTCUA_PG_PORT='$PG_PORT' is not a port number"
  local pid
  if pg_resolve_dirs --no-create && pid=$(pg_pid); then
    pg_find_bin || true
    if ! pg_ready; then
      log "PostgreSQL pid $pid is alive but $PG_HOST:$PG_PORT does not answer yet"
      pg_wait_ready
    else
      log "PostgreSQL already running on $PG_HOST:$PG_PORT (pid $pid): reusing it"
    fi
    pg_bootstrap
    return 0
  fi
  pg_install # before pg_resolve_dirs: it needs the postgres OS user
  pg_resolve_dirs
  pg_find_bin || die "no PostgreSQL server binaries"
  pg_clean_stale_pidfile
  if port_open "$PG_PORT"; then
    die "port $PG_HOST:$PG_PORT is already used by another process (not started by these scripts):
$(who_listens "$PG_PORT")
  stop it, or choose another port: MOTCUA_PG_PORT"
  fi
  pg_init
  pg_write_conf
  log "starting PostgreSQL on $PG_HOST:$PG_PORT (data $PG_DATA, log $PG_LOG)"
  local out
  if ! out=$(as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_READY_TIMEOUT" start </dev/null 2>&1); then
    printf '%s\n' "$out" | sed 's/^/  | /' >&2
    tail_file "$PG_LOG" 30
    die "pg_ctl start failed for $PG_DATA"
  fi
  pg_wait_ready
  pg_bootstrap
  log "PostgreSQL ready on $PG_HOST:$PG_PORT (pid $(pg_pid || echo '?'))"
}

pg_stop() {
  if ! pg_resolve_dirs --no-create || [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "PostgreSQL: no cluster here, nothing to stop"
    return 0
  fi
  local pid
  if ! pid=$(pg_pid); then
    pg_clean_stale_pidfile
    log "PostgreSQL is not running"
    return 0
  fi
  pg_find_bin || die "PostgreSQL binaries are gone; cannot run pg_ctl stop (pid $pid)"
  log "stopping PostgreSQL (pid $pid, data $PG_DATA) ..."
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop </dev/null >/dev/null 2>&1; then
    warn "fast shutdown did not finish in 60s: immediate shutdown"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop </dev/null >/dev/null 2>&1 ||
      die "could not stop PostgreSQL pid $pid"
  fi
  log "PostgreSQL stopped"
}

pg_status() {
  if pg_resolve_dirs --no-create; then
    local pid
    if pid=$(pg_pid); then
      pg_find_bin || true
      if pg_ready; then
        echo "postgres: running, pid $pid, $PG_HOST:$PG_PORT, data $PG_DATA"
        return 0
      fi
      echo "postgres: pid $pid alive but $PG_HOST:$PG_PORT not answering"
      return 1
    fi
  fi
  echo "postgres: stopped"
  return 3
}

pg_purge() {
  if pg_resolve_dirs --no-create; then
    pg_pid >/dev/null && die "PostgreSQL is running: stop it before purging its data"
    log "removing PostgreSQL cluster $PG_DATA"
    rm -rf "$PG_DATA"
    [[ "$PG_BASE" != "$PG_RUN" ]] && rm -rf "$PG_BASE"
    case "$PG_SOCK" in /var/tmp/motcua-pg-*) rm -rf "$(dirname "$PG_SOCK")" ;; esac
    rm -f "$PG_RUN/datadir" "$PG_RUN/pidfile" "$PG_RUN/sockdir" "$PG_RUN/logfile"
  fi
}

pg_main() {
  _MOTCUA_TAG=postgres
  case "${1:-}" in
    start) pg_start ;;
    stop) pg_stop ;;
    status) pg_status ;;
    *)
      echo "usage: $0 start|stop|status" >&2
      return 2
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  with_lock
  pg_main "$@"
fi
