# shellcheck shell=bash
# Container engine helpers for scripts/images.sh and scripts/images-check.sh. Sourced.
#
# docker where it exists and answers; otherwise Debian's podman (installed with apt-get like
# PostgreSQL when missing), run with runc and the cgroupfs manager, and with lowered
# nofile/nproc limits: the sandbox these machines run in refuses raising limits.

if [[ -n "${_MOTCUA_PODMAN_SH:-}" ]]; then return 0; fi
_MOTCUA_PODMAN_SH=1
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# shellcheck disable=SC2034  # read by the scripts that source this file
ENGINE_ULIMITS=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

# engine_install: apt-get install podman, runc and debootstrap when podman is missing.
engine_install() {
  command -v podman >/dev/null 2>&1 && command -v debootstrap >/dev/null 2>&1 && return 0
  ((EUID == 0)) || die "podman is not installed and we are not root: run 'sudo apt-get install -y podman runc debootstrap'"
  command -v apt-get >/dev/null 2>&1 || die "podman is not installed and apt-get is not available"
  mkdir -p "$MOTCUA_RUN_DIR"
  local alog="$MOTCUA_RUN_DIR/apt-podman.log" t0
  t0=$(now_ms)
  log "podman not found: apt-get install podman runc debootstrap (log $alog) ..."
  if ! { apt-get -o DPkg::Lock::Timeout=300 update &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y \
      --no-install-recommends podman runc debootstrap uidmap fuse-overlayfs; } >"$alog" 2>&1; then
    die "apt-get install podman failed (log $alog)"
  fi
  log "installed podman in $((($(now_ms) - t0) / 1000))s"
}

# engine_pick: sets ENGINE (docker|podman) and ENGINE_CMD (an array to run it).
engine_pick() {
  if [[ "${MOTCUA_ENGINE:-}" != podman ]] && command -v docker >/dev/null 2>&1 &&
    timeout 10 docker info >/dev/null 2>&1; then
    ENGINE=docker
    ENGINE_CMD=(docker)
  else
    engine_install
    ENGINE=podman
    ENGINE_CMD=(podman --runtime runc --cgroup-manager cgroupfs --events-backend file)
  fi
  export ENGINE
}

# engine_reachable_registry: true when the official base image can be pulled.
engine_registry_answers() {
  timeout 20 "${ENGINE_CMD[@]}" pull -q "$1" >/dev/null 2>&1
}
