"""Answer a review that sent an item back: one automatic `open.item.edit`, never two.

Kuaishou lets an item be edited only in 审核待修改 (1) or 审核通过 (2) (kuaishou-api.md §1.6 [C]);
a 审核拒绝 (3) is final for the API. So an item sent back (1) for a cause with a mechanical fix
(`listings.resubmission`: a forbidden term in the title, a main image objected to) is edited once:
the edit sends it back to review. Anything else, a 3, or a second sending back after banjia's
edit, is left for the merchant with the reason and the fix (decision 65).

Exactly once, like a create (store/resubmissions.py): the row is claimed and committed before the
edit is sent. An edit whose answer is lost (a crash, a 5xx, a timeout) leaves the row `sending`;
the next run reads the item and records the edit as sent when Kuaishou shows it, and sends it only
when Kuaishou does not show it and the item is still waiting to be edited: then no edit arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.kuaishou import (
    AuditStatus,
    ItemEditParam,
    ItemInfo,
    KuaishouAuthError,
    KuaishouClient,
    KuaishouError,
)
from listings.migrations import Migration
from listings.resubmission import NoMechanicalFix, plan_resubmission
from listings.titles import parse_word_list
from pipeline.drafts import FORBIDDEN_WORDS_FILE
from store.resubmissions import (
    ResubmissionState,
    claim_resubmission,
    load_resubmissions,
    record_declined,
    record_outcome,
)
from store.reviews import save_reviews
from store.warehouse import Warehouse

__all__ = ["ResubmitOutcome", "forbidden_words", "resubmit_sent_back", "review_answer"]

SENT_BACK = (AuditStatus.NEEDS_CHANGES, AuditStatus.REJECTED)
_FINAL_FOR_API = (
    "审核拒绝 is final: open.item.edit accepts only 审核待修改 or 审核通过 (kuaishou-api.md §1.6)"
)


@dataclass
class ResubmitOutcome:
    """What this run did with the items Kuaishou's review sent back (relItemIds)."""

    resubmitted: list[int] = field(default_factory=list)  # edits Kuaishou answered this run
    confirmed: list[int] = field(default_factory=list)  # lost answers found on Kuaishou
    unknown: list[int] = field(default_factory=list)  # sent, answer lost: looked at next run
    refused: list[int] = field(default_factory=list)
    declined: list[int] = field(default_factory=list)


