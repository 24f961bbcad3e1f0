"""Where each source item of a migration stands: the per-item side of `migration_status`.

`migration_status` counts; a merchant needs the items behind the counts (`banjia items`, the
migration report). Both read the same sets from `classify_items`, so the list and the counts
cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from store.ledger import TO_PUBLISH, Ledger, LedgerState

if TYPE_CHECKING:
    from store.warehouse import Warehouse

__all__ = ["ItemSets", "ItemState", "ItemStatus", "classify_items", "item_states"]


class ItemStatus(StrEnum):
    """The one state every source item ends in (DESIGN.md, "The job, end to end")."""

    PUBLISHED = "published"
    QUARANTINED = "quarantined"
    PENDING = "pending"
    UNACCOUNTED = "unaccounted"  # in no state: a bug, shown rather than hidden


@dataclass(frozen=True)
class ItemSets:
    """The sets `migration_status` counts, read once each so the accounting can be checked.

    `quarantined` maps an item to its latest quarantine row (stage, reason_code, detail);
    `book` is the ledger by relItemId; `drafts` maps a drafted item to its relItemId.
    """

    source: set[str]
    missing: set[str]
    published: set[str]
    quarantined: dict[str, dict[str, Any]]
    pending: set[str]
    book: dict[int, dict[str, Any]]
    drafts: dict[str, int]

    @property
    def all_items(self) -> set[str]:
        return self.source | self.missing


def _ids(warehouse: Warehouse, sql: str, migration: str) -> set[str]:
    return {row["source_item_id"] for row in warehouse.query(sql, [migration])}


def classify_items(warehouse: Warehouse, migration: str, *, ledger: Ledger) -> ItemSets:
    """Read the sets: source items (details read, plus listed items whose detail never came),
    published (the ledger says so), quarantined (latest stage wins, unless published since),
    pending (drafted, ledger pending, in flight or unknown)."""
    source = _ids(
        warehouse, "SELECT source_item_id FROM raw_listings WHERE migration = ?", migration
    )
    missing = _ids(
        warehouse,
        "SELECT source_item_id FROM quarantine WHERE migration = ? AND stage = 'extract'",
        migration,
    )
    book = ledger.ledger(migration)
    # A withdrawn item (taken off the shelf by `banjia batch undo`) was published and is done:
    # it is counted with the published; its ledger_state says withdrawn.
    done = (LedgerState.PUBLISHED, LedgerState.WITHDRAWN)
    published = {r["source_item_id"] for r in book.values() if r["state"] in done}
    latest = warehouse.query(
        "SELECT source_item_id, stage, reason_code, detail FROM (SELECT *, row_number() OVER "
        "(PARTITION BY source_item_id ORDER BY recorded_at DESC) AS newest FROM quarantine "
        "WHERE migration = ?) AS q WHERE newest = 1",
        [migration],
    )
    quarantined = {r["source_item_id"]: r for r in latest if r["source_item_id"] not in published}
    drafts = {
        r["source_item_id"]: int(r["rel_item_id"])
        for r in warehouse.query(
            "SELECT source_item_id, rel_item_id FROM kuaishou_drafts WHERE migration = ?",
            [migration],
        )
    }
    pending = {
        item_id
        for item_id, rel in drafts.items()
        if rel not in book or book[rel]["state"] in TO_PUBLISH
    } - set(quarantined)
    return ItemSets(
        source=source,
        missing=missing,
        published=published,
        quarantined=quarantined,
        pending=pending,
        book=book,
        drafts=drafts,
    )


class ItemState(BaseModel):
    """One source item's state, with the reason and what the merchant can do about it."""

    model_config = ConfigDict(frozen=True)

    source_item_id: str
    state: ItemStatus
    stage: str | None = None
    reason_code: str | None = None
    detail: str | None = None
    rel_item_id: int | None = None
    kwai_item_id: int | None = None
    ledger_state: str | None = None


def item_states(
    warehouse: Warehouse,
    migration: str,
    *,
    ledger: Ledger,
    state: ItemStatus | None = None,
    sets: ItemSets | None = None,
) -> list[ItemState]:
    """Every source item of the migration (or those in `state`), by source item id."""
    sets = sets or classify_items(warehouse, migration, ledger=ledger)
    by_source = {row["source_item_id"]: (rel, row) for rel, row in sets.book.items()}
    items = []
    for item_id in sorted(sets.all_items):
        if item_id in sets.published:
            status = ItemStatus.PUBLISHED
        elif item_id in sets.quarantined:
            status = ItemStatus.QUARANTINED
        elif item_id in sets.pending:
            status = ItemStatus.PENDING
        else:
            status = ItemStatus.UNACCOUNTED
        if state is not None and status is not state:
            continue
        # the current draft's ledger row; else the item's row of an earlier generation, if any
        rel = sets.drafts.get(item_id)
        if rel is None or rel not in sets.book:
            rel, row = by_source.get(item_id, (rel, {}))
        else:
            row = sets.book[rel]
        quarantine = sets.quarantined.get(item_id, {})
        items.append(
            ItemState(
                source_item_id=item_id,
                state=status,
                stage=quarantine.get("stage"),
                reason_code=quarantine.get("reason_code"),
                detail=quarantine.get("detail"),
                rel_item_id=rel,
                kwai_item_id=row.get("kwai_item_id"),
                ledger_state=row.get("state"),
            )
        )
    return items
