#!/usr/bin/env bash
# No false green across runs: `make demo` three times over one state (warehouse, sandbox data, Dagster
# home), twice on one port and then on another, as a user re-runs it. Passes only if the three
# summaries (`banjia status`, the media and video fetch counts, the publish step's failed updates)
# are identical, no image or video failed to download except the ones the catalogs break on purpose
# (names with "broken": a 404, as when a CDN drops a file), and no update of a published item failed.
# Takes ~3 demos' time (about 20 minutes on 2 cores); CI-able: exit 0 on success, 1 otherwise.
#
#   scripts/demo_twice.sh              # in a fresh temporary directory (kept, path printed)
#   DEMO_TWICE_DIR=/tmp/x scripts/demo_twice.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="${DEMO_TWICE_DIR:-$(mktemp -d -t banjia-demo-twice.XXXXXX)}"
mkdir -p "$work"
export BANJIA_WAREHOUSE="$work/warehouse.duckdb"
export BANJIA_SANDBOX_DATA="$work/sandbox"
export DAGSTER_HOME="$work/dagster_home"
echo "demo twice: state in $work"

free_port() {
  .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

fetch_counts() {
  # Per migration: media and videos fetched, failed, and failed other than the deliberately broken.
  .venv/bin/python - <<'PY'
import os

import duckdb

db = duckdb.connect(os.environ["BANJIA_WAREHOUSE"], read_only=True)
for table in ("media", "item_videos"):
    rows = db.execute(
        f"""SELECT migration, count(*),
                   count(*) FILTER (WHERE detail LIKE 'fetch failed%'),
                   count(*) FILTER (WHERE detail LIKE 'fetch failed%'
                                    AND source_url NOT LIKE '%broken%')
            FROM {table} GROUP BY migration ORDER BY migration"""
    ).fetchall()
    for migration, total, failed, unexpected in rows:
        print(f"{table} {migration}: {total} urls, {failed} fetch failed, {unexpected} unexpected")
PY
}

publish_counts() {
  # Per migration: failed updates of the latest published_items materialization (Dagster's record).
  .venv/bin/python - 2>/dev/null <<'PY'
import dagster as dg

instance = dg.DagsterInstance.get()
records = instance.fetch_materializations(dg.AssetKey("published_items"), limit=1000).records
latest = {}
for record in sorted(records, key=lambda r: r.timestamp):
    latest[record.asset_materialization.partition] = record.asset_materialization.metadata
for migration in sorted(latest):
    failed = latest[migration]["updates_failed"].value
    print(f"published_items {migration}: {failed} updates failed")
PY
}

run_demo() {
  local label=$1 port=$2
  echo "== run ${label}: make demo on port ${port}"
  if ! BANJIA_SANDBOX_PORT="$port" scripts/demo.sh > "$work/${label}.out" 2>&1; then
    tail -n 80 "$work/${label}.out"
    echo "demo twice: run ${label} failed (log: $work/${label}.out)" >&2
    exit 1
  fi
  mkdir -p "$work/${label}.logs" && cp "${BANJIA_DEMO_LOGS:-logs}"/*.log "$work/${label}.logs/"
  { sed -n '/^migration /,$p' "$work/${label}.out"; fetch_counts; publish_counts; } \
    > "$work/${label}.summary"
  cat "$work/${label}.summary"
}

port_a=$(free_port)
port_b=$(free_port)
while [ "$port_b" = "$port_a" ]; do port_b=$(free_port); done

run_demo first "$port_a"
run_demo again "$port_a"
run_demo other-port "$port_b"

status=0
for label in again other-port; do
  if ! diff -u "$work/first.summary" "$work/${label}.summary"; then
    echo "demo twice: the ${label} summary differs from the first" >&2
    status=1
  fi
done
if grep -E ', [1-9][0-9]* unexpected$' "$work"/*.summary; then
  echo "demo twice: media failed to download that the catalogs do not break on purpose" >&2
  status=1
fi
if grep -E ': [1-9][0-9]* updates failed$' "$work"/*.summary; then
  echo "demo twice: updates of published items failed (does the sandbox remember the shop?)" >&2
  status=1
fi
if ! grep -q 'updates failed$' "$work/first.summary"; then
  echo "demo twice: no published_items materialization found in Dagster's records" >&2
  status=1
fi
[ "$status" = 0 ] && echo "demo twice: three identical summaries, no unexpected fetch failure"
exit "$status"
