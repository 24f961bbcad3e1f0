"""Publishing drafts exactly once, through either backend, and flushing the supply-report outbox.

The ledger row of an item moves pending → in_flight *and is committed* before the create is sent.
Whatever happens next (an answer, a timeout, a crash), the next look at that row knows a create may have
landed: an `in_flight` or `unknown` item is looked up by relItemId before anything is sent again. A
create is never blind-retried. The daily quota ends the run cleanly and leaves the rest pending.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.http import PlatformError
from connectors.kuaishou import ItemNewParam, KuaishouClient, SupplyItem
from connectors.publisher import Publisher, is_quota_exhausted, supports_supply_report
from connectors.warehouse import LedgerState, ReportState, Warehouse
from listings.draft import KuaishouDraft
from listings.supply import report_retry_delay

__all__ = [
    "PublishJob",
    "PublishOutcome",
    "ReportOutcome",
    "flush_supply_outbox",
    "publish_drafts",
]

REPORT_DEADLINE = timedelta(hours=24)


@dataclass
class PublishOutcome:
    created: int = 0
    recovered: int = 0
    already_published: int = 0
    rejected: dict[int, str] = field(default_factory=dict)
    left_pending: int = 0
    stopped_by_quota: bool = False


@dataclass
class ReportOutcome:
    sent: int = 0
    failed: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishJob:
    """One draft ready to publish: its payload, and the supply report to queue once it exists."""

    draft: KuaishouDraft
    param: ItemNewParam
    report: Callable[[int], SupplyItem]


def _sku_rows(draft: KuaishouDraft, sku_ids: dict[int, int]) -> list[dict[str, Any]]:
    return [
        {
            "rel_sku_id": sku.rel_sku_id,
            "rel_item_id": draft.rel_item_id,
            "kwai_sku_id": sku_ids.get(sku.rel_sku_id),
            "source_sku_id": sku.source_sku_id,
            "synthetic": sku.synthetic,
        }
        for sku in draft.skus
    ]


def _report_state(client: Publisher) -> str:
    """Queued for us to send, or the backend's duty (vv-tool publishes under its own app)."""
    return ReportState.PENDING if supports_supply_report(client) else ReportState.DELEGATED


def _record(
    warehouse: Warehouse,
    job: PublishJob,
    *,
    client: Publisher,
    kwai_item_id: int,
    sku_ids: dict[int, int],
) -> None:
    report = job.report(kwai_item_id)
    published_at = datetime.now(UTC)
    warehouse.record_published(
        rel_item_id=job.draft.rel_item_id,
        kwai_item_id=kwai_item_id,
        sku_rows=_sku_rows(job.draft, sku_ids),
        outbox_row={
            "migration": job.draft.migration,
            "source_item_id": job.draft.source_item_id,
            "payload": report.model_dump(by_alias=True, exclude_none=True, mode="json"),
            "scene": int(report.scene),
            "published_at": published_at,
            "due_at": published_at + REPORT_DEADLINE,
            "state": _report_state(client),
        },
    )


async def _resolve(client: Publisher, warehouse: Warehouse, job: PublishJob) -> bool:
    """Look an in-doubt item up by relItemId; True when it exists (and is now recorded)."""
    found = await client.find_item_by_rel_item_id(job.draft.rel_item_id)
    if found is None:
        warehouse.ledger_transition(rel_item_id=job.draft.rel_item_id, state=LedgerState.PENDING)
        return False
    sku_ids = {
        int(sku.rel_sku_id): int(sku.kwai_sku_id)
        for sku in found.sku_infos
        if sku.rel_sku_id is not None
    }
    _record(warehouse, job, client=client, kwai_item_id=found.kwai_item_id, sku_ids=sku_ids)
    return True


def _still_to_publish(jobs: Sequence[PublishJob], ledger: dict[int, dict[str, Any]]) -> int:
    done = (LedgerState.PUBLISHED, LedgerState.REJECTED)
    return sum(1 for job in jobs if ledger[job.draft.rel_item_id]["state"] not in done)


