# shellcheck shell=bash
# shellcheck disable=SC2034  # UV is read by the scripts that source this file
# Puts a working `uv` in $UV, installing it from PyPI when the machine has none.
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "==> installing uv from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check uv
  fi
  UV=(python3 -m uv)
fi
export UV_LINK_MODE=copy
