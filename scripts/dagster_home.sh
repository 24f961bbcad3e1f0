#!/usr/bin/env bash
# Print (and create) the project's DAGSTER_HOME: SQLite instance storage, telemetry off.
set -euo pipefail
home="${DAGSTER_HOME:-$(cd "$(dirname "$0")/.." && pwd)/.dagster_home}"
mkdir -p "$home"
if [ ! -f "$home/dagster.yaml" ]; then
  cat > "$home/dagster.yaml" <<YAML
telemetry:
  enabled: false
YAML
fi
echo "$home"