def forbidden_words(migration: Migration) -> tuple[str, ...]:
    """The word list drafting cleans titles with, and the migration's own extra words."""
    shipped = parse_word_list(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8"))
    return (*shipped, *migration.titles.extra_forbidden_words)


def _landed(item: ItemInfo, edit: dict[str, Any]) -> bool:
    """Whether the item on Kuaishou shows every field the edit set."""
    shown = {"title": item.title, "shortTitle": item.short_title, "imageUrls": item.image_urls}
    return all(shown[name] == value for name, value in edit.items() if name in shown)


async def _send(
    client: KuaishouClient,
    warehouse: Warehouse,
    *,
    review: dict[str, Any],
    edit: dict[str, Any],
    now: datetime,
    outcome: ResubmitOutcome,
) -> None:
    """Send the claimed edit and record what became of it."""
    rel = int(review["rel_item_id"])
    key = {"migration": review["migration"], "rel_item_id": rel}
    try:
        await client.edit_item(ItemEditParam.model_validate(edit))
    except KuaishouError as exc:
        # a refusal of the edit itself is final; a lost answer, a throttle or an auth failure is
        # not about the item: the row stays `sending` and the next run looks before sending
        unknown = bool(exc.retryable) or isinstance(exc, KuaishouAuthError)
        state = ResubmissionState.SENDING if unknown else ResubmissionState.REFUSED
        record_outcome(warehouse, **key, state=state, after_send=True, now=now, error=str(exc))
        (outcome.unknown if unknown else outcome.refused).append(rel)
        return
    record_outcome(warehouse, **key, state=ResubmissionState.SENT, after_send=True, now=now)
    # the edit sends the item back to review (§1.6): the row says so until the next look
    save_reviews(
        warehouse,
        [
            {
                **review,
                "audit_status": AuditStatus.PENDING,
                "audit_reason": None,
                "reason_code": None,
                "fix": None,
                "decided_at": None,
            }
        ],
    )
    outcome.resubmitted.append(rel)


async def _settle_lost(
    client: KuaishouClient,
    warehouse: Warehouse,
    *,
    row: dict[str, Any],
    review: dict[str, Any],
    item: ItemInfo | None,
    now: datetime,
    outcome: ResubmitOutcome,
) -> None:
    """A `sending` row left by an earlier run: sent if Kuaishou shows it, else sent now if the
    item still waits for it, else the merchant's."""
    rel = int(row["rel_item_id"])
    key = {"migration": row["migration"], "rel_item_id": rel}
    try:
        item = item or await client.get_item(int(row["kwai_item_id"]))
    except KuaishouError:
        outcome.unknown.append(rel)  # looked at again on the next run
        return
    if _landed(item, row["edit"]):
        record_outcome(warehouse, **key, state=ResubmissionState.SENT, after_send=False, now=now)
        outcome.confirmed.append(rel)
    elif item.audit_status == AuditStatus.NEEDS_CHANGES:
        await _send(client, warehouse, review=review, edit=row["edit"], now=now, outcome=outcome)
    else:
        error = f"the item changed on Kuaishou meanwhile (auditStatus {item.audit_status})"
        record_outcome(
            warehouse,
            **key,
            state=ResubmissionState.REFUSED,
            after_send=False,
            now=now,
            error=error,
        )
        outcome.refused.append(rel)


async def resubmit_sent_back(
    client: KuaishouClient,
    migration: Migration,
    *,
    warehouse: Warehouse,
    reviews: dict[int, dict[str, Any]],
    items: dict[int, ItemInfo],
    now: datetime,
) -> ResubmitOutcome:
    """Answer every item the review sent back that has no resubmission row yet, and settle the
    rows an earlier run left `sending`. `items`: what open.item.get answered this run."""
    outcome = ResubmitOutcome()
    done = load_resubmissions(warehouse, migration.key)
    for rel, row in done.items():
        if row["state"] == ResubmissionState.SENDING and rel in reviews:
            await _settle_lost(
                client,
                warehouse,
                row=row,
                review=reviews[rel],
                item=items.get(rel),
                now=now,
                outcome=outcome,
            )
    words = forbidden_words(migration)
    for rel, review in sorted(reviews.items()):
        if rel in done or rel not in items or review["audit_status"] not in SENT_BACK:
            continue
        item = items[rel]
        if review["audit_status"] == AuditStatus.REJECTED:
            record_declined(warehouse, review=review, why=_FINAL_FOR_API, now=now)
            outcome.declined.append(rel)
            continue
        plan = plan_resubmission(
            reason_code=review["reason_code"],
            audit_reason=review["audit_reason"],
            title=item.title or "",
            short_title=item.short_title,
            image_urls=item.image_urls,
            forbidden=words,
            rewrite_titles=migration.titles.forbidden_words == "remove",
        )
        if isinstance(plan, NoMechanicalFix):
            record_declined(warehouse, review=review, why=plan.why, now=now)
            outcome.declined.append(rel)
            continue
        edit = ItemEditParam(
            item_id=item.kwai_item_id,
            title=plan.title,
            short_title=plan.short_title,
            image_urls=list(plan.image_urls) if plan.image_urls is not None else None,
        ).model_dump(by_alias=True, exclude_none=True)
        if claim_resubmission(warehouse, review=review, change=plan.change, edit=edit, now=now):
            await _send(client, warehouse, review=review, edit=edit, now=now, outcome=outcome)
    return outcome


def review_answer(review: dict[str, Any] | None, resubmission: dict[str, Any] | None) -> str | None:
    """Who answers a sent-back item and how, in a sentence for the report and `banjia items`."""
    if resubmission is None:
        status = review["audit_status"] if review else None
        return "for the merchant" if status in SENT_BACK else None
    state, change = resubmission["state"], resubmission["change"]
    status = review["audit_status"] if review else None
    if state == ResubmissionState.SENT:
        if status in SENT_BACK:
            return f"resubmitted once by banjia ({change}), sent back again: for the merchant"
        if status == AuditStatus.APPROVED:
            return f"resubmitted by banjia and approved ({change})"
        return f"resubmitted by banjia, in review again ({change})"
    if state == ResubmissionState.SENDING:
        return f"resubmission by banjia unconfirmed, settled on the next run ({change})"
    if state == ResubmissionState.REFUSED:
        return f"banjia's resubmission was refused ({resubmission['last_error']}): for the merchant"
    return f"for the merchant: {change}"
