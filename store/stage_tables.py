"""Reading the stage tables back as the domain's models (what the next stage works on).

Read batch by batch in id order (`Warehouse.partition_batches`): one sorted query of a whole
shop's JSON would be materialized whole inside DuckDB, beyond its memory cap (decision 81)."""

from __future__ import annotations

from listings.draft import KuaishouDraft
from listings.model import Listing
from store.warehouse import Warehouse

__all__ = ["load_drafts", "load_listings"]


def load_listings(warehouse: Warehouse, migration_key: str) -> list[Listing]:
    """The migration's canonical listings, by source item id."""
    return [
        Listing.model_validate_json(row["listing"])
        for batch in warehouse.partition_batches(
            "listings", migration=migration_key, columns=("listing",)
        )
        for row in batch
    ]


def load_drafts(warehouse: Warehouse, migration_key: str) -> list[KuaishouDraft]:
    """The migration's Kuaishou drafts, by source item id."""
    return [
        KuaishouDraft.model_validate_json(row["draft"])
        for batch in warehouse.partition_batches(
            "kuaishou_drafts", migration=migration_key, columns=("draft",)
        )
        for row in batch
    ]
