"""Ledger calls off the event loop, on one thread of their own, in the order they are made.

The ledger backends are synchronous (DuckDB, psycopg). Called from the publisher's coroutines they
block the event loop for the length of each commit, and while the loop is blocked the transport's
rate limiter cannot release the next request: a millisecond of commit per item is a millisecond
lost from every item's slot, and the publisher falls short of its configured rate. Running the
calls on a dedicated thread keeps the loop free for the network.

One thread, not a pool: a PostgreSQL ledger is one session (its claims are session advisory locks)
and must never see two transactions interleaved; calls stay in order, as they were when made on
the loop. Each call's commit is done before its `await` returns, so "committed before the create
is sent" holds exactly as before.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import ParamSpec, Self, TypeVar

__all__ = ["LedgerThread"]

P = ParamSpec("P")
T = TypeVar("T")


class LedgerThread:
    """Awaitable calls of synchronous ledger methods, run one at a time on a thread of their own.

    `await ledger_thread(ledger.claim, rel_item_ids=[rel], states=states)`; use it as a context
    manager so the thread ends with the run.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="banjia-ledger")

    async def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Wait for the call in progress (a commit is never cut in half), then end the thread."""
        self._pool.shutdown(wait=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
