#!/usr/bin/env bash
# The full fault campaign (tests/chaos/campaign.py) on its own Kafka and PostgreSQL
# (.run/chaos, ports 29592 and 25732), so the servers of `make services-up` are never touched.
#   bash scripts/chaos.sh [--rate 4] [--broker-seconds 300] [--pg-seconds 10]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/uv.sh
source scripts/lib/uv.sh
"${UV[@]}" sync --frozen --quiet
exec "${UV[@]}" run --frozen python -m tests.chaos.campaign --full "$@"
