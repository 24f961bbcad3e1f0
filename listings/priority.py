"""Which items are published first, when the daily quota cannot take them all.

Kuaishou lets a merchant create 500 new items a day, so a large shop moves over several days. The
order decides what the shop sells in the meantime: `best_sellers` first (the source's sales count),
`newest` first (when the item went on sale on the source), or `source_order` (the order the drafts
are stored in, by source item id). Items the source gives no figure for go after those it does, in
source order, so every order is total and the same on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from listings.model import Listing

__all__ = ["PublishPriority", "RankFacts", "publish_order"]


class PublishPriority(StrEnum):
    SOURCE_ORDER = "source_order"
    BEST_SELLERS = "best_sellers"
    NEWEST = "newest"


class RankFacts(BaseModel):
    """What the orders rank an item by, taken from its listing."""

    model_config = ConfigDict(frozen=True)

    source_item_id: str
    sales: int | None = None
    listed_at: datetime | None = None

    @classmethod
    def of(cls, listing: Listing) -> RankFacts:
        return cls(
            source_item_id=listing.source_item_id,
            sales=listing.sales,
            listed_at=listing.listed_at,
        )


def publish_order(items: Sequence[RankFacts], priority: PublishPriority) -> list[str]:
    """The source item ids of `items` in the order they are to be published."""
    if priority is PublishPriority.BEST_SELLERS:
        ranked = sorted(items, key=lambda f: (f.sales is None, -(f.sales or 0)))
    elif priority is PublishPriority.NEWEST:
        ranked = sorted(
            items,
            key=lambda f: (f.listed_at is None, -(f.listed_at.timestamp() if f.listed_at else 0)),
        )
    else:
        ranked = list(items)
    return [f.source_item_id for f in ranked]
