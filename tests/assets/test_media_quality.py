"""Item videos and fill rates on the sandbox, end to end: a Taobao shop of 40 items, some with a
real MP4, some whose video is gone (404) or is a Flash file Kuaishou refuses.

Every served video reaches its item as `itemVideo{videoId, videoType: 1}`; a failed one is counted
and its item is published without it; a second run uploads no video again; each run stores its
fill rates (≥3 main images, 3:4, video, short title, white borders left) in `fill_rates`.
"""

from typing import Any

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.warehouse import Warehouse
from tests.assets.conftest import TAOBAO_DEMO_SOURCE, Materialize, materialize_migrations_file

MIGRATION = f"""
migrations:
  - key: taobao-demo
    mode: move
    max_items: 40
{TAOBAO_DEMO_SOURCE}
    target:
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
    category: {{min_confidence: 0.1}}  # this test is about media: let uncertain categories through
"""


@pytest.fixture(scope="module")
def first_run(
    materialize: Materialize, tmp_path_factory: pytest.TempPathFactory
) -> dg.ExecuteInProcessResult:
    return materialize_migrations_file(materialize, tmp_path_factory.mktemp("media"), MIGRATION)


def _metadata(run: dg.ExecuteInProcessResult, node: str) -> dict[str, Any]:
    (materialization,) = run.asset_materializations_for_node(node)
    return {key: value.value for key, value in materialization.metadata.items()}


def _videos(warehouse: Warehouse) -> list[dict[str, Any]]:
    return warehouse.query(
        "SELECT v.*, l.state, l.kwai_item_id FROM item_videos v LEFT JOIN kuaishou_drafts d "
        "USING (migration, source_item_id) LEFT JOIN publish_ledger l USING (rel_item_id) "
        "WHERE v.migration = 'taobao-demo'"
    )


def test_every_served_source_video_reaches_its_item_as_an_uploaded_material(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse, sandbox: Sandbox
) -> None:
    hosted = [r for r in _videos(warehouse) if r["status"] == "hosted"]
    assert hosted
    items = {item.kwai_item_id: item for item in sandbox.kuaishou.items.values()}
    for row in hosted:
        assert row["source_url"].endswith(".mp4") and "broken" not in row["source_url"]
        if row["state"] == "published":
            video = items[row["kwai_item_id"]].param["itemVideo"]
            assert video == {"videoId": row["video_id"], "videoType": 1}
    owned = {m.video_id for m in sandbox.kuaishou.materials.materials.values()}
    assert {r["video_id"] for r in hosted} <= owned


def test_a_gone_or_refused_video_is_counted_and_its_item_is_published_without_it(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse, sandbox: Sandbox
) -> None:
    failed = [r for r in _videos(warehouse) if r["status"] == "failed"]
    details = {r["detail"] for r in failed}
    assert "fetch failed: HTTP 404" in details
    assert any(d.startswith("upload refused: ") and "not an MP4" in d for d in details)
    metadata = _metadata(first_run, "item_videos")
    assert metadata["failed"] == len(failed)
    assert metadata["hosted"] + metadata["failed"] == metadata["items_with_source_video"]
    items = {item.kwai_item_id: item for item in sandbox.kuaishou.items.values()}
    published = [r for r in failed if r["state"] == "published"]
    assert published, "items with a failed video must still be published"
    assert all("itemVideo" not in items[r["kwai_item_id"]].param for r in published)
    quarantined = warehouse.query(
        "SELECT source_item_id FROM quarantine WHERE migration = 'taobao-demo'"
    )
    assert not {r["source_item_id"] for r in failed if r["state"] != "published"} - {
        q["source_item_id"] for q in quarantined
    }


def test_the_runs_fill_rates_are_stored_and_shown_in_its_metadata(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    (row,) = warehouse.query(
        "SELECT * FROM fill_rates WHERE migration = 'taobao-demo' AND run_id = ?",
        [first_run.run_id],
    )
    metadata = _metadata(first_run, "fill_rates")
    columns = (
        "items",
        "rate_main_images_3",
        "rate_ratio_34",
        "rate_video",
        "rate_short_title",
        "white_border_images_left",
    )
    assert {c: row[c] for c in columns} == {c: metadata[c] for c in columns}
    drafts = int(warehouse.scalar("SELECT count(*) FROM kuaishou_drafts") or 0)
    hosted_videos = _metadata(first_run, "item_videos")["hosted"]
    assert row["items"] == drafts > 0
    assert row["rate_video"] == round(hosted_videos / drafts, 4)
    assert row["white_border_images_left"] == 0
    assert row["rate_main_images_3"] >= 0.9 and row["rate_ratio_34"] >= 0.9


def test_a_second_run_uploads_no_video_again_and_records_its_own_fill_rates(
    first_run: dg.ExecuteInProcessResult,
    materialize: Materialize,
    warehouse: Warehouse,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tickets = len(sandbox.kuaishou.materials.tickets)
    hosted = _metadata(first_run, "item_videos")["hosted"]
    second = materialize_migrations_file(materialize, tmp_path_factory.mktemp("again"), MIGRATION)
    again = _metadata(second, "item_videos")
    assert (again["uploaded"], again["cache_hits"], again["hosted"]) == (0, hosted, hosted)
    assert len(sandbox.kuaishou.materials.tickets) == tickets
    runs = warehouse.query(
        "SELECT run_id FROM fill_rates WHERE migration = 'taobao-demo' ORDER BY computed_at"
    )
    assert [r["run_id"] for r in runs] == [first_run.run_id, second.run_id]
