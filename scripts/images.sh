#!/usr/bin/env bash
# make images: build the four service images from deploy/docker/Dockerfile (ARG SERVICE).
#
#   bash scripts/images.sh [--tag 0.1.0] [--offline-base] [intake workflow ...]
#
# docker where it answers, else podman (installed when missing, see scripts/lib/podman.sh).
# The base is the official python:3.11-slim-bookworm when a registry answers; otherwise
# (no registry here) an offline base made with debootstrap from Debian bookworm's packages
# (python3.11), cached as a tarball under .cache/images and imported into podman, passed as
# the Dockerfile's PYTHON_IMAGE (and PYTHON=/usr/bin/python3.11). pip inside the build
# reaches only PyPI (uv sync of the locked dependencies).
#
# Writes deploy/images/<svc>.packages.txt (the locked package list copied out of the image,
# committed so a change of what ships shows in review), deploy/images/facts.tsv (size, build
# seconds, package count) and prints a summary. Build logs go to .run/images/.
set -euo pipefail
_MOTCUA_TAG=images
# shellcheck source=scripts/lib/podman.sh
source "$(dirname "$0")/lib/podman.sh"

TAG=0.1.0
OFFLINE=auto
SERVICES=()
while (($#)); do
  case "$1" in
    --tag) TAG=$2; shift 2 ;;
    --offline-base) OFFLINE=yes; shift ;;
    --official-base) OFFLINE=no; shift ;;
    intake | workflow | notify | analytics) SERVICES+=("$1"); shift ;;
    *) die "unknown argument: $1" ;;
  esac
