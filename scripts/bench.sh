#!/usr/bin/env bash
# All benchmarks against the real Kafka and PostgreSQL; writes bench/results/latest.{json,md}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/uv.sh
source scripts/lib/uv.sh
"${UV[@]}" sync --frozen --quiet
bash scripts/services-up.sh
# shellcheck disable=SC1091
source .run/services.env
exec "${UV[@]}" run --frozen python bench/run_all.py "$@"
