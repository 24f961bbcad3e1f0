"""A new source platform is one connector object plus one `register` call: nothing else changes.

This test declares a made-up platform (小红书-like `xhs-demo`), with its own API served by a tiny
emulator written here, registers it from the test alone, and moves its shop into the in-process
Kuaishou sandbox through every asset: extract, transform, media, publish and the supply report,
which names the platform as its identity says (scene 2, platform 3, its own platformName).
"""

from __future__ import annotations

import io
import random
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import dagster as dg
import httpx
import pytest
from PIL import Image
from pydantic import BaseModel, ConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from assets.definitions import defs
from assets.resources import MigrationsResource, WarehouseResource
from connectors.http import AsyncClosing, build_async_client
from connectors.platforms import AsyncTransport
from connectors.source import ListedItem, SourceReader, read_secret
from connectors.sources import register, registered
from listings.cursor import ExtractCursor
from listings.migrations import Migration
from listings.model import ItemProp, Listing, Sku, SourceCategory, SourcePlatform, SpecValue
from listings.source_platforms import SourceIdentity
from sandbox.app import build_sandbox_app
from sandbox.inprocess import reset_in_process_sandbox
from store import DuckDBLedger, Warehouse, migration_status
from tests.assets.conftest import sandbox_env_vars
from tests.conftest import without_qps_limits
from tests.dagster_instance import instance_with_migrations
from tests.inprocess import IN_PROCESS_URL, InProcessPlatforms

PLATFORM = "xhs-demo"
BASE = f"{IN_PROCESS_URL}/xhs"
TSHIRT_LEAF = 90011  # 男装 > T恤 in data/categories/kuaishou_sandbox_tree.csv


# --- the platform's API, as its emulator serves it -------------------------------------------------


def _picture(seed: int) -> bytes:
    """A 600×800 photo-like JPEG (noise, no white border): what a real product shot is to the rules."""
    rng = random.Random(seed)
    image = Image.new("RGB", (60, 80))
    image.putdata([(rng.randrange(40, 200), rng.randrange(40, 200), 90) for _ in range(60 * 80)])
    out = io.BytesIO()
    image.resize((600, 800)).save(out, format="JPEG", quality=85)
    return out.getvalue()


def _note(item_id: int) -> dict[str, Any]:
    return {
        "note_id": str(item_id),
        "updated": f"2026-11-0{item_id % 9 + 1}T10:00:00+08:00",
        "title": f"男士纯棉短袖T恤夏季圆领宽松打底衫 款{item_id}",
        "category": ["服饰", "男装", "T恤"],
        "images": [f"{BASE}/img/{item_id}-{n}.jpg" for n in range(3)],
        "skus": [
            {"sku_id": f"{item_id}-{size}", "size": size, "price_yuan": "59.90", "stock": 20}
            for size in ("M", "L", "XL")
        ],
    }


