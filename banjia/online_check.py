"""`banjia migrations check --online`: one cheap signed call per platform a migration uses.

A missing env var is caught offline; a wrong value (an expired session, a secret of another app, a
pasted secret in upper case) only shows when a platform refuses a signed request. So each migration
makes the cheapest read each platform has, with its own credentials, before any run:

- Taobao: `taobao.items.onsale.get`, one row; PDD: `pdd.goods.list.get`, one row of the last day;
  1688: `alibaba.product.list.get`, one row;
- Kuaishou (`auth: static`): `open.item.list.get` for a relItemId no one uses; vv-tool: a token.

Secrets are read from the env vars the migration names, as the pipeline reads them, and never
printed: every failure is reported through the connector's own (redacting) error text.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from connectors.content import CHINA_TZ
from connectors.http import PlatformError
from listings.migrations import Migration, PublishBackend
from listings.model import SourcePlatform

__all__ = ["CheckResult", "Endpoints", "check_migration", "endpoints_from_env"]

PRODUCTION = {
    "taobao": "https://eco.taobao.com/router/rest",
    "pinduoduo": "https://gw-api.pinduoduo.com/api/router",
    "alibaba1688": "https://gw.open.1688.com/openapi",
    "kuaishou": "https://openapi.kwaixiaodian.com",
    "vvtool": "http://api.vv-tool.com",
    "vvtool_token": "http://proxy-api.vv-tool.com/api/proxy/oauth/token",
}
UNUSED_REL_ITEM_ID = 1  # relItemIds banjia derives are hashes far above 1


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Base URLs per platform: production, or the sandbox's (BANJIA_ENDPOINTS, BANJIA_SANDBOX_URL)."""

    urls: Mapping[str, str]


def endpoints_from_env(env: Mapping[str, str]) -> Endpoints:
    """The endpoints the pipeline would use: `BANJIA_ENDPOINTS=production`, else the sandbox."""
    if env.get("BANJIA_ENDPOINTS") == "production":
        return Endpoints(PRODUCTION)
    base = (env.get("BANJIA_SANDBOX_URL") or "http://127.0.0.1:8765").rstrip("/")
    return Endpoints(
        {
            "taobao": f"{base}/taobao/router/rest",
            "pinduoduo": f"{base}/pinduoduo/api/router",
            "alibaba1688": f"{base}/alibaba1688/openapi",
            "kuaishou": f"{base}/kuaishou",
            "vvtool": f"{base}/vvtool",
            "vvtool_token": f"{base}/vvtool/api/proxy/oauth/token",
        }
    )


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One platform's answer for one migration: ok, or what to fix."""

    migration: str
    platform: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        state = "OK" if self.ok else "FAILED"
        return f"{self.migration}: {self.platform}: {state}: {self.detail}"


async def check_migration(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[CheckResult]:
    """The source platform's and the target's check, each independent of the other."""
    values = os.environ if env is None else env
    checks: list[tuple[str, Callable[[], Awaitable[str]]]] = [
        (migration.source.platform.value, lambda: _source(migration, endpoints, values, transport))
    ]
    if migration.target.backend is PublishBackend.VVTOOL:
        checks.append(("vvtool", lambda: _vvtool(migration, endpoints, values, transport)))
    else:
        checks.append(("kuaishou", lambda: _kuaishou(migration, endpoints, values, transport)))
    results = []
    for platform, check in checks:
        try:
            detail = await check()
        except (PlatformError, httpx.HTTPError, KeyError) as exc:
            results.append(CheckResult(migration.key, platform, False, _explain(exc)))
        else:
            results.append(CheckResult(migration.key, platform, True, detail))
    return results


def _explain(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"env var {exc.args[0]} is not set: export it"
    if isinstance(exc, httpx.HTTPError):
        return f"no answer ({type(exc).__name__}): is the platform (or `make dev`'s sandbox) up?"
    return f"{exc} (check the credentials the migration names)"


def _secret(env: Mapping[str, str], name: str | None) -> str:
    value = env.get(name or "", "")
    if not name or not value.strip():
        raise KeyError(name or "(none named)")
    return value


async def _source(
    migration: Migration,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None,
) -> str:
    source = migration.source
    secret, session = _secret(env, source.app_secret_env), _secret(env, source.session_env)
    client: Any
    if source.platform is SourcePlatform.PINDUODUO:
        from connectors.pinduoduo import PinduoduoClient

        client = PinduoduoClient(
            base_url=endpoints.urls["pinduoduo"],
            client_id=source.app_key,
            client_secret=secret,
            access_token=session,
            transport=transport,
        )
        now = datetime.now(CHINA_TZ)
        async with client:
            await client.goods_page(
                page=1, page_size=1, created_at_from=now - timedelta(days=1), created_at_end=now
            )
        return "pdd.goods.list.get answered"
    if source.platform is SourcePlatform.ALIBABA1688:
        from connectors.alibaba1688 import Alibaba1688Client

        client = Alibaba1688Client(
            base_url=endpoints.urls["alibaba1688"],
            app_key=source.app_key,
            app_secret=secret,
            access_token=session,
            transport=transport,
        )
        async with client:
            await client.product_ids_page(page=1, page_size=1)
        return "alibaba.product.list.get answered"
    from connectors.taobao import TaobaoClient

    client = TaobaoClient(
        base_url=endpoints.urls["taobao"],
        app_key=source.app_key,
        app_secret=secret,
        session=session,
        transport=transport,
    )
    async with client:
        await client.onsale_page(page_no=1, page_size=1)
    return "taobao.items.onsale.get answered"


async def _kuaishou(
    migration: Migration,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None,
) -> str:
    from connectors.kuaishou import KuaishouClient

    target = migration.target
    if target.auth == "oauth":
        _secret(env, target.app_secret_env)
        return (
            "auth oauth: the app secret is set; the merchant's tokens live in the warehouse "
            "(`banjia kuaishou authorize` stores them), not checked here"
        )
    async with KuaishouClient(
        base_url=endpoints.urls["kuaishou"],
        app_key=target.app_key or "",
        sign_secret=_secret(env, target.sign_secret_env),
        access_token=_secret(env, target.access_token_env),
        sign_method=target.sign_method,
        transport=transport,
        read_attempts=1,
    ) as client:
        await client.find_item_by_rel_item_id(UNUSED_REL_ITEM_ID)
    return "open.item.list.get answered"


async def _vvtool(
    migration: Migration,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None,
) -> str:
    from connectors.vvtool import VvtoolClient

    target = migration.target
    async with VvtoolClient(
        base_url=endpoints.urls["vvtool"],
        token_url=endpoints.urls["vvtool_token"],
        client_id=target.vvtool_client_id or "",
        client_secret=_secret(env, target.vvtool_client_secret_env),
        shop_id=target.vvtool_shop_id or "",
        transport=transport,
    ) as client:
        await client.check_credentials()
    return "a vv-tool token was issued"
