"""`target.auth: oauth` end to end: the merchant's consent, the stored tokens, and a pipeline
client that rotates them when due, all against the in-process sandbox and a real warehouse file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connectors.kuaishou import KuaishouClient
from connectors.platforms import Endpoints, EndpointsMode
from listings.migrations import Migration, MigrationsConfigError, parse_migrations
from pipeline.clients import Platforms
from sandbox.credentials import KUAISHOU_APP_KEY, KUAISHOU_APP_SECRET
from sandbox.inprocess import in_process_transport, reset_in_process_sandbox
from store.warehouse import Warehouse

anyio = pytest.mark.anyio

OAUTH_YAML = f"""
migrations:
  - key: tb-oauth
    mode: move
    source: {{platform: taobao, shop_id: demo-taobao-shop, app_key: "1", app_secret_env: TB_SECRET,
             session_env: TB_SESSION}}
    target: {{app_key: {KUAISHOU_APP_KEY}, sign_secret_env: KS_SIGN, auth: oauth,
             app_secret_env: KS_APP_SECRET, oauth_redirect_uri: "https://banjia.example/cb"}}
"""
ENV = {"KS_SIGN": "sandbox-kuaishou-sign-secret", "KS_APP_SECRET": KUAISHOU_APP_SECRET}
ENDPOINTS = Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url="https://sandbox.local")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def migration() -> Migration:
    return parse_migrations(OAUTH_YAML).migrations[0]


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse.duckdb")


def _pipeline_client(migration: Migration, warehouse: Warehouse) -> KuaishouClient:
    """The client the pipeline builds for an OAuth shop, on the in-process sandbox."""
    return _platforms().kuaishou(migration, warehouse=warehouse)


def _platforms() -> Platforms:
    return Platforms(endpoints=ENDPOINTS, env=ENV, transport=in_process_transport())


async def _consent_code(*, redirect_uri: str, state: str) -> str:
    """What the merchant's browser brings back from the sandbox's authorize page."""
    async with httpx.AsyncClient(transport=in_process_transport()) as browser:
        answer = await browser.get(
            ENDPOINTS.kuaishou_authorize_url,
            params={
                "app_id": KUAISHOU_APP_KEY,
                "redirect_uri": redirect_uri,
                "scope": "merchant_item,merchant_user",
                "response_type": "code",
                "state": state,
            },
        )
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == [state]
    return query["code"][0]


def test_oauth_migration_needs_the_app_secret_and_redirect_uri() -> None:
    broken = OAUTH_YAML.replace("app_secret_env: KS_APP_SECRET,", "")
    with pytest.raises(MigrationsConfigError, match=r"tb-oauth.*target.*app_secret_env"):
        parse_migrations(broken)


def test_oauth_migration_refuses_a_static_token_beside_it() -> None:
    both = OAUTH_YAML.replace("auth: oauth,", "auth: oauth, access_token_env: KS_TOKEN,")
    with pytest.raises(MigrationsConfigError, match=r"remove target\.access_token_env"):
        parse_migrations(both)


@anyio
async def test_sandbox_consent_rejects_an_unknown_app() -> None:
    reset_in_process_sandbox()
    async with httpx.AsyncClient(transport=in_process_transport()) as browser:
        answer = await browser.get(
            ENDPOINTS.kuaishou_authorize_url,
            params={
                "app_id": "nope",
                "redirect_uri": "https://x.example/cb",
                "response_type": "code",
            },
        )
    assert answer.status_code == 400
    assert answer.json()["error"] == "unauthorized_client"


@anyio
async def test_pipeline_client_without_authorization_asks_the_merchant_to_authorize(
    migration: Migration, warehouse: Warehouse
) -> None:
    reset_in_process_sandbox()
    client = _pipeline_client(migration, warehouse)
    async with client:
        with pytest.raises(Exception, match="must authorize"):
            await client.categories()


@anyio
async def test_authorized_shop_publishes_with_stored_tokens_and_rotates_once_when_expired(
    migration: Migration, warehouse: Warehouse
) -> None:
    sandbox = reset_in_process_sandbox()
    code = await _consent_code(redirect_uri="https://banjia.example/cb", state="s1")
    manager = _platforms().kuaishou_tokens(migration, warehouse=warehouse)
    first = await manager.authorize(code)
    await manager.aclose()
    stored_text = str(warehouse.query("SELECT * FROM oauth_tokens"))
    assert "tb-oauth" in stored_text

    client = _pipeline_client(migration, warehouse)
    async with client:
        assert await client.categories()
        assert sandbox.kuaishou.refreshes == 0
        sandbox.kuaishou.advance(timedelta(hours=49))  # the 48 h access token has expired
        assert await client.categories()
        assert await client.categories()
    assert sandbox.kuaishou.refreshes == 1
    rotated = warehouse.query("SELECT access_token FROM oauth_tokens")[0]["access_token"]
    assert rotated != first.access_token.get_secret_value()
