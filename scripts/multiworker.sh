#!/usr/bin/env bash
# make multiworker: the several-workers setup on this one machine, end to end, then stopped.
#
#   PostgreSQL (127.0.0.1:5432)  Dagster's instance (deploy/dagster.yaml) + all of banjia's state
#   banjia sandbox serve         the platforms' emulators, on a free loopback port
#   dagster code-server          the code location `assets.definitions`, one gRPC server
#   dagster-webserver            the UI on loopback ($MULTIWORKER_UI_PORT, default a free port)
#   dagster-daemon               dequeues runs (one per migration, 2 at once) and launches them
#
# The 2 run workers are run processes: Dagster's default run launcher starts each dequeued run as
# its own process through the code server, and the queue lets 2 run at once (max_concurrent_runs in
# deploy/dagster.yaml), so 2 migrations move in parallel, each in its own process, sharing all of
# banjia's state in PostgreSQL (BANJIA_DATABASE_URL, decision 73: stage tables, caches, tokens,
# ledger and outbox), and each run's steps use the multiprocess executor. No run writes a file.
#
# Every invocation starts banjia's state afresh (the schema $BANJIA_DATABASE_SCHEMA, default
# `multiworker`), because the sandbox keeps its shops in memory and starts empty: a ledger or
# media cache from an earlier invocation names items and image URLs the new sandbox never saw
# (tried: its images are refused as "not a Kuaishou image"). Dagster's run history is kept.
#
# Bounded: MULTIWORKER_TIMEOUT seconds (default 900) for the runs; everything it started is stopped
# on exit (trap), even on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
set -a; . data/sandbox.env; set +a
export DAGSTER_DISABLE_TELEMETRY=1

home="${MULTIWORKER_HOME:-$root/.multiworker}"
rm -rf "$home/logs"
mkdir -p "$home/dagster_home" "$home/logs"
home=$(cd "$home" && pwd)
export DAGSTER_HOME="$home/dagster_home"
cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"

# Dagster's instance: DAGSTER_PG_* as a deployment sets them (the password, if any, from the env).
export DAGSTER_PG_HOST="${DAGSTER_PG_HOST:-127.0.0.1}"
export DAGSTER_PG_PORT="${DAGSTER_PG_PORT:-5432}"
export DAGSTER_PG_USER="${DAGSTER_PG_USER:-postgres}"
export DAGSTER_PG_PASSWORD="${DAGSTER_PG_PASSWORD:-}"
export DAGSTER_PG_DB="${DAGSTER_PG_DB:-banjia_dagster}"
# banjia's state: the same database, schema `multiworker` (Dagster's tables are in `public`);
# dropped below, so it never names one a real deployment uses. The ledger goes with it.
export BANJIA_DATABASE_URL="${BANJIA_DATABASE_URL:-postgresql://${DAGSTER_PG_USER}@${DAGSTER_PG_HOST}:${DAGSTER_PG_PORT}/${DAGSTER_PG_DB}}"
export BANJIA_DATABASE_SCHEMA="${BANJIA_DATABASE_SCHEMA:-multiworker}"
export BANJIA_LEDGER_URL=  # empty: the ledger is in BANJIA_DATABASE_URL's schema
timeout_s="${MULTIWORKER_TIMEOUT:-900}"
ui_port="${MULTIWORKER_UI_PORT:-}"

.venv/bin/python - <<'PY'
"""Create the Dagster database when it is missing (CREATE DATABASE has no IF NOT EXISTS), and
drop banjia's schema of an earlier invocation."""
import os

import psycopg

env = os.environ
admin = psycopg.conninfo.make_conninfo(
    host=env["DAGSTER_PG_HOST"], port=env["DAGSTER_PG_PORT"], user=env["DAGSTER_PG_USER"],
    password=env["DAGSTER_PG_PASSWORD"] or None, dbname="postgres", connect_timeout=5,
)
with psycopg.connect(admin, autocommit=True) as con:
    name = env["DAGSTER_PG_DB"]
    if con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
        con.execute(f'CREATE DATABASE "{name}"')
        print(f"multiworker: created database {name}")
with psycopg.connect(env["BANJIA_DATABASE_URL"], autocommit=True, connect_timeout=5) as con:
    con.execute(f'DROP SCHEMA IF EXISTS "{env["BANJIA_DATABASE_SCHEMA"]}" CASCADE')
PY

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sandbox_port=$(free_port)
code_port=$(free_port)
ui_port="${ui_port:-$(free_port)}"
export BANJIA_SANDBOX_URL="http://127.0.0.1:${sandbox_port}"

