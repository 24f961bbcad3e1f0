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
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from aiolimiter import AsyncLimiter

__all__ = [
    "IN_FLIGHT_POLL_S",
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

IN_FLIGHT_POLL_S = 0.005
"""How often a request waiting on a window full of unanswered requests looks again."""


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

    The platform counts *arrivals*, and a request can arrive well after it was admitted (a busy
    loop, a slow connection). So a request counts in the window from its admission until
    `WINDOW_S` after its answer came back, which is after it arrived: the N-th request after it
    leaves more than `WINDOW_S` after its arrival however late it got there. (The shared
    PostgreSQL gate, `store.rate_window`, moves a request's time to its answer the same way.) With
    admission times alone a loaded CI machine saw the vv-tool emulator refuse one of 24
    concurrent creates (decision 213).

    Requests pass one at a time under a lock, in order. aiolimiter's limiter and the lock belong
    to one event loop, so the gate keeps them per running loop (a client reused by several
    `asyncio.run` calls, as scripts and tests do); the window's times carry over.
    """

    def __init__(self, rate_per_second: float) -> None:
        if rate_per_second <= 0:
            raise ValueError(f"rate_per_second must be positive, got {rate_per_second}")
        self._rate = rate_per_second
        self._loop: asyncio.AbstractEventLoop | None = None
        self._limiter: AsyncLimiter | None = None
        self._lock: asyncio.Lock | None = None
        self._window_size = max(1, int(rate_per_second))
        self._answered_at: list[float] = []  # answered requests still within the window
        self._in_flight: list[float] = []  # admitted, not yet answered: they count until then

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        at = await self.admit()
        try:
            yield
        finally:
            self._answered(at)

    async def admit(self) -> float:
        """Wait for the next slot; the time the request was recorded at."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._limiter is None or self._lock is None:
            self._loop = loop
            self._limiter = AsyncLimiter(1, PACE_FRACTION / self._rate)
            self._lock = asyncio.Lock()
        async with self._lock:
            await self._limiter.acquire()
            while (wait := self._wait_for_window(loop.time())) > 0:
                await asyncio.sleep(wait)
            at = loop.time()
            self._in_flight.append(at)
            return at

    def _wait_for_window(self, now: float) -> float:
        """Seconds until fewer than N requests count in the window: those answered within
        `WINDOW_S` of now, and every one not answered yet (it may arrive at any moment)."""
        self._answered_at = sorted(t for t in self._answered_at if t > now - WINDOW_S)
        must_leave = len(self._answered_at) + len(self._in_flight) - self._window_size + 1
        if must_leave <= 0:
            return 0.0
        if must_leave > len(self._answered_at):
            return IN_FLIGHT_POLL_S  # the window is full of requests still on their way
        return self._answered_at[must_leave - 1] + WINDOW_S - now

    def _answered(self, at: float) -> None:
        """The request recorded at `at` has its answer: it counts from now (it arrived before)."""
        self._in_flight.remove(at)
        now = self._loop.time() if self._loop is not None else at
        self._answered_at.append(max(at, now))


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
