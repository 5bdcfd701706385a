# shellcheck shell=bash
# Tools for the Helm chart checks, installed into .cache/tools from package registries only:
#   helm     built from its Go module (Go module proxy) with `go install`
#   kv-venv  a virtualenv (PyPI) with kubernetes-validate, whose wheel carries the Kubernetes
#            JSON schemas, so validation needs no network; it also brings PyYAML and jsonschema.
# Each ensure_* is idempotent and returns at once when the pinned version is present.
# Sourced, never executed; callers run with `set -euo pipefail`.

if [[ -n "${_MOTCUA_TOOLS_SH:-}" ]]; then return 0; fi
_MOTCUA_TOOLS_SH=1

_tools_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
MOTCUA_ROOT="${MOTCUA_ROOT:-$(cd "$_tools_here/../.." && pwd -P)}"
MOTCUA_TOOLS_DIR="${MOTCUA_TOOLS_DIR:-$MOTCUA_ROOT/.cache/tools}"
MOTCUA_TOOLS_BIN="$MOTCUA_TOOLS_DIR/bin"

HELM_VERSION="${HELM_VERSION:-v3.16.4}"
# The Kubernetes minor that helm 3.16 is built against; also the schema version validated.
KUBE_VERSION="${KUBE_VERSION:-1.31.0}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"
# Versions seen working together; pinned so a new release upstream cannot change the result.
KV_PINS=(
  "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  "jsonschema==4.26.0"
  "referencing==0.37.0"
  "pyyaml==6.0.4"
)
KV_VENV="$MOTCUA_TOOLS_DIR/kv-venv"
HELM="$MOTCUA_TOOLS_BIN/helm"
KV_PYTHON="$KV_VENV/bin/python"
export MOTCUA_TOOLS_DIR MOTCUA_TOOLS_BIN HELM_VERSION KUBE_VERSION HELM KV_PYTHON

_tools_log() { printf '[tools] %s\n' "$*" >&2; }

# One installer at a time (pytest and a developer may both run the checks).
_tools_lock() {
  mkdir -p "$MOTCUA_TOOLS_BIN"
  exec 8>"$MOTCUA_TOOLS_DIR/.install.lock"
  flock -w 900 8 || { _tools_log "ERROR: another install holds $MOTCUA_TOOLS_DIR/.install.lock"; return 1; }
}
_tools_unlock() { exec 8>&-; }

