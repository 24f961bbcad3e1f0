"""How many of a migration's items are quarantined, run after run, and against which source.

A quarantine that grows while the source did not change is banjia's fault, not the merchant's
(images that stopped fetching, an emulator or a platform that forgot something): the media stage
compares with the last snapshot before anything is published (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.ledger import now_utc
from store.warehouse import Warehouse

__all__ = ["QuarantineSnapshot", "last_snapshot", "record_snapshot", "take_snapshot"]


@dataclass(frozen=True)
class QuarantineSnapshot:
    source_fingerprint: str
    quarantined: int
    recorded_at: datetime | None = None


def take_snapshot(warehouse: Warehouse, migration: str) -> QuarantineSnapshot:
    """The source as read (every item's id, version and listed/gone state) and the quarantine now."""
    fingerprint = warehouse.scalar(
        "SELECT coalesce(md5(string_agg(source_item_id || ':' || coalesce(version, '') || ':' "
        "|| coalesce(source_state, ''), ',' ORDER BY source_item_id)), '') "
        "FROM raw_listings WHERE migration = ?",
        [migration],
    )
    quarantined = warehouse.scalar(
        "SELECT count(DISTINCT source_item_id) FROM quarantine WHERE migration = ?", [migration]
    )
    return QuarantineSnapshot(source_fingerprint=str(fingerprint), quarantined=int(quarantined))


def last_snapshot(warehouse: Warehouse, migration: str) -> QuarantineSnapshot | None:
    rows = warehouse.query(
        "SELECT source_fingerprint, quarantined, recorded_at FROM quarantine_history "
        "WHERE migration = ? ORDER BY recorded_at DESC LIMIT 1",
        [migration],
    )
    return QuarantineSnapshot(**rows[0]) if rows else None


def record_snapshot(warehouse: Warehouse, migration: str, snapshot: QuarantineSnapshot) -> None:
    warehouse.append_rows(
        "quarantine_history",
        [
            {
                "migration": migration,
                "recorded_at": now_utc(),
                "source_fingerprint": snapshot.source_fingerprint,
                "quarantined": snapshot.quarantined,
            }
        ],
    )
