"""Shared fixtures: the vv-tool sandbox in-process, clients and publishers on it, valid requests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx
import pytest

from connectors.kuaishou import ItemNewParam, ServiceRule, SkuDTO, SkuPropDTO
from connectors.sandbox.vvtool import VvtoolSandbox, build_vvtool_app
from connectors.sandbox.vvtool_credentials import (
    VVTOOL_CLIENT_ID,
    VVTOOL_CLIENT_SECRET,
    VVTOOL_SHOP_ID,
)
from connectors.vvtool import VvtoolClient, VvtoolItemNewRequest, to_vvtool_request

BASE_URL = "http://vvtool.sandbox"
TOKEN_URL = "/api/proxy/oauth/token"
LEAF_CATEGORY = 90011  # synthetic 男装 > T恤 (data/ category tree shared with the Kuaishou sandbox)

MakeClient = Callable[..., VvtoolClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> VvtoolSandbox:
    return VvtoolSandbox()


@pytest.fixture
def client_for(sandbox: VvtoolSandbox) -> MakeClient:
    """A client on the sandbox with the sandbox credentials; keyword arguments override them.

    The rate limiter is off unless a test asks for it, so tests run fast; the limiter has its own
    test.
    """

    def make(**overrides: Any) -> VvtoolClient:
        kwargs: dict[str, Any] = {
            "base_url": BASE_URL,
            "token_url": TOKEN_URL,
            "client_id": VVTOOL_CLIENT_ID,
            "client_secret": VVTOOL_CLIENT_SECRET,
            "shop_id": VVTOOL_SHOP_ID,
            "transport": httpx.ASGITransport(app=build_vvtool_app(sandbox)),
            "rate_per_second": None,
        }
        kwargs.update(overrides)
        return VvtoolClient(**kwargs)

    return make


@pytest.fixture
async def client(client_for: MakeClient) -> AsyncIterator[VvtoolClient]:
    async with client_for() as vvtool:
        yield vvtool


def item_param(
    urls: Sequence[str] = ("https://img.example.com/red.png", "https://img.example.com/blue.png"),
    **overrides: Any,
) -> ItemNewParam:
    """A valid official param: 颜色 (main prop, with images) × 尺码, all four combinations."""
    red, blue = urls[0], urls[1]
    skus = []
    for n, (color, image) in enumerate([("红色", red), ("蓝色", blue)]):
        for m, size in enumerate(["M", "L"]):
            skus.append(
                SkuDTO(
                    rel_sku_id=100 + 2 * n + m,
                    sku_stock=10,
                    sku_sale_price=1990 + 100 * m,
                    sku_props=[
                        SkuPropDTO(
                            prop_name="颜色", prop_value_name=color, is_main_prop=1, image_url=image
                        ),
                        SkuPropDTO(prop_name="尺码", prop_value_name=size, is_main_prop=0),
                    ],
                )
            )
    fields: dict[str, Any] = {
        "title": "纯棉圆领T恤",
        "rel_item_id": 7_000_001,
        "category_id": LEAF_CATEGORY,
        "image_urls": [red, blue],
        "details": "100%纯棉，宽松版型。",
        "detail_image_urls": [red],
        "sku_list": skus,
        "service_rule": ServiceRule(refund_rule="1", promise_delivery_time=172_800),
    }
    fields.update(overrides)
    return ItemNewParam(**fields)


def item_request(**overrides: Any) -> VvtoolItemNewRequest:
    """A valid ks-item-new request (the official param above, converted)."""
    return to_vvtool_request(item_param(**overrides), shop_id=VVTOOL_SHOP_ID).request
