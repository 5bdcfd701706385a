#!/usr/bin/env bash
# Checks the Helm chart deploy/helm/motcua: `helm lint --strict`, `helm template`, and the
# rendered manifests validated OFFLINE against the Kubernetes JSON schemas (strict: unknown
# fields are errors) plus the chart's custom resources against tests/deploy/crd_schemas.json.
# Installs helm and the validator into .cache/tools the first time (scripts/lib/tools.sh).
#
# usage: bash scripts/helm-check.sh [--install-only] [NAME=VALUES[,VALUES...] ...]
#   without cases: default=  production=values-production.yaml  province=values-province.yaml
#   NAME=        the chart's default values only
# Writes tests/artifacts/helm/<NAME>.yaml (rendered) and <NAME>.json (the same, for the tests;
# HELM_CHECK_OUT overrides the folder). Exits non-zero when any case fails any step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/tools.sh
source scripts/lib/tools.sh

CHART=deploy/helm/motcua
OUT="${HELM_CHECK_OUT:-tests/artifacts/helm}"
RELEASE=motcua
NAMESPACE=motcua

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

install_only=0
cases=()
for arg in "$@"; do
  case "$arg" in
    --install-only) install_only=1 ;;
    -h | --help) usage; exit 0 ;;
    *=*) cases+=("$arg") ;;
    *) usage; exit 2 ;;
  esac
done

started=$SECONDS
ensure_helm
ensure_kube_validator
if ((install_only)); then
  echo "helm $("$HELM" version --template '{{.Version}}'), kubernetes-validate in $KV_PYTHON"
  exit 0
fi
if ((${#cases[@]} == 0)); then
  cases=(default= "production=$CHART/values-production.yaml" "province=$CHART/values-province.yaml")
fi

# helm warns on stderr that the chart's dashboards/ is a link to deploy/grafana: expected.
helm_quiet() {
  local err rc=0
  err=$(mktemp)
  "$HELM" "$@" 2>"$err" || rc=$?
  grep -v 'found symbolic link in path' "$err" >&2 || true
  rm -f "$err"
  return "$rc"
}

mkdir -p "$OUT"
failed=()
for case in "${cases[@]}"; do
  name=${case%%=*}
  files=${case#*=}
  [[ "$name" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || { echo "bad case name: $name" >&2; exit 2; }
  values=()
  IFS=, read -ra listed <<<"$files"
  for f in "${listed[@]}"; do
    [[ -z "$f" ]] && continue
    [[ -f "$f" ]] || { echo "no values file $f" >&2; exit 2; }
    values+=(-f "$f")
  done
  rm -f "$OUT/$name.yaml" "$OUT/$name.json"

  echo "==> [$name] helm lint --strict ${values[*]}"
  if ! helm_quiet lint --strict --kube-version "$KUBE_VERSION" "$CHART" "${values[@]}"; then
    failed+=("$name: helm lint")
    continue
  fi

  echo "==> [$name] helm template"
  if ! helm_quiet template "$RELEASE" "$CHART" --namespace "$NAMESPACE" \
    --kube-version "$KUBE_VERSION" "${values[@]}" >"$OUT/$name.yaml"; then
    failed+=("$name: helm template")
    continue
  fi

  echo "==> [$name] validate against the Kubernetes $KUBE_VERSION schemas (offline)"
  if ! "$KV_PYTHON" tests/deploy/k8s_validate.py --kube-version "$KUBE_VERSION" \
    --json-out "$OUT/$name.json" "$OUT/$name.yaml"; then
    failed+=("$name: schema validation")
  fi
done

if ((${#failed[@]})); then
  printf 'helm-check FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "==> helm-check passed (${#cases[@]} case(s), $((SECONDS - started)) s); manifests in $OUT"
