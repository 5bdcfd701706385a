#!/usr/bin/env bash
# Runs the whole platform in one process: embedded SQLite and an in-process bus, no servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/uv.sh
source scripts/lib/uv.sh
"${UV[@]}" sync --frozen --quiet
exec "${UV[@]}" run --frozen motcua-standalone "$@"
