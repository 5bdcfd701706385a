#!/usr/bin/env bash
# The one test command: installs what it needs, starts Kafka and PostgreSQL, then runs
# the lint (scripts/lint.sh: ruff, mypy strict, shellcheck) and pytest. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)
# shellcheck source=scripts/lib/uv.sh
source scripts/lib/uv.sh

echo "==> Python dependencies (uv sync --frozen)"
"${UV[@]}" sync --frozen --quiet

echo "==> Kafka and PostgreSQL"
bash scripts/services-up.sh
# shellcheck disable=SC1091
source .run/services.env

echo "==> helm, chart validator and headless Chromium (first run builds or installs them)"
bash scripts/helm-check.sh --install-only
bash scripts/lib/browser.sh
# shellcheck source=scripts/lib/tools.sh
source scripts/lib/tools.sh
ensure_promtool
ensure_asyncapi_spec

bash scripts/lint.sh

echo "==> pytest"
mkdir -p tests/artifacts
"${UV[@]}" run --frozen pytest "$@"
echo "==> all checks passed in $(( $(date +%s) - started )) s"
