"""Review status: follow every created item through Kuaishou's review to its end.

`open.item.new` answering with an id is not the end: Kuaishou reviews the item (auditStatus 0 →
2 approved, 3 rejected, or 1 审核待修改 when it wants changes). This stage asks `open.item.get`
for each published item whose review has not ended, stores the answer in `review_status`, and
classifies rejections into reason codes with a fix (`listings.review`), so a merchant answers
each cause once. Items published through vv-tool are the proxy's to follow (its app created
them): they are counted, not asked.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from connectors.kuaishou import AuditStatus, KuaishouClient, KuaishouError
from listings.migrations import Migration, PublishBackend
from listings.review import classify_rejection
from pipeline.clients import Platforms
from pipeline.results import Breakdown, CheckVerdict, StageResult
from store.ledger import Ledger, LedgerState
from store.reviews import load_reviews, save_reviews
from store.warehouse import Warehouse

__all__ = ["FINAL", "LABELS", "REVIEW_CONCURRENCY", "review_label", "track_reviews"]

REVIEW_CONCURRENCY = 8  # open.item.get calls in flight; the client's rate limit still applies

LABELS = {
    AuditStatus.PENDING: "待审核 pending",
    AuditStatus.NEEDS_CHANGES: "审核待修改 needs changes",
    AuditStatus.APPROVED: "审核通过 approved",
    AuditStatus.REJECTED: "审核拒绝 rejected",
}
FINAL = (AuditStatus.APPROVED, AuditStatus.REJECTED)  # the review has ended: not asked again


async def _ask(
    client: KuaishouClient, kwai_item_ids: list[int]
) -> dict[int, tuple[int | None, str | None] | KuaishouError]:
    """auditStatus and auditReason per item, or the error that answered instead."""
    limit = asyncio.Semaphore(REVIEW_CONCURRENCY)

    async def one(kwai_item_id: int) -> tuple[int | None, str | None] | KuaishouError:
        async with limit:
            try:
                info = await client.get_item(kwai_item_id)
            except KuaishouError as exc:
                return exc
            return info.audit_status, info.audit_reason

    answers = await asyncio.gather(*(one(i) for i in kwai_item_ids))
    return dict(zip(kwai_item_ids, answers, strict=True))


async def _ask_all(
    migration: Migration, kwai_item_ids: list[int], *, warehouse: Warehouse, platforms: Platforms
) -> dict[int, tuple[int | None, str | None] | KuaishouError]:
    if not kwai_item_ids:
        return {}
    async with platforms.kuaishou(migration, warehouse=warehouse) as client:
        return await _ask(client, kwai_item_ids)


def _row(
    migration_key: str,
    ledger_row: dict[str, Any],
    previous: dict[str, Any] | None,
    answer: tuple[int | None, str | None] | KuaishouError,
    *,
    now: datetime,
) -> dict[str, Any]:
    row = {
        "migration": migration_key,
        "rel_item_id": int(ledger_row["rel_item_id"]),
        "source_item_id": ledger_row["source_item_id"],
        "kwai_item_id": int(ledger_row["kwai_item_id"]),
        "audit_status": previous["audit_status"] if previous else None,
        "audit_reason": previous["audit_reason"] if previous else None,
        "reason_code": previous["reason_code"] if previous else None,
        "fix": previous["fix"] if previous else None,
        "first_checked_at": previous["first_checked_at"] if previous else now,
        "checked_at": now,
        "decided_at": previous["decided_at"] if previous else None,
        "checks": (previous["checks"] if previous else 0) + 1,
        "last_error": None,
    }
    if isinstance(answer, KuaishouError):
        row["last_error"] = str(answer)
        return row
    status, reason = answer
    row["audit_status"], row["audit_reason"] = status, reason or None
    row["reason_code"] = row["fix"] = None
    if status in (AuditStatus.REJECTED, AuditStatus.NEEDS_CHANGES):
        found = classify_rejection(reason)
        row["reason_code"], row["fix"] = found.reason_code, found.fix
    if status in FINAL:
        row["decided_at"] = now
    return row


def review_label(status: int | None) -> str:
    """auditStatus in Chinese and English ("审核拒绝 rejected"); "not asked yet" before the first ask."""
    try:
        return LABELS[AuditStatus(status)] if status is not None else "not asked yet"
    except ValueError:
        return f"auditStatus {status}"


def track_reviews(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    platforms: Platforms,
    now: datetime | None = None,
) -> StageResult:
    """Ask Kuaishou for the review of every published item whose review has not ended."""
    now = now or datetime.now(UTC)
    stored = load_reviews(warehouse, migration.key)
    published = [
        {**row, "rel_item_id": rel}
        for rel, row in ledger.ledger(migration.key).items()
        if row["state"] == LedgerState.PUBLISHED and row.get("kwai_item_id") is not None
    ]
    ours = migration.target.backend is PublishBackend.KUAISHOU
    open_reviews = [
        row
        for row in published
        if ours
        and not (
            row["rel_item_id"] in stored
            and stored[row["rel_item_id"]]["audit_status"] is not None
            and stored[row["rel_item_id"]]["audit_status"] in FINAL
        )
    ]
    answers = asyncio.run(
        _ask_all(
            migration,
            [int(r["kwai_item_id"]) for r in open_reviews],
            warehouse=warehouse,
            platforms=platforms,
        )
    )
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
    current = load_reviews(warehouse, migration.key)
    by_status = Counter(review_label(r["audit_status"]) for r in current.values())
    rejected = [r for r in current.values() if r["audit_status"] == AuditStatus.REJECTED]
    needs_changes = [r for r in current.values() if r["audit_status"] == AuditStatus.NEEDS_CHANGES]
    errors = [r for r in rows if r["last_error"]]
    shown = ("source_item_id", "kwai_item_id", "audit_status", "reason_code", "audit_reason", "fix")
    return StageResult(
        figures={
            "published": len(published),
            "asked_this_run": len(rows),
            "approved": sum(
                1 for r in current.values() if r["audit_status"] == AuditStatus.APPROVED
            ),
            "rejected": len(rejected),
            "needs_changes": len(needs_changes),
            "in_review": sum(
                1 for r in current.values() if r["audit_status"] in (None, AuditStatus.PENDING)
            ),
            "lookup_errors_this_run": len(errors),
            "followed_by_backend": 0 if ours else len(published),
        },
        breakdowns={
            "by_audit_status": Breakdown("audit status", by_status),
            "rejections_by_reason": Breakdown(
                "reason", Counter(r["reason_code"] for r in rejected + needs_changes)
            ),
        },
        preview=sorted(
            ({k: r[k] for k in shown} for r in rejected + needs_changes),
            key=lambda r: str(r["source_item_id"]),
        ),
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
            )
        ],
    )
