"""Where each platform lives (production or the sandbox) and how its clients are built from a migration.

Production vs sandbox is configuration only: the same clients, with other base URLs and, in tests, an
in-process transport instead of the network. Secrets are read from the env vars a migration names, at
the moment a client is built, and never stored anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import httpx
from pydantic import BaseModel, ConfigDict

from connectors.http import build_async_client
from connectors.kuaishou import KuaishouClient
from connectors.taobao import TaobaoClient
from listings.migrations import Migration
from listings.model import SourcePlatform

__all__ = [
    "AsyncTransport",
    "Endpoints",
    "EndpointsMode",
    "HttpClient",
    "MissingSecretError",
    "kuaishou_client",
    "media_fetcher",
    "source_client",
]

PRODUCTION_TAOBAO_URL = "https://eco.taobao.com/router/rest"
PRODUCTION_KUAISHOU_URL = "https://openapi.kwaixiaodian.com"


class MissingSecretError(RuntimeError):
    """A migration names an env var for a secret that is not set."""


class EndpointsMode(StrEnum):
    SANDBOX = "sandbox"
    PRODUCTION = "production"


class Endpoints(BaseModel):
    model_config = ConfigDict(frozen=True)

    taobao_url: str
    kuaishou_url: str

    @classmethod
    def for_mode(cls, mode: EndpointsMode, *, sandbox_url: str) -> Endpoints:
        if mode is EndpointsMode.PRODUCTION:
            return cls(taobao_url=PRODUCTION_TAOBAO_URL, kuaishou_url=PRODUCTION_KUAISHOU_URL)
        base = sandbox_url.rstrip("/")
        return cls(taobao_url=f"{base}/taobao/router/rest", kuaishou_url=f"{base}/kuaishou")


def _secret(env: Mapping[str, str], name: str, *, migration: str, field: str) -> str:
    value = env.get(name, "")
    if not value.strip():
        raise MissingSecretError(
            f"migration {migration!r}: {field} names env var {name}, which is not set; "
            f"export {name} (for the sandbox: `set -a; . data/sandbox.env`)"
        )
    return value


def source_client(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    rate_limited: bool = True,
) -> TaobaoClient:
    """The client of a migration's source shop."""
    source = migration.source
    if source.platform not in (SourcePlatform.TAOBAO, SourcePlatform.TMALL):
        raise NotImplementedError(
            f"migration {migration.key!r}: source platform {source.platform.value!r} has no "
            "connector yet (Taobao/Tmall only; Pinduoduo and 1688 are issue #5)"
        )
    return TaobaoClient(
        base_url=endpoints.taobao_url,
        app_key=source.app_key,
        app_secret=_secret(
            env, source.app_secret_env, migration=migration.key, field="source.app_secret_env"
        ),
        session=_secret(
            env, source.session_env, migration=migration.key, field="source.session_env"
        ),
        transport=transport,
        rate_per_second=source.rate_per_second if rate_limited else None,
    )


def kuaishou_client(
    migration: Migration,
    *,
    endpoints: Endpoints,
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
    rate_limited: bool = True,
) -> KuaishouClient:
    """The Kuaishou open-platform client of a migration's target shop."""
    target = migration.target
    return KuaishouClient(
        base_url=endpoints.kuaishou_url,
        app_key=target.app_key,
        sign_secret=_secret(
            env, target.sign_secret_env, migration=migration.key, field="target.sign_secret_env"
        ),
        access_token=_secret(
            env, target.access_token_env, migration=migration.key, field="target.access_token_env"
        ),
        sign_method=target.sign_method,
        transport=transport,
        rate_per_second=target.rate_per_second if rate_limited else None,
    )


HttpClient = httpx.AsyncClient
AsyncTransport = httpx.AsyncBaseTransport


def media_fetcher(*, transport: httpx.AsyncBaseTransport | None = None) -> HttpClient:
    """A plain client for fetching source images (public CDN URLs, or the sandbox's)."""
    return build_async_client(base_url="", transport=transport)
