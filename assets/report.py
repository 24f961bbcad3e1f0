"""Report: supply reports through the durable outbox, and the compliance summary Kuaishou audits."""

import asyncio
from collections import Counter

import dagster as dg

from assets.metadata import counts_table, markdown_table
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from connectors.publishing import ReportOutcome, flush_supply_outbox
from connectors.warehouse import Warehouse
from listings.compliance import ComplianceInput, summarize_weeks
from listings.migrations import Migration, PublishBackend

REPORT_RATE_FLOOR = 0.95


async def _flush(
    platforms: PlatformsResource, migration: Migration, store: Warehouse
) -> ReportOutcome:
    if migration.target.backend is not PublishBackend.KUAISHOU:
        # Published under the proxy's own app: its reports are the proxy's duty ("delegated").
        return ReportOutcome()
    async with platforms.kuaishou(migration, warehouse=store) as client:
        return await flush_supply_outbox(migration=migration.key, client=client, warehouse=store)


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "api"},
    deps=["published_items"],
    description="One open.supply.item.sync report per published item, retried until result == 1.",
    check_specs=[dg.AssetCheckSpec("every_published_item_reported", asset="supply_reports")],
)
def supply_reports(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    outcome = asyncio.run(_flush(platforms, migration, store))
    outbox = store.query(
        "SELECT source_item_id, kwai_item_id, scene, state, attempts, last_error, due_at, sent_at "
        "FROM supply_outbox WHERE migration = ? ORDER BY source_item_id",
        [migration.key],
    )
    published = int(
        store.scalar(
            "SELECT count(*) FROM publish_ledger WHERE migration = ? AND state = 'published'",
            [migration.key],
        )
        or 0
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
            "preview": markdown_table(outbox),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="every_published_item_reported",
                passed=sent + delegated == published,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"published": published, "reported": sent, "delegated": delegated},
            )
        ],
    )


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "python"},
    deps=["supply_reports"],
    description="Per ISO week: report rate, on-time rate and the quality fill rates Kuaishou ranks.",
    check_specs=[dg.AssetCheckSpec("report_rate_above_95_percent", asset="compliance_summary")],
)
def compliance_summary(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    rows = store.query(
        "SELECT l.published_at, o.sent_at, o.due_at, s.main_image_count, s.has_video, "
        "s.has_short_title FROM publish_ledger l "
        "LEFT JOIN supply_outbox o USING (rel_item_id) "
        "LEFT JOIN listings s ON s.migration = l.migration AND s.source_item_id = l.source_item_id "
        "WHERE l.migration = ? AND l.state = 'published' "
        "AND coalesce(o.state, 'pending') <> 'delegated'",
        [migration.key],
    )
    weeks = summarize_weeks([ComplianceInput.model_validate(r) for r in rows])
    summary_rows = [{"migration": migration.key, **week.model_dump()} for week in weeks]
    store.replace_partition("compliance_summary", migration=migration.key, rows=summary_rows)
    worst = min((w.report_rate for w in weeks), default=1.0)
    return dg.MaterializeResult(
        metadata={
            "weeks": len(weeks),
            "worst_report_rate": worst,
            "dagster/row_count": len(summary_rows),
            "preview": markdown_table(summary_rows),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="report_rate_above_95_percent",
                passed=all(w.report_rate > REPORT_RATE_FLOOR and w.overdue == 0 for w in weeks),
                metadata={"worst_report_rate": worst, "overdue": sum(w.overdue for w in weeks)},
            )
        ],
    )
