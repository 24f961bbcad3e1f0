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
)
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app
from tests.samples import TSHIRT_CATEGORY, tshirt_item_param

BASE_URL = "http://kuaishou.sandbox"
LEAF_CATEGORY = TSHIRT_CATEGORY
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
    """A valid 2×2 item (tests.samples.tshirt_item_param) with Kuaishou-hosted-looking URLs."""
    return tshirt_item_param(urls, **overrides)


@pytest.fixture
def make_param() -> MakeParam:
    return item_param