def xhs_app(token: str) -> Starlette:
    """Lists notes and serves one by id, to a bearer token; serves the pictures."""
    notes = {i: _note(i) for i in (101, 102, 103)}

    def authorized(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {token}"

    async def listing(request: Request) -> Response:
        if not authorized(request):
            return JSONResponse({"error": "invalid token"}, status_code=401)
        rows = [{"note_id": n["note_id"], "updated": n["updated"]} for n in notes.values()]
        return JSONResponse({"notes": rows})

    async def one(request: Request) -> Response:
        if not authorized(request):
            return JSONResponse({"error": "invalid token"}, status_code=401)
        note = notes.get(int(request.path_params["note_id"]))
        return JSONResponse(note) if note else JSONResponse({"error": "gone"}, status_code=404)

    async def picture(request: Request) -> Response:
        return Response(_picture(hash(request.path_params["name"])), media_type="image/jpeg")

    return Starlette(
        routes=[
            Route("/api/notes", listing),
            Route("/api/notes/{note_id}", one),
            Route("/img/{name}", picture),
        ]
    )


# --- the connector: what a new folder under connectors/ would hold ---------------------------------


class XhsClient(AsyncClosing):
    def __init__(self, *, base_url: str, token: str, transport: Any = None) -> None:
        self._http = build_async_client(
            base_url=base_url, transport=transport, headers={"authorization": f"Bearer {token}"}
        )

    async def get(self, path: str) -> Any:
        response = await self._http.get(path)
        response.raise_for_status()
        return response.json()


class XhsReader:
    def __init__(self, client: XhsClient) -> None:
        self._client = client

    async def list_items(self, *, cursor: ExtractCursor) -> AsyncIterator[ListedItem]:
        for row in (await self._client.get("/notes"))["notes"]:
            yield ListedItem(item_id=row["note_id"], version=row["updated"])

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        return [await self._client.get(f"/notes/{i}") for i in ids], []


class XhsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    include_drafts: bool = False


class XhsSource:
    identity = SourceIdentity(PLATFORM, "小红书")
    production_url = "https://api.xhs.example/api"
    sandbox_path = "/xhs/api"
    options_model = XhsOptions

    def client(
        self,
        migration: Migration,
        *,
        base_url: str,
        env: Mapping[str, str],
        transport: Any = None,
        rate_per_second: float | None = None,
    ) -> XhsClient:
        token = read_secret(
            env, migration.source.session_env, migration=migration.key, field="source.session_env"
        )
        return XhsClient(base_url=base_url, token=token, transport=transport)

    def reader(self, client: XhsClient, migration: Migration) -> SourceReader:
        return XhsReader(client)

    def item_id(self, payload: Mapping[str, Any]) -> str:
        return str(payload["note_id"])

    def parse(self, payload: dict[str, Any], *, migration: Migration, base_url: str) -> Listing:
        return Listing(
            platform=SourcePlatform(PLATFORM),
            shop_id=migration.source.shop_id,
            source_item_id=str(payload["note_id"]),
            title=payload["title"],
            category=SourceCategory(path=tuple(payload["category"])),
            props=(ItemProp(name="材质", value="棉"),),
            skus=tuple(
                Sku(
                    source_sku_id=s["sku_id"],
                    specs=(SpecValue(name="尺码", value=s["size"]),),
                    price_fen=round(float(s["price_yuan"]) * 100),
                    stock=s["stock"],
                )
                for s in payload["skus"]
            ),
            main_images=tuple(payload["images"]),
            origin_url=f"https://www.xhs.example/goods/{payload['note_id']}",
        )

    async def probe(self, client: XhsClient) -> str:
        await client.get("/notes")
        return "the note list answered"


# --- the migration, and a run of every asset ---------------------------------------------------


# The partitions are the demo's keys (static partitions, decision 2): the made-up shop borrows one.
KEY = "taobao-demo"
MIGRATIONS = f"""
migrations:
  - key: {KEY}
    mode: move
    source:
      platform: {PLATFORM}
      shop_id: xhs-seller-1
      app_key: xhs-app
      app_secret_env: XHS_APP_SECRET
      session_env: XHS_TOKEN
      options: {{include_drafts: false}}
    target:
      backend: kuaishou
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
    category:
      overrides: {{"服饰>男装>T恤": {TSHIRT_LEAF}}}
    daily_quota: 500
"""


class WithXhs(InProcessPlatforms):
    """The in-process sandbox, plus the made-up platform's emulator under /xhs."""

    def transport(self) -> AsyncTransport | None:
        app = Starlette(
            routes=[Mount("/xhs", app=xhs_app("xhs-token")), Mount("/", app=_SANDBOX_APP[0])]
        )
        return httpx.ASGITransport(app=app)


_SANDBOX_APP: list[Starlette] = []


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, Any]]:
    register(XhsSource())
    sandbox = without_qps_limits(reset_in_process_sandbox())
    _SANDBOX_APP[:] = [build_sandbox_app(sandbox)]
    directory = tmp_path_factory.mktemp("xhs")
    (directory / "migrations.yaml").write_text(MIGRATIONS, encoding="utf-8")
    warehouse = Warehouse(directory / "warehouse.duckdb")
    env = {**sandbox_env_vars(), "XHS_APP_SECRET": "s", "XHS_TOKEN": "xhs-token"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        result = dg.materialize(
            list(defs.assets or []),
            partition_key=KEY,
            instance=instance_with_migrations(directory / "migrations.yaml"),
            resources={
                "warehouse": WarehouseResource(path=str(directory / "warehouse.duckdb")),
                "migrations": MigrationsResource(path=str(directory / "migrations.yaml")),
                "platforms": WithXhs(client_rate_limits=False),
            },
        )
    assert result.success
    yield warehouse, sandbox
    reset_in_process_sandbox()


def test_the_made_up_platform_is_registered_from_the_test_alone() -> None:
    register(XhsSource())
    assert PLATFORM in registered()


def test_every_item_of_the_new_platform_is_published_once(run: tuple[Warehouse, Any]) -> None:
    warehouse, sandbox = run
    status = migration_status(warehouse, KEY, ledger=DuckDBLedger(warehouse))
    assert (status["source_items"], status["published"], status["quarantined"]) == (3, 3, 0)
    assert (
        sorted(int(i.param["categoryId"]) for i in sandbox.kuaishou.items.values())
        == [TSHIRT_LEAF] * 3
    )


def test_its_supply_reports_name_the_platform_by_its_identity(run: tuple[Warehouse, Any]) -> None:
    _, sandbox = run
    sellers = {
        (r.item["scene"], r.item["seller"]["platform"], r.item["seller"]["platformName"])
        for r in sandbox.kuaishou.reports
    }
    assert sellers == {(2, 3, "小红书")}
    assert len(sandbox.kuaishou.reports) == 3
