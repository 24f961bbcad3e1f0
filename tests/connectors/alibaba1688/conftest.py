"""Shared fixtures: the AOP emulator mounted at /alibaba1688 in-process, clients on it, JSON fixtures."""

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

from connectors.alibaba1688 import Alibaba1688Client
from sandbox.alibaba_aop import Alibaba1688Sandbox, build_1688_app
from sandbox.alibaba_credentials import (
    ALIBABA1688_APP_KEY,
    ALIBABA1688_APP_SECRET,
    ALIBABA1688_OWN_TOKEN,
)

FIXTURES = Path(__file__).parent / "fixtures"
ORIGIN = "http://sandbox"
BASE_URL = f"{ORIGIN}/alibaba1688/openapi"
IMAGE_BASE = f"{ORIGIN}/alibaba1688/"
OWN_SHOP = "demo-1688-own"
SUPPLIER_SHOP = "demo-1688-supplier"

MakeClient = Callable[..., Alibaba1688Client]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def reference_offer() -> dict[str, Any]:
    """The zkibe-shaped sample of reference/source-platforms.md §1.3, verbatim (a fresh copy)."""
    return copy.deepcopy(load_fixture("product_get_reference_example.json")["productInfo"])


@pytest.fixture
def sandbox() -> Alibaba1688Sandbox:
    return Alibaba1688Sandbox()


@pytest.fixture
def sandbox_app(sandbox: Alibaba1688Sandbox) -> Starlette:
    """The emulator mounted the way the sandbox server mounts it: under /alibaba1688."""
    return Starlette(routes=[Mount("/alibaba1688", app=build_1688_app(sandbox))])


@pytest.fixture
def transport(sandbox_app: Starlette) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=sandbox_app)


@pytest.fixture
def client_for(transport: httpx.ASGITransport) -> MakeClient:
    """A client on the in-process sandbox as the own-shop member; kwargs override."""

    def make(**overrides: Any) -> Alibaba1688Client:
        kwargs: dict[str, Any] = {
            "base_url": BASE_URL,
            "app_key": ALIBABA1688_APP_KEY,
            "app_secret": ALIBABA1688_APP_SECRET,
            "access_token": ALIBABA1688_OWN_TOKEN,
            "transport": transport,
        }
        kwargs.update(overrides)
        return Alibaba1688Client(**kwargs)

    return make
