"""The operator's per-item edits from the plan CSV (title, short title, price), kept until changed.

Later runs apply them to the draft (`listings.plan_edits.apply_edits`): the drafts stage writes the
edited draft, and the publish stage applies them again to what it sends, so an edit imported after
the last drafts run is still what Kuaishou gets. The category edit is not kept here: it is an
`item:<id>` row of the migration's category overrides file, like a category review choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from listings.plan_edits import ItemEdits
from store.warehouse import Warehouse

__all__ = ["EDITABLE", "load_edits", "save_edits"]

EDITABLE = ("title", "short_title", "price_fen")
"""The columns of `plan_edits` an import may set or clear."""


def load_edits(warehouse: Warehouse, migration: str) -> dict[str, ItemEdits]:
    """The migration's edits by source item id (items never edited are absent)."""
    return {
        row["source_item_id"]: ItemEdits(
            title=row["title"], short_title=row["short_title"], price_fen=row["price_fen"]
        )
        for row in warehouse.query(
            "SELECT source_item_id, title, short_title, price_fen FROM plan_edits "
            "WHERE migration = ?",
            [migration],
        )
    }


def save_edits(
    warehouse: Warehouse,
    migration: str,
    changes: Mapping[str, Mapping[str, str | int | None]],
) -> None:
    """Merge `changes` (item → column → new value, None to clear it) into the kept edits, in one
    transaction. Columns an item's change does not name keep their earlier value; an item left
    with no edit at all loses its row."""
    kept = load_edits(warehouse, migration)
    now = datetime.now(UTC)
    with warehouse.connect() as con:
        con.execute("BEGIN")
        for item, change in changes.items():
            unknown = set(change) - set(EDITABLE)
            if unknown:
                con.execute("ROLLBACK")
                raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
            merged = (kept.get(item) or ItemEdits()).model_copy(update=dict(change))
            con.execute(
                "DELETE FROM plan_edits WHERE migration = ? AND source_item_id = ?",
                [migration, item],
            )
            if merged.fields:
                con.execute(
                    "INSERT INTO plan_edits VALUES (?, ?, ?, ?, ?, ?)",
                    [migration, item, merged.title, merged.short_title, merged.price_fen, now],
                )
        con.execute("COMMIT")
