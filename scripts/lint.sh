#!/usr/bin/env bash
# The one lint command, run by `make lint`, scripts/test.sh (hence CI) and the pre-commit hooks:
# ruff check, ruff format --check, mypy (strict over the shipped packages) and shellcheck over every
# shell script. Exits non-zero on the first failure.
#   bash scripts/lint.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/uv.sh
source scripts/lib/uv.sh
# shellcheck source=scripts/lib/shellcheck.sh
source scripts/lib/shellcheck.sh

echo "==> ruff"
"${UV[@]}" run --frozen ruff check .
"${UV[@]}" run --frozen ruff format --check .
echo "==> mypy"
"${UV[@]}" run --frozen mypy
echo "==> shellcheck"
ensure_shellcheck
mapfile -t shell_files < <(find scripts -name '*.sh' | sort; echo .ci/run)
"$SHELLCHECK" -x "${shell_files[@]}"
echo "==> lint passed"
