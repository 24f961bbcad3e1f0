#!/usr/bin/env bash
# make demo: start the sandbox on a free loopback port, materialize every asset of every migration in
# data/migrations.yaml with Dagster's own CLI, print the summary, and stop the sandbox (no process left).
# The console shows one progress bar per long stage and shop (items done, failed, left), drawn on the
# terminal through fd 3 (BANJIA_PROGRESS_FD) while Dagster's own log goes to logs/demo-<shop>.log; the
# sandbox's log is logs/sandbox.log (BANJIA_DEMO_LOGS moves both).
# The sandbox keeps its state in $BANJIA_SANDBOX_DATA (default .sandbox/), as the warehouse keeps
# banjia's: a second `make demo` finds the shop it published to (`make clean` forgets both).
# BANJIA_SANDBOX_PORT picks the port (default: a free one).
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; . data/sandbox.env; set +a
export DAGSTER_HOME; DAGSTER_HOME=$(scripts/dagster_home.sh)
export DAGSTER_DISABLE_TELEMETRY=1
port="${BANJIA_SANDBOX_PORT:-}"
if [ -z "$port" ]; then
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
export BANJIA_SANDBOX_URL="http://127.0.0.1:${port}"
sandbox_data="${BANJIA_SANDBOX_DATA:-.sandbox}"
if [ -e "${BANJIA_WAREHOUSE:-data/warehouse.duckdb}" ] && [ ! -e "$sandbox_data/sandbox.sqlite3" ]; then
  echo "warning: the warehouse remembers an earlier demo but the sandbox has no state in" \
    "$sandbox_data/ (made before the sandbox kept any): run \`make clean\` for a consistent demo" >&2
fi

logs="${BANJIA_DEMO_LOGS:-logs}"
mkdir -p "$logs"
echo "banjia demo: sandbox emulators at ${BANJIA_SANDBOX_URL} (log: ${logs}/sandbox.log)"
echo "  Dagster's full log of each shop: ${logs}/demo-<shop>.log"

# --review realistic: Kuaishou's review takes a moment and rejects some items (review_status shows it)
.venv/bin/banjia sandbox serve --host 127.0.0.1 --port "$port" --data-dir "$sandbox_data" \
  --review realistic > "${logs}/sandbox.log" 2>&1 &
sandbox_pid=$!
stop_sandbox() { kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; }
trap stop_sandbox EXIT
.venv/bin/banjia sandbox wait --url "$BANJIA_SANDBOX_URL" --timeout 30

# The migrations are dynamic partitions (decision 76): no daemon runs their sensor here, so bring
# the instance's partitions in step with the migrations file once.
.venv/bin/python -m assets.partitions
for key in $(.venv/bin/banjia migrations list); do
  log="${logs}/demo-${key}.log"
  echo "== ${key}: materializing every asset (log: ${log})"
  # fd 3 is this terminal: the stages draw their bars there; stdout and stderr go to the log.
  BANJIA_PROGRESS_FD=3 .venv/bin/dagster asset materialize -m assets.definitions --select '*' \
    --partition "$key" 3>&1 > "$log" 2>&1 || {
    tail -n 60 "$log"
    echo "== ${key}: failed; the whole log is ${log}" >&2
    exit 1
  }
done
echo
.venv/bin/banjia status
# Each shop's migration report (the migration_report asset's file of this run; decision: reports/
# beside the warehouse unless BANJIA_REPORTS_DIR says otherwise).
reports="${BANJIA_REPORTS_DIR:-data/reports}"
for key in $(.venv/bin/banjia migrations list); do
  latest=$(ls -t "${reports}/${key}"/*.html 2>/dev/null | head -n 1 || true)
  echo "report ${key}: ${latest:-none written (see ${logs}/demo-${key}.log)}"
done
echo "next: open a report in a browser; \`make dev\` for the Dagster UI; \`banjia plan export\` to review"