pids=()
stop_all() {
  # Newest first: daemon and webserver before the code server they talk to, the sandbox last.
  # SIGINT is what Dagster's CLIs shut down cleanly on (run processes are the code server's children).
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -INT "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT
# Job control on: each background process leads its own group, so SIGINT is not ignored by it
# (a non-interactive shell starts `&` jobs with SIGINT ignored; dagster-stack.md, "Pitfall").
set -m

.venv/bin/banjia sandbox serve --host 127.0.0.1 --port "$sandbox_port" > "$home/logs/sandbox.log" 2>&1 &
pids+=($!)
.venv/bin/dagster code-server start -m assets.definitions --location-name banjia \
  -h 127.0.0.1 -p "$code_port" > "$home/logs/code-server.log" 2>&1 &
pids+=($!)
cat > "$home/workspace.yaml" <<YAML
load_from:
  - grpc_server: {host: 127.0.0.1, port: ${code_port}, location_name: banjia}
YAML
.venv/bin/banjia sandbox wait --url "$BANJIA_SANDBOX_URL" --timeout 30
for _ in $(seq 1 120); do
  .venv/bin/dagster api grpc-health-check -h 127.0.0.1 -p "$code_port" >/dev/null 2>&1 && break
  sleep 1
done
.venv/bin/dagster api grpc-health-check -h 127.0.0.1 -p "$code_port" >/dev/null

.venv/bin/dagster-webserver -w "$home/workspace.yaml" -h 127.0.0.1 -p "$ui_port" \
  > "$home/logs/webserver.log" 2>&1 &
pids+=($!)
.venv/bin/dagster-daemon run -w "$home/workspace.yaml" > "$home/logs/daemon.log" 2>&1 &
pids+=($!)
set +m
echo "multiworker: Dagster UI http://127.0.0.1:${ui_port}  sandbox ${BANJIA_SANDBOX_URL}"
echo "multiworker: instance ${DAGSTER_PG_USER}@${DAGSTER_PG_HOST}:${DAGSTER_PG_PORT}/${DAGSTER_PG_DB}, banjia state ${BANJIA_DATABASE_URL} schema ${BANJIA_DATABASE_SCHEMA}"

started=$(date +%s)
# The migration partitions live in the instance (decision 76): in step with the file before the
# runs are launched (the daemon's migration_partitions_sensor keeps them so afterwards).
.venv/bin/python -m assets.partitions
keys=$(.venv/bin/banjia migrations list)
run_ids=()
for key in $keys; do
  config='{"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}'
  run_id=$(.venv/bin/python -c 'import uuid; print(uuid.uuid4())')
  .venv/bin/dagster job launch -w "$home/workspace.yaml" -j migrate --run-id "$run_id" \
    --tags "{\"dagster/partition\": \"${key}\"}" --config-json "$config" \
    > "$home/logs/launch-${key}.log" 2>&1 || { cat "$home/logs/launch-${key}.log"; exit 1; }
  echo "multiworker: submitted migrate for ${key}: run ${run_id}"
  run_ids+=("$run_id")
done

# Wait for every run to end, printing where each stands when anything changes (read from
# Dagster's PostgreSQL storage).
status=0
.venv/bin/python - "$timeout_s" "${run_ids[@]}" <<'PY' || status=$?
"""Poll the runs until all have ended or the time is up; exit 1 unless every run succeeded."""
import sys
import time

import dagster as dg

timeout, run_ids = float(sys.argv[1]), sys.argv[2:]
done = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
start, last = time.monotonic(), ""
with dg.DagsterInstance.get() as instance:
    while True:
        runs = [instance.get_run_by_id(run_id) for run_id in run_ids]
        line = "  ".join(
            f"{run.tags.get('dagster/partition')}={run.status.value}" for run in runs if run
        )
        if line != last:
            print(f"multiworker: {time.monotonic() - start:6.1f}s  {line}", flush=True)
            last = line
        if all(run and run.status in done for run in runs):
            break
        if time.monotonic() - start > timeout:
            print(f"multiworker: runs not finished after {timeout:.0f}s", flush=True)
            sys.exit(1)
        time.sleep(2)
    records = [instance.get_run_record_by_id(run_id) for run_id in run_ids]
    for record in records:
        if record and record.start_time and record.end_time:
            print(
                f"multiworker: {record.dagster_run.tags.get('dagster/partition')}: "
                f"{record.dagster_run.status.value} in {record.end_time - record.start_time:.1f}s"
            )
    spans = [(r.start_time, r.end_time) for r in records if r and r.start_time and r.end_time]
    overlap = any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1 :])
    print(f"multiworker: runs overlapped in time: {'yes' if overlap else 'no'}")
    sys.exit(0 if all(r and r.status == dg.DagsterRunStatus.SUCCESS for r in runs) else 1)
PY
echo "multiworker: wall time $(( $(date +%s) - started ))s for $(wc -w <<<"$keys") migrations"

for key in $keys; do
  .venv/bin/banjia status --migration "$key"
done
exit "$status"
