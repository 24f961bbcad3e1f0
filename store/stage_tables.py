"""Reading the stage tables back as the domain's models (what the next stage works on)."""

from __future__ import annotations

from listings.draft import KuaishouDraft
from listings.model import Listing
from store.warehouse import Warehouse

__all__ = ["load_drafts", "load_listings"]


def load_listings(warehouse: Warehouse, migration_key: str) -> list[Listing]:
    """The migration's canonical listings, by source item id."""
    rows = warehouse.query(
        "SELECT listing FROM listings WHERE migration = ? ORDER BY source_item_id", [migration_key]
    )
    return [Listing.model_validate_json(row["listing"]) for row in rows]


def load_drafts(warehouse: Warehouse, migration_key: str) -> list[KuaishouDraft]:
    """The migration's Kuaishou drafts, by source item id."""
    rows = warehouse.query(
        "SELECT draft FROM kuaishou_drafts WHERE migration = ? ORDER BY source_item_id",
        [migration_key],
    )
    return [KuaishouDraft.model_validate_json(row["draft"]) for row in rows]
