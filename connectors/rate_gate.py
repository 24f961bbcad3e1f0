"""Who decides when the next request to a platform may leave: a rate gate.

A platform counts requests per app and per shop over a sliding second, whichever process sends
them. `RateGate` is what the transport (`connectors.http.RateLimitedTransport`) awaits before every
request; it has two kinds:

- `LocalRateGate`, this process alone (the embedded default: one worker per shop): aiolimiter's
  pacing plus the platform's own sliding window (decision 42);
- a gate shared by every process that calls one shop, built elsewhere (PostgreSQL:
  `store.rate_window.PostgresRateGates`, decision 75) and handed to the client by
  `pipeline.clients.Platforms`. connectors/ keeps no state, so it only knows the protocol.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from aiolimiter import AsyncLimiter

__all__ = [
    "PACE_FRACTION",
    "WINDOW_S",
    "LocalRateGate",
    "LocalRateGates",
    "RateGate",
    "RateGates",
]

PACE_FRACTION = 0.92
"""Requests are spaced at `PACE_FRACTION / rate`: slightly fast, so late wake-ups can catch up."""

WINDOW_S = 1.025
"""At most `rate` requests in any `WINDOW_S`: the platform's one-second window plus a margin for
arrival jitter (the platform counts arrivals, not sends)."""


class RateGate(Protocol):
    """Admits one request at a time, when the shop's rate allows it."""

    def slot(self) -> AbstractAsyncContextManager[None]:
        """`async with gate.slot(): send`: entered when one more request may be sent now (the
        caller sends it at once), left when its answer came back (or it failed): a gate shared
        by several workers counts the request until then, since it may not have arrived yet."""
        ...


class RateGates(Protocol):
    """Makes the gate of one shop: every client of `key` made by one factory shares its window."""

    def __call__(self, key: str, *, rate_per_second: float) -> RateGate: ...


class LocalRateGate:
    """Keeps this process to `rate_per_second`: never more than that many requests in any
    `WINDOW_S`, never two closer than `PACE_FRACTION / rate` apart.

    Two parts, because one alone misses either the rate or the rule:

    - aiolimiter's `AsyncLimiter(1, PACE_FRACTION / N)`, a bucket of one (it never bursts; an
      `AsyncLimiter(N, 1)` would allow 2N-1 in the first second). Paced at exactly 1/N it loses
      every millisecond a busy event loop wakes late, and a publisher reaches ~0.9 of its rate;
      paced slightly faster, it has room to catch up.
    - a sliding window, the platforms' own rule ("Exceed qps limit" counts the last second): at
      most N sends in any `WINDOW_S`.

    Requests pass one at a time under a lock, in order. aiolimiter's limiter and the lock belong
    to one event loop, so the gate keeps them per running loop (a client reused by several
    `asyncio.run` calls, as scripts and tests do); the window's send times carry over.
    """

    def __init__(self, rate_per_second: float) -> None:
        if rate_per_second <= 0:
            raise ValueError(f"rate_per_second must be positive, got {rate_per_second}")
        self._rate = rate_per_second
        self._loop: asyncio.AbstractEventLoop | None = None
        self._limiter: AsyncLimiter | None = None
        self._lock: asyncio.Lock | None = None
        self._window_size = max(1, int(rate_per_second))
        self._sent: deque[float] = deque(maxlen=self._window_size)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.admit()
        yield

    async def admit(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._limiter is None or self._lock is None:
            self._loop = loop
            self._limiter = AsyncLimiter(1, PACE_FRACTION / self._rate)
            self._lock = asyncio.Lock()
        async with self._lock:
            await self._limiter.acquire()
            if len(self._sent) == self._window_size:
                wait = self._sent[0] + WINDOW_S - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            self._sent.append(loop.time())


class LocalRateGates:
    """One `LocalRateGate` per shop key and rate in this process: every client of a shop made
    through it shares one window (the embedded default, where one process serves a shop)."""

    def __init__(self) -> None:
        self._gates: dict[tuple[str, float], LocalRateGate] = {}

    def __call__(self, key: str, *, rate_per_second: float) -> LocalRateGate:
        gate = self._gates.get((key, rate_per_second))
        if gate is None:
            gate = self._gates[(key, rate_per_second)] = LocalRateGate(rate_per_second)
        return gate
