"""Asset checks evaluated per migration: each check result belongs to the partition it ran on.

`AssetCheckSpec(partitions_def=...)` is a preview API in Dagster 1.13 (it warns once at import,
which `assets/partitions.py` silences for this one use). Without it, every evaluation of a check on
a partitioned asset is recorded without a partition, and the last migration's run hides the others'
(issue 15, decision 50). A blocking check stops the assets downstream of it in the same run when it
fails with severity ERROR: used where going on would hurt the merchant.
"""

import dagster as dg

from assets.partitions import migration_partitions


def migration_check(
    name: str, *, asset: str, description: str, blocking: bool = False
) -> dg.AssetCheckSpec:
    """A check spec evaluated per migration partition."""
    return dg.AssetCheckSpec(
        name,
        asset=asset,
        description=description,
        blocking=blocking,
        partitions_def=migration_partitions,
    )