async def publish_drafts(
    jobs: Sequence[PublishJob],
    *,
    migration: str,
    client: Publisher,
    warehouse: Warehouse,
    quota_left: int,
) -> PublishOutcome:
    """Publish every job not yet published, at most `quota_left` new creates."""
    outcome = PublishOutcome()
    warehouse.ledger_ensure_pending(
        migration=migration,
        items=[(job.draft.rel_item_id, job.draft.source_item_id) for job in jobs],
    )
    ledger = warehouse.ledger(migration)
    for job in jobs:
        rel = job.draft.rel_item_id
        state = ledger[rel]["state"]
        if state == LedgerState.PUBLISHED:
            outcome.already_published += 1
            continue
        if state == LedgerState.REJECTED:
            outcome.rejected[rel] = ledger[rel]["reason"] or "rejected"
            continue
        if state in (LedgerState.IN_FLIGHT, LedgerState.UNKNOWN) and await _resolve(
            client, warehouse, job
        ):
            outcome.recovered += 1
            continue
        if quota_left <= 0:
            outcome.stopped_by_quota = True
            break
        warehouse.ledger_transition(
            rel_item_id=rel, state=LedgerState.IN_FLIGHT, count_attempt=True
        )
        try:
            result = await client.create_item(job.param)
        except PlatformError as exc:
            if is_quota_exhausted(exc):
                warehouse.ledger_transition(rel_item_id=rel, state=LedgerState.PENDING)
                outcome.stopped_by_quota = True
                break
            if exc.retryable:
                # The create may have landed (a lost response): resolve, never resend blindly.
                warehouse.ledger_transition(
                    rel_item_id=rel, state=LedgerState.UNKNOWN, reason=str(exc)
                )
                if await _resolve(client, warehouse, job):
                    outcome.recovered += 1
                continue
            warehouse.ledger_transition(
                rel_item_id=rel, state=LedgerState.REJECTED, reason=str(exc)
            )
            outcome.rejected[rel] = str(exc)
            continue
        except BaseException:
            # Anything else mid-request (a cancelled run, a bug): leave the item in doubt.
            warehouse.ledger_transition(rel_item_id=rel, state=LedgerState.UNKNOWN)
            raise
        quota_left -= 1
        sku_ids = {int(m.rel_sku_id): int(m.kwai_sku_id) for m in result.sku_id_mapping}
        _record(warehouse, job, client=client, kwai_item_id=result.kwai_item_id, sku_ids=sku_ids)
        outcome.created += 1
    outcome.left_pending = _still_to_publish(jobs, warehouse.ledger(migration))
    return outcome


async def flush_supply_outbox(
    *,
    migration: str,
    client: KuaishouClient,
    warehouse: Warehouse,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReportOutcome:
    """Send every report of a migration that is due for an attempt; a sent report is never sent again.

    A failure moves that row's next attempt back exponentially (`report_retry_delay`) and the flush goes
    on with the others. A report the platform refuses (`result != 1` with a reason) is kept as
    `rejected` with the reason, and retried on the same schedule: the compliance summary lists it.
    `now` is injectable so tests drive time instead of sleeping.
    """
    outcome = ReportOutcome()
    for row in warehouse.outbox_due(migration, now=now()):
        item = SupplyItem.model_validate_json(row["payload"])
        try:
            await client.sync_supply_item(item)
        except PlatformError as exc:
            attempted = now()
            warehouse.outbox_mark(
                rel_item_id=row["rel_item_id"],
                sent=False,
                error=str(exc),
                rejected=not exc.retryable,
                at=attempted,
                next_attempt_at=attempted + report_retry_delay(int(row["attempts"]) + 1),
            )
            outcome.failed[row["rel_item_id"]] = str(exc)
            continue
        warehouse.outbox_mark(rel_item_id=row["rel_item_id"], sent=True, at=now())
        outcome.sent += 1
    return outcome
