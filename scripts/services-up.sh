#!/usr/bin/env bash
# Start the servers the tests need, on loopback, without Docker -- idempotently:
#   Apache Kafka 4.x (KRaft, single node)  127.0.0.1:${MOTCUA_KAFKA_PORT:-39092}
#   PostgreSQL (Debian packages)           127.0.0.1:${MOTCUA_PG_PORT:-55432}
# A second run reuses what is running (pid file + live port) and takes < 1 s.
# Writes .run/services.env (source it) and prints a summary.
#
# usage: bash scripts/services-up.sh [--kafka-only | --pg-only]
# Stop with scripts/services-down.sh; stop/start Kafka alone with scripts/kafka-ctl.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=scripts/lib/kafka.sh
source "$here/lib/kafka.sh"
# shellcheck source=scripts/lib/postgres.sh
source "$here/lib/postgres.sh"
# shellcheck source=scripts/lib/services-env.sh
source "$here/lib/services-env.sh"
_MOTCUA_TAG=services

want_kafka=1 want_pg=1
for arg in "$@"; do
  case "$arg" in
    --kafka-only) want_pg=0 ;;
    --pg-only) want_kafka=0 ;;
    -h | --help)
      sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$arg' (use --kafka-only, --pg-only or nothing)" ;;
  esac
done
((want_kafka + want_pg > 0)) || die "--kafka-only and --pg-only exclude each other"

t_start=$(now_ms)
with_lock

# Kafka (download + format + JVM start) is the slow one: both start in parallel.
# Each runs in a background subshell (`set -e` stays active there, unlike in
# `( ... ) || rc=$?`), then we wait for both.
kafka_job="" pg_job=""
if ((want_kafka)); then
  (
    _MOTCUA_TAG=kafka
    kafka_start
  ) &
  kafka_job=$!
fi
if ((want_pg)); then
  (
    _MOTCUA_TAG=postgres
    pg_start
  ) &
  pg_job=$!
fi
kafka_rc=0 pg_rc=0
if [[ -n "$pg_job" ]]; then wait "$pg_job" || pg_rc=$?; fi
if [[ -n "$kafka_job" ]]; then wait "$kafka_job" || kafka_rc=$?; fi
((pg_rc == 0)) || die "PostgreSQL did not start (see above)"
((kafka_rc == 0)) || die "Kafka did not start (see above)"

# ------------------------------------------------------------ services.env
services_write_env
env_file="$MOTCUA_RUN_DIR/services.env"
kafka_up=0 pg_up=0
kafka_is_running && kafka_up=1
pg_is_running && pg_up=1

# ------------------------------------------------------------ summary
elapsed_ms=$(($(now_ms) - t_start))
printf '\nservices up in %d.%01ds\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
if ((kafka_up)); then
  printf '  kafka     %-22s pid %-7s controller :%s  log %s\n' \
    "$KAFKA_BOOTSTRAP" "$(kafka_pid)" "$KAFKA_CONTROLLER_PORT" "${KAFKA_LOG#"$MOTCUA_ROOT"/}"
fi
if ((pg_up)); then
  printf '  postgres  %-22s pid %-7s user %s/%s  log %s\n' \
    "$PG_HOST:$PG_PORT" "$(pg_pid)" "$PG_APP_USER" "$PG_APP_PASSWORD" "${PG_LOG#"$MOTCUA_ROOT"/}"
  printf '            databases: %s\n' "${PG_DATABASES[*]}"
fi
printf '  env       . %s\n' "${env_file#"$MOTCUA_ROOT"/}"
