"""A client written from Kuaishou's public documentation alone runs against the sandbox.

Nothing of banjia's client, models or signing is used: the signature is computed here from the
documented algorithm (API调用说明, kuaishou-api.md §5.2: sort the non-null system params, join
`k=v` with `&`, append `&signSecret=…`, HMAC-SHA256 keyed with the signSecret, Base64), requests
are plain httpx, each method sent as its documentation says (docs/kuaishou-methods.md). It does
what an integrator does (discover a leaf, read its config, upload images, publish, read the item
back, look it up by relItemId, report its supply) and then what a careless or hostile one does.
Every refusal must be the platform's envelope with `result != 1`, never a 5xx.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image

from sandbox.app import build_sandbox_app

anyio = pytest.mark.anyio

# The sandbox app's published demo credentials (data/sandbox.env), typed in as a user would.
APP_KEY = "ks_sandbox_app"
SIGN_SECRET = "sandbox-kuaishou-sign-secret"
ACCESS_TOKEN = "sandbox-kuaishou-access-token-demo"
BASE = "http://sandbox.test/kuaishou"
GET_METHODS = {
    "open.item.category",
    "open.item.category.config",
    "open.item.get",
    "open.item.list.get",
}


def documented_sign(params: dict[str, str], secret: str) -> str:
    """HMAC_SHA256 over `k=v&…&signSecret=secret` of the sorted non-null params, Base64."""
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if params[k] is not None)
    text += f"&signSecret={secret}"
    digest = hmac.new(secret.encode(), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def system_params(method: str, param: Any, *, secret: str = SIGN_SECRET) -> dict[str, str]:
    params = {
        "appkey": APP_KEY,
        "method": method,
        "version": "1",
        "param": param if isinstance(param, str) else json.dumps(param, ensure_ascii=False),
        "access_token": ACCESS_TOKEN,
        "timestamp": str(int(time.time() * 1000)),
        "signMethod": "HMAC_SHA256",
    }
    params["sign"] = documented_sign(params, secret)
    return params


class IndependentClient:
    """The documentation's request format, nothing more."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(self, method: str, params: dict[str, str], **extra: Any) -> httpx.Response:
        url = f"{BASE}/{method.replace('.', '/')}"
        if method in GET_METHODS:
            return await self.http.get(url, params=params)
        return await self.http.post(url, data=params, **extra)

    async def call(self, method: str, param: Any) -> dict[str, Any]:
        response = await self.send(method, system_params(method, param))
        return envelope(response)

    async def upload_bytes(self, data: bytes) -> str:
        params = system_params("open.item.image.upload", {"uploadType": 1})
        response = await self.send(
            "open.item.image.upload", params, files={"imgBytes": ("a.png", data, "image/png")}
        )
        body = envelope(response)
        assert body["result"] == 1, body
        url: str = body["data"]["kwaiImgUrl"]
        return url

    async def upload_url(self, url: str) -> str:
        params = system_params("open.item.image.upload", {"imgUrl": url, "uploadType": 1})
        # multipart, as documented, with the URL form of the upload and no file
        response = await self.send(
            "open.item.image.upload", params, files={"placeholder": ("", b"", "text/plain")}
        )
        body = envelope(response)
        assert body["result"] == 1, body
        kwai: str = body["data"]["kwaiImgUrl"]
        return kwai


def envelope(response: httpx.Response) -> dict[str, Any]:
    """The platform's answer: HTTP 200 (never 5xx) and a JSON object with an integer `result`."""
    assert response.status_code == 200, (response.status_code, response.text[:200])
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("result"), int), body
    if body["result"] != 1:
        assert body.get("error_msg"), body
    return body


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[IndependentClient]:
    transport = httpx.ASGITransport(app=build_sandbox_app())
    async with httpx.AsyncClient(transport=transport) as http:
        yield IndependentClient(http)


async def a_leaf_without_required_props(client: IndependentClient) -> tuple[int, str]:
    """A leaf category and its first refund rule, found the way an integrator finds them."""
    rows = (await client.call("open.item.category", {}))["data"]
    parents = {row["categoryPid"] for row in rows}
    for row in rows:
        if row["categoryId"] in parents:
            continue
        config = (
            await client.call("open.item.category.config", {"categoryId": row["categoryId"]})
        )["data"]
        if not any(p.get("required") for p in config.get("propConfigs", [])):
            rules = config["categoryConfig"]["refundRuleList"]
            return row["categoryId"], str(rules[0])  # int[] in the config, a string in refundRule
    raise AssertionError("no leaf without required attributes")


def item_param(
    category_id: int, refund_rule: str, images: list[str], rel_item_id: int
) -> dict[str, Any]:
    skus = [
        {
            "relSkuId": rel_item_id * 10 + n,
            "skuStock": 5,
            "skuSalePrice": 1990,
            "skuProps": [
                {
                    "propName": "颜色",
                    "propValueName": color,
                    "isMainProp": 1,
                    "imageUrl": image,
                    "propVersion": 1,
                }
            ],
        }
        for n, (color, image) in enumerate([("红色", images[0]), ("蓝色", images[1])])
    ]
    return {
        "title": "纯棉圆领T恤",
        "relItemId": rel_item_id,
        "categoryId": category_id,
        "imageUrls": images,
        "details": "100%纯棉。",
        "detailImageUrls": images[:1],
        "skuList": skus,
        "serviceRule": {"refundRule": refund_rule, "promiseDeliveryTime": 172800},
        "expressTemplateId": 0,
    }


