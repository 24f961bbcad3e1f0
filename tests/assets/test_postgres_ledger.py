"""Publishing and reporting on a PostgreSQL ledger: the Taobao demo shop, best sellers first, 10 a day.

The stage tables stay in the DuckDB file; the ledger, SKU map and outbox are in PostgreSQL
(`WarehouseResource(ledger_url=...)`), in a schema of this module's own, dropped afterwards.
"""

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from assets import extract, publish, report, transform
from assets.resources import MigrationsResource, WarehouseResource
from listings.model import Listing
from sandbox.app import Sandbox
from store.ledger import PostgresLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import TAOBAO_DEMO_SOURCE
from tests.conftest import POSTGRES_URL
from tests.dagster_instance import instance_with_migrations
from tests.inprocess import InProcessPlatforms

KEY = "taobao-demo"
QUOTA = 10
MIGRATIONS = f"""
migrations:
  - key: {KEY}
    mode: move
    max_items: 30
    daily_quota: {QUOTA}
    publish: {{priority: best_sellers}}
{TAOBAO_DEMO_SOURCE}
    target:
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
      publish_concurrency: 4
    category: {{min_confidence: 0.25}}
"""


@pytest.fixture(scope="module")
def schema(postgres_module_schema: str) -> str:
    """The module's scratch schema (tests/conftest.py: fails, never skips, without the server)."""
    return postgres_module_schema


@pytest.fixture(scope="module")
def ledger(schema: str) -> Iterator[PostgresLedger]:
    handle = PostgresLedger(POSTGRES_URL, schema=schema)
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def run(
    sandbox_env: dict[str, str],
    sandbox: Sandbox,
    warehouse_path: Path,
    schema: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> dg.ExecuteInProcessResult:
    path = tmp_path_factory.mktemp("pg-ledger") / "migrations.yaml"
    path.write_text(MIGRATIONS, encoding="utf-8")
    result = dg.materialize(
        dg.load_assets_from_modules([extract, transform, publish, report]),
        partition_key=KEY,
        instance=instance_with_migrations(path),
        resources={
            "warehouse": WarehouseResource(
                path=str(warehouse_path), ledger_url=POSTGRES_URL, ledger_schema=schema
            ),
            "migrations": MigrationsResource(path=str(path)),
            "platforms": InProcessPlatforms(client_rate_limits=False),
        },
    )
    assert result.success
    return result


def test_the_ledger_is_written_to_postgresql_and_matches_the_platform(
    run: dg.ExecuteInProcessResult, ledger: PostgresLedger, warehouse: Warehouse, sandbox: Sandbox
) -> None:
    published = {rel: row for rel, row in ledger.ledger(KEY).items() if row["state"] == "published"}
    on_platform = Counter(item.rel_item_id for item in sandbox.kuaishou.items.values())
    assert len(published) == QUOTA
    assert set(published) == set(on_platform) and max(on_platform.values()) == 1
    assert warehouse.scalar("SELECT count(*) FROM publish_ledger") == 0  # not in DuckDB
    assert len(ledger.outbox_rows(KEY)) == QUOTA


def test_the_quota_left_the_lesser_sellers_pending(
    run: dg.ExecuteInProcessResult, ledger: PostgresLedger, warehouse: Warehouse
) -> None:
    sales = {
        row["source_item_id"]: Listing.model_validate_json(row["listing"]).sales or 0
        for row in warehouse.query("SELECT source_item_id, listing FROM listings")
    }
    rows = ledger.ledger(KEY).values()
    published = [sales[r["source_item_id"]] for r in rows if r["state"] == "published"]
    pending = [sales[r["source_item_id"]] for r in rows if r["state"] == "pending"]
    assert pending, "the demo shop has more publishable items than the quota"
    assert min(published) >= max(pending)


def test_every_item_is_accounted_for_with_the_postgresql_ledger(
    run: dg.ExecuteInProcessResult, ledger: PostgresLedger, warehouse: Warehouse
) -> None:
    status = migration_status(warehouse, KEY, ledger=ledger)
    assert status["unaccounted"] == [] and status["overlapping"] == []
    assert status["published"] == QUOTA and status["pending"] > 0


def test_the_report_stages_send_every_report_from_the_postgresql_outbox(
    run: dg.ExecuteInProcessResult, ledger: PostgresLedger, sandbox: Sandbox
) -> None:
    outbox = ledger.outbox_rows(KEY)
    assert {r["state"] for r in outbox} == {"sent"} and len(outbox) == QUOTA
    reported = Counter(int(record.item["kwaiItemId"]) for record in sandbox.kuaishou.reports)
    assert set(reported) == {r["kwai_item_id"] for r in outbox} and max(reported.values()) == 1
    checks = {c.check_name: c.passed for c in run.get_asset_check_evaluations()}
    assert checks["every_published_item_reported"] and checks["no_report_overdue"]


def test_the_compliance_summary_counts_the_postgresql_ledger(
    run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    weeks = warehouse.query(
        "SELECT published, reported, report_rate FROM compliance_summary WHERE migration = ?", [KEY]
    )
    assert sum(w["published"] for w in weeks) == QUOTA
    assert all(w["reported"] == w["published"] and w["report_rate"] == 1.0 for w in weeks)
