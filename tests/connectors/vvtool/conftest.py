"""Shared fixtures: the vv-tool sandbox in-process, clients and publishers on it, valid requests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx
import pytest

from connectors.kuaishou import ItemNewParam
from connectors.vvtool import VvtoolClient, VvtoolItemNewRequest, to_vvtool_request
from sandbox.vvtool import VvtoolSandbox, build_vvtool_app
from sandbox.vvtool_credentials import (
    VVTOOL_CLIENT_ID,
    VVTOOL_CLIENT_SECRET,
    VVTOOL_SHOP_ID,
)
from tests.samples import TSHIRT_CATEGORY, tshirt_item_param

BASE_URL = "http://vvtool.sandbox"
TOKEN_URL = "/api/proxy/oauth/token"
LEAF_CATEGORY = TSHIRT_CATEGORY

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
    """A valid official param (tests.samples.tshirt_item_param) with public image URLs."""
    return tshirt_item_param(urls, **overrides)


def item_request(**overrides: Any) -> VvtoolItemNewRequest:
    """A valid ks-item-new request (the official param above, converted)."""
    return to_vvtool_request(item_param(**overrides), shop_id=VVTOOL_SHOP_ID).request
