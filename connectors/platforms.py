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

from connectors.http import build_async_client
from connectors.kuaishou import KuaishouClient, KuaishouOAuthClient
from connectors.kuaishou.tokens import TokenManager, TokenStore
from connectors.media_routes import HostRoutingTransport
from connectors.publisher import Publisher
from connectors.rate_gate import RateGates
from connectors.source import MissingSecretError, SourceClient, SourceConnector, read_secret
from connectors.sources import source_for
from connectors.vvtool import VvtoolClient, VvtoolPublisher
from listings.migrations import Migration, PublishBackend

__all__ = [
    "AsyncTransport",
    "Endpoints",
    "EndpointsMode",
    "HttpClient",
    "SourceClient",
    "kuaishou_client",
    "kuaishou_token_manager",
    "media_fetcher",
    "publisher",
    "source_client",
]

PRODUCTION_KUAISHOU_URL = "https://openapi.kwaixiaodian.com"
PRODUCTION_KUAISHOU_AUTHORIZE_URL = "https://open.kwaixiaodian.com/oauth/authorize"
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


class EndpointsMode(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


class Endpoints(BaseModel):
    """The target platforms' URLs, and the sandbox's base (None in production) under which every
    source connector's `sandbox_path` is served."""

    model_config = ConfigDict(frozen=True)

    kuaishou_url: str
    kuaishou_authorize_url: str
    vvtool_url: str
    vvtool_token_url: str
    sandbox_base: str | None = None
    media_routes: tuple[tuple[str, str], ...] = ()
    """(host, base URL): media of `host` is fetched from the base URL (sandbox); none in production."""

    @classmethod
    def for_mode(cls, mode: EndpointsMode, *, sandbox_url: str) -> Endpoints:
        if mode is EndpointsMode.PRODUCTION:
            return cls(
                kuaishou_url=PRODUCTION_KUAISHOU_URL,
                kuaishou_authorize_url=PRODUCTION_KUAISHOU_AUTHORIZE_URL,
                vvtool_url=PRODUCTION_VVTOOL_URL,
                vvtool_token_url=PRODUCTION_VVTOOL_TOKEN_URL,
            )
        base = sandbox_url.rstrip("/")
        return cls(
            kuaishou_url=f"{base}/kuaishou",
            kuaishou_authorize_url=f"{base}/kuaishou/oauth/authorize",
            vvtool_url=f"{base}/vvtool",
            vvtool_token_url=f"{base}/vvtool/api/proxy/oauth/token",
            sandbox_base=base,
            media_routes=tuple((host, f"{base}{prefix}") for host, prefix in SANDBOX_MEDIA_ROUTES),
        )

    def source_url(self, connector: SourceConnector) -> str:
        """Where a source platform's API is: production, or its path under the sandbox."""
        if self.sandbox_base is None:
            return connector.production_url
        return f"{self.sandbox_base}{connector.sandbox_path}"


def source_client(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    rate_limited: bool = True,
) -> SourceClient:
    """The client of a migration's source shop, built by its platform's connector."""
    connector = source_for(migration.source.platform)
    return connector.client(
        migration,
        base_url=endpoints.source_url(connector),
        env=env,
        transport=transport,
        rate_per_second=migration.source.rate_per_second if rate_limited else None,
    )


def kuaishou_token_manager(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    token_store: TokenStore,
    transport: httpx.AsyncBaseTransport | None = None,
) -> TokenManager:
    """The OAuth token lifecycle of a migration's target shop (`target.auth: oauth`).

    Tokens live in `token_store` (the caller's: e.g. the warehouse's `oauth_tokens` under the
    migration's shop key); the app secret is read from `target.app_secret_env` now and kept only
    inside the OAuth client.
    """
    target = migration.target
    if target.auth != "oauth" or target.app_key is None or target.app_secret_env is None:
        raise MissingSecretError(
            f"migration {migration.key!r}: target.auth is {target.auth!r}; OAuth needs "
            "target.auth 'oauth' with target.app_key and target.app_secret_env"
        )
    oauth = KuaishouOAuthClient(
        app_id=target.app_key,
        app_secret=read_secret(
            env, target.app_secret_env, migration=migration.key, field="target.app_secret_env"
        ),
        base_url=endpoints.kuaishou_url,
        transport=transport,
    )
    return TokenManager(token_store, oauth)


def kuaishou_client(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    rate_limited: bool = True,
    token_store: TokenStore | None = None,
    rate_gates: RateGates | None = None,
) -> KuaishouClient:
    """The Kuaishou open-platform client of a migration's target shop.

    Its requests pass the shop's gate from `rate_gates` (keyed by the Kuaishou shop, shared by
    every migration and worker calling it) when given, else its own limiter at the shop's rate.

    `auth: static` signs with the access token in `target.access_token_env`; `auth: oauth` asks a
    `TokenManager` over `token_store` before each request (so it is required), which rotates the
    token when it is due or when the platform says it expired.
    """
    target = migration.target
    if target.app_key is None or target.sign_secret_env is None:
        raise MissingSecretError(
            f"migration {migration.key!r}: backend {target.backend.value!r} has no Kuaishou "
            "open-platform credentials (target.app_key, sign_secret_env)"
        )
    sign_secret = read_secret(
        env, target.sign_secret_env, migration=migration.key, field="target.sign_secret_env"
    )
    common: dict[str, Any] = {
        "base_url": endpoints.kuaishou_url,
        "app_key": target.app_key,
        "sign_secret": sign_secret,
        "sign_method": target.sign_method,
        "transport": transport,
        "rate_per_second": target.rate_per_second if rate_limited else None,
        "rate_gate": (
            rate_gates(migration.kuaishou_shop_key, rate_per_second=target.rate_per_second)
            if rate_limited and rate_gates is not None
            else None
        ),
    }
    if target.auth == "oauth":
        if token_store is None:
            raise ValueError(
                f"migration {migration.key!r}: target.auth 'oauth' keeps tokens in a token "
                "store; build the client with token_store="
            )
        manager = kuaishou_token_manager(
            migration, endpoints=endpoints, env=env, token_store=token_store, transport=transport
        )
        return KuaishouClient(token_provider=manager, close_token_provider=True, **common)
    if target.access_token_env is None:
        raise MissingSecretError(
            f"migration {migration.key!r}: target.auth 'static' needs target.access_token_env"
        )
    access_token = read_secret(
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
    token_store: TokenStore | None = None,
    rate_gates: RateGates | None = None,
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
            token_store=token_store,
            rate_gates=rate_gates,
        )
    assert target.vvtool_client_id and target.vvtool_client_secret_env and target.vvtool_shop_id
    client = VvtoolClient(
        base_url=endpoints.vvtool_url,
        token_url=endpoints.vvtool_token_url,
        client_id=target.vvtool_client_id,
        client_secret=read_secret(
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
