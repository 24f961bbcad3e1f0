"""The publish plan: for every source item, what a publish run would do, and the draft it would send.

`create` (never published), `update` (published, and the draft differs from what was last sent:
`changed_fields` says which fields where the plan of that send is still known, else whether the
content or only the offer changed), `skip` (published and unchanged), `quarantine` (with the reason
the quarantine table or the ledger gives). Rows are written to `publish_plan`; `banjia plan export`
turns them into the CSV the operator approves (`publish.approval: required`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from listings.draft import KuaishouDraft
from listings.migrations import Migration
from pipeline.category_inputs import load_overrides
from pipeline.clients import Platforms
from pipeline.publish import candidate_jobs
from pipeline.results import Breakdown, StageResult
from store.ledger import Ledger, LedgerState
from store.plan_edits import load_edits
from store.warehouse import Warehouse

__all__ = ["PLAN_ACTIONS", "draft_snapshot", "plan_publish"]

PLAN_ACTIONS = ("create", "update", "skip", "quarantine")
_OFFER = ("price_fen", "market_price_fen", "stock")
_NOT_SHOWN = ("migration", "platform", "shop_id", "source_item_id", "rel_item_id")


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def draft_snapshot(draft: KuaishouDraft) -> dict[str, str]:
    """A digest per field of the draft as sent, SKU prices/stock apart from the rest of the SKUs,
    so two snapshots name the fields that differ without keeping the whole draft twice."""
    whole = draft.model_dump(mode="json")
    skus = whole.pop("skus")
    prices = [{k: sku.pop(k, None) for k in _OFFER} for sku in skus]
    fields = {k: _digest(v) for k, v in whole.items() if k not in _NOT_SHOWN}
    fields["skus"] = _digest(skus)
    fields["sku_prices_stock"] = _digest(prices)
    return fields


def _yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def _changed(draft: KuaishouDraft, row: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """The fields that differ from what the ledger says was last sent."""
    sent = (row["version"], row["offer_version"])
    if (
        previous is not None
        and (
            previous["content_version"],
            previous["offer_version"],
        )
        == sent
        and previous["snapshot"]
    ):
        before = json.loads(previous["snapshot"])
        now = draft_snapshot(draft)
        return ", ".join(
            k for k in sorted(now.keys() | before.keys()) if now.get(k) != before.get(k)
        )
    content, offer = draft.versions
    parts = []
    if content != sent[0]:
        parts.append("content (fields unknown: last sent before this plan)")
    if offer != sent[1]:
        parts.append("sku_prices_stock")
    return ", ".join(parts)


def _source_items(warehouse: Warehouse, key: str) -> list[str]:
    rows = warehouse.query(
        "SELECT source_item_id FROM raw_listings WHERE migration = ? "
        "UNION SELECT source_item_id FROM quarantine WHERE migration = ? "
        "UNION SELECT source_item_id FROM kuaishou_drafts WHERE migration = ?",
        [key, key, key],
    )
    return sorted(r["source_item_id"] for r in rows)


def _category_paths(warehouse: Warehouse, key: str) -> dict[str, str]:
    return {
        r["source_item_id"]: r["category_path"]
        for r in warehouse.query(
            "SELECT source_item_id, category_path FROM category_decisions WHERE migration = ?",
            [key],
        )
        if r["category_path"]
    }


def _edited_fields(migration: Migration, warehouse: Warehouse) -> dict[str, str]:
    """The fields the operator edited per item (`banjia plan import`): the kept edits, and the
    category when the overrides name the item."""
    overrides = load_overrides(migration)
    fields = {item: list(e.fields) for item, e in load_edits(warehouse, migration.key).items()}
    for key in overrides:
        if key.startswith("item:"):
            fields.setdefault(key.removeprefix("item:"), []).append("category")
    return {item: ", ".join(f) for item, f in fields.items() if f}


def plan_publish(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    platforms: Platforms | None = None,
) -> StageResult:
    """Write the migration's `publish_plan`: one row per source item. Sends nothing."""
    del platforms  # the plan reads the warehouse and the ledger only
    key = migration.key
    jobs, problems = candidate_jobs(migration, warehouse)
    quarantined: dict[str, str] = {}
    for q in warehouse.query(
        "SELECT source_item_id, stage, reason_code, detail FROM quarantine WHERE migration = ? "
        "ORDER BY stage",
        [key],
    ):
        quarantined.setdefault(
            q["source_item_id"], f"{q['stage']}: {q['reason_code']}: {q['detail']}"
        )
    for p in problems:
        quarantined.setdefault(
            p["source_item_id"], f"{p['stage']}: {p['reason_code']}: {p['detail']}"
        )
    previous = {
        r["source_item_id"]: r
        for r in warehouse.query(
            "SELECT source_item_id, content_version, offer_version, snapshot FROM publish_plan "
            "WHERE migration = ?",
            [key],
        )
    }
    book = ledger.ledger(key)
    paths = _category_paths(warehouse, key)
    edited = _edited_fields(migration, warehouse)
    by_item = {job.draft.source_item_id: job.draft for job in jobs}
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for item in _source_items(warehouse, key):
        draft = by_item.get(item)
        row = book.get(draft.rel_item_id) if draft else None
        action, reason, changed = "create", None, None
        if draft is None:
            action, reason = "quarantine", quarantined.get(item, "no draft")
        elif row is not None and row["state"] == LedgerState.REJECTED:
            action, reason = "quarantine", f"publish: rejected_by_kuaishou: {row['reason']}"
        elif row is not None and row["state"] == LedgerState.PUBLISHED:
            kept = previous.get(item)
            if row["version"] is None or (row["version"], row["offer_version"]) == draft.versions:
                action = "skip"
            else:
                action, changed = "update", _changed(draft, row, kept)
        shown = draft if action != "quarantine" else None
        # Until the edit lands, an update keeps the snapshot of what was sent, so the fields it
        # names stay those that differ from Kuaishou's copy.
        kept = previous.get(item) if action == "update" else None
        row_ = _row(key, item, action, reason, changed, shown, paths, now, kept)
        rows.append(row_ | {"edited_fields": edited.get(item)})
    warehouse.replace_partition("publish_plan", migration=key, rows=rows)
    actions = Counter(r["action"] for r in rows)
    return StageResult(
        figures={a: actions.get(a, 0) for a in PLAN_ACTIONS}
        | {"approval": migration.publish.approval.value},
        breakdowns={"actions": Breakdown("action", actions)},
        preview=[
            {k: r[k] for k in ("source_item_id", "action", "reason", "changed_fields", "title")}
            for r in rows
            if r["action"] != "skip"
        ][:20],
        row_count=len(rows),
    )


