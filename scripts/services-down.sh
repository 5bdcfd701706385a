#!/usr/bin/env bash
# Stop only what scripts/services-up.sh started: the Kafka broker by its
# recorded pid (.run/kafka/kafka.pid) and PostgreSQL by `pg_ctl stop -D` on our
# own data directory.  Never by process name.  Data is kept unless --purge.
#
# usage: bash scripts/services-down.sh [--kafka-only | --pg-only] [--purge]
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

want_kafka=1 want_pg=1 purge=0
for arg in "$@"; do
  case "$arg" in
    --kafka-only) want_pg=0 ;;
    --pg-only) want_kafka=0 ;;
    --purge) purge=1 ;;
    -h | --help)
      sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$arg' (use --kafka-only, --pg-only, --purge)" ;;
  esac
done

with_lock
rc=0
if ((want_kafka)); then
  (
    _MOTCUA_TAG=kafka
    kafka_stop
    if ((purge)); then kafka_purge; fi
  ) &
  wait $! || rc=1 # background subshell: keeps `set -e` active inside
fi
if ((want_pg)); then
  (
    _MOTCUA_TAG=postgres
    pg_stop
    if ((purge)); then pg_purge; fi
  ) &
  wait $! || rc=1
fi
# .run/services.env lists only what is still running (removed when nothing is)
services_write_env
((rc == 0)) || die "some service could not be stopped (see above)"
log "services down"
