"""Suite-wide settings: no retry waits, no telemetry; the shared sample migration fixture."""

import os

import pytest
import stamina

from listings.migrations import Migration
from tests.samples import sample_migration

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture(autouse=True)
def _no_retry_waits() -> None:
    stamina.set_testing(True, attempts=3)


@pytest.fixture
def migration() -> Migration:
    """A Taobao shop moved into Kuaishou with a 10 % markup (tests/samples.py)."""
    return sample_migration()
