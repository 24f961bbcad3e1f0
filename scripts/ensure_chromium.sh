#!/usr/bin/env bash
# Headless Chromium for the report's browser test (tests/assets/test_migration_report.py): Debian's
# `chromium` package, installed with apt-get only when absent. Idempotent; CI runs as root. A
# machine where apt-get cannot run (not root) gets a warning, and the test says what is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: chromium is not installed and apt-get cannot run here;" \
       "install Debian's chromium package for the report's browser test" >&2
  exit 0
fi
echo "ensure_chromium: installing chromium (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