done
((${#SERVICES[@]})) || SERVICES=(intake workflow notify analytics)

OFFICIAL=python:3.11-slim-bookworm
BASE_NAME=localhost/motcua/python-base:3.11-bookworm
BASE_TAR="$MOTCUA_CACHE_DIR/images/python-base-3.11-bookworm.tar"
OUT="$MOTCUA_RUN_DIR/images"
FACTS="$MOTCUA_ROOT/deploy/images"
mkdir -p "$OUT" "$FACTS" "$(dirname "$BASE_TAR")"

engine_pick
log "engine: $ENGINE"

# make_offline_base: debootstrap bookworm with python3.11 + venv, tar it once (cached).
make_offline_base() {
  if ! "${ENGINE_CMD[@]}" image exists "$BASE_NAME" 2>/dev/null; then
    if [[ ! -s "$BASE_TAR" ]]; then
      command -v debootstrap >/dev/null 2>&1 || engine_install
      local root t0
      root=$(mktemp -d "$MOTCUA_RUN_DIR/images/rootfs.XXXX")
      t0=$(now_ms)
      log "debootstrap bookworm (python3.11) into $root (log $OUT/debootstrap.log) ..."
      debootstrap --variant=minbase \
        --include=python3.11,python3.11-venv,python3-venv,ca-certificates,libexpat1 \
        bookworm "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
        >"$OUT/debootstrap.log" 2>&1 || die "debootstrap failed (log $OUT/debootstrap.log)"
      chroot "$root" apt-get clean
      rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
        "$root"/usr/share/man/* "$root"/usr/share/locale/*
      tar -C "$root" -cf "$BASE_TAR.part" . && mv "$BASE_TAR.part" "$BASE_TAR"
      rm -rf "$root"
      log "offline base made in $((($(now_ms) - t0) / 1000))s: $BASE_TAR"
    fi
    "${ENGINE_CMD[@]}" import -q "$BASE_TAR" "$BASE_NAME" >/dev/null
  fi
}

BUILD_ARGS=()
if [[ $OFFLINE == auto ]]; then
  if engine_registry_answers "$OFFICIAL"; then OFFLINE=no; else OFFLINE=yes; fi
fi
if [[ $OFFLINE == yes ]]; then
  log "no registry answers (or --offline-base): using the debootstrap base $BASE_NAME"
  make_offline_base
  BUILD_ARGS+=(--build-arg "PYTHON_IMAGE=$BASE_NAME" --build-arg PYTHON=/usr/bin/python3.11)
  [[ $ENGINE == podman ]] && BUILD_ARGS+=(--pull=never)
else
  log "base: $OFFICIAL"
fi

IGNORE=(--ignorefile deploy/docker/Dockerfile.dockerignore)
[[ $ENGINE == docker ]] && IGNORE=()
NET=()
[[ $ENGINE == podman ]] && NET=(--network host "${ENGINE_ULIMITS[@]}" --isolation chroot --format docker)
# Behind a TLS-intercepting egress proxy (these machines), pip and uv in the builder need the
# host's CA bundle: mounted for the build's RUN steps only, never copied into an image.
CA=${SSL_CERT_FILE:-${PIP_CERT:-}}
if [[ $ENGINE == podman && -n $CA && -s $CA ]]; then
  NET+=(-v "$CA:/run/motcua-build-ca.crt:ro" --build-arg PIP_CERT=/run/motcua-build-ca.crt
    --build-arg SSL_CERT_FILE=/run/motcua-build-ca.crt)
fi

cd "$MOTCUA_ROOT"
printf 'image\tbase\tsize_bytes\tbuild_seconds\tpackages\n' >"$OUT/facts.tsv"
BASE_USED=$OFFICIAL
[[ $OFFLINE == yes ]] && BASE_USED=debootstrap-bookworm
for svc in "${SERVICES[@]}"; do
  image="localhost/motcua/$svc:$TAG"
  t0=$(now_ms)
  log "building $image (log $OUT/$svc.build.log) ..."
  if ! "${ENGINE_CMD[@]}" build -f deploy/docker/Dockerfile "${IGNORE[@]}" "${NET[@]}" \
    "${BUILD_ARGS[@]}" --build-arg "SERVICE=$svc" -t "$image" . >"$OUT/$svc.build.log" 2>&1; then
    tail -n 30 "$OUT/$svc.build.log" >&2
    die "build of $svc failed (log $OUT/$svc.build.log)"
  fi
  secs=$((($(now_ms) - t0) / 1000))
  # Smoke, as the chart runs it (uid 10001, read-only root, /tmp writable): the entrypoint
  # answers, and every module of the service imports with only what the image holds (this
  # is where `motcua-intake onboard` failed for want of httpx).
  run_ro=("${ENGINE_CMD[@]}" run --rm "${ENGINE_ULIMITS[@]}" --network none --read-only --health-cmd none
    --tmpfs /tmp --user 10001:10001)
  "${run_ro[@]}" "$image" --help >/dev/null || die "$image: the entrypoint does not start"
  "${run_ro[@]}" --entrypoint python "$image" -c "
import importlib, pkgutil, $svc
names = [m.name for m in pkgutil.walk_packages($svc.__path__, '$svc.')
         if not m.name.endswith('__main__')]
for name in names:
    importlib.import_module(name)
print(len(names))" >"$OUT/$svc.imports.txt" || die "$image: a module of $svc does not import"
  log "$image: $(cat "$OUT/$svc.imports.txt") modules import as uid 10001 on a read-only root"
  "${ENGINE_CMD[@]}" run --rm "${ENGINE_ULIMITS[@]}" --entrypoint cat "$image" \
    /app/packages.lock.txt >"$FACTS/$svc.packages.txt"
  size=$("${ENGINE_CMD[@]}" image inspect --format '{{.Size}}' "$image")
  count=$(wc -l <"$FACTS/$svc.packages.txt")
  printf '%s\t%s\t%s\t%s\t%s\n' "$image" "$BASE_USED" "$size" "$secs" "$count" >>"$OUT/facts.tsv"
  log "$image: $((size / 1024 / 1024)) MiB, ${secs}s, $count packages"
done
# Merge into the committed facts (a partial rebuild keeps the other services' rows).
touch "$FACTS/facts.tsv"
{
  head -n 1 "$OUT/facts.tsv"
  { tail -n +2 "$FACTS/facts.tsv" | grep -v -F -f <(tail -n +2 "$OUT/facts.tsv" | cut -f1) || true
    tail -n +2 "$OUT/facts.tsv"; } | sort
} >"$FACTS/facts.tsv.new" && mv "$FACTS/facts.tsv.new" "$FACTS/facts.tsv"
column -t -s $'\t' "$FACTS/facts.tsv" >&2 || cat "$FACTS/facts.tsv" >&2
log "package lists: deploy/images/<svc>.packages.txt"
