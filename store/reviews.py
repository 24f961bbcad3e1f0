"""The `review_status` table: Kuaishou's review of each created item, as last asked.

One row per (migration, relItemId), kept across runs: a rejected item is not asked again, an
approved one only for its shelf status (上架/下架, daily), and `first_checked_at`/`decided_at` say
how long the review took.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.warehouse import Warehouse

__all__ = ["load_reviews", "save_reviews"]

_COLUMNS = (
    "migration",
    "rel_item_id",
    "source_item_id",
    "kwai_item_id",
    "audit_status",
    "audit_reason",
    "reason_code",
    "fix",
    "first_checked_at",
    "checked_at",
    "decided_at",
    "checks",
    "last_error",
    "on_shelf",  # onOfflineStatus 1 (上架) / 0 (下架), None before the first answer
    "offline_reason",  # offlineReason, Kuaishou's words for why it is off the shelf
    "shelf_changed_at",  # when banjia first saw the current shelf status
)


def load_reviews(warehouse: Warehouse, migration: str) -> dict[int, dict[str, Any]]:
    """The migration's review rows by relItemId."""
    return {
        int(row["rel_item_id"]): row
        for row in warehouse.query("SELECT * FROM review_status WHERE migration = ?", [migration])
    }


def save_reviews(warehouse: Warehouse, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert review rows (the columns of `_COLUMNS`; a missing one is NULL), in one transaction."""
    if not rows:
        return
    placeholders = ", ".join("?" for _ in _COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[2:])
    with warehouse.connect() as con:
        con.execute("BEGIN")
        con.executemany(
            f"INSERT INTO review_status ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
            f"ON CONFLICT (migration, rel_item_id) DO UPDATE SET {updates}",
            [[row.get(c) for c in _COLUMNS] for row in rows],
        )
        con.execute("COMMIT")
