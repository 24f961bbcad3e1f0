"""OAuth rotation with the tokens in PostgreSQL: one rotation across workers, by a row lock.

"Workers" are managers with their own `Warehouse` objects on one scratch schema (each store opens
its own sessions, as another machine would), and, for the lock alone, real processes.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from connectors.kuaishou import KuaishouOAuthClient, TokenManager, TokenSet
from listings.china_time import CHINA_TZ
from sandbox.credentials import KUAISHOU_APP_KEY, KUAISHOU_APP_SECRET, KUAISHOU_SELLER_ID
from sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app
from store.pg_tokens import PostgresTokenStore
from store.warehouse import Warehouse

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)
SELLER_KEY = "kuaishou:880001"
anyio = pytest.mark.anyio

MakeManager = Callable[[], TokenManager]


class SlowRefresh(httpx.AsyncBaseTransport):
    """Delays refresh answers, so the second worker arrives while the first one rotates."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/refresh_token"):
            await asyncio.sleep(0.2)
        return await self._inner.handle_async_request(request)


@pytest.fixture
def sandbox() -> KuaishouSandbox:
    state = KuaishouSandbox()
    state.now = lambda: T0
    return state


@pytest.fixture
async def make_manager(
    sandbox: KuaishouSandbox, postgres_url: str, postgres_schema: str
) -> AsyncIterator[MakeManager]:
    clients: list[KuaishouOAuthClient] = []

    def make() -> TokenManager:
        oauth = KuaishouOAuthClient(
            app_id=KUAISHOU_APP_KEY,
            app_secret=KUAISHOU_APP_SECRET,
            base_url="http://kuaishou.sandbox",
            transport=SlowRefresh(httpx.ASGITransport(app=build_kuaishou_app(sandbox))),
        )
        clients.append(oauth)
        store = PostgresTokenStore(
            Warehouse(postgres_url, schema=postgres_schema), seller_key=SELLER_KEY
        )
        return TokenManager(store, oauth, clock=lambda: sandbox.now(), poll_interval_s=0.05)

    yield make
    for oauth in clients:
        await oauth.aclose()


@anyio
async def test_two_workers_on_one_postgresql_rotate_once(
    sandbox: KuaishouSandbox, make_manager: MakeManager
) -> None:
    first, second = make_manager(), make_manager()
    await first.authorize(sandbox.issue_code(KUAISHOU_SELLER_ID))
    sandbox.advance(timedelta(hours=43))
    tokens = await asyncio.gather(
        *(worker.access_token() for worker in (first, second) for _ in range(3))
    )
    assert len(set(tokens)) == 1
    assert sandbox.refreshes == 1


@anyio
async def test_a_worker_whose_session_died_mid_rotation_leaves_the_row_free(
    sandbox: KuaishouSandbox, make_manager: MakeManager, postgres_url: str, postgres_schema: str
) -> None:
    manager = make_manager()
    await manager.authorize(sandbox.issue_code(KUAISHOU_SELLER_ID))
    crashed = PostgresTokenStore(
        Warehouse(postgres_url, schema=postgres_schema), seller_key=SELLER_KEY
    )
    assert crashed.try_lock(holder="crashed", now=T0, lease=timedelta(minutes=2))
    crashed._held["crashed"].close()  # the process died: its session, and the lock, are gone
    sandbox.advance(timedelta(hours=43))
    await manager.access_token()
    assert sandbox.refreshes == 1


def test_a_lease_that_runs_out_mid_rotation_is_not_saved(
    postgres_url: str, postgres_schema: str
) -> None:
    store = PostgresTokenStore(
        Warehouse(postgres_url, schema=postgres_schema), seller_key=SELLER_KEY
    )
    assert store.try_lock(holder="slow", now=T0, lease=timedelta(milliseconds=200))
    time.sleep(0.6)  # the server ends a transaction idle for longer than the lease
    other = PostgresTokenStore(
        Warehouse(postgres_url, schema=postgres_schema), seller_key=SELLER_KEY
    )
    assert other.try_lock(holder="next", now=T0, lease=timedelta(minutes=1))
    late = TokenSet(
        access_token=SecretStr("a2"),
        refresh_token=SecretStr("r2"),
        access_expires_at=T0 + timedelta(hours=48),
        refresh_expires_at=T0 + timedelta(days=180),
    )
    assert store.save(late, holder="slow") is False
    assert store.load() is None  # nothing was stored by the worker that lost its lease
    other.unlock(holder="next")
    store.unlock(holder="slow")


def test_only_one_of_several_processes_takes_the_token_row(
    postgres_url: str, postgres_schema: str
) -> None:
    PostgresTokenStore(Warehouse(postgres_url, schema=postgres_schema), seller_key=SELLER_KEY)
    script = textwrap.dedent(
        f"""
        import sys, time
        from datetime import datetime, timedelta, timezone
        from store.pg_tokens import PostgresTokenStore
        from store.warehouse import Warehouse
        store = PostgresTokenStore(
            Warehouse({postgres_url!r}, schema={postgres_schema!r}), seller_key={SELLER_KEY!r}
        )
        while time.time() < float(sys.argv[1]):
            time.sleep(0.001)
        now = datetime(2026, 3, 2, tzinfo=timezone.utc)
        print(store.try_lock(holder=sys.argv[2], now=now, lease=timedelta(minutes=2)), flush=True)
        time.sleep(3)  # hold it while the others try
        """
    )
    start_at = str(time.time() + 2.5)  # all three try at about the same moment
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
