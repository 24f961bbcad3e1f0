"""Signed requests to every emulator, built with the connectors' published signing functions.

The emulator tests use these to get past authentication and reach the code that reads the payload.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from connectors.alibaba1688.signing import aop_signature, url_path
from connectors.kuaishou.signing import sign as kuaishou_sign
from connectors.pinduoduo.signing import sign as pdd_sign
from connectors.taobao.signing import sign as top_sign
from sandbox.alibaba_credentials import (
    ALIBABA1688_APP_KEY,
    ALIBABA1688_APP_SECRET,
    ALIBABA1688_OWN_TOKEN,
)
from sandbox.app import build_sandbox_app
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
    TAOBAO_APP_KEY,
    TAOBAO_APP_SECRET,
)
from sandbox.pdd_credentials import PDD_CLIENT_ID, PDD_CLIENT_SECRET, PDD_DEMO_ACCESS_TOKEN

BASE = "http://sandbox.local"


def client() -> httpx.AsyncClient:
    """A client on a fresh in-process sandbox of all five emulators."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_sandbox_app()), base_url=BASE, timeout=30
    )


def kuaishou_form(method: str, param: str) -> dict[str, str]:
    params = {
        "appkey": KUAISHOU_APP_KEY,
        "method": method,
        "version": "1",
        "param": param,
        "access_token": KUAISHOU_ACCESS_TOKEN,
        "timestamp": str(int(time.time() * 1000)),
        "signMethod": "MD5",
    }
    params["sign"] = kuaishou_sign(params, sign_secret=KUAISHOU_SIGN_SECRET, sign_method="MD5")
    return params


def top_form(method: str, **business: str) -> dict[str, str]:
    params = {
        "method": method,
        "app_key": TAOBAO_APP_KEY,
        "session": "sandbox-taobao-session-demo",
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 8 * 3600)),
        "format": "json",
        "v": "2.0",
        "sign_method": "md5",
        **business,
    }
    params["sign"] = top_sign(params, secret=TAOBAO_APP_SECRET, sign_method="md5")
    return params


def pdd_form(type_: str, **business: str) -> dict[str, str]:
    params = {
        "type": type_,
        "client_id": PDD_CLIENT_ID,
        "access_token": PDD_DEMO_ACCESS_TOKEN,
        "timestamp": str(int(time.time())),
        "data_type": "JSON",
        **business,
    }
    params["sign"] = pdd_sign(params, client_secret=PDD_CLIENT_SECRET)
    return params


def aop_request(api: str, **business: str) -> tuple[str, dict[str, str]]:
    """(URL path under the sandbox, signed form) of a 1688 AOP call."""
    path = url_path("com.alibaba.product", api, ALIBABA1688_APP_KEY)
    params = {
        "access_token": ALIBABA1688_OWN_TOKEN,
        "_aop_timestamp": str(int(time.time() * 1000)),
        **business,
    }
    params["_aop_signature"] = aop_signature(path, params, secret=ALIBABA1688_APP_SECRET)
    return f"/alibaba1688/openapi/{path}", params


async def vvtool_token(http: httpx.AsyncClient) -> str:
    from sandbox.vvtool_credentials import VVTOOL_CLIENT_ID, VVTOOL_CLIENT_SECRET

    response = await http.post(
        "/vvtool/api/proxy/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": VVTOOL_CLIENT_ID,
            "client_secret": VVTOOL_CLIENT_SECRET,
        },
    )
    body: dict[str, Any] = response.json()
    return str(body.get("access_token") or body["data"]["access_token"])


def nested(depth: int) -> str:
    """A JSON text nesting `depth` arrays."""
    return "[" * depth + "]" * depth
