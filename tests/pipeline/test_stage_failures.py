"""No false green: one unreadable item is quarantined by name and the shop goes on; a stage that
fails for every item stops the run with one message; a quarantine that grows on an unchanged
source is flagged before anything is published."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.http import AsyncClosing, build_async_client
from connectors.platforms import Endpoints, EndpointsMode
from connectors.source import ListedItem, SourceReader
from connectors.sources import register
from listings.categories import CategoryDecision
from listings.cursor import ExtractCursor
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration, parse_migrations
from listings.model import Listing
from listings.source_platforms import SourceIdentity
from pipeline.clients import Platforms
from pipeline.drafts import draft_row
from pipeline.extract import extract, unstorable_field
from pipeline.media import host_images, quarantine_growth_verdict
from pipeline.results import StageFailedError
from sandbox.credentials import KUAISHOU_APP_KEY
from sandbox.inprocess import in_process_transport, reset_in_process_sandbox
from store import Warehouse
from tests.assets.conftest import sandbox_env_vars
from tests.inprocess import IN_PROCESS_URL
from tests.samples import sample_migration, tshirt

LONE_SURROGATE = "\udfff"


class _Client(AsyncClosing):
    def __init__(self) -> None:
        self._http = build_async_client(base_url="")


class _Reader:
    """Three items; the second's title holds a lone surrogate, as one TOP answer did."""

    async def list_items(self, *, cursor: ExtractCursor) -> AsyncIterator[ListedItem]:
        for i in (1, 2, 3):
            yield ListedItem(item_id=str(i), version="v1")

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        titles = {"1": "纯棉T恤", "2": f"纯棉T恤{LONE_SURROGATE}", "3": "亚麻衬衫"}
        return [{"id": i, "item": {"title": titles[i]}} for i in ids], []


class _FixtureSource:
    identity = SourceIdentity("fixture-shop", "测试货源")
    production_url = "https://fixture.example/api"
    sandbox_path = "/fixture/api"
    options_model = Mapping  # never validated in these tests

    def client(self, migration: Migration, **_: Any) -> _Client:
        return _Client()

    def reader(self, client: Any, migration: Migration) -> SourceReader:
        return _Reader()

    def item_id(self, payload: Mapping[str, Any]) -> str:
        return str(payload["id"])

    def parse(self, payload: dict[str, Any], *, migration: Migration, base_url: str) -> Listing:
        raise NotImplementedError("these tests stop at extract")


def _platforms(env: Mapping[str, str] | None = None) -> Platforms:
    return Platforms(
        endpoints=Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url=IN_PROCESS_URL),
        transport=in_process_transport(),
        rate_limited=False,
        env=env or {},
    )


def test_a_lone_surrogate_is_found_with_its_field_path() -> None:
    assert unstorable_field({"item": {"skus": [{"name": "ok"}, {"name": "x\udfff"}]}}) == (
        "item.skus[1].name"
    )
    assert unstorable_field({"title": "纯棉T恤"}) is None


def test_one_unreadable_item_is_quarantined_by_name_and_the_shop_goes_on(tmp_path: Path) -> None:
    register(_FixtureSource())  # type: ignore[arg-type]
    (migration,) = parse_migrations(
        """
migrations:
  - key: fixture
    mode: move
    source: {platform: fixture-shop, shop_id: s1, app_key: a, app_secret_env: X_SECRET,
             session_env: X_SESSION}
    target: {app_key: ks, sign_secret_env: KS_SIGN, access_token_env: KS_TOKEN}
"""
    ).migrations
    warehouse = Warehouse(tmp_path / "w.duckdb")
    result = extract(migration, warehouse=warehouse, platforms=_platforms())
    assert (result.figures["read"], result.figures["unreadable"]) == (2, 1)
    stored = warehouse.query("SELECT source_item_id FROM raw_listings ORDER BY 1")
    assert [r["source_item_id"] for r in stored] == ["1", "3"]
    (row,) = warehouse.query("SELECT source_item_id, reason_code, detail FROM quarantine")
    assert (row["source_item_id"], row["reason_code"]) == ("2", "unreadable_source_item")
    assert row["detail"].startswith("item.title: ")


def _drafts_with_images_that_all_fail(warehouse: Warehouse, migration: Migration) -> None:
    decision = CategoryDecision(
        category_id=90011, path="男装>T恤", confidence=1.0, layer="override"
    )
    broken = tuple(f"{IN_PROCESS_URL}/nowhere/gone-{n}.jpg" for n in range(3))
    draft = build_draft(
        tshirt(main_images=broken, detail_images=()), decision=decision, migration=migration
    )
    assert isinstance(draft, KuaishouDraft)
    warehouse.append_rows("kuaishou_drafts", [draft_row(migration.key, draft)])


def test_a_media_stage_whose_every_image_fails_stops_with_one_message(tmp_path: Path) -> None:
    reset_in_process_sandbox()
    sample = sample_migration()
    migration = sample.model_copy(
        update={"target": sample.target.model_copy(update={"app_key": KUAISHOU_APP_KEY})}
    )
    warehouse = Warehouse(tmp_path / "w.duckdb")
    _drafts_with_images_that_all_fail(warehouse, migration)
    env = sandbox_env_vars()
    platforms = _platforms(
        {
            "KS_SIGN": env["BANJIA_KUAISHOU_SIGN_SECRET"],
            "KS_TOKEN": env["BANJIA_KUAISHOU_ACCESS_TOKEN"],
        }
    )
    with pytest.raises(StageFailedError, match=r"all \d+ images failed .*HTTP 404.*reachable"):
        host_images(migration, warehouse=warehouse, platforms=platforms)


def _source(warehouse: Warehouse, version: str) -> None:
    warehouse.replace_partition(
        "raw_listings",
        migration="m",
        rows=[
            {
                "migration": "m",
                "platform": "taobao",
                "shop_id": "s",
                "source_item_id": str(i),
                "payload": "{}",
                "fetched_at": datetime.now(UTC),
                "version": version,
            }
            for i in range(3)
        ],
    )


def _quarantine(warehouse: Warehouse, *ids: str) -> None:
    warehouse.replace_quarantine(
        migration="m",
        stages=["media"],
        rows=[
            {"source_item_id": i, "stage": "media", "reason_code": "x", "detail": "d"} for i in ids
        ],
    )


def test_a_quarantine_that_grows_on_an_unchanged_source_fails_its_check(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    _source(warehouse, "v1")
    _quarantine(warehouse, "0")
    assert quarantine_growth_verdict(warehouse, "m").passed  # the first run has nothing to compare
    _quarantine(warehouse, "0", "1", "2")
    grown = quarantine_growth_verdict(warehouse, "m")
    assert not grown.passed
    assert (grown.metadata["quarantined_after_last_run"], grown.metadata["quarantined_now"]) == (
        1,
        3,
    )


def test_a_quarantine_that_grows_with_the_source_changed_passes(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    _source(warehouse, "v1")
    _quarantine(warehouse, "0")
    quarantine_growth_verdict(warehouse, "m")
    _source(warehouse, "v2")
    _quarantine(warehouse, "0", "1")
    assert quarantine_growth_verdict(warehouse, "m").passed
