"""Review status: follow every created item through Kuaishou's review to its end, and its shelf.

`open.item.new` answering with an id is not the end: Kuaishou reviews the item (auditStatus 0 →
2 approved, 3 rejected, or 1 审核待修改 when it wants changes), and an approved item may still be
off the shelf (onOfflineStatus 0, offlineReason: held, taken down by the merchant, or by the
platform later). This stage asks `open.item.get` for each published item whose review has not
ended, and once a day for each approved one (its shelf), stores the answer in `review_status`,
classifies rejections into reason codes with a fix (`listings.review`), so a merchant answers each
cause once, and answers the mechanically fixable ones itself with one edit (`pipeline.resubmit`).
Items published through vv-tool are the proxy's to follow (its app created them): they are
counted, not asked.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.kuaishou import AuditStatus, ItemInfo, KuaishouClient, KuaishouError
from listings.migrations import Migration, PublishBackend
from listings.review import classify_rejection
from pipeline.clients import Platforms
from pipeline.resubmit import ResubmitOutcome, resubmit_sent_back, review_answer
from pipeline.results import Breakdown, CheckVerdict, StageResult
from store.ledger import Ledger, LedgerState
from store.resubmissions import ResubmissionState, load_resubmissions
from store.reviews import load_reviews, save_reviews
from store.warehouse import Warehouse

__all__ = [
    "FINAL",
    "LABELS",
    "REVIEW_CONCURRENCY",
    "SHELF_RECHECK",
    "review_label",
    "track_reviews",
]

REVIEW_CONCURRENCY = 8  # open.item.get calls in flight; the client's rate limit still applies
# An approved item is asked again for its shelf status when its last answer is this old: the
# hourly schedule then spreads a shop's approved items over the day (decision 66).
SHELF_RECHECK = timedelta(hours=24)

LABELS = {
    AuditStatus.PENDING: "待审核 pending",
    AuditStatus.NEEDS_CHANGES: "审核待修改 needs changes",
    AuditStatus.APPROVED: "审核通过 approved",
    AuditStatus.REJECTED: "审核拒绝 rejected",
}
FINAL = (AuditStatus.APPROVED, AuditStatus.REJECTED)  # the review has ended
ON_SHELF = 1  # onOfflineStatus: 1 上架, 0 下架 [I: the values are not in the reference]

Answer = ItemInfo | KuaishouError


async def _ask(client: KuaishouClient, kwai_item_ids: list[int]) -> dict[int, Answer]:
    """The item as open.item.get answers it, or the error that answered instead."""
    limit = asyncio.Semaphore(REVIEW_CONCURRENCY)

    async def one(kwai_item_id: int) -> Answer:
        async with limit:
            try:
                return await client.get_item(kwai_item_id)
            except KuaishouError as exc:
                return exc

    answers = await asyncio.gather(*(one(i) for i in kwai_item_ids))
    return dict(zip(kwai_item_ids, answers, strict=True))


def _row(
    migration_key: str,
    ledger_row: dict[str, Any],
    previous: dict[str, Any] | None,
    answer: Answer,
    *,
    now: datetime,
) -> dict[str, Any]:
    kept = (
        "audit_status",
        "audit_reason",
        "reason_code",
        "fix",
        "decided_at",
        "on_shelf",
        "offline_reason",
        "shelf_changed_at",
    )
    row = {
        "migration": migration_key,
        "rel_item_id": int(ledger_row["rel_item_id"]),
        "source_item_id": ledger_row["source_item_id"],
        "kwai_item_id": int(ledger_row["kwai_item_id"]),
        **{k: previous.get(k) if previous else None for k in kept},
        "first_checked_at": previous["first_checked_at"] if previous else now,
        "checked_at": now,
        "checks": (previous["checks"] if previous else 0) + 1,
        "last_error": None,
    }
    if isinstance(answer, KuaishouError):
        row["last_error"] = str(answer)
        return row
    status, reason = answer.audit_status, answer.audit_reason
    if status != row["audit_status"]:
        row["decided_at"] = now if status in FINAL else None
    row["audit_status"], row["audit_reason"] = status, reason or None
    row["reason_code"] = row["fix"] = None
    if status in (AuditStatus.REJECTED, AuditStatus.NEEDS_CHANGES):
        found = classify_rejection(reason)
        row["reason_code"], row["fix"] = found.reason_code, found.fix
    if answer.on_offline_status is not None:
        on_shelf = answer.on_offline_status == ON_SHELF
        if on_shelf != row["on_shelf"]:
            row["shelf_changed_at"] = now
        row["on_shelf"] = on_shelf
        row["offline_reason"] = None if on_shelf else (answer.offline_reason or None)
    return row


def _due(stored: dict[str, Any] | None, *, now: datetime) -> bool:
    """Asked this run: a review not ended, or an approved item whose shelf answer is a day old."""
    if stored is None or stored["audit_status"] not in FINAL:
        return True
    checked = stored["checked_at"]
    if checked.tzinfo is None:  # DuckDB hands TIMESTAMPTZ back in the session's zone
        checked = checked.replace(tzinfo=UTC)
    return stored["audit_status"] == AuditStatus.APPROVED and now - checked >= SHELF_RECHECK


async def _follow(
    migration: Migration,
    open_reviews: list[dict[str, Any]],
    *,
    stored: dict[int, dict[str, Any]],
    warehouse: Warehouse,
    platforms: Platforms,
    now: datetime,
) -> tuple[list[dict[str, Any]], ResubmitOutcome]:
    """Ask, store the answers, then answer what the review sent back: one client session."""
    unsettled = any(
        r["state"] == ResubmissionState.SENDING
        for r in load_resubmissions(warehouse, migration.key).values()
    )
    if not open_reviews and not unsettled:
        return [], ResubmitOutcome()
    async with platforms.kuaishou(migration, warehouse=warehouse) as client:
        answers = await _ask(client, [int(r["kwai_item_id"]) for r in open_reviews])
        rows = [
            _row(
                migration.key,
                r,
                stored.get(r["rel_item_id"]),
                answers[int(r["kwai_item_id"])],
                now=now,
            )
            for r in open_reviews
        ]
        save_reviews(warehouse, rows)
        items = {
            r["rel_item_id"]: answer
            for r in open_reviews
            if isinstance(answer := answers[int(r["kwai_item_id"])], ItemInfo)
        }
        outcome = await resubmit_sent_back(
            client,
            migration,
            warehouse=warehouse,
            reviews=load_reviews(warehouse, migration.key),
            items=items,
            now=now,
        )
    return rows, outcome


def review_label(status: int | None) -> str:
    """auditStatus in Chinese and English ("审核拒绝 rejected"); "not asked yet" before the first ask."""
    try:
        return LABELS[AuditStatus(status)] if status is not None else "not asked yet"
    except ValueError:
        return f"auditStatus {status}"


def shelf_label(on_shelf: bool | None) -> str | None:
    """onOfflineStatus as a merchant reads it ("下架 off the shelf"); None before any answer."""
    if on_shelf is None:
        return None
    return "上架 on the shelf" if on_shelf else "下架 off the shelf"


def track_reviews(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    platforms: Platforms,
    now: datetime | None = None,
) -> StageResult:
    """Ask Kuaishou for the review and shelf of every published item that is due, and resubmit
    the sent-back items a mechanical fix answers (once)."""
    now = now or datetime.now(UTC)
    stored = load_reviews(warehouse, migration.key)
    published = [
        {**row, "rel_item_id": rel}
        for rel, row in ledger.ledger(migration.key).items()
        if row["state"] == LedgerState.PUBLISHED and row.get("kwai_item_id") is not None
    ]
    ours = migration.target.backend is PublishBackend.KUAISHOU
    open_reviews = [r for r in published if _due(stored.get(r["rel_item_id"]), now=now)]
    if not ours:  # vv-tool's app created them: followed by the proxy, counted here
        open_reviews = []
    rows, outcome = asyncio.run(
        _follow(
            migration,
            open_reviews,
            stored=stored,
            warehouse=warehouse,
            platforms=platforms,
            now=now,
        )
    )
    return _result(
        migration.key,
        warehouse=warehouse,
        published=len(published),
        ours=ours,
        rows=rows,
        outcome=outcome,
    )


def _result(
    migration_key: str,
    *,
    warehouse: Warehouse,
    published: int,
    ours: bool,
    rows: list[dict[str, Any]],
    outcome: ResubmitOutcome,
) -> StageResult:
    current = load_reviews(warehouse, migration_key)
    resubmissions = load_resubmissions(warehouse, migration_key)
    by_status = Counter(review_label(r["audit_status"]) for r in current.values())
    rejected = [r for r in current.values() if r["audit_status"] == AuditStatus.REJECTED]
    needs_changes = [r for r in current.values() if r["audit_status"] == AuditStatus.NEEDS_CHANGES]
    off_shelf = [r for r in current.values() if r["on_shelf"] is False]
    approved_off = [r for r in off_shelf if r["audit_status"] == AuditStatus.APPROVED]
    errors = [r for r in rows if r["last_error"]]
    sent = [r for r in resubmissions.values() if r["state"] == ResubmissionState.SENT]
    shown = ("source_item_id", "kwai_item_id", "audit_status", "reason_code", "audit_reason", "fix")
    preview = [
        {
            **{k: r[k] for k in shown},
            "answer": review_answer(r, resubmissions.get(int(r["rel_item_id"]))),
        }
        for r in rejected + needs_changes
    ] + [
        {
            **{k: r[k] for k in shown},
            "answer": f"approved, off the shelf: {r['offline_reason'] or 'no reason given'}",
        }
        for r in approved_off
    ]
    return StageResult(
        figures={
            "published": published,
            "asked_this_run": len(rows),
            "approved": sum(
                1 for r in current.values() if r["audit_status"] == AuditStatus.APPROVED
            ),
            "rejected": len(rejected),
            "needs_changes": len(needs_changes),
            "in_review": sum(
                1 for r in current.values() if r["audit_status"] in (None, AuditStatus.PENDING)
            ),
            "on_shelf": sum(1 for r in current.values() if r["on_shelf"] is True),
            "off_shelf": len(off_shelf),
            "approved_but_off_shelf": len(approved_off),
            "resubmitted_this_run": len(outcome.resubmitted) + len(outcome.confirmed),
            "resubmitted_total": len(sent),
            "resubmission_unconfirmed": len(outcome.unknown),
            "left_for_merchant": sum(
                1
                for r in rejected + needs_changes
                if (resubmissions.get(int(r["rel_item_id"])) or {}).get("state")
                != ResubmissionState.SENDING
            ),
            "lookup_errors_this_run": len(errors),
            "followed_by_backend": 0 if ours else published,
        },
        breakdowns={
            "by_audit_status": Breakdown("audit status", by_status),
            "rejections_by_reason": Breakdown(
                "reason", Counter(r["reason_code"] for r in rejected + needs_changes)
            ),
            "off_shelf_by_reason": Breakdown(
                "offline reason", Counter(r["offline_reason"] or "?" for r in off_shelf)
            ),
            "resubmissions_by_state": Breakdown(
                "resubmission", Counter(r["state"] for r in resubmissions.values())
            ),
        },
        preview=sorted(preview, key=lambda r: str(r["source_item_id"])),
        row_count=len(current),
        checks=[
            CheckVerdict(
                name="no_item_rejected_by_review",
                passed=not rejected and not needs_changes,
                severity="warn",  # the merchant's to answer; nothing downstream is blocked
                metadata={
                    "rejected": len(rejected),
                    "needs_changes": len(needs_changes),
                    "items": ", ".join(str(r["source_item_id"]) for r in rejected[:20]) or "none",
                },
            ),
            CheckVerdict(
                name="no_approved_item_off_shelf",
                passed=not approved_off,
                severity="warn",  # the merchant's to answer; nothing downstream is blocked
                metadata={
                    "approved_but_off_shelf": len(approved_off),
                    "off_shelf": len(off_shelf),
                    "items": ", ".join(str(r["source_item_id"]) for r in approved_off[:20])
                    or "none",
                },
            ),
        ],
    )
