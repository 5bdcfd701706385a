# shellcheck shell=bash
# Headless browser for the dashboard test: Debian's `chromium` (never a downloaded browser
# build) and the `playwright-core` npm package (a driver only, it downloads no browser).
# Sourced or executed; idempotent, and quick when both are already there.
#   bash scripts/lib/browser.sh        # installs what is missing, prints the two paths
# Exports MOTCUA_CHROMIUM and MOTCUA_BROWSER_NODE_MODULES.

_browser_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
MOTCUA_BROWSER_DIR="${MOTCUA_BROWSER_DIR:-$_browser_root/.cache/browser-tests}"
MOTCUA_PLAYWRIGHT_VERSION="${MOTCUA_PLAYWRIGHT_VERSION:-1.56.1}"

_browser_log() { printf '[browser] %s\n' "$*" >&2; }

browser_install_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || { _browser_log "no chromium and no apt-get"; return 1; }
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  _browser_log "installing Debian's chromium (apt-get)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
}

browser_install_driver() {
  local marker="$MOTCUA_BROWSER_DIR/node_modules/playwright-core/package.json"
  if [[ -f "$marker" ]] && grep -q "\"version\": \"$MOTCUA_PLAYWRIGHT_VERSION\"" "$marker"; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { _browser_log "npm is missing"; return 1; }
  _browser_log "installing playwright-core@$MOTCUA_PLAYWRIGHT_VERSION (npm)"
  mkdir -p "$MOTCUA_BROWSER_DIR"
  [[ -f "$MOTCUA_BROWSER_DIR/package.json" ]] ||
    printf '{"name":"motcua-browser-tests","private":true}\n' >"$MOTCUA_BROWSER_DIR/package.json"
  # playwright-core never downloads a browser on install; the flag is belt and braces.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$MOTCUA_BROWSER_DIR" \
    --no-audit --no-fund --no-save --loglevel=error \
    "playwright-core@$MOTCUA_PLAYWRIGHT_VERSION" >/dev/null
}

browser_setup() {
  browser_install_chromium || return 1
  browser_install_driver || return 1
  MOTCUA_CHROMIUM="$(command -v chromium)"
  MOTCUA_BROWSER_NODE_MODULES="$MOTCUA_BROWSER_DIR/node_modules"
  export MOTCUA_CHROMIUM MOTCUA_BROWSER_NODE_MODULES
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  browser_setup
  echo "chromium: $MOTCUA_CHROMIUM"
  echo "playwright-core: $MOTCUA_BROWSER_NODE_MODULES/playwright-core"
fi
