"""A Dagster instance whose migration partitions are those of a migrations file.

The migrations are dynamic partitions (assets/partitions.py, decision 76): they live in the
instance, so a test that materializes a partition hands `dg.materialize` an instance that has it,
as `migration_partitions_sensor` or `python -m assets.partitions` makes one outside tests.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.partitions import sync_migration_partitions
from pipeline.migrations_file import load_migrations


def with_migrations(
    instance: dg.DagsterInstance, migrations_path: str | Path = ""
) -> dg.DagsterInstance:
    """`instance` with one partition per migration of the file (default: the shipped one)."""
    keys = load_migrations(Path(migrations_path) if migrations_path else None).keys
    sync_migration_partitions(instance, keys)
    return instance


def instance_with_migrations(migrations_path: str | Path = "") -> dg.DagsterInstance:
    """An ephemeral instance with one partition per migration of the file."""
    return with_migrations(dg.DagsterInstance.ephemeral(), migrations_path)
