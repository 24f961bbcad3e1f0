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

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx

from connectors.http import PlatformError
from connectors.source import MissingSecretError
from connectors.vvtool import VvtoolPublisher
from listings.migrations import Migration, PublishBackend
from pipeline.clients import Platforms

__all__ = ["CheckResult", "check_migration", "platforms_for"]

UNUSED_REL_ITEM_ID = 1  # relItemIds banjia derives are hashes far above 1


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


async def check_migration(migration: Migration, *, platforms: Platforms) -> list[CheckResult]:
    """The source platform's and the target's check, each independent of the other, through the
    same clients a run builds (`pipeline.clients.Platforms`)."""
    checks: list[tuple[str, Callable[[], Awaitable[str]]]] = [
        (str(migration.source.platform), lambda: _source(migration, platforms))
    ]
    if migration.target.backend is PublishBackend.VVTOOL:
        checks.append(("vvtool", lambda: _vvtool(migration, platforms)))
    else:
        checks.append(("kuaishou", lambda: _kuaishou(migration, platforms)))
    results = []
    for platform, check in checks:
        try:
            detail = await check()
        except (PlatformError, httpx.HTTPError, MissingSecretError) as exc:
            results.append(CheckResult(migration.key, platform, False, _explain(exc)))
        else:
            results.append(CheckResult(migration.key, platform, True, detail))
    return results


def _explain(exc: Exception) -> str:
    if isinstance(exc, MissingSecretError):
        return str(exc)
    if isinstance(exc, httpx.HTTPError):
        return f"no answer ({type(exc).__name__}): is the platform (or `make dev`'s sandbox) up?"
    return f"{exc} (check the credentials the migration names)"


async def _source(migration: Migration, platforms: Platforms) -> str:
    connector, _ = platforms.source_connector(migration)
    async with platforms.source(migration) as client:
        return await connector.probe(client)


async def _kuaishou(migration: Migration, platforms: Platforms) -> str:
    target = migration.target
    if target.auth == "oauth":
        if not platforms.env.get(target.app_secret_env or "", "").strip():
            raise MissingSecretError(
                f"migration {migration.key!r}: target.app_secret_env names env var "
                f"{target.app_secret_env}, which is not set; export it"
            )
        return (
            "auth oauth: the app secret is set; the merchant's tokens live in the warehouse "
            "(`banjia kuaishou authorize` stores them), not checked here"
        )
    async with platforms.kuaishou(migration) as client:
        await client.find_item_by_rel_item_id(UNUSED_REL_ITEM_ID)
    return "open.item.list.get answered"


async def _vvtool(migration: Migration, platforms: Platforms) -> str:
    publisher = platforms.publisher(migration)
    assert isinstance(publisher, VvtoolPublisher)
    try:
        await publisher.client.check_credentials()
    finally:
        await publisher.aclose()
    return "a vv-tool token was issued"


def platforms_for(env: Mapping[str, str]) -> Platforms:
    """The platforms a run would use (BANJIA_ENDPOINTS, BANJIA_SANDBOX_URL), secrets from `env`."""
    from pipeline.settings import load_settings

    base = Platforms.from_settings(load_settings())
    return Platforms(endpoints=base.endpoints, env=env)
