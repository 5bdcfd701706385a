# shellcheck shell=bash
# ShellCheck from Debian's `shellcheck` package (never a downloaded binary), installed with
# apt-get the way browser.sh installs chromium. Sourced; idempotent, and quick when present.
# Sets SHELLCHECK to the binary.

_shellcheck_log() { printf '[shellcheck] %s\n' "$*" >&2; }

ensure_shellcheck() {
  if ! command -v shellcheck >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || { _shellcheck_log "no shellcheck and no apt-get"; return 1; }
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    _shellcheck_log "installing Debian's shellcheck (apt-get)"
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 \
      install -y -qq --no-install-recommends shellcheck >/dev/null
  fi
  SHELLCHECK="$(command -v shellcheck)"
  export SHELLCHECK
}
