"""Report: supply reports through the durable outbox, and the compliance summary Kuaishou audits."""

import asyncio
from collections import Counter
from datetime import UTC, datetime

import dagster as dg

from assets.metadata import counts_table, markdown_table
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from connectors.ledger import Ledger, LedgerState, ReportState
from connectors.publishing import ReportOutcome, flush_supply_outbox
from connectors.warehouse import Warehouse
from listings.compliance import (
    ComplianceInput,
    MeasuredFillRates,
    WeekSummary,
    overdue_reports,
    summarize_weeks,
    weeks_below_floor,
)
from listings.migrations import Migration, PublishBackend


async def _flush(
    platforms: PlatformsResource, migration: Migration, *, store: Warehouse, ledger: Ledger
) -> ReportOutcome:
    if migration.target.backend is not PublishBackend.KUAISHOU:
        # Published under the proxy's own app: its reports are the proxy's duty ("delegated").
        return ReportOutcome()
    async with platforms.kuaishou(migration, warehouse=store) as client:  # tokens: the warehouse
        return await flush_supply_outbox(migration=migration.key, client=client, warehouse=ledger)


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "api"},
    deps=["published_items"],
    description="One open.supply.item.sync report per published item, retried until result == 1.",
    check_specs=[
        dg.AssetCheckSpec("every_published_item_reported", asset="supply_reports"),
        dg.AssetCheckSpec(
            "no_report_overdue",
            asset="supply_reports",
            description="No report unsent past its 24 h deadline. Not blocking: the summary "
            "downstream is the record of that very breach (decision 37).",
        ),
    ],
)
def supply_reports(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    ledger = warehouse.ledger(store)  # the outbox: DuckDB, or PostgreSQL for several workers
    try:
        outcome = asyncio.run(_flush(platforms, migration, store=store, ledger=ledger))
        outbox = ledger.outbox_rows(migration.key)
        published = sum(
            1 for r in ledger.ledger(migration.key).values() if r["state"] == LedgerState.PUBLISHED
        )
        overdue = overdue_result(store, migration.key, now=datetime.now(UTC), ledger=ledger)
    finally:
        ledger.close()
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
    sent = sum(1 for r in outbox if r["state"] == "sent")
    delegated = sum(1 for r in outbox if r["state"] == "delegated")
    return dg.MaterializeResult(
        metadata={
            "sent_this_run": outcome.sent,
            "failed_this_run": len(outcome.failed),
            "reported": sent,
            "delegated_to_backend": delegated,
            "published": published,
            "scene": counts_table(Counter(f"scene {r['scene']}" for r in outbox)),
            "dagster/row_count": sent,
            "preview": markdown_table([{k: r[k] for k in shown} for r in outbox]),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="every_published_item_reported",
                passed=sent + delegated == published,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"published": published, "reported": sent, "delegated": delegated},
            ),
            overdue,
        ],
    )


def _compliance_inputs(
    store: Warehouse, migration_key: str, *, ledger: Ledger | None = None
) -> list[ComplianceInput]:
    """Every published item of a migration whose report is ours to send (not vv-tool's).

    The ledger and outbox come from `ledger` (the warehouse itself when it holds them, or the
    PostgreSQL ledger), the quality facts from the warehouse's `listings`: two stores, so the join
    is made here rather than in SQL.
    """
    book = ledger or store
    reports = {int(r["rel_item_id"]): r for r in book.outbox_rows(migration_key)}
    quality = {
        r["source_item_id"]: r
        for r in store.query(
            "SELECT source_item_id, main_image_count, has_video, has_short_title FROM listings "
            "WHERE migration = ?",
            [migration_key],
        )
    }
    inputs = []
    for rel, row in book.ledger(migration_key).items():
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


def latest_fill_rates(store: Warehouse, migration_key: str) -> MeasuredFillRates | None:
    """The migration's latest `media_fill_rates` row (the fill_rates asset's), if any."""
    rows = store.query(
        "SELECT * FROM media_fill_rates WHERE migration = ? ORDER BY computed_at DESC LIMIT 1",
        [migration_key],
    )
    return MeasuredFillRates.model_validate(rows[0]) if rows else None


def compliance_weeks(
    store: Warehouse,
    migration_key: str,
    *,
    now: datetime | None = None,
    ledger: Ledger | None = None,
) -> list[WeekSummary]:
    """The migration's weeks as Kuaishou audits them, at `now` (injectable for tests); the ledger
    and outbox from `ledger` (default: the warehouse's own tables)."""
    return summarize_weeks(
        _compliance_inputs(store, migration_key, ledger=ledger),
        now=now,
        measured=latest_fill_rates(store, migration_key),
    )


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "python"},
    deps=["supply_reports"],
    description="Per ISO week (China time): report rate, on-time rate, late, missing and rejected "
    "reports by item, and the quality fill rates Kuaishou ranks.",
    check_specs=[
        dg.AssetCheckSpec(
            "weekly_report_rate_above_95_percent",
            asset="compliance_summary",
            description="The rule's bar: every week's report rate above 95 % (95 % fails).",
        )
    ],
)
def compliance_summary(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    ledger = warehouse.ledger(store)
    try:
        weeks = compliance_weeks(store, migration.key, ledger=ledger)
    finally:
        ledger.close()
    summary_rows = [{"migration": migration.key, **week.model_dump()} for week in weeks]
    store.replace_partition("compliance_summary", migration=migration.key, rows=summary_rows)
    worst = min((w.report_rate for w in weeks), default=1.0)
    return dg.MaterializeResult(
        metadata={
            "weeks": len(weeks),
            "worst_report_rate": worst,
            "overdue": sum(w.overdue for w in weeks),
            "rejected_reports": sum(w.rejected for w in weeks),
            "dagster/row_count": len(summary_rows),
            "preview": markdown_table(
                [{k: v for k, v in r.items() if not isinstance(v, list)} for r in summary_rows]
            ),
        },
        check_results=[report_rate_result(weeks)],
    )


def report_rate_result(weeks: list[WeekSummary]) -> dg.AssetCheckResult:
    """Fails (ERROR) when any week's report rate is at or below 95 %."""
    below = weeks_below_floor(weeks)
    return dg.AssetCheckResult(
        check_name="weekly_report_rate_above_95_percent",
        passed=not below,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "weeks_below_95_percent": ", ".join(
                f"{w.iso_week} ({w.report_rate:.2%})" for w in below
            )
            or "none",
            "worst_report_rate": min((w.report_rate for w in weeks), default=1.0),
        },
    )


def overdue_result(
    store: Warehouse, migration_key: str, *, now: datetime, ledger: Ledger | None = None
) -> dg.AssetCheckResult:
    """Fails (ERROR) when any report's 24 h deadline has passed and it is still not sent."""
    late = overdue_reports(_compliance_inputs(store, migration_key, ledger=ledger), now=now)
    return dg.AssetCheckResult(
        check_name="no_report_overdue",
        passed=not late,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "overdue": len(late),
            "items": ", ".join(i.source_item_id or "?" for i in late[:20]) or "none",
        },
    )
