#!/usr/bin/env bash
# Create .venv from uv.lock. Needs only Python 3.11 and pip: uv is installed with pip when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "bootstrap: installing uv with pip" >&2
    python3 -m pip install --quiet --disable-pip-version-check uv \
      || python3 -m pip install --quiet --disable-pip-version-check --user uv
  fi
  UV=(python3 -m uv)
fi
PYTHON=$(command -v python3.11 || command -v python3)
"${UV[@]}" sync --frozen --python "$PYTHON" --quiet
