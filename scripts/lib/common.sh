# shellcheck shell=bash
# Shared helpers for scripts/services-*.sh, scripts/kafka-ctl.sh and scripts/lib/*.sh.
# Sourced, never executed.  Callers run with `set -euo pipefail`.

if [[ -n "${_MOTCUA_COMMON_SH:-}" ]]; then return 0; fi
_MOTCUA_COMMON_SH=1

MOTCUA_ROOT="${MOTCUA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}"
MOTCUA_RUN_DIR="${MOTCUA_RUN_DIR:-$MOTCUA_ROOT/.run}"
MOTCUA_CACHE_DIR="${MOTCUA_CACHE_DIR:-$MOTCUA_ROOT/.cache}"
case "$MOTCUA_RUN_DIR" in /*) ;; *) MOTCUA_RUN_DIR="$PWD/$MOTCUA_RUN_DIR" ;; esac
case "$MOTCUA_CACHE_DIR" in /*) ;; *) MOTCUA_CACHE_DIR="$PWD/$MOTCUA_CACHE_DIR" ;; esac
export MOTCUA_ROOT MOTCUA_RUN_DIR MOTCUA_CACHE_DIR

# Everything this project listens on is bound to loopback only.
MOTCUA_BIND_HOST=127.0.0.1

log()  { printf '[%s] %s\n' "${_MOTCUA_TAG:-services}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${_MOTCUA_TAG:-services}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${_MOTCUA_TAG:-services}" "$*" >&2; exit 1; }

# now_ms: wall clock in milliseconds (bash 5 EPOCHREALTIME, no fork).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# is_port_number VALUE: 1..65535
is_port_number() { [[ "$1" =~ ^[0-9]+$ ]] && (("$1" >= 1 && "$1" <= 65535)); }

# port_open PORT [HOST]: true when something accepts TCP connections there.
port_open() {
  local port=$1 host=${2:-$MOTCUA_BIND_HOST}
  # shellcheck disable=SC2016  # $0 and $1 are the inner bash's arguments, expanded there
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
}

# _task_state STATFILE: the state letter of a /proc/.../stat file (pure bash).
_task_state() {
  local line
  IFS= read -r line 2>/dev/null <"$1" || return 1
  line=${line##*) } # the comm field (2) may contain spaces and ')'
  echo "${line%% *}"
}

# pid_alive PID: the process exists and is not a zombie.  A multi-threaded
# process (a JVM) whose main thread has exited shows 'Z' while its other
# threads still run and hold its sockets: then it still counts as alive.
pid_alive() {
  local pid=$1 state t
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(_task_state "/proc/$pid/stat") || return 1
  [[ "$state" != Z && "$state" != X ]] && return 0
  for t in /proc/"$pid"/task/*/stat; do
    state=$(_task_state "$t") || continue
    [[ "$state" != Z && "$state" != X ]] && return 0
  done
  return 1
}

# pid_cmdline_has PID STRING: the process's command line contains STRING.
pid_cmdline_has() {
  local pid=$1 needle=$2 cmd
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ "$cmd" == *"$needle"* ]]
}

# read_pid FILE: prints the first line of FILE when it is a number.
read_pid() {
  local f=$1 pid
  [[ -s "$f" ]] || return 1
  IFS= read -r pid 2>/dev/null <"$f" || true
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# who_listens PORT: a line describing the listener on PORT (for error messages).
who_listens() {
  local out
  out=$(ss -ltnpH "sport = :$1" 2>/dev/null | head -n 3 || true)
  echo "  ${out:-(no listener found by ss: maybe a process that is still exiting)}"
}

# with_lock: serialise services-up / services-down / kafka-ctl across processes.
# The lock fd (9) must be closed in every long-running child we start (9>&-),
# otherwise the child would keep the lock forever.
with_lock() {
  mkdir -p "$MOTCUA_RUN_DIR"
  exec 9>"$MOTCUA_RUN_DIR/services.lock"
  if ! flock -w 600 9; then
    die "another services-up/services-down is still running (lock $MOTCUA_RUN_DIR/services.lock)"
  fi
}

# tail_file FILE [N]: print the last lines of a log file, indented, to stderr.
tail_file() {
  local f=$1 n=${2:-40}
  if [[ -s "$f" ]]; then
    printf '  --- last %s lines of %s ---\n' "$n" "$f" >&2
    tail -n "$n" "$f" | sed 's/^/  | /' >&2
  fi
}

# ms_to_s MILLIS: "12.3"
ms_to_s() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
