"""The Kuaishou emulator accepts what the documentation accepts (docs/kuaishou-methods.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from connectors.kuaishou.methods import METHODS
from tests.connectors.kuaishou.conftest import item_param, png_bytes
from tests.sandbox import wire

anyio = pytest.mark.anyio
LEAF = 90011


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def call(
    http: httpx.AsyncClient, method: str, param: dict[str, Any], *, verb: str | None = None
) -> dict[str, Any]:
    """One signed call, sent as documented unless `verb` says otherwise; the envelope."""
    form = wire.kuaishou_form(method, json.dumps(param, ensure_ascii=False, separators=(",", ":")))
    path = "/kuaishou/" + method.replace(".", "/")
    verb = verb or METHODS[method].http_method
    if verb == "GET":
        response = await http.get(path, params=form)
    else:
        response = await http.post(path, data=form)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def upload(http: httpx.AsyncClient, color: tuple[int, int, int]) -> str:
    form = wire.kuaishou_form("open.item.image.upload", '{"uploadType":1}')
    response = await http.post(
        "/kuaishou/open/item/image/upload",
        data=form,
        files={"imgBytes": ("a.png", png_bytes(color), "image/png")},
    )
    url: str = response.json()["data"]["kwaiImgUrl"]
    return url


async def published(http: httpx.AsyncClient) -> int:
    urls = [await upload(http, (200, 30, 30)), await upload(http, (30, 30, 200))]
    param = item_param(urls).model_dump(by_alias=True, exclude_none=True, mode="json")
    body = await call(http, "open.item.new", param)
    kwai_item_id: int = body["data"]["kwaiItemId"]
    return kwai_item_id


@anyio
@pytest.mark.parametrize(
    "method", sorted(m for m, spec in METHODS.items() if spec.http_method == "GET")
)
async def test_a_documented_get_method_is_accepted_as_get(method: str) -> None:
    async with wire.client() as http:
        body = await call(http, method, {}, verb="GET")
    assert "POST" not in body.get("sub_msg", "")  # refused for its params at most, not its verb


@anyio
async def test_a_documented_post_method_sent_as_get_is_refused_in_the_envelope() -> None:
    async with wire.client() as http:
        body = await call(http, "open.item.new", {}, verb="GET")
    assert body["result"] == 10
    assert "documented as POST" in body["sub_msg"]


@anyio
async def test_open_item_get_by_get_returns_the_item() -> None:
    async with wire.client() as http:
        kwai_item_id = await published(http)
        body = await call(http, "open.item.get", {"kwaiItemId": kwai_item_id})
    assert body["result"] == 1
    assert body["data"]["itemId"] == kwai_item_id


@anyio
async def test_open_item_get_carries_the_documented_fields() -> None:
    documented = {
        "itemId",
        "relItemId",
        "categoryId",
        "categoryName",
        "parentCategoryId",
        "parentCategoryName",
        "rootCategoryId",
        "rootCategoryName",
        "title",
        "details",
        "imageUrls",
        "detailImageUrls",
        "skuInfos",
        "serviceRule",
        "auditStatus",
        "auditReason",
        "onOfflineStatus",
        "offlineReason",
        "itemPropValues",
        "expressTemplateId",
        "linkUrl",
        "shortTitle",
        "spuId",
    }
    async with wire.client() as http:
        kwai_item_id = await published(http)
        data = (await call(http, "open.item.get", {"kwaiItemId": kwai_item_id}))["data"]
    assert documented <= set(data)


@anyio
async def test_an_item_goes_on_the_shelf_once_approved() -> None:
    async with wire.client() as http:
        kwai_item_id = await published(http)
        first = (await call(http, "open.item.get", {"kwaiItemId": kwai_item_id}))["data"]
        second = (await call(http, "open.item.get", {"kwaiItemId": kwai_item_id}))["data"]
    assert (first["auditStatus"], first["onOfflineStatus"]) == (0, 0)
    assert (second["auditStatus"], second["onOfflineStatus"]) == (2, 1)


@anyio
async def test_category_config_returns_refund_rules_as_integers() -> None:
    async with wire.client() as http:
        body = await call(http, "open.item.category.config", {"categoryId": LEAF})
    rules = body["data"]["categoryConfig"]["refundRuleList"]
    assert rules and all(isinstance(rule, int) for rule in rules)


@anyio
async def test_an_image_is_uploaded_by_its_url() -> None:
    origin = "https://img.alicdn.com/imgextra/i1/2206/O1CN01a.png"
    async with wire.client() as http:
        form = wire.kuaishou_form(
            "open.item.image.upload", json.dumps({"imgUrl": origin, "uploadType": 1})
        )
        response = await http.post(
            "/kuaishou/open/item/image/upload", data=form, files={"unused": ("", b"", "text/plain")}
        )
    data = response.json()["data"]
    assert data["originImgUrl"] == origin
    assert data["kwaiImgUrl"].endswith(".png")


@anyio
@pytest.mark.parametrize("bad", ["ftp://x/a.png", "https://x/" + "a" * 2001, 12, "https://x/a b"])
async def test_an_image_url_that_is_no_http_url_is_refused(bad: object) -> None:
    async with wire.client() as http:
        form = wire.kuaishou_form(
            "open.item.image.upload", json.dumps({"imgUrl": bad, "uploadType": 1})
        )
        response = await http.post(
            "/kuaishou/open/item/image/upload", data=form, files={"unused": ("", b"", "text/plain")}
        )
    assert response.json()["result"] == 10
    assert "imgUrl" in response.json()["sub_msg"]


def move_report(kwai_item_id: int, scene: int = 2) -> dict[str, Any]:
    item: dict[str, Any] = {
        "scene": scene,
        "itemId": "623917802188",
        "kwaiItemId": kwai_item_id,
        "originItemUrl": "https://item.taobao.com/item.htm?id=623917802188",
        "seller": {"platform": 3, "platformName": "淘宝", "name": "小鹿生活馆"},
    }
    if scene == 1:
        item.update(
            title="纯棉圆领T恤",
            priceMin=1990,
            priceMax=2090,
            imageUrl="https://img.alicdn.com/a.jpg",
            categoryId=LEAF,
        )
    return {"item": item}


@anyio
async def test_a_report_contradicting_the_scene_already_reported_is_refused() -> None:
    async with wire.client() as http:
        kwai_item_id = await published(http)
        first = await call(http, "open.supply.item.sync", move_report(kwai_item_id, scene=2))
        second = await call(http, "open.supply.item.sync", move_report(kwai_item_id, scene=1))
    assert first["result"] == 1
    assert second["result"] == 10
    assert "already reported as scene 2" in second["sub_msg"]


@anyio
async def test_the_same_scene_reported_again_is_accepted() -> None:
    async with wire.client() as http:
        kwai_item_id = await published(http)
        first = await call(http, "open.supply.item.sync", move_report(kwai_item_id))
        again = await call(http, "open.supply.item.sync", move_report(kwai_item_id))
    assert (first["result"], again["result"]) == (1, 1)


@anyio
async def test_a_scene_2_report_may_carry_platform_at_the_item_level() -> None:
    async with wire.client() as http:
        kwai_item_id = await published(http)
        report = move_report(kwai_item_id)
        del report["item"]["seller"]
        report["item"].update(platform=3, platformName="淘宝", itemId=623917802188)
        body = await call(http, "open.supply.item.sync", report)
    assert body["result"] == 1, body


@anyio
async def test_a_scene_2_report_without_any_platform_name_is_refused() -> None:
    async with wire.client() as http:
        kwai_item_id = await published(http)
        report = move_report(kwai_item_id)
        del report["item"]["seller"]
        body = await call(http, "open.supply.item.sync", report)
    assert body["result"] == 10
    assert "platformName: required" in body["sub_msg"]


@anyio
async def test_system_params_in_the_query_of_a_multipart_upload_are_read() -> None:
    form = wire.kuaishou_form("open.item.image.upload", '{"uploadType":1}')
    async with wire.client() as http:
        response = await http.post(
            "/kuaishou/open/item/image/upload",
            params=form,
            files={"imgBytes": ("a.png", png_bytes((10, 120, 10)), "image/png")},
        )
    assert response.json()["result"] == 1, response.json()
