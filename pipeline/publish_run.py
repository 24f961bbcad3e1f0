"""Publishing drafts exactly once, through either backend, and flushing the supply-report outbox.

The ledger row of an item moves pending → in_flight *and is committed* before the create is sent.
Whatever happens next (an answer, a timeout, a crash), the next look at that row knows a create may have
landed: an `in_flight` or `unknown` item is looked up by relItemId before anything is sent again. A
create is never blind-retried. The daily quota ends the run cleanly and leaves the rest pending.

Every item is claimed in the ledger (`store.ledger`) before it is touched, so up to
`concurrency` tasks of a run, and several workers sharing a PostgreSQL ledger, never work on the
same item at once. A published item whose draft changed since is edited, never created again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from connectors.http import PlatformError
from connectors.kuaishou import (
    AuditStatus,
    ItemNewParam,
    KuaishouClient,
    SupplyItem,
    build_autopass_edit_param,
    build_item_edit_param,
)
from connectors.publisher import (
    Publisher,
    is_account_refusal,
    is_duplicate_rel_item_id,
    is_quota_exhausted,
    supports_item_edit,
    supports_supply_report,
)
from listings.draft import KuaishouDraft
from listings.supply import report_retry_delay
from pipeline.gc_policy import long_stage_collector
from pipeline.ledger_batches import CLAIM_BATCH, LedgerBatches
from pipeline.ledger_thread import LedgerThread
from pipeline.progress import Progress
from store.ledger import IN_DOUBT, Ledger, LedgerState, PublishedItem, ReportState

__all__ = [
    "AccountRefusedError",
    "PublishJob",
    "PublishOutcome",
    "ReportOutcome",
    "ShopQuota",
    "flush_supply_outbox",
    "publish_drafts",
    "requeue_account_refusals",
]

REPORT_DEADLINE = timedelta(hours=24)
EDITABLE_AUDIT = (AuditStatus.NEEDS_CHANGES, AuditStatus.APPROVED)  # open.item.edit's rule


class AccountRefusedError(RuntimeError):
    """The platform refused the shop or the app (authorization, signature, account): the run stops
    and every item stays pending; the message says what to mend."""


# Ledger reasons of items an earlier version marked rejected for an account-level refusal (a
# revoked token, a bad signature): no item was at fault, so they are queued again (issue 15).
_ACCOUNT_REFUSAL_MARKERS = (
    "result=24",
    "authorization_revoked",
    "access_token",
    "token过期",
    "验签",
    "signature",
    "app_key",
    "appkey",
)


@dataclass
class PublishOutcome:
    created: int = 0
    recovered: int = 0
    already_published: int = 0
    rejected: dict[int, str] = field(default_factory=dict)
    left_pending: int = 0
    stopped_by_quota: bool = False
    updated: int = 0  # open.item.edit: the item's content changed on the source (back to review)
    repriced: int = 0  # open.item.autopass.edit: only prices/stock changed (no review)
    update_failed: dict[int, str] = field(default_factory=dict)  # tried again on the next run
    update_unsupported: int = 0  # changed on the source, but the backend cannot edit (vv-tool)
    held_elsewhere: int = 0  # claimed by another worker while this run looked at it
    withdrawn: int = 0  # taken off the shelf by `banjia batch undo`: done, never created again


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


async def _record(
    run: _Run, job: PublishJob, *, kwai_item_id: int, sku_ids: dict[int, int]
) -> None:
    """The item landed: its ledger row, SKU map and supply report, committed with the batch."""
    report = job.report(kwai_item_id)
    published_at = datetime.now(UTC)
    await run.batches.record(
        PublishedItem(
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
                "state": _report_state(run.client),
            },
            batch=run.batch,
            published_at=published_at,
        )
    )


async def _resolve(run: _Run, job: PublishJob) -> bool:
    """Look an in-doubt item up by relItemId; True when it exists (and is now recorded)."""
    client, ledger = run.client, run.ledger
    found = await client.find_item_by_rel_item_id(job.draft.rel_item_id)
    if found is None:
        await run.db(
            ledger.ledger_transition, rel_item_id=job.draft.rel_item_id, state=LedgerState.PENDING
        )
        return False
    sku_ids = {
        int(sku.rel_sku_id): int(sku.kwai_sku_id)
        for sku in found.sku_infos
        if sku.rel_sku_id is not None
    }
    await _record(run, job, kwai_item_id=found.kwai_item_id, sku_ids=sku_ids)
    return True


def _still_to_publish(jobs: Sequence[PublishJob], ledger: dict[int, dict[str, Any]]) -> int:
    done = (LedgerState.PUBLISHED, LedgerState.REJECTED, LedgerState.WITHDRAWN)
    return sum(1 for job in jobs if ledger[job.draft.rel_item_id]["state"] not in done)


# Items sent between two progress updates of a publish run.
PUBLISH_PROGRESS_EVERY = 20


@dataclass(frozen=True)
class ShopQuota:
    """The Kuaishou shop's new items of one China day, counted in the ledger, where every worker
    publishing into the shop takes from the same count (`Ledger.take_shop_quota`, decision 75).

    `since` is when `day` began (midnight in China); `limit` the shop's cap (500 a day).
    """

    target_shop: str
    day: date
    since: datetime
    limit: int


@dataclass
class _Run:
    """What the concurrent tasks of one publish run share: the outcome, today's quota, and the
    thread their ledger calls run on (`db`, so commits never block the event loop).

    A create reserves one unit of quota before it is sent and gives it back if nothing was
    created, so N tasks in flight can never overshoot `quota_left`; with `shop_quota` it also
    takes one from the shop's count in the ledger, so neither do other workers' runs.
    """

    client: Publisher
    ledger: Ledger
    db: LedgerThread
    batches: LedgerBatches
    quota_left: int
    outcome: PublishOutcome = field(default_factory=PublishOutcome)
    batch: str | None = None  # the publish run's id, recorded with every item it creates
    progress: Progress | None = None
    _pending: list[int] = field(default_factory=lambda: [0, 0])  # (done, failed) not yet sent

    def failures(self) -> int:
        return len(self.outcome.rejected) + len(self.outcome.update_failed)

    def tick(self, *, failed: bool) -> None:
        """One queued item handled; every `PUBLISH_PROGRESS_EVERY` items, a progress update."""
        if self.progress is None:
            return
        self._pending[1 if failed else 0] += 1
        if sum(self._pending) >= PUBLISH_PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.progress is not None and self._pending != [0, 0]:
            self.progress.advance(done=self._pending[0], failed=self._pending[1])
        self._pending = [0, 0]

    shop_quota: ShopQuota | None = None

    async def reserve(self) -> bool:
        if self.quota_left <= 0 or self.outcome.stopped_by_quota:
            self.outcome.stopped_by_quota = True
            return False
        self.quota_left -= 1  # before the await: the other tasks see the unit taken
        if not await self._take():
            self.quota_left += 1
            self.outcome.stopped_by_quota = True
            return False
        return True

    async def refund(self) -> None:
        self.quota_left += 1
        if (quota := self.shop_quota) is not None:
            await self.db(self.ledger.give_back_shop_quota, quota.target_shop, day=quota.day)

    async def spent_anyway(self) -> None:
        """A create given back after a failure landed after all: count it again."""
        self.quota_left -= 1
        await self._take(force=True)

    async def _take(self, *, force: bool = False) -> bool:
        if (quota := self.shop_quota) is None:
            return True
        return bool(
            await self.db(
                self.ledger.take_shop_quota,
                quota.target_shop,
                day=quota.day,
                since=quota.since,
                limit=quota.limit,
                force=force,
            )
        )


async def _create_claimed(run: _Run, job: PublishJob, state: str) -> None:
    """Publish one item this worker holds: resolve it if in doubt, else create it once.

    A `pending` state is the row's before the batch claim, which put it in flight (with the
    versions about to be sent); an in-doubt one not found goes in flight here, on its own.
    """
    ledger, client, outcome = run.ledger, run.client, run.outcome
    rel = job.draft.rel_item_id
    if state in IN_DOUBT:
        if await _resolve(run, job):
            outcome.recovered += 1
            return
        if not await run.reserve():
            return
        await run.db(
            ledger.ledger_transition,
            rel_item_id=rel,
            state=LedgerState.IN_FLIGHT,
            count_attempt=True,
            versions=job.draft.versions,
        )
    elif not await run.reserve():
        return  # still in flight from the claim, never sent: the run puts it back to pending
    run.batches.sending(rel)
    try:
        result = await client.create_item(job.param)
    except PlatformError as exc:
        await run.refund()
        if is_quota_exhausted(exc):
            await run.db(ledger.ledger_transition, rel_item_id=rel, state=LedgerState.PENDING)
            outcome.stopped_by_quota = True
            return
        if is_account_refusal(exc):
            await run.db(ledger.ledger_transition, rel_item_id=rel, state=LedgerState.PENDING)
            raise AccountRefusedError(
                f"the platform refused the shop, not the item: {exc}. Re-authorize the shop "
                "(`banjia kuaishou authorize --migration …`, or a fresh token in the env var "
                "target.access_token_env names) or fix the app credentials, then re-run; every "
                "item not yet published stays pending"
            ) from None
        if exc.retryable or is_duplicate_rel_item_id(exc):
            # The create may have landed (a lost response, or a create of another worker or an
            # earlier run for the same relItemId): resolve by lookup, never resend blindly.
            await run.db(
                ledger.ledger_transition,
                rel_item_id=rel,
                state=LedgerState.UNKNOWN,
                reason=str(exc),
            )
            if await _resolve(run, job):
                await run.spent_anyway()  # it did land: today's quota is spent on it
                outcome.recovered += 1
            elif is_duplicate_rel_item_id(exc):
                reason = (
                    f"{exc}; no item with this relItemId can be found on Kuaishou (it was "
                    "deleted): a relItemId is never reused, so publishing it again needs a new "
                    "generation of the item"
                )
                await run.db(
                    ledger.ledger_transition,
                    rel_item_id=rel,
                    state=LedgerState.REJECTED,
                    reason=reason,
                )
                outcome.rejected[rel] = reason
            return
        await run.db(
            ledger.ledger_transition,
            rel_item_id=rel,
            state=LedgerState.REJECTED,
            reason=str(exc),
        )
        outcome.rejected[rel] = str(exc)
        return
    except BaseException:
        # Anything else mid-request (a cancelled run, a bug): leave the item in doubt.
        await run.db(ledger.ledger_transition, rel_item_id=rel, state=LedgerState.UNKNOWN)
        raise
    sku_ids = {int(m.rel_sku_id): int(m.kwai_sku_id) for m in result.sku_id_mapping}
    await _record(run, job, kwai_item_id=result.kwai_item_id, sku_ids=sku_ids)
    outcome.created += 1


async def _update_claimed(run: _Run, job: PublishJob, row: dict[str, Any]) -> None:
    """Bring a published item in line with its changed draft: autopass or a full edit.

    Edits are state-based, not counted: each is built from a fresh `get_item`, so an edit whose
    answer was lost is simply rebuilt and sent on the next run. A failure leaves the recorded
    versions as they were, which is what makes that next run try again.
    """
    client: Any = run.client  # supports_item_edit(client) was checked by the caller
    rel = job.draft.rel_item_id
    versions = job.draft.versions
    try:
        item = await client.get_item(int(row["kwai_item_id"]))
        sku_ids = await run.db(run.ledger.sku_ids, rel)
        offer_only = row["version"] == versions[0] and all(
            sku.rel_sku_id in sku_ids for sku in job.param.sku_list
        )
        if offer_only:  # autopass has no review and no audit-state rule (kuaishou-api.md §1.6)
            await client.autopass_edit(
                build_autopass_edit_param(job.param, item=item, sku_ids=sku_ids)
            )
            await run.db(run.ledger.record_edited, rel_item_id=rel, versions=versions, sku_rows=())
            run.outcome.repriced += 1
            return
        if item.audit_status not in EDITABLE_AUDIT:
            run.outcome.update_failed[rel] = (
                f"item {item.kwai_item_id}: auditStatus {item.audit_status} cannot be edited "
                "(only 审核待修改 or 审核通过); the edit is sent on a run after the review"
            )
            return
        result = await client.edit_item(
            build_item_edit_param(job.param, item=item, sku_ids=sku_ids)
        )
    except PlatformError as exc:
        run.outcome.update_failed[rel] = str(exc)
        return
    mapping = {int(m.rel_sku_id): int(m.kwai_sku_id) for m in result.sku_id_mapping}
    await run.db(
        run.ledger.record_edited,
        rel_item_id=rel,
        versions=versions,
        sku_rows=_sku_rows(job.draft, mapping),
    )
    run.outcome.updated += 1


def _budget(run: _Run) -> int:
    """New items the run may still claim for creating (none once the quota has stopped it)."""
    return 0 if run.outcome.stopped_by_quota else run.quota_left


async def _work(run: _Run, updates: Iterator[PublishJob]) -> None:
    """One of the run's concurrent tasks: create the next claimed item until none is left (the
    claims come in batches, `LedgerBatches`), then claim and update changed items one by one."""
    while not run.outcome.stopped_by_quota:
        claimed = await run.batches.next(lambda: _budget(run))
        if claimed is None:
            if not run.batches.exhausted:
                run.outcome.stopped_by_quota = True  # the rest stays pending, updates go on
            break
        job, state = claimed
        failures = run.failures()
        try:
            await _create_claimed(run, job, state)
        finally:
            run.batches.finished(job.draft.rel_item_id)
        run.tick(failed=run.failures() > failures)
    for job in updates:
        rel = job.draft.rel_item_id
        claimed_rows = await run.db(
            run.ledger.claim, rel_item_ids=[rel], states=(LedgerState.PUBLISHED,)
        )
        if not claimed_rows:
            run.outcome.held_elsewhere += 1
            continue
        failures = run.failures()
        try:
            await _update_claimed(run, job, claimed_rows[0])
        finally:
            await run.db(run.ledger.release, [rel])
        run.tick(failed=run.failures() > failures)


def _needs_update(row: dict[str, Any], job: PublishJob) -> bool:
    return row["version"] is not None and (row["version"], row["offer_version"]) != (
        job.draft.versions
    )


async def publish_drafts(
    jobs: Sequence[PublishJob],
    *,
    migration: str,
    client: Publisher,
    ledger: Ledger,
    quota_left: int,
    concurrency: int = 1,
    target_shop: str | None = None,
    batch: str | None = None,
    progress: Progress | None = None,
    shop_quota: ShopQuota | None = None,
    claim_batch: int = CLAIM_BATCH,
) -> PublishOutcome:
    """Publish every job not yet published (at most `quota_left` new creates), `jobs` in order.

    Up to `concurrency` items are in flight at once; the client's transport still spaces every
    request at its rate limit, so concurrency hides latency and never makes a burst. Each item
    is claimed in the ledger (either backend) first, so a second worker on the same
    migration takes other items. The order of `jobs` is the priority: when the quota runs out,
    the last ones stay pending. A published item whose draft changed is edited, never created.
    `batch` (the publish run's id) is recorded with every item this run creates or recovers; an
    item withdrawn by `banjia batch undo` counts as done and is never created again.
    `shop_quota`: the shop's daily count shared with other workers, on top of `quota_left`.
    `claim_batch`: at most this many items claimed, or recorded, in one ledger transaction
    (`pipeline.ledger_batches`; 1 is the per-item path, kept for the benchmark).
    """
    ledger.ledger_ensure_pending(
        migration=migration,
        items=[(job.draft.rel_item_id, job.draft.source_item_id) for job in jobs],
        target_shop=target_shop,
    )
    requeue_account_refusals(ledger, migration)
    outcome = PublishOutcome()
    creates, updates = _queue(ledger, client, outcome, jobs, migration=migration)
    # Every request makes short-lived containers (httpx's request and response, asyncio's
    # futures): under CPython's default thresholds the collector took about 15 % of a publish's
    # CPU walking the imported heap (decision 103), so the long stages' policy holds here too.
    with long_stage_collector(), LedgerThread() as db:
        run = _Run(
            client=client,
            ledger=ledger,
            db=db,
            batches=LedgerBatches(
                ledger=ledger,
                db=db,
                creates=creates,
                first=max(1, concurrency),
                most=claim_batch,
            ),
            quota_left=quota_left,
            outcome=outcome,
            batch=batch,
            progress=progress,
            shop_quota=shop_quota,
        )
        if progress is not None:
            progress.start(len(creates) + len(updates))  # what this run has to send
        await _run_tasks(run, concurrency=concurrency, updates=iter(updates))
        run.flush()
        if progress is not None:
            progress.finish()
    run.outcome.left_pending = _still_to_publish(jobs, ledger.ledger(migration))
    return run.outcome


async def _run_tasks(run: _Run, *, concurrency: int, updates: Iterator[PublishJob]) -> None:
    """The run's tasks and the timer that records their creates, then the last record and the
    release of every claim, also when a task failed (what a failed ledger cannot record stays in
    flight, for a lookup on the next run)."""
    try:
        async with asyncio.TaskGroup() as group:
            workers = [group.create_task(_work(run, updates)) for _ in range(max(1, concurrency))]
            group.create_task(run.batches.keep_flushing(workers))
    except BaseException as failed:
        with contextlib.suppress(Exception):
            await run.batches.close()
        if isinstance(failed, BaseExceptionGroup):
            raise failed.exceptions[0] from None  # the first failure, as a sequential run raised it
        raise
    await run.batches.close()
    run.outcome.held_elsewhere += run.batches.held_elsewhere


def requeue_account_refusals(ledger: Ledger, migration: str) -> list[int]:
    """Items marked rejected for a refusal of the shop or app, not of the item (what versions
    before decision 50 did with a revoked token): pending again, so this run publishes them.
    Returns their relItemIds."""
    stranded = [
        rel
        for rel, row in ledger.ledger(migration).items()
        if row["state"] == LedgerState.REJECTED
        and any(m in (row["reason"] or "").lower() for m in _ACCOUNT_REFUSAL_MARKERS)
    ]
    for rel in stranded:
        ledger.ledger_transition(rel_item_id=rel, state=LedgerState.PENDING, reason=None)
    return stranded


def _queue(
    ledger: Ledger,
    client: Publisher,
    outcome: PublishOutcome,
    jobs: Sequence[PublishJob],
    *,
    migration: str,
) -> tuple[list[PublishJob], list[PublishJob]]:
    """What this run has to do, in `jobs` order: the jobs to create, the jobs to update.

    Counts into the outcome what needs nothing (published and unchanged, rejected before, or
    changed on a backend that cannot edit).
    """
    book = ledger.ledger(migration)
    creates: list[PublishJob] = []
    updates: list[PublishJob] = []
    for job in jobs:
        row = book[job.draft.rel_item_id]
        if row["state"] == LedgerState.REJECTED:
            outcome.rejected[job.draft.rel_item_id] = row["reason"] or "rejected"
        elif row["state"] == LedgerState.WITHDRAWN:
            outcome.withdrawn += 1  # its relItemId is spent on Kuaishou: never created again
        elif row["state"] != LedgerState.PUBLISHED:
            creates.append(job)
        elif not _needs_update(row, job):
            outcome.already_published += 1
        elif supports_item_edit(client):
            updates.append(job)
        else:
            outcome.update_unsupported += 1
    if any(row["version"] is None for row in book.values()):
        _adopt_versions(ledger, jobs, book)
    return creates, updates


def _adopt_versions(
    ledger: Ledger, jobs: Sequence[PublishJob], book: dict[int, dict[str, Any]]
) -> None:
    """Items published before versions were kept: take the current draft as their version.

    Guessing "changed" would send every such item back to review; a real change after this run
    is seen as usual.
    """
    for job in jobs:
        row = book[job.draft.rel_item_id]
        if row["state"] == LedgerState.PUBLISHED and row["version"] is None:
            ledger.record_edited(
                rel_item_id=job.draft.rel_item_id, versions=job.draft.versions, sku_rows=()
            )


async def flush_supply_outbox(
    *,
    migration: str,
    client: KuaishouClient,
    ledger: Ledger,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReportOutcome:
    """Send every report of a migration that is due for an attempt; a sent report is never sent again.

    A failure moves that row's next attempt back exponentially (`report_retry_delay`) and the flush goes
    on with the others. A report the platform refuses (`result != 1` with a reason) is kept as
    `rejected` with the reason, and retried on the same schedule: the compliance summary lists it.
    Each report is claimed in the outbox first, so two flushing workers never send the same one.
    `now` is injectable so tests drive time instead of sleeping.
    """
    outcome = ReportOutcome()
    for due in ledger.outbox_due(migration, now=now()):
        rel = int(due["rel_item_id"])
        claimed = ledger.outbox_claim(rel_item_ids=[rel], now=now())
        if not claimed:
            continue  # sent, or being sent, by another worker since it was listed
        try:
            await _send_report(ledger, client, claimed[0], now=now, outcome=outcome)
        finally:
            ledger.outbox_release([rel])
    return outcome


async def _send_report(
    ledger: Ledger,
    client: KuaishouClient,
    row: dict[str, Any],
    *,
    now: Callable[[], datetime],
    outcome: ReportOutcome,
) -> None:
    item = SupplyItem.model_validate_json(row["payload"])
    try:
        await client.sync_supply_item(item)
    except PlatformError as exc:
        attempted = now()
        ledger.outbox_mark(
            rel_item_id=row["rel_item_id"],
            sent=False,
            error=str(exc),
            rejected=not exc.retryable,
            at=attempted,
            next_attempt_at=attempted + report_retry_delay(int(row["attempts"]) + 1),
        )
        outcome.failed[row["rel_item_id"]] = str(exc)
        return
    ledger.outbox_mark(rel_item_id=row["rel_item_id"], sent=True, at=now())
    outcome.sent += 1