def _row(
    key: str,
    item: str,
    action: str,
    reason: str | None,
    changed: str | None,
    draft: KuaishouDraft | None,
    paths: dict[str, str],
    now: datetime,
    kept: dict[str, Any] | None,
) -> dict[str, Any]:
    if draft is None:
        versions: tuple[str | None, str | None] = (None, None)
        snapshot = None
    elif kept is not None:
        # An update: keep the versions and snapshot of what was sent until the edit lands.
        versions = (kept["content_version"], kept["offer_version"])
        snapshot = kept["snapshot"]
    else:
        versions = draft.versions
        snapshot = json.dumps(draft_snapshot(draft))
    return {
        "migration": key,
        "source_item_id": item,
        "action": action,
        "reason": reason,
        "changed_fields": changed,
        "title": draft.title if draft else None,
        "short_title": draft.short_title if draft else None,
        "category_id": draft.category_id if draft else None,
        "category_path": paths.get(item, draft.category_name) if draft else None,
        "price_min_yuan": _yuan(draft.price_min_fen) if draft else None,
        "price_max_yuan": _yuan(draft.price_max_fen) if draft else None,
        "sku_count": len(draft.skus) if draft else None,
        "main_images": json.dumps(list(draft.main_images)) if draft else None,
        "content_version": versions[0],
        "offer_version": versions[1],
        "snapshot": snapshot,
        "planned_at": now,
    }
