"""Suite-wide settings: no retry waits, no telemetry, no stray DAGSTER_HOME."""

import os

import pytest
import stamina

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture(autouse=True)
def _no_retry_waits() -> None:
    stamina.set_testing(True, attempts=3)
