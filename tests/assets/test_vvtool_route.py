"""A migration published through the vv-tool proxy instead of our own Kuaishou app.

Items land on the vv-tool emulator, each exactly once; images go by their public https URLs (no
upload); the supply reports are recorded as the proxy's duty, never sent by us; the run's charges
show in the metadata.
"""

from collections import Counter

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import TAOBAO_DEMO_SOURCE, Materialize, materialize_migrations_file

VVTOOL_MIGRATION = f"""
migrations:
  - key: taobao-demo
    mode: move
    max_items: 25
{TAOBAO_DEMO_SOURCE}
    target:
      backend: vvtool
      vvtool_client_id: vv_sandbox_account
      vvtool_client_secret_env: BANJIA_VVTOOL_CLIENT_SECRET
      vvtool_shop_id: "880001"
      category_tree_file: data/categories/kuaishou_sandbox_tree.csv
    category: {{min_confidence: 0.25}}
"""


@pytest.fixture(scope="module")
def vv_run(
    materialize: Materialize, tmp_path_factory: pytest.TempPathFactory
) -> dg.ExecuteInProcessResult:
    return materialize_migrations_file(materialize, tmp_path_factory.mktemp("vv"), VVTOOL_MIGRATION)


def test_items_are_created_once_each_on_the_proxy(
    vv_run: dg.ExecuteInProcessResult, sandbox: Sandbox, warehouse: Warehouse
) -> None:
    status = migration_status(warehouse, "taobao-demo", ledger=DuckDBLedger(warehouse))
    assert status["published"] > 0
    assert status["unaccounted"] == []
    created = Counter(item.rel_item_id for item in sandbox.vvtool.items.values())
    assert max(created.values()) == 1
    assert len(created) == status["published"]


def test_no_image_is_uploaded_and_no_report_is_sent_by_us(
    vv_run: dg.ExecuteInProcessResult, sandbox: Sandbox, warehouse: Warehouse
) -> None:
    assert sandbox.kuaishou.uploads == {}
    assert sandbox.kuaishou.reports == []
    states = {r["state"] for r in warehouse.query("SELECT state FROM supply_outbox")}
    assert states == {"delegated"}


def test_the_run_shows_what_the_proxy_charged(vv_run: dg.ExecuteInProcessResult) -> None:
    materializations = vv_run.asset_materializations_for_node("published_items")
    charged = materializations[0].metadata["vvtool_charged_this_run"].value
    assert charged and charged > 0


def test_source_videos_are_skipped_with_the_reason_and_no_material_is_uploaded(
    vv_run: dg.ExecuteInProcessResult, sandbox: Sandbox, warehouse: Warehouse
) -> None:
    rows = warehouse.query("SELECT status, detail FROM item_videos WHERE migration = 'taobao-demo'")
    assert rows, "the 25 items include some with a source video"
    assert {r["status"] for r in rows} == {"skipped"}
    assert all("itemVideoId" in r["detail"] and "decision 31" in r["detail"] for r in rows)
    assert sandbox.kuaishou.materials.tickets == {}
    (materialization,) = vv_run.asset_materializations_for_node("item_videos")
    assert materialization.metadata["skipped"].value == len(rows)


def test_white_bordered_source_images_sent_through_the_proxy_are_counted_as_left(
    vv_run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    bordered = warehouse.query(
        "SELECT source_url FROM media WHERE migration = 'taobao-demo' AND status = 'hosted' "
        "AND white_border_left"
    )
    assert bordered, "vv-tool takes the source URLs as they are, white borders and all"
    (materialization,) = vv_run.asset_materializations_for_node("fill_rates")
    assert materialization.metadata["white_border_images_left"].value == len(bordered)
    assert materialization.metadata["rate_video"].value == 0.0