async def published(client: IndependentClient, rel_item_id: int = 9_100_001) -> int:
    leaf, refund_rule = await a_leaf_without_required_props(client)
    images = [
        await client.upload_bytes(png((200, 30, 30))),
        await client.upload_url("https://img.alicdn.com/imgextra/i1/2206/blue.png"),
        await client.upload_url("https://img.alicdn.com/imgextra/i1/2206/green.jpg"),
    ]
    created = await client.call("open.item.new", item_param(leaf, refund_rule, images, rel_item_id))
    assert created["result"] == 1, created
    kwai_item_id: int = created["data"]["kwaiItemId"]
    return kwai_item_id


def report(kwai_item_id: int, scene: int) -> dict[str, Any]:
    return {
        "item": {
            "scene": scene,
            "itemId": "623917802188",
            "kwaiItemId": kwai_item_id,
            "originItemUrl": "https://item.taobao.com/item.htm?id=623917802188",
            "seller": {"platform": 3, "platformName": "淘宝"},
        }
    }


# --- the flow ----------------------------------------------------------------------------------


@anyio
async def test_publish_read_back_look_up_and_report(client: IndependentClient) -> None:
    kwai_item_id = await published(client)
    item = await client.call("open.item.get", {"kwaiItemId": kwai_item_id})
    found = await client.call("open.item.list.get", {"relItemId": 9_100_001})
    reported = await client.call("open.supply.item.sync", report(kwai_item_id, scene=2))
    assert item["data"]["itemId"] == kwai_item_id
    assert [i["kwaiItemId"] for i in found["data"]["items"]] == [kwai_item_id]
    assert reported["result"] == 1


# --- tampered and malformed requests: an envelope, never a 5xx ------------------------------------


@anyio
async def test_a_param_changed_after_signing_fails_the_signature(client: IndependentClient) -> None:
    params = system_params("open.item.category.config", {"categoryId": 1})
    params["param"] = '{"categoryId":2}'
    body = envelope(await client.send("open.item.category.config", params))
    assert body["result"] != 1
    assert "验签失败" in body["error_msg"]


@anyio
async def test_a_request_signed_with_another_secret_fails_the_signature(
    client: IndependentClient,
) -> None:
    params = system_params("open.item.category", {}, secret="someone-elses-secret")
    body = envelope(await client.send("open.item.category", params))
    assert "验签失败" in body["error_msg"]


@anyio
async def test_a_request_without_a_sign_is_refused(client: IndependentClient) -> None:
    params = system_params("open.item.category", {})
    del params["sign"]
    assert envelope(await client.send("open.item.category", params))["result"] != 1


@anyio
@pytest.mark.parametrize(
    "param", ["{not json", "[1, 2]", "[" * 3000 + "]" * 3000, '"a string"', '{"title":"\\ud800"}']
)
async def test_a_malformed_param_is_refused(client: IndependentClient, param: str) -> None:
    body = envelope(await client.send("open.item.new", system_params("open.item.new", param)))
    assert body["result"] != 1


@anyio
async def test_a_json_body_instead_of_a_form_is_refused(client: IndependentClient) -> None:
    params = system_params("open.item.new", {})
    response = await client.http.post(f"{BASE}/open/item/new", json=params)
    assert envelope(response)["result"] != 1


@anyio
@pytest.mark.parametrize("verb", ["PUT", "DELETE", "PATCH"])
async def test_an_undocumented_http_method_is_refused(client: IndependentClient, verb: str) -> None:
    response = await client.http.request(verb, f"{BASE}/open/item/new")
    assert envelope(response)["result"] != 1


@anyio
async def test_an_unknown_method_is_refused(client: IndependentClient) -> None:
    params = system_params("open.item.teleport", {})
    response = await client.http.post(f"{BASE}/open/item/teleport", data=params)
    assert envelope(response)["result"] != 1


@anyio
async def test_a_repeated_rel_item_id_is_refused(client: IndependentClient) -> None:
    await published(client, rel_item_id=9_100_002)
    leaf, refund_rule = await a_leaf_without_required_props(client)
    image = await client.upload_url("https://img.alicdn.com/imgextra/i1/2206/again.png")
    again = await client.call(
        "open.item.new", item_param(leaf, refund_rule, [image, image], 9_100_002)
    )
    assert again["result"] != 1


@anyio
async def test_a_main_image_not_hosted_by_kuaishou_is_refused(client: IndependentClient) -> None:
    leaf, refund_rule = await a_leaf_without_required_props(client)
    outside = ["https://img.alicdn.com/a.jpg", "https://img.alicdn.com/b.jpg"]
    body = await client.call("open.item.new", item_param(leaf, refund_rule, outside, 9_100_003))
    assert body["result"] != 1
    assert "imageUrls[0]" in body["sub_msg"]


@anyio
async def test_a_contradictory_scene_is_refused(client: IndependentClient) -> None:
    kwai_item_id = await published(client, rel_item_id=9_100_004)
    assert (await client.call("open.supply.item.sync", report(kwai_item_id, 2)))["result"] == 1
    contradiction = report(kwai_item_id, 1)
    assert (await client.call("open.supply.item.sync", contradiction))["result"] != 1


@anyio
async def test_an_oversized_body_is_refused(client: IndependentClient) -> None:
    params = system_params("open.item.new", {"title": "x" * (11 * 1024 * 1024)})
    assert envelope(await client.send("open.item.new", params))["result"] != 1
