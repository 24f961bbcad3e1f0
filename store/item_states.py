"""Where each source item of a migration stands: the per-item side of `migration_status`.

`migration_status` counts; a merchant needs the items behind the counts (`banjia items`, the
migration report). Both count what `item_state_batches` classifies, so the list and the counts
cannot disagree; it reads a batch of items at a time, so neither holds the whole shop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from store.ledger import TO_PUBLISH, Ledger, LedgerState

if TYPE_CHECKING:
    from store.warehouse import Warehouse

__all__ = [
    "ItemState",
    "ItemStatus",
    "ItemTally",
    "item_state_batches",
    "item_states",
]


class ItemStatus(StrEnum):
    """The one state every source item ends in (DESIGN.md, "The job, end to end")."""

    PUBLISHED = "published"
    QUARANTINED = "quarantined"
    PENDING = "pending"
    UNACCOUNTED = "unaccounted"  # in no state: a bug, shown rather than hidden


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


UNIVERSE_SQL = (
    "SELECT source_item_id FROM raw_listings WHERE migration = ? UNION "
    "SELECT source_item_id FROM quarantine WHERE migration = ? AND stage = 'extract' "
    "ORDER BY source_item_id"
)
# Items a later stage's table holds without a source row (an anomaly: normally none), counted as
# quarantined or pending like any other, never listed as a source item.
ELSEWHERE_SQL = (
    "SELECT DISTINCT source_item_id FROM (SELECT source_item_id FROM quarantine WHERE migration = ? "
    "UNION SELECT source_item_id FROM kuaishou_drafts WHERE migration = ?) AS seen "
    "WHERE source_item_id NOT IN (SELECT source_item_id FROM raw_listings WHERE migration = ? "
    "UNION SELECT source_item_id FROM quarantine WHERE migration = ? AND stage = 'extract') "
    "ORDER BY source_item_id"
)
ITEM_BATCH_SIZE = 2000
DONE = (LedgerState.PUBLISHED, LedgerState.WITHDRAWN)


@dataclass
class ItemTally:
    """What `migration_status` counts, summed batch by batch by `item_state_batches`.

    `by_state` counts the source items by the one state each is shown in. `published`,
    `quarantined` and `pending` are the sets `migration_status` counts, each counted on its own
    so the accounting is checked rather than assumed: `published` is every item the ledger has
    done (published or withdrawn), whether or not the warehouse still lists it; `quarantined` and
    `pending` include items a stage table holds without a source row. `unaccounted` and
    `overlapping` list source items in none of the sets, or in two (both normally empty).
    """

    source_items: int = 0
    published: int = 0
    quarantined: int = 0
    pending: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    quarantined_by_reason: Counter[str] = field(default_factory=Counter)
    quarantined_by_stage: Counter[str] = field(default_factory=Counter)
    unaccounted: list[str] = field(default_factory=list)
    overlapping: list[str] = field(default_factory=list)


def _in_range(
    warehouse: Warehouse, sql: str, migration: str, ids: Sequence[str]
) -> list[dict[str, Any]]:
    """`sql` (ending in a WHERE on `migration = ?`) for the ids from `ids[0]` to `ids[-1]`, which
    come sorted by the warehouse: one range of its key, rows of other ids in it left out."""
    wanted = set(ids)
    rows = warehouse.query(
        f"{sql} AND source_item_id >= ? AND source_item_id <= ?", [migration, ids[0], ids[-1]]
    )
    return [row for row in rows if row["source_item_id"] in wanted]


def _latest_quarantine(
    warehouse: Warehouse, migration: str, ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Each item's latest quarantine row (the latest stage wins)."""
    wanted = set(ids)
    rows = warehouse.query(
        "SELECT source_item_id, stage, reason_code, detail FROM (SELECT *, row_number() OVER "
        "(PARTITION BY source_item_id ORDER BY recorded_at DESC) AS newest FROM quarantine "
        "WHERE migration = ? AND source_item_id >= ? AND source_item_id <= ?) AS q "
        "WHERE newest = 1",
        [migration, ids[0], ids[-1]],
    )
    return {row["source_item_id"]: row for row in rows if row["source_item_id"] in wanted}


