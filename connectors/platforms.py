"""Where each platform lives (production or the sandbox) and how its clients are built from a migration.

Production vs sandbox is configuration only: the same clients, with other base URLs and, in tests, an
in-process transport instead of the network. Secrets are read from the env vars a migration names, at
the moment a client is built, and never stored anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from connectors.alibaba1688 import Alibaba1688Client
from connectors.http import build_async_client
from connectors.kuaishou import KuaishouClient, KuaishouOAuthClient
from connectors.kuaishou.tokens import TokenManager, WarehouseTokenStore
from connectors.media_routes import HostRoutingTransport
from connectors.pinduoduo import PinduoduoClient
from connectors.publisher import Publisher
from connectors.taobao import TaobaoClient
from connectors.vvtool import VvtoolClient, VvtoolPublisher
from connectors.warehouse import Warehouse
from listings.migrations import Migration, PublishBackend
from listings.model import SourcePlatform

__all__ = [
    "AsyncTransport",
    "Endpoints",
    "EndpointsMode",
    "HttpClient",
    "MissingSecretError",
    "SourceClient",
    "kuaishou_client",
    "kuaishou_token_manager",
    "media_fetcher",
    "publisher",
    "source_client",
]

PRODUCTION_TAOBAO_URL = "https://eco.taobao.com/router/rest"
PRODUCTION_KUAISHOU_URL = "https://openapi.kwaixiaodian.com"
PRODUCTION_KUAISHOU_AUTHORIZE_URL = "https://open.kwaixiaodian.com/oauth/authorize"
PRODUCTION_PINDUODUO_URL = "https://gw-api.pinduoduo.com/api/router"
PRODUCTION_ALIBABA1688_URL = "https://gw.open.1688.com/openapi"
PRODUCTION_ALIBABA1688_IMAGE_BASE = "https://cbu01.alicdn.com/"
PRODUCTION_VVTOOL_URL = "http://api.vv-tool.com"
PRODUCTION_VVTOOL_TOKEN_URL = "http://proxy-api.vv-tool.com/api/proxy/oauth/token"

# The source platforms' media CDN hosts, and where the sandbox serves each (relative to its URL).
# Listings keep these URLs; in sandbox mode the media fetcher routes the hosts to the sandbox, so a
# URL stored by one run is fetched by the next whatever port the sandbox has then.
SANDBOX_MEDIA_ROUTES: tuple[tuple[str, str], ...] = (
    ("img.alicdn.com", ""),  # Taobao/Tmall: /taobao/img/..., /taobao/video/...
    ("img.pddpic.com", ""),  # PDD: /pinduoduo/img/..., /pinduoduo/video/...
    ("cbu01.alicdn.com", "/alibaba1688"),  # 1688: /img/ibank/..., /video/...
)


class MissingSecretError(RuntimeError):
    """A migration names an env var for a secret that is not set."""


class EndpointsMode(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


class Endpoints(BaseModel):
    model_config = ConfigDict(frozen=True)

    taobao_url: str
    pinduoduo_url: str
    alibaba1688_url: str
    alibaba1688_image_base: str
    kuaishou_url: str
    kuaishou_authorize_url: str
    vvtool_url: str
    vvtool_token_url: str
    media_routes: tuple[tuple[str, str], ...] = ()
    """(host, base URL): media of `host` is fetched from the base URL (sandbox); none in production."""

    @classmethod
    def for_mode(cls, mode: EndpointsMode, *, sandbox_url: str) -> Endpoints:
        if mode is EndpointsMode.PRODUCTION:
            return cls(
                taobao_url=PRODUCTION_TAOBAO_URL,
                pinduoduo_url=PRODUCTION_PINDUODUO_URL,
                alibaba1688_url=PRODUCTION_ALIBABA1688_URL,
                alibaba1688_image_base=PRODUCTION_ALIBABA1688_IMAGE_BASE,
                kuaishou_url=PRODUCTION_KUAISHOU_URL,
                kuaishou_authorize_url=PRODUCTION_KUAISHOU_AUTHORIZE_URL,
                vvtool_url=PRODUCTION_VVTOOL_URL,
                vvtool_token_url=PRODUCTION_VVTOOL_TOKEN_URL,
            )
        base = sandbox_url.rstrip("/")
        return cls(
            taobao_url=f"{base}/taobao/router/rest",
            pinduoduo_url=f"{base}/pinduoduo/api/router",
            alibaba1688_url=f"{base}/alibaba1688/openapi",
            alibaba1688_image_base=PRODUCTION_ALIBABA1688_IMAGE_BASE,
            kuaishou_url=f"{base}/kuaishou",
            kuaishou_authorize_url=f"{base}/kuaishou/oauth/authorize",
            vvtool_url=f"{base}/vvtool",
            vvtool_token_url=f"{base}/vvtool/api/proxy/oauth/token",
            media_routes=tuple((host, f"{base}{prefix}") for host, prefix in SANDBOX_MEDIA_ROUTES),
        )


def _secret(env: Mapping[str, str], name: str, *, migration: str, field: str) -> str:
    value = env.get(name, "")
    if not value.strip():
        raise MissingSecretError(
            f"migration {migration!r}: {field} names env var {name}, which is not set; "
            f"export {name} (for the sandbox: `set -a; . data/sandbox.env`)"
        )
    return value


SourceClient = TaobaoClient | PinduoduoClient | Alibaba1688Client


def source_client(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    rate_limited: bool = True,
) -> SourceClient:
    """The client of a migration's source shop.

    The migration's generic names map to each platform's: `app_key` is TOP's app_key and PDD's
    client_id and 1688's appKey; `app_secret_env` holds the app secret (PDD: client_secret);
    `session_env` holds the seller's authorization (TOP: session key; PDD, 1688: access_token).
    """
    source = migration.source
    rate = source.rate_per_second if rate_limited else None
    secret = _secret(
        env, source.app_secret_env, migration=migration.key, field="source.app_secret_env"
    )
    session = _secret(env, source.session_env, migration=migration.key, field="source.session_env")
    if source.platform is SourcePlatform.PINDUODUO:
        return PinduoduoClient(
            base_url=endpoints.pinduoduo_url,
            client_id=source.app_key,
            client_secret=secret,
            access_token=session,
            transport=transport,
            rate_per_second=rate,
        )
    if source.platform is SourcePlatform.ALIBABA1688:
        return Alibaba1688Client(
            base_url=endpoints.alibaba1688_url,
            app_key=source.app_key,
            app_secret=secret,
            access_token=session,
            transport=transport,
            rate_per_second=rate,
        )
    if source.platform not in (SourcePlatform.TAOBAO, SourcePlatform.TMALL):
        raise NotImplementedError(
            f"migration {migration.key!r}: source platform {source.platform.value!r} has no "
            "connector yet"
        )
    return TaobaoClient(
        base_url=endpoints.taobao_url,
        app_key=source.app_key,
        app_secret=secret,
        session=session,
        transport=transport,
        rate_per_second=rate,
    )


def kuaishou_token_manager(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    warehouse: Warehouse,
    transport: httpx.AsyncBaseTransport | None = None,
) -> TokenManager:
    """The OAuth token lifecycle of a migration's target shop (`target.auth: oauth`).

    Tokens live in the warehouse's `oauth_tokens` under the migration's shop key; the app secret
    is read from `target.app_secret_env` now and kept only inside the OAuth client.
    """
    target = migration.target
    if target.auth != "oauth" or target.app_key is None or target.app_secret_env is None:
        raise MissingSecretError(
            f"migration {migration.key!r}: target.auth is {target.auth!r}; OAuth needs "
            "target.auth 'oauth' with target.app_key and target.app_secret_env"
        )
    oauth = KuaishouOAuthClient(
        app_id=target.app_key,
        app_secret=_secret(
            env, target.app_secret_env, migration=migration.key, field="target.app_secret_env"
        ),
        base_url=endpoints.kuaishou_url,
        transport=transport,
    )
    store = WarehouseTokenStore(warehouse, seller_key=migration.kuaishou_shop_key)
    return TokenManager(store, oauth)


def kuaishou_client(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    rate_limited: bool = True,
    warehouse: Warehouse | None = None,
) -> KuaishouClient:
    """The Kuaishou open-platform client of a migration's target shop.

    `auth: static` signs with the access token in `target.access_token_env`; `auth: oauth` asks a
    `TokenManager` over the warehouse's `oauth_tokens` before each request (so `warehouse` is
    required), which rotates the token when it is due or when the platform says it expired.
    """
    target = migration.target
    if target.app_key is None or target.sign_secret_env is None:
        raise MissingSecretError(
            f"migration {migration.key!r}: backend {target.backend.value!r} has no Kuaishou "
            "open-platform credentials (target.app_key, sign_secret_env)"
        )
    sign_secret = _secret(
        env, target.sign_secret_env, migration=migration.key, field="target.sign_secret_env"
    )
    common: dict[str, Any] = {
        "base_url": endpoints.kuaishou_url,
        "app_key": target.app_key,
        "sign_secret": sign_secret,
        "sign_method": target.sign_method,
        "transport": transport,
        "rate_per_second": target.rate_per_second if rate_limited else None,
    }
    if target.auth == "oauth":
        if warehouse is None:
            raise ValueError(
                f"migration {migration.key!r}: target.auth 'oauth' keeps tokens in the "
                "warehouse; build the client with warehouse="
            )
        manager = kuaishou_token_manager(
            migration, endpoints=endpoints, env=env, warehouse=warehouse, transport=transport
        )
        return KuaishouClient(token_provider=manager, close_token_provider=True, **common)
    if target.access_token_env is None:
        raise MissingSecretError(
            f"migration {migration.key!r}: target.auth 'static' needs target.access_token_env"
        )
    access_token = _secret(
        env, target.access_token_env, migration=migration.key, field="target.access_token_env"
    )
    return KuaishouClient(access_token=access_token, **common)


HttpClient = httpx.AsyncClient
AsyncTransport = httpx.AsyncBaseTransport


def media_fetcher(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    routes: tuple[tuple[str, str], ...] = (),
) -> HttpClient:
    """A plain client for fetching source images and videos from their CDN URLs.

    `routes` (`Endpoints.media_routes`) sends the CDN hosts to the sandbox in sandbox mode; with
    none (production) every URL is fetched from its own host.
    """
    if routes:
        transport = HostRoutingTransport(transport or httpx.AsyncHTTPTransport(retries=0), routes)
    return build_async_client(base_url="", transport=transport)


def publisher(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    rate_limited: bool = True,
    warehouse: Warehouse | None = None,
) -> Publisher:
    """The migration's publishing backend: our Kuaishou app, or the vv-tool proxy."""
    target = migration.target
    if target.backend is PublishBackend.KUAISHOU:
        return kuaishou_client(
            migration,
            endpoints=endpoints,
            env=env,
            transport=transport,
            rate_limited=rate_limited,
            warehouse=warehouse,
        )
    assert target.vvtool_client_id and target.vvtool_client_secret_env and target.vvtool_shop_id
    client = VvtoolClient(
        base_url=endpoints.vvtool_url,
        token_url=endpoints.vvtool_token_url,
        client_id=target.vvtool_client_id,
        client_secret=_secret(
            env,
            target.vvtool_client_secret_env,
            migration=migration.key,
            field="target.vvtool_client_secret_env",
        ),
        shop_id=target.vvtool_shop_id,
        vvtype=target.vvtype,
        transport=transport,
        rate_per_second=target.rate_per_second if rate_limited else None,
    )
    return VvtoolPublisher(client)
