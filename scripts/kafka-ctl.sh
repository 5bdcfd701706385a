#!/usr/bin/env bash
# Stop / start only the local Kafka broker started by scripts/services-up.sh,
# e.g. for fault-injection tests.  `start` reuses the formatted storage in
# .run/kafka/data and returns once a topic can be created (timeout 120 s).
#
# usage: bash scripts/kafka-ctl.sh start|stop|kill|restart|status
#   stop    SIGTERM (clean shutdown), SIGKILL after MOTCUA_KAFKA_STOP_TIMEOUT=60 s
#   kill    SIGKILL at once (crash)
#   status  exit 0 when running and answering, 3 when stopped
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/lib/kafka.sh
source "$here/lib/kafka.sh"

case "${1:-}" in
  status) kafka_main status ;; # no lock: read-only
  start | stop | kill | restart | fetch)
    with_lock
    kafka_main "$1"
    ;;
  *)
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
