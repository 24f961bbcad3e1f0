"""Shared fixtures: the Kuaishou sandbox in-process, clients on it, valid item params, images."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx
import pytest
from PIL import Image

from connectors.kuaishou import (
    ItemNewParam,
    KuaishouClient,
    ServiceRule,
    SkuDTO,
    SkuPropDTO,
)
from connectors.sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from connectors.sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app

BASE_URL = "http://kuaishou.sandbox"
LEAF_CATEGORY = 90011  # synthetic 男装 > T恤
ROOT_CATEGORY = 90001  # synthetic 男装

MakeParam = Callable[..., ItemNewParam]
MakeClient = Callable[..., KuaishouClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> KuaishouSandbox:
    return KuaishouSandbox()


@pytest.fixture
def client_for(sandbox: KuaishouSandbox) -> MakeClient:
    """A client on the sandbox with the sandbox credentials; keyword arguments override them."""

    def make(**overrides: Any) -> KuaishouClient:
        kwargs: dict[str, Any] = {
            "base_url": BASE_URL,
            "app_key": KUAISHOU_APP_KEY,
            "sign_secret": KUAISHOU_SIGN_SECRET,
            "access_token": KUAISHOU_ACCESS_TOKEN,
            "transport": httpx.ASGITransport(app=build_kuaishou_app(sandbox)),
        }
        kwargs.update(overrides)
        return KuaishouClient(**kwargs)

    return make


@pytest.fixture
async def client(client_for: MakeClient) -> AsyncIterator[KuaishouClient]:
    async with client_for() as kuaishou:
        yield kuaishou


def png_bytes(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def make_png() -> Callable[..., bytes]:
    return png_bytes


@pytest.fixture
async def kwai_urls(client: KuaishouClient) -> list[str]:
    """Two images uploaded to the sandbox, so items may use their URLs."""
    first = await client.upload_image(png_bytes((200, 30, 30)), filename="red.png")
    second = await client.upload_image(png_bytes((30, 30, 200)), filename="blue.png")
    return [first.kwai_img_url, second.kwai_img_url]


def item_param(
    urls: Sequence[str] = ("https://kwai.example/red.png", "https://kwai.example/blue.png"),
    **overrides: Any,
) -> ItemNewParam:
    """A valid 2×2 item: 颜色 (main prop, with images) × 尺码, all four combinations."""
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


@pytest.fixture
def make_param() -> MakeParam:
    return item_param
