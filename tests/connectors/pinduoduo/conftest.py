"""Shared fixtures: the PDD emulator mounted at /pinduoduo in-process, clients on it, JSON fixtures.

Fixtures (fixtures/):
- goods_detail_get_reference_example.json: the constructed example of reference/source-platforms.md
  §1.2, verbatim (its `// constructed` comment dropped: JSON has none).
- goods_detail_get_single_sku.json: the PddOpenSdk C# sample's `sku_list` (`"spec":[]`, quoted in
  §1.2) inside constructed goods-level fields (protocol-relative image_url, null lists, props).
- goods_detail_get_quirks.json: constructed: spec order differing between SKUs, a missing thumb,
  reserved and oversold stock, an off-sale SKU, `.jpg.a.jpeg` and http images, status 2.
- error_responses.json: the 20004/10000/50001 bodies are real answers quoted in public code; the
  others follow the same shape with the codes of connectors/pinduoduo/errors.py.
"""

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

from connectors.pinduoduo import PinduoduoClient
from sandbox.pdd_credentials import (
    PDD_CLIENT_ID,
    PDD_CLIENT_SECRET,
    PDD_DEMO_ACCESS_TOKEN,
)
from sandbox.pdd_open import PinduoduoSandbox, build_pdd_app

FIXTURES = Path(__file__).parent / "fixtures"
ORIGIN = "http://sandbox"
ROUTER_URL = f"{ORIGIN}/pinduoduo/api/router"
DEMO_SHOP = "demo-pdd-shop"

MakeClient = Callable[..., PinduoduoClient]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_goods(name: str) -> dict[str, Any]:
    """The goods dict of a `goods_detail_get_response` fixture (a fresh copy each time)."""
    return copy.deepcopy(load_fixture(name)["goods_detail_get_response"])


@pytest.fixture
def reference_goods() -> dict[str, Any]:
    """The constructed example of reference/source-platforms.md §1.2, verbatim."""
    return fixture_goods("goods_detail_get_reference_example.json")


@pytest.fixture
def single_sku_goods() -> dict[str, Any]:
    return fixture_goods("goods_detail_get_single_sku.json")


@pytest.fixture
def quirks_goods() -> dict[str, Any]:
    return fixture_goods("goods_detail_get_quirks.json")


@pytest.fixture
def sandbox() -> PinduoduoSandbox:
    return PinduoduoSandbox()


@pytest.fixture
def sandbox_app(sandbox: PinduoduoSandbox) -> Starlette:
    """The emulator mounted the way the sandbox server mounts it: under /pinduoduo."""
    return Starlette(routes=[Mount("/pinduoduo", app=build_pdd_app(sandbox))])


@pytest.fixture
def transport(sandbox_app: Starlette) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=sandbox_app)


@pytest.fixture
def client_for(transport: httpx.AsyncBaseTransport) -> MakeClient:
    """A client on the in-process sandbox with the demo shop's credentials; kwargs override them."""

    def make(**overrides: Any) -> PinduoduoClient:
        kwargs: dict[str, Any] = {
            "base_url": ROUTER_URL,
            "client_id": PDD_CLIENT_ID,
            "client_secret": PDD_CLIENT_SECRET,
            "access_token": PDD_DEMO_ACCESS_TOKEN,
            "transport": transport,
        }
        kwargs.update(overrides)
        return PinduoduoClient(**kwargs)

    return make
