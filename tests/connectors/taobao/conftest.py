"""Shared fixtures: the TOP emulator mounted at /taobao in-process, clients on it, JSON fixtures."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from connectors.taobao import TaobaoClient
from sandbox.credentials import TAOBAO_APP_KEY, TAOBAO_APP_SECRET
from sandbox.taobao_top import TaobaoSandbox, build_taobao_app

FIXTURES = Path(__file__).parent / "fixtures"
ORIGIN = "http://sandbox"
ROUTER_URL = f"{ORIGIN}/taobao/router/rest"
DEMO_SESSION = "sandbox-taobao-session-demo"
TMALL_SESSION = "sandbox-taobao-session-tmall"
DEMO_SHOP = "demo-taobao-shop"

MakeClient = Callable[..., TaobaoClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_item(name: str) -> dict[str, Any]:
    """The item dict of an `item_seller_get_response` fixture (a fresh copy each time)."""
    return copy.deepcopy(load_fixture(name)["item_seller_get_response"]["item"])


@pytest.fixture
def reference_item() -> dict[str, Any]:
    """The constructed example of reference/source-platforms.md §1.1, verbatim."""
    return fixture_item("item_seller_get_reference_example.json")


@pytest.fixture
def tent_item() -> dict[str, Any]:
    """An off-shelf item with every quirk: custom props, escapes, aliases, deleted SKU, videos."""
    return fixture_item("item_seller_get_tent_quirks.json")


@pytest.fixture
def single_sku_item() -> dict[str, Any]:
    return fixture_item("item_seller_get_single_sku.json")


@pytest.fixture
def sandbox() -> TaobaoSandbox:
    return TaobaoSandbox()


@pytest.fixture
def sandbox_app(sandbox: TaobaoSandbox) -> Starlette:
    """The emulator mounted the way the sandbox server mounts it: under /taobao."""
    return Starlette(routes=[Mount("/taobao", app=build_taobao_app(sandbox))])


@pytest.fixture
def transport(sandbox_app: Starlette) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=sandbox_app)


@pytest.fixture
def client_for(transport: httpx.ASGITransport) -> MakeClient:
    """A client on the in-process sandbox with the demo shop's credentials; kwargs override them."""

    def make(**overrides: Any) -> TaobaoClient:
        kwargs: dict[str, Any] = {
            "base_url": ROUTER_URL,
            "app_key": TAOBAO_APP_KEY,
            "app_secret": TAOBAO_APP_SECRET,
            "session": DEMO_SESSION,
            "transport": transport,
        }
        kwargs.update(overrides)
        return TaobaoClient(**kwargs)

    return make