def _classify(
    warehouse: Warehouse, migration: str, *, ledger: Ledger, ids: Sequence[str], tally: ItemTally
) -> list[ItemState]:
    """The states of a batch of ids (sorted by the warehouse), counted into `tally`.

    The rules of `migration_status`: published (the ledger says so; a withdrawn item too),
    quarantined (latest stage wins, unless published since), pending (drafted, and the ledger
    is pending, in flight or unknown, or has no row yet), unless quarantined.
    """
    quarantined = _latest_quarantine(warehouse, migration, ids)
    drafts = {
        row["source_item_id"]: int(row["rel_item_id"])
        for row in _in_range(
            warehouse,
            "SELECT source_item_id, rel_item_id FROM kuaishou_drafts WHERE migration = ?",
            migration,
            ids,
        )
    }
    book: dict[int, dict[str, Any]] = {}
    latest: dict[str, tuple[int, dict[str, Any]]] = {}  # an item's newest ledger row
    for row in ledger.ledger_of_items(migration, ids):
        book[int(row["rel_item_id"])] = row
        latest[row["source_item_id"]] = (int(row["rel_item_id"]), row)
    published = {row["source_item_id"] for row in book.values() if row["state"] in DONE}
    states = []
    for item_id in ids:
        done = item_id in published
        quarantine = quarantined.get(item_id) if not done else None
        rel = drafts.get(item_id)
        pending = (
            rel is not None
            and (rel not in book or book[rel]["state"] in TO_PUBLISH)
            and quarantine is None
        )
        if quarantine is not None:
            tally.quarantined += 1
            tally.quarantined_by_reason[quarantine["reason_code"]] += 1
        tally.pending += pending
        if done:
            status = ItemStatus.PUBLISHED
        elif quarantine is not None:
            status = ItemStatus.QUARANTINED
        elif pending:
            status = ItemStatus.PENDING
        else:
            status = ItemStatus.UNACCOUNTED
        # the current draft's ledger row; else the item's row of an earlier generation, if any
        if rel is None or rel not in book:
            rel, row = latest.get(item_id, (rel, {}))
        else:
            row = book[rel]
        states.append(
            ItemState(
                source_item_id=item_id,
                state=status,
                stage=quarantine["stage"] if quarantine else None,
                reason_code=quarantine["reason_code"] if quarantine else None,
                detail=quarantine["detail"] if quarantine else None,
                rel_item_id=rel,
                kwai_item_id=row.get("kwai_item_id"),
                ledger_state=row.get("state"),
            )
        )
        if done and pending:
            tally.overlapping.append(item_id)
    return states


def item_state_batches(
    warehouse: Warehouse,
    migration: str,
    *,
    ledger: Ledger,
    tally: ItemTally | None = None,
    batch_size: int = ITEM_BATCH_SIZE,
) -> Iterator[list[ItemState]]:
    """Every source item's state, a batch at a time in the warehouse's order of ids.

    Memory holds one batch (its ids, its ledger, quarantine and draft rows), whatever the shop's
    size: the report and `migration_status` of a 100,000-item shop read it this way (decision
    92). `tally` is complete once the batches are consumed.
    """
    tally = tally if tally is not None else ItemTally()
    for rows in warehouse.query_batches(
        UNIVERSE_SQL, [migration, migration], batch_size=batch_size
    ):
        ids = [row["source_item_id"] for row in rows]
        states = _classify(warehouse, migration, ledger=ledger, ids=ids, tally=tally)
        tally.source_items += len(states)
        for state in states:
            tally.by_state[state.state.value] += 1
            if state.stage:
                tally.quarantined_by_stage[state.stage] += 1
            if state.state is ItemStatus.UNACCOUNTED:
                tally.unaccounted.append(state.source_item_id)
        yield states
    for rows in warehouse.query_batches(ELSEWHERE_SQL, [migration] * 4, batch_size=batch_size):
        ids = [row["source_item_id"] for row in rows]
        elsewhere = ItemTally()
        _classify(warehouse, migration, ledger=ledger, ids=ids, tally=elsewhere)
        tally.quarantined += elsewhere.quarantined
        tally.quarantined_by_reason.update(elsewhere.quarantined_by_reason)
        tally.pending += elsewhere.pending
    tally.published = ledger.done_item_count(migration)
    tally.unaccounted.sort()
    tally.overlapping.sort()


def item_states(
    warehouse: Warehouse,
    migration: str,
    *,
    ledger: Ledger,
    state: ItemStatus | None = None,
) -> list[ItemState]:
    """Every source item of the migration (or those in `state`), by source item id."""
    items = [
        item
        for batch in item_state_batches(warehouse, migration, ledger=ledger)
        for item in batch
        if state is None or item.state is state
    ]
    return sorted(items, key=lambda item: item.source_item_id)