_helm_ok() {
  [[ -x "$HELM" ]] && [[ "$("$HELM" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]
}

ensure_helm() {
  _helm_ok && return 0
  _tools_lock
  if ! _helm_ok; then
    if ! command -v go >/dev/null 2>&1; then
      _tools_log "ERROR: Go is needed to build helm $HELM_VERSION from the Go module proxy"
      _tools_unlock
      return 1
    fi
    local major=${KUBE_VERSION%%.*} minor
    minor=${KUBE_VERSION#*.}
    minor=${minor%%.*}
    local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
    ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major"
    ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
    ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major"
    ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor"
    _tools_log "building helm $HELM_VERSION with $(go version | cut -d' ' -f3) (first time: a few minutes)"
    local started=$SECONDS
    if ! GOBIN="$MOTCUA_TOOLS_BIN" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
      go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"; then
      _tools_log "ERROR: go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed"
      _tools_unlock
      return 1
    fi
    _tools_log "helm $HELM_VERSION ready in $((SECONDS - started)) s"
  fi
  _tools_unlock
  _helm_ok
}

_kv_ok() {
  [[ -x "$KV_PYTHON" ]] && "$KV_PYTHON" - "$KUBERNETES_VALIDATE_VERSION" <<'PY' 2>/dev/null
import sys
import jsonschema, referencing, yaml  # noqa: F401
from kubernetes_validate.version import __version__
sys.exit(__version__ != sys.argv[1])
PY
}

ensure_kube_validator() {
  _kv_ok && return 0
  _tools_lock
  if ! _kv_ok; then
    # shellcheck source=scripts/lib/uv.sh
    source "$MOTCUA_ROOT/scripts/lib/uv.sh"
    local python
    python="$(command -v python3)"
    _tools_log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION from PyPI into $KV_VENV"
    rm -rf "$KV_VENV"
    if ! UV_PYTHON_DOWNLOADS=never "${UV[@]}" venv --quiet --python "$python" "$KV_VENV" ||
      ! UV_PYTHON_DOWNLOADS=never "${UV[@]}" pip install --quiet --python "$KV_PYTHON" "${KV_PINS[@]}"; then
      _tools_log "ERROR: could not install ${KV_PINS[*]}"
      _tools_unlock
      return 1
    fi
  fi
  _tools_unlock
  _kv_ok
}

# promtool, for `promtool check metrics` on every service's /metrics. Debian's `prometheus`
# package ships it (about 15 s to install; its daemon is not started where there is no init
# system). Elsewhere it is built from the Go module; prometheus' go.mod has replace directives,
# so `go install pkg@version` refuses it and we build inside the downloaded module instead.
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v0.305.0}"
PROMTOOL="${PROMTOOL:-$MOTCUA_TOOLS_BIN/promtool}"
export PROMTOOL

ensure_promtool() {
  if command -v promtool >/dev/null 2>&1; then
    PROMTOOL="$(command -v promtool)"
    export PROMTOOL
    return 0
  fi
  [[ -x "$PROMTOOL" ]] && return 0
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
    _tools_log "installing Debian's prometheus package for promtool"
    apt-get update -qq || true
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; then
      PROMTOOL="$(command -v promtool)"
      export PROMTOOL
      return 0
    fi
  fi
  command -v go >/dev/null 2>&1 || { _tools_log "ERROR: no promtool, no apt, no Go"; return 1; }
  _tools_lock
  _tools_log "building promtool from prometheus $PROMETHEUS_VERSION (several minutes)"
  local dir
  if ! dir=$(go mod download -json "github.com/prometheus/prometheus@$PROMETHEUS_VERSION" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') ||
    ! (cd "$dir" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
      go build -trimpath -ldflags "-s -w" -o "$PROMTOOL" ./cmd/promtool); then
    _tools_log "ERROR: building promtool $PROMETHEUS_VERSION failed"
    _tools_unlock
    return 1
  fi
  _tools_unlock
}

# The AsyncAPI specification's JSON Schemas (npm package @asyncapi/specs), to validate
# contracts/asyncapi.json offline. Sets ASYNCAPI_SPEC to the 3.0.0 schema file.
ASYNCAPI_SPECS_VERSION="${ASYNCAPI_SPECS_VERSION:-6.11.1}"
ASYNCAPI_SPEC="$MOTCUA_TOOLS_DIR/asyncapi-specs-$ASYNCAPI_SPECS_VERSION/package/schemas/3.0.0-without-\$id.json"
export ASYNCAPI_SPEC
ensure_asyncapi_spec() {
  [[ -f "$ASYNCAPI_SPEC" ]] && return 0
  command -v npm >/dev/null 2>&1 || { _tools_log "ERROR: npm is needed for @asyncapi/specs"; return 1; }
  _tools_lock
  local dir="$MOTCUA_TOOLS_DIR/asyncapi-specs-$ASYNCAPI_SPECS_VERSION" tgz
  mkdir -p "$dir"
  _tools_log "fetching @asyncapi/specs@$ASYNCAPI_SPECS_VERSION from the npm registry"
  if ! tgz=$(cd "$dir" && npm pack --silent "@asyncapi/specs@$ASYNCAPI_SPECS_VERSION") ||
    ! tar -xzf "$dir/$tgz" -C "$dir" package/schemas; then
    _tools_log "ERROR: could not fetch @asyncapi/specs@$ASYNCAPI_SPECS_VERSION"
    _tools_unlock
    return 1
  fi
  _tools_unlock
}
