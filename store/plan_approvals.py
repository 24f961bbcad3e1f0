"""The operator's decisions on the publish plan: which items are approved, which excluded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from store.warehouse import Warehouse

__all__ = ["Approval", "load_approvals", "save_approvals"]


@dataclass(frozen=True)
class Approval:
    source_item_id: str
    approved: bool
    excluded: bool


def load_approvals(warehouse: Warehouse, migration: str) -> dict[str, Approval]:
    """The migration's decisions, by source item id (items never decided are absent)."""
    return {
        row["source_item_id"]: Approval(
            row["source_item_id"], bool(row["approved"]), bool(row["excluded"])
        )
        for row in warehouse.query(
            "SELECT source_item_id, approved, excluded FROM plan_approvals WHERE migration = ?",
            [migration],
        )
    }


def save_approvals(warehouse: Warehouse, migration: str, decisions: Sequence[Approval]) -> None:
    """Record decisions in one transaction; a later decision on an item replaces the earlier one."""
    now = datetime.now(UTC)
    with warehouse.connect() as con:
        con.execute("BEGIN")
        for d in decisions:
            con.execute(
                "DELETE FROM plan_approvals WHERE migration = ? AND source_item_id = ?",
                [migration, d.source_item_id],
            )
            con.execute(
                "INSERT INTO plan_approvals VALUES (?, ?, ?, ?, ?)",
                [migration, d.source_item_id, d.approved, d.excluded, now],
            )
        con.execute("COMMIT")
