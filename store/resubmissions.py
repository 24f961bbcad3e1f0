"""The `review_resubmissions` table: the one automatic resubmission of a sent-back item.

One row per (migration, relItemId), and the primary key is what makes "never twice" hold: a row
is claimed (`claim_resubmission`, state `sending`) and committed before `open.item.edit` is sent,
so a crash between sending and recording leaves `sending` behind, and the next run looks at the
item on Kuaishou before anything is sent again (pipeline/resubmit.py). States:

- `sending`: the edit is about to be sent, or was sent and its answer never recorded;
- `sent`: Kuaishou took the edit (answered, or seen on the item afterwards): back in review;
- `refused`: Kuaishou refused the edit (the error is kept); the merchant answers the item;
- `declined`: banjia found no mechanical fix (`change` says why); the merchant answers it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.warehouse import Warehouse

__all__ = [
    "ResubmissionState",
    "claim_resubmission",
    "load_resubmissions",
    "record_declined",
    "record_outcome",
]


class ResubmissionState:
    SENDING = "sending"
    SENT = "sent"
    REFUSED = "refused"
    DECLINED = "declined"


def load_resubmissions(warehouse: Warehouse, migration: str) -> dict[int, dict[str, Any]]:
    """The migration's resubmission rows by relItemId (`edit` parsed back into a dict)."""
    rows = warehouse.query("SELECT * FROM review_resubmissions WHERE migration = ?", [migration])
    return {
        int(row["rel_item_id"]): {
            **row,
            "edit": json.loads(row["edit"]) if isinstance(row["edit"], str) else row["edit"],
        }
        for row in rows
    }


def _insert(warehouse: Warehouse, row: dict[str, Any]) -> bool:
    """Insert unless the item has a row already; True when this call's row is the one stored."""
    row = {**row, "holder": uuid.uuid4().hex}
    columns = list(row)
    with warehouse.connect() as con:
        con.execute(
            f"INSERT INTO review_resubmissions ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)}) "
            "ON CONFLICT (migration, rel_item_id) DO NOTHING",
            [row[c] for c in columns],
        )
        stored = con.execute(
            "SELECT holder FROM review_resubmissions WHERE migration = ? AND rel_item_id = ?",
            [row["migration"], row["rel_item_id"]],
        ).fetchone()
    return stored is not None and stored[0] == row["holder"]


def claim_resubmission(
    warehouse: Warehouse,
    *,
    review: dict[str, Any],
    change: str,
    edit: dict[str, Any],
    now: datetime,
) -> bool:
    """Record, before sending, that banjia resubmits this item with `edit`; False when the item
    has a resubmission row already (sent, refused, declined or being sent): then nothing is sent."""
    return _insert(
        warehouse,
        {
            **_identity(review),
            "state": ResubmissionState.SENDING,
            "change": change,
            "edit": json.dumps(edit, ensure_ascii=False),
            "sends": 0,
            "decided_at": now,
        },
    )


def record_declined(
    warehouse: Warehouse, *, review: dict[str, Any], why: str, now: datetime
) -> None:
    """Record that the item has no mechanical fix (`why`), so it is not looked at again."""
    _insert(
        warehouse,
        {
            **_identity(review),
            "state": ResubmissionState.DECLINED,
            "change": why,
            "sends": 0,
            "decided_at": now,
        },
    )


def record_outcome(
    warehouse: Warehouse,
    *,
    migration: str,
    rel_item_id: int,
    state: str,
    after_send: bool,
    now: datetime,
    error: str | None = None,
) -> None:
    """What became of a `sending` row: `sent` (and when), `refused`, or still `sending` with the
    error that left its outcome unknown. `after_send`: this follows an edit banjia put on the
    wire (counted in `sends`), not a look at the item."""
    with warehouse.connect() as con:
        con.execute(
            "UPDATE review_resubmissions SET state = ?, last_error = ?, sends = sends + ?, "
            "sent_at = CASE WHEN ? THEN ? ELSE sent_at END "
            "WHERE migration = ? AND rel_item_id = ?",
            [
                state,
                error,
                1 if after_send else 0,
                state == ResubmissionState.SENT,
                now,
                migration,
                rel_item_id,
            ],
        )


def _identity(review: dict[str, Any]) -> dict[str, Any]:
    return {
        "migration": review["migration"],
        "rel_item_id": int(review["rel_item_id"]),
        "source_item_id": review["source_item_id"],
        "kwai_item_id": int(review["kwai_item_id"]),
        "reason_code": review["reason_code"],
        "audit_reason": review["audit_reason"],
    }
