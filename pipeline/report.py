"""Report: supply reports through the durable outbox, and the weekly compliance summary.

Every published item's `open.supply.item.sync` report is sent until `result == 1` (the outbox in
`pipeline.publish_run`); the summary computes, per ISO week in China time, what Kuaishou audits:
the report and on-time rates, late, missing and rejected reports by item, and the quality fill
rates of the latest `fill_rates` measurement.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from listings.compliance import (
    ComplianceInput,
    FillRates,
    ItemMedia,
    MeasuredFillRates,
    WeekSummary,
    fill_rates,
    overdue_reports,
    summarize_weeks,
    weeks_below_floor,
)
from listings.migrations import Migration, PublishBackend
from pipeline.clients import Platforms
from pipeline.publish_run import ReportOutcome, flush_supply_outbox
from pipeline.results import Breakdown, CheckVerdict, StageResult
from store.ledger import Ledger, LedgerState, ReportState
from store.warehouse import Warehouse

__all__ = [
    "compliance_weeks",
    "latest_fill_rates",
    "measure_fill_rates",
    "send_reports",
    "summarize_compliance",
]


async def _flush(
    migration: Migration, *, warehouse: Warehouse, ledger: Ledger, platforms: Platforms
) -> ReportOutcome:
    if migration.target.backend is not PublishBackend.KUAISHOU:
        # Published under the proxy's own app: its reports are the proxy's duty ("delegated").
        return ReportOutcome()
    async with platforms.kuaishou(migration, warehouse=warehouse) as client:
        return await flush_supply_outbox(migration=migration.key, client=client, ledger=ledger)


def _compliance_inputs(
    warehouse: Warehouse, migration_key: str, *, ledger: Ledger
) -> list[ComplianceInput]:
    """Every published item of a migration whose report is ours to send (not vv-tool's).

    The ledger and outbox come from `ledger` (the warehouse file, or PostgreSQL), the quality
    facts from the warehouse's `listings`: two stores, so the join is made here rather than in SQL.
    """
    reports = {int(r["rel_item_id"]): r for r in ledger.outbox_rows(migration_key)}
    quality = {
        r["source_item_id"]: r
        for r in warehouse.query(
            "SELECT source_item_id, main_image_count, has_video, has_short_title FROM listings "
            "WHERE migration = ?",
            [migration_key],
        )
    }
    inputs = []
    for rel, row in ledger.ledger(migration_key).items():
        report = reports.get(rel, {})
        if row["state"] != LedgerState.PUBLISHED or report.get("state") == ReportState.DELEGATED:
            continue
        inputs.append(
            ComplianceInput.model_validate(
                {
                    **quality.get(row["source_item_id"], {}),
                    **{k: report.get(k) for k in ("sent_at", "due_at", "state", "last_error")},
                    "source_item_id": row["source_item_id"],
                    "published_at": row["published_at"],
                }
            )
        )
    return sorted(inputs, key=lambda i: i.source_item_id or "")


def overdue_verdict(
    warehouse: Warehouse, migration_key: str, *, now: datetime, ledger: Ledger
) -> CheckVerdict:
    """Fails when any report's 24 h deadline has passed and it is still not sent."""
    late = overdue_reports(_compliance_inputs(warehouse, migration_key, ledger=ledger), now=now)
    return CheckVerdict(
        name="no_report_overdue",
        passed=not late,
        metadata={
            "overdue": len(late),
            "items": ", ".join(i.source_item_id or "?" for i in late[:20]) or "none",
        },
    )


def send_reports(
    migration: Migration, *, warehouse: Warehouse, ledger: Ledger, platforms: Platforms
) -> StageResult:
    """Send every due supply report of the migration; the outbox's state afterwards."""
    outcome = asyncio.run(
        _flush(migration, warehouse=warehouse, ledger=ledger, platforms=platforms)
    )
    outbox = ledger.outbox_rows(migration.key)
    published = sum(
        1 for r in ledger.ledger(migration.key).values() if r["state"] == LedgerState.PUBLISHED
    )
    overdue = overdue_verdict(warehouse, migration.key, now=datetime.now(UTC), ledger=ledger)
    sent = sum(1 for r in outbox if r["state"] == ReportState.SENT)
    delegated = sum(1 for r in outbox if r["state"] == ReportState.DELEGATED)
    shown = (
        "source_item_id",
        "kwai_item_id",
        "scene",
        "state",
        "attempts",
        "last_error",
        "due_at",
        "sent_at",
    )
    return StageResult(
        figures={
            "sent_this_run": outcome.sent,
            "failed_this_run": len(outcome.failed),
            "reported": sent,
            "delegated_to_backend": delegated,
            "published": published,
        },
        breakdowns={"scene": Breakdown("scene", Counter(f"scene {r['scene']}" for r in outbox))},
        preview=[{k: r[k] for k in shown} for r in outbox],
        row_count=sent,
        checks=[
            CheckVerdict(
                name="every_published_item_reported",
                passed=sent + delegated == published,
                severity="warn",
                metadata={"published": published, "reported": sent, "delegated": delegated},
            ),
            overdue,
        ],
    )


def latest_fill_rates(warehouse: Warehouse, migration_key: str) -> MeasuredFillRates | None:
    """The migration's latest `fill_rates` row (the fill_rates asset's), if any."""
    rows = warehouse.query(
        "SELECT * FROM fill_rates WHERE migration = ? ORDER BY computed_at DESC LIMIT 1",
        [migration_key],
    )
    return MeasuredFillRates.model_validate(rows[0]) if rows else None


def compliance_weeks(
    warehouse: Warehouse,
    migration_key: str,
    *,
    ledger: Ledger,
    now: datetime | None = None,
) -> list[WeekSummary]:
    """The migration's weeks as Kuaishou audits them, at `now` (injectable for tests)."""
    return summarize_weeks(
        _compliance_inputs(warehouse, migration_key, ledger=ledger),
        now=now,
        measured=latest_fill_rates(warehouse, migration_key),
    )


def report_rate_verdict(weeks: list[WeekSummary]) -> CheckVerdict:
    """Fails when any week's report rate is at or below 95 %."""
    below = weeks_below_floor(weeks)
    return CheckVerdict(
        name="weekly_report_rate_above_95_percent",
        passed=not below,
        metadata={
            "weeks_below_95_percent": ", ".join(
                f"{w.iso_week} ({w.report_rate:.2%})" for w in below
            )
            or "none",
            "worst_report_rate": min((w.report_rate for w in weeks), default=1.0),
        },
    )


def summarize_compliance(
    migration: Migration, *, warehouse: Warehouse, ledger: Ledger
) -> StageResult:
    """Write `compliance_summary`: one row per ISO week (China time) of the migration."""
    weeks = compliance_weeks(warehouse, migration.key, ledger=ledger)
    rows = [{"migration": migration.key, **week.model_dump()} for week in weeks]
    warehouse.replace_partition("compliance_summary", migration=migration.key, rows=rows)
    return StageResult(
        figures={
            "weeks": len(weeks),
            "worst_report_rate": min((w.report_rate for w in weeks), default=1.0),
            "overdue": sum(w.overdue for w in weeks),
            "rejected_reports": sum(w.rejected for w in weeks),
        },
        preview=[{k: v for k, v in r.items() if not isinstance(v, list)} for r in rows],
        row_count=len(rows),
        checks=[report_rate_verdict(weeks)],
    )


# A fill rate that falls by more than this since the last run, on the same source, is a regression
# of banjia's (images that stopped fetching, videos refused), not of the merchant's listings.
FILL_RATE_DROP = 0.05
_RATES = ("rate_main_images_3", "rate_ratio_34", "rate_video", "rate_short_title")


def _rates_verdict(current: FillRates, before: MeasuredFillRates | None) -> CheckVerdict:
    drops = {
        name: (float(getattr(before, name)), float(getattr(current, name)))
        for name in _RATES
        if before is not None and getattr(current, name) < getattr(before, name) - FILL_RATE_DROP
    }
    return CheckVerdict(
        name="fill_rates_not_below_last_run",
        passed=not drops,
        severity="warn",
        metadata={
            "dropped": ", ".join(f"{k}: {a:.1%} → {b:.1%}" for k, (a, b) in drops.items())
            or "none",
            "compared_with_run": before.run_id if before is not None else "none",
        },
    )


def measure_fill_rates(migration: Migration, *, warehouse: Warehouse, run_id: str) -> StageResult:
    """The quality fill rates of what this run sends, recorded per migration and run; a rate that
    fell since the last run is flagged."""
    rates = fill_rates(ItemMedia.model_validate(row) for row in warehouse.item_media(migration.key))
    before = latest_fill_rates(warehouse, migration.key)
    warehouse.record_fill_rates(
        {
            "migration": migration.key,
            "run_id": run_id,
            "computed_at": datetime.now(UTC),
            **rates.model_dump(),
        }
    )
    return StageResult(
        figures=dict(rates.model_dump()),
        row_count=rates.items,
        checks=[
            CheckVerdict(
                name="no_white_border_images_left",
                passed=rates.white_border_images_left == 0,
                severity="warn",
                metadata={"white_border_images_left": rates.white_border_images_left},
            ),
            _rates_verdict(rates, before),
        ],
    )
