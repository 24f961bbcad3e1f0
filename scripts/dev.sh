#!/usr/bin/env bash
# make dev: the sandbox on loopback 8765 and the Dagster UI on http://127.0.0.1:3000 (Ctrl-C stops both).
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; . data/sandbox.env; set +a
export DAGSTER_HOME; DAGSTER_HOME=$(scripts/dagster_home.sh)
export BANJIA_SANDBOX_URL="${BANJIA_SANDBOX_URL:-http://127.0.0.1:8765}"
port="${BANJIA_SANDBOX_URL##*:}"
.venv/bin/banjia sandbox serve --host 127.0.0.1 --port "$port" \
  --data-dir "${BANJIA_SANDBOX_DATA:-.sandbox}" > .sandbox.log 2>&1 &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
.venv/bin/banjia sandbox wait --url "$BANJIA_SANDBOX_URL" --timeout 30
echo "Dagster UI: http://127.0.0.1:${DAGSTER_PORT:-3000}  (sandbox: $BANJIA_SANDBOX_URL)"
.venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p "${DAGSTER_PORT:-3000}"
