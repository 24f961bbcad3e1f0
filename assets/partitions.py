"""One Dagster partition per migration, so the UI shows per-shop status and runs one shop at a time.

The partitions are dynamic (decision 76): they live in the Dagster instance, kept in step with the
migrations file by `migration_partitions_sensor` (assets/automation.py), so a new shop needs no
code-location reload. Where no daemon runs the sensor (`make demo`, a one-off `dagster asset
materialize`), `python -m assets.partitions` brings the instance at $DAGSTER_HOME in step once.
"""

import warnings
from collections.abc import Sequence

import dagster as dg

from listings.migrations import parse_migrations
from pipeline.settings import load_settings

# Partitioned asset checks are a preview API in 1.13; banjia relies on them (assets/checks.py).
warnings.filterwarnings(
    "ignore",
    message=".*partitions_def on an AssetCheckSpec.*",
    category=dg.PreviewWarning,
)

MIGRATION_PARTITIONS = "migrations"

migration_partitions = dg.DynamicPartitionsDefinition(name=MIGRATION_PARTITIONS)


def file_keys() -> list[str]:
    """The keys in the migrations file as it is now (read afresh, not the cached copy).

    Raises:
        OSError, MigrationsConfigError: the file cannot be read or is not valid.
    """
    path = load_settings().migrations
    return parse_migrations(path.read_text(encoding="utf-8"), source=str(path)).keys


def partition_changes(
    instance: dg.DagsterInstance, keys: Sequence[str]
) -> tuple[list[str], list[str]]:
    """What brings the instance's migration partitions in step with `keys` (the file's): the keys
    to add, in the file's order, and the keys to delete (migrations no longer in the file)."""
    current = instance.get_dynamic_partitions(MIGRATION_PARTITIONS)
    added = [key for key in keys if key not in set(current)]
    removed = [key for key in current if key not in set(keys)]
    return added, removed


def sync_migration_partitions(
    instance: dg.DagsterInstance, keys: Sequence[str] | None = None
) -> tuple[list[str], list[str]]:
    """Make the instance's migration partitions exactly `keys` (default: the migrations file's);
    returns what was added and deleted."""
    added, removed = partition_changes(instance, file_keys() if keys is None else keys)
    if added:
        instance.add_dynamic_partitions(MIGRATION_PARTITIONS, added)
    for key in removed:
        instance.delete_dynamic_partition(MIGRATION_PARTITIONS, key)
    return added, removed


def main() -> None:
    """`python -m assets.partitions`: the instance at $DAGSTER_HOME in step with the file."""
    with dg.DagsterInstance.get() as instance:
        added, removed = sync_migration_partitions(instance)
    print(f"migration partitions: added {added or 'none'}, deleted {removed or 'none'}")


if __name__ == "__main__":
    main()
