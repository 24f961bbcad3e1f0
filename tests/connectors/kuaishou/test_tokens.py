"""The token lifecycle: `WarehouseTokenStore`, `TokenManager` and the client's `token_provider`.

The emulator runs in-process with a stopped clock that tests move; the managers read the same
clock. "Two workers" are two managers with their own warehouse objects on one DuckDB file, and,
for the lease alone, real processes.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from connectors.kuaishou import (
    KuaishouClient,
    KuaishouOAuthClient,
    KuaishouReauthorizeError,
    KuaishouTokenExpiredError,
    TokenManager,
    TokenSet,
)
from listings.china_time import CHINA_TZ
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_APP_SECRET,
    KUAISHOU_SELLER_ID,
)
from sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app
from store.oauth_tokens import WarehouseTokenStore
from store.warehouse import Warehouse

BASE_URL = "http://kuaishou.sandbox"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)
LEAF = 90011
SELLER_KEY = "kuaishou:880001"

MakeClient = Callable[..., KuaishouClient]
MakeManager = Callable[..., TokenManager]
anyio = pytest.mark.anyio


class SlowRefresh(httpx.AsyncBaseTransport):
    """Delays refresh answers, so a second worker arrives while the first one rotates."""

    def __init__(self, inner: httpx.AsyncBaseTransport, delay_s: float = 0.2) -> None:
        self._inner, self._delay_s = inner, delay_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/refresh_token"):
            await asyncio.sleep(self._delay_s)
        return await self._inner.handle_async_request(request)


@pytest.fixture
def frozen(sandbox: KuaishouSandbox) -> KuaishouSandbox:
    sandbox.now = lambda: T0
    return sandbox


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
async def make_manager(frozen: KuaishouSandbox, warehouse_path: Path) -> AsyncIterator[MakeManager]:
    """A manager with its own warehouse object and OAuth client: one per simulated worker."""
    clients: list[KuaishouOAuthClient] = []

    def make(**overrides: object) -> TokenManager:
        oauth = KuaishouOAuthClient(
            app_id=KUAISHOU_APP_KEY,
            app_secret=KUAISHOU_APP_SECRET,
            base_url=BASE_URL,
            transport=SlowRefresh(httpx.ASGITransport(app=build_kuaishou_app(frozen))),
        )
        clients.append(oauth)
        store = WarehouseTokenStore(Warehouse(warehouse_path), seller_key=SELLER_KEY)
        kwargs: dict[str, object] = {"clock": lambda: frozen.now()}
        kwargs.update(overrides)
        return TokenManager(store, oauth, **kwargs)  # type: ignore[arg-type]

    yield make
    for oauth in clients:
        await oauth.aclose()


@pytest.fixture
async def manager(frozen: KuaishouSandbox, make_manager: MakeManager) -> TokenManager:
    """A manager whose merchant authorized the app at T0."""
    made = make_manager()
    await made.authorize(frozen.issue_code(KUAISHOU_SELLER_ID))
    return made


def stored(warehouse_path: Path) -> TokenSet:
    tokens = WarehouseTokenStore(Warehouse(warehouse_path), seller_key=SELLER_KEY).load()
    assert tokens is not None
    return tokens


def calls_of(sandbox: KuaishouSandbox, method: str) -> int:
    return sum(1 for called, _ in sandbox.calls if called == method)


# --- storing and proactive refresh ---------------------------------------------------------------


@anyio
async def test_authorize_stores_the_tokens_in_the_oauth_tokens_table(
    manager: TokenManager, warehouse_path: Path
) -> None:
    tokens = stored(warehouse_path)
    assert tokens.access_expires_at == T0 + timedelta(hours=48)
    assert tokens.refresh_expires_at == T0 + timedelta(days=180)
    assert tokens.access_token.get_secret_value() == await manager.access_token()


@anyio
async def test_no_refresh_while_more_than_the_margin_is_left(
    frozen: KuaishouSandbox, manager: TokenManager
) -> None:
    before = await manager.access_token()
    frozen.advance(timedelta(hours=41, minutes=59))
    assert await manager.access_token() == before
    assert frozen.refreshes == 0


@anyio
async def test_the_token_is_refreshed_proactively_within_the_margin(
    frozen: KuaishouSandbox, manager: TokenManager, warehouse_path: Path, client_for: MakeClient
) -> None:
    before = await manager.access_token()
    frozen.advance(timedelta(hours=42, minutes=1))
    after = await manager.access_token()
    assert after != before
    assert frozen.refreshes == 1
    assert stored(warehouse_path).access_token.get_secret_value() == after
    async with client_for(access_token=None, token_provider=manager) as kuaishou:
        await kuaishou.category_config(LEAF)
    assert frozen.refreshes == 1


@anyio
async def test_the_rotated_refresh_token_keeps_the_original_expiry(
    frozen: KuaishouSandbox, manager: TokenManager, warehouse_path: Path
) -> None:
    frozen.advance(timedelta(hours=43))
    await manager.access_token()
    tokens = stored(warehouse_path)
    assert tokens.refresh_expires_at == T0 + timedelta(days=180)
    assert tokens.access_expires_at == T0 + timedelta(hours=43 + 48)
    issued = frozen.oauth.refresh_tokens[tokens.refresh_token.get_secret_value()]
    assert issued.expires_at == T0 + timedelta(days=180)


# --- one rotation, however many callers ----------------------------------------------------------


@anyio
async def test_two_tasks_sharing_a_manager_rotate_once(
    frozen: KuaishouSandbox, manager: TokenManager
) -> None:
    frozen.advance(timedelta(hours=43))
    first, second = await asyncio.gather(manager.access_token(), manager.access_token())
    assert first == second
    assert frozen.refreshes == 1


@anyio
async def test_two_workers_sharing_one_warehouse_file_rotate_once(
    frozen: KuaishouSandbox, manager: TokenManager, make_manager: MakeManager
) -> None:
    other_worker = make_manager()
    frozen.advance(timedelta(hours=43))
    tokens = await asyncio.gather(
        *(worker.access_token() for worker in (manager, other_worker) for _ in range(3))
    )
    assert len(set(tokens)) == 1
    assert frozen.refreshes == 1


@anyio
async def test_a_lease_left_by_a_crashed_worker_is_taken_over_when_it_expires(
    frozen: KuaishouSandbox, manager: TokenManager, warehouse_path: Path
) -> None:
    store = WarehouseTokenStore(Warehouse(warehouse_path), seller_key=SELLER_KEY)
    frozen.advance(timedelta(hours=43))
    assert store.try_lock(holder="crashed-worker", now=frozen.now(), lease=timedelta(minutes=2))
    frozen.advance(timedelta(minutes=2))
    await manager.access_token()
    assert frozen.refreshes == 1


def test_only_one_of_several_processes_claims_the_refresh_lease(warehouse_path: Path) -> None:
    WarehouseTokenStore(Warehouse(warehouse_path), seller_key=SELLER_KEY)
    script = textwrap.dedent(
        f"""
        import sys, time
        from datetime import datetime, timedelta, timezone
        from store.oauth_tokens import WarehouseTokenStore
        from store.warehouse import Warehouse
        store = WarehouseTokenStore(Warehouse({str(warehouse_path)!r}), seller_key={SELLER_KEY!r})
        while time.time() < float(sys.argv[1]):
            time.sleep(0.001)
        now = datetime(2026, 3, 2, tzinfo=timezone.utc)
        print(store.try_lock(holder=sys.argv[2], now=now, lease=timedelta(minutes=2)))
        """
    )
    start_at = str(time.time() + 1.5)  # all three try at about the same moment
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, start_at, f"worker-{n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    answers = [worker.communicate(timeout=60) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), answers
    assert sorted(out.strip() for out, _ in answers) == ["False", "False", "True"]


# --- the client with a token provider ------------------------------------------------------------


@anyio
async def test_an_expired_token_is_refreshed_and_the_read_succeeds(
    frozen: KuaishouSandbox, make_manager: MakeManager, client_for: MakeClient
) -> None:
    # The manager's clock stands still (a skewed host), so it hands out a token it believes valid.
    skewed = make_manager(clock=lambda: T0)
    await skewed.authorize(frozen.issue_code(KUAISHOU_SELLER_ID))
    frozen.advance(timedelta(days=2))
    async with client_for(access_token=None, token_provider=skewed) as kuaishou:
        config = await kuaishou.category_config(LEAF)
    assert config.category_config.refund_rule_list
    assert frozen.refreshes == 1
    assert calls_of(frozen, "open.item.category.config") == 2


@anyio
async def test_a_create_is_never_resent_after_a_token_expiry(
    frozen: KuaishouSandbox,
    make_manager: MakeManager,
    client_for: MakeClient,
    make_png: Callable[..., bytes],
    make_param: Callable[..., object],
) -> None:
    skewed = make_manager(clock=lambda: T0)
    await skewed.authorize(frozen.issue_code(KUAISHOU_SELLER_ID))
    async with client_for(access_token=None, token_provider=skewed) as kuaishou:
        red = await kuaishou.upload_image(make_png((200, 30, 30)), filename="red.png")
        blue = await kuaishou.upload_image(make_png((30, 30, 200)), filename="blue.png")
        frozen.advance(timedelta(days=3))
        param = make_param([red.kwai_img_url, blue.kwai_img_url])
        with pytest.raises(KuaishouTokenExpiredError):
            await kuaishou.create_item(param)  # type: ignore[arg-type]
    assert calls_of(frozen, "open.item.new") == 1
    assert frozen.refreshes == 0
    assert frozen.items == {}


@anyio
async def test_a_plain_provider_is_asked_once_more_after_an_expiry(
    frozen: KuaishouSandbox, make_manager: MakeManager, client_for: MakeClient
) -> None:
    expired = await make_manager().authorize(frozen.issue_code(KUAISHOU_SELLER_ID))
    frozen.advance(timedelta(hours=48))
    answers = iter([expired.access_token.get_secret_value(), KUAISHOU_ACCESS_TOKEN])

    async def provider() -> str:
        return next(answers, KUAISHOU_ACCESS_TOKEN)

    async with client_for(access_token=None, token_provider=provider) as kuaishou:
        await kuaishou.category_config(LEAF)
    assert calls_of(frozen, "open.item.category.config") == 2


def test_a_client_takes_exactly_one_of_access_token_and_token_provider(
    client_for: MakeClient,
) -> None:
    async def provider() -> str:
        return KUAISHOU_ACCESS_TOKEN

    with pytest.raises(ValueError, match="exactly one"):
        client_for(token_provider=provider)
    with pytest.raises(ValueError, match="exactly one"):
        client_for(access_token=None)


# --- when only the merchant can help -------------------------------------------------------------


@anyio
async def test_an_expired_refresh_token_asks_for_reauthorization_without_calling_the_platform(
    frozen: KuaishouSandbox, manager: TokenManager
) -> None:
    frozen.advance(timedelta(days=180))
    with pytest.raises(KuaishouReauthorizeError, match="authorize the app again"):
        await manager.access_token()
    assert frozen.refreshes == 0


@anyio
async def test_a_refresh_token_discarded_elsewhere_asks_for_reauthorization(
    frozen: KuaishouSandbox, manager: TokenManager, warehouse_path: Path
) -> None:
    # Someone rotated with the stored refresh token and lost the answer, 5+ minutes ago.
    rogue = KuaishouOAuthClient(
        app_id=KUAISHOU_APP_KEY,
        app_secret=KUAISHOU_APP_SECRET,
        base_url=BASE_URL,
        transport=httpx.ASGITransport(app=build_kuaishou_app(frozen)),
    )
    async with rogue:
        await rogue.refresh(stored(warehouse_path).refresh_token.get_secret_value())
    frozen.advance(timedelta(hours=43))
    with pytest.raises(KuaishouReauthorizeError, match=r"refreshToken\.discarded"):
        await manager.access_token()


@anyio
async def test_no_stored_tokens_asks_for_authorization(make_manager: MakeManager) -> None:
    with pytest.raises(KuaishouReauthorizeError, match="authorize"):
        await make_manager().access_token()


# --- secrets -------------------------------------------------------------------------------------


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


@anyio
async def test_tokens_never_appear_in_logs_reprs_or_errors(
    frozen: KuaishouSandbox,
    make_manager: MakeManager,
    warehouse_path: Path,
    client_for: MakeClient,
    all_logs: pytest.LogCaptureFixture,
) -> None:
    skewed = make_manager(clock=lambda: T0)
    code = frozen.issue_code(KUAISHOU_SELLER_ID)
    first = await skewed.authorize(code)
    frozen.advance(timedelta(days=2))
    async with client_for(access_token=None, token_provider=skewed) as kuaishou:
        await kuaishou.category_config(LEAF)  # expired → rotated → resent
    second = stored(warehouse_path)
    frozen.advance(timedelta(days=180))  # the platform now refuses the refresh token
    rejected = second.access_token.get_secret_value()
    failures: list[Awaitable[str]] = [
        skewed.force_refresh(rejected),
        skewed.force_refresh(rejected),
    ]
    messages = []
    for failure in failures:
        with pytest.raises(KuaishouReauthorizeError) as caught:
            await failure
        messages.append(f"{caught.value!s} {caught.value!r}")
    assert "rotated" in all_logs.text
    secrets = [
        code,
        KUAISHOU_APP_SECRET,
        first.access_token.get_secret_value(),
        first.refresh_token.get_secret_value(),
        second.access_token.get_secret_value(),
        second.refresh_token.get_secret_value(),
    ]
    for text in [all_logs.text, repr(first), str(second), *messages]:
        for secret in secrets:
            assert secret not in text
