"""The Kuaishou shop's request window in PostgreSQL: one rate limit for every worker (decision 75).

Kuaishou counts a shop's requests over a sliding second whichever process sends them, so two
workers each pacing themselves at the shop's rate are refused ("Exceed qps limit"). With the
ledger in PostgreSQL (`BANJIA_LEDGER_URL`) every worker's Kuaishou client passes the shop's
`PostgresRateGate` instead: a row per shop (`shop_rate_window`, ledger schema migration 5) keeps
the times of the shop's latest requests on the database's clock, and one conditional UPDATE
admits a request only when it keeps the rules of `connectors.rate_gate.LocalRateGate` for all
workers together: at most N in any `WINDOW_S`, none closer than `PACE_FRACTION / N` to the
previous one.

The platform counts *arrivals*, and a request recorded at admission can arrive late (its worker
was descheduled between the database's answer and the send): then the N-th request after it,
recorded a second later, may arrive less than a second after it. So when a request's answer
came back its time in the window is moved to that instant, which is after it arrived: the N-th
after it is then more than `WINDOW_S` behind its arrival however late it was sent. Measured:
with admission times alone two workers on one shop were refused now and then; with this, never
(tests/bench/test_workers_bench.py).

Until its answer comes, a request is recorded `IN_FLIGHT_HOLD_S` ahead of its admission (decision
216): it may not have arrived yet, so it must not leave the window a second after it was admitted,
as the local gate keeps an unanswered request for as long as it is unanswered (decision 213). The
hold is bounded, not "until answered", because a worker killed mid-request never answers: its
entry then leaves the window `IN_FLIGHT_HOLD_S + WINDOW_S` after admission, not never. A worker
refused by a window whose N-th latest request is still unanswered asks again every
`IN_FLIGHT_POLL_S`, since that answer, usually milliseconds away, moves the request back to now.
The row keeps only the times still in the window (an unanswered request's among them), so no
later admission pushes out a request still on its way.

The UPDATE checks and records in one statement on one row, so two workers racing for the same
instant are ordered by the row lock, and the time it records is read after the lock was had
(clock_timestamp(), re-read when PostgreSQL re-checks the row). A refused worker is told how long
to wait and asks again.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from connectors.rate_gate import IN_FLIGHT_POLL_S, PACE_FRACTION, WINDOW_S
from store.ledger import PostgresLedger

__all__ = ["IN_FLIGHT_HOLD_S", "PostgresRateGate", "PostgresRateGates"]

IN_FLIGHT_HOLD_S = 2.0
"""How far ahead of its admission an unanswered request is recorded: longer than a request takes to
arrive, short enough that a killed worker's request frees the window within seconds."""

_NOW = "extract(epoch FROM clock_timestamp())::float8"
_IN_WINDOW = f"(SELECT count(*) FROM unnest(sent) s WHERE s > {_NOW} - %(window)s)"
_NTH_LATEST = "(SELECT s FROM unnest(sent) s ORDER BY s DESC OFFSET %(n)s - 1 LIMIT 1)"
_TRY = f"""
WITH took AS (
    UPDATE shop_rate_window
    SET sent = ARRAY(SELECT s FROM unnest(sent) s WHERE s > {_NOW} - %(window)s)
               || ({_NOW} + %(hold)s),
        last_at = {_NOW}
    WHERE shop = %(shop)s
      AND coalesce(last_at <= {_NOW} - %(pace)s, true)
      AND {_IN_WINDOW} < %(n)s
    RETURNING true AS admitted, sent[cardinality(sent)] AS value
)
SELECT admitted, value FROM took
UNION ALL
SELECT false, greatest(
    coalesce(last_at + %(pace)s - {_NOW}, 0),
    CASE
        WHEN {_IN_WINDOW} < %(n)s THEN 0
        WHEN {_NTH_LATEST} > {_NOW} THEN %(poll)s
        ELSE {_NTH_LATEST} + %(window)s - {_NOW}
    END
)
FROM shop_rate_window WHERE shop = %(shop)s AND NOT EXISTS (SELECT 1 FROM took)
"""
_ANSWERED = f"""
UPDATE shop_rate_window SET sent = array_replace(sent, %(at)s, {_NOW})
WHERE shop = %(shop)s
"""
_MIN_WAIT_S = 0.0005  # another worker took the slot between the check and the hint: ask again soon


class PostgresRateGates:
    """The rate gates of every Kuaishou shop, in the ledger's PostgreSQL schema.

    One connection per process (autocommit; its statements run on worker threads so the event
    loop never blocks on them), opened on the first request. The schema is the ledger's: opening
    it applies the ledger's schema migrations, as `PostgresLedger` does.
    """

    def __init__(self, url: str, *, schema: str = "banjia") -> None:
        self._url = url
        self._schema = schema
        self._con: Any = None
        self._lock = threading.Lock()
        self._gates: dict[tuple[str, float], PostgresRateGate] = {}

    def __call__(self, key: str, *, rate_per_second: float) -> PostgresRateGate:
        gate = self._gates.get((key, rate_per_second))
        if gate is None:
            gate = self._gates[(key, rate_per_second)] = PostgresRateGate(
                self, key=key, rate_per_second=rate_per_second
            )
        return gate

    def try_send(self, shop: str, *, rate_per_second: float) -> tuple[bool, float]:
        """Record one request of `shop` now if the window allows it: (True, the time recorded,
        `IN_FLIGHT_HOLD_S` ahead, to give to `answered`); else (False, the seconds to wait
        before asking again)."""
        n = max(1, int(rate_per_second))
        params = {
            "shop": shop,
            "n": n,
            "pace": PACE_FRACTION / rate_per_second,
            "window": WINDOW_S,
            "hold": IN_FLIGHT_HOLD_S,
            "poll": IN_FLIGHT_POLL_S,
        }
        with self._lock:
            con = self._connection()
            while True:
                row = con.execute(_TRY, params).fetchone()
                if row is not None:
                    admitted, value = bool(row[0]), float(row[1])
                    return admitted, value if admitted else max(value, _MIN_WAIT_S)
                con.execute(
                    "INSERT INTO shop_rate_window (shop, sent) VALUES (%s, '{}') "
                    "ON CONFLICT (shop) DO NOTHING",
                    [shop],
                )

    def answered(self, shop: str, *, at: float) -> None:
        """The request recorded at `at` has been answered: it counts from now in the window (its
        entry moves back from `IN_FLIGHT_HOLD_S` ahead of its admission to its answer)."""
        with self._lock:
            self._connection().execute(_ANSWERED, {"shop": shop, "at": at})

    def _connection(self) -> Any:
        if self._con is None or self._con.closed or self._con.broken:
            # The ledger's own open: connect, create the schema, apply its migrations (under its
            # advisory lock); the gates hold no session state, so the connection is theirs.
            self._con = PostgresLedger(self._url, schema=self._schema)._open()
        return self._con

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


class PostgresRateGate:
    """One shop's gate (`connectors.rate_gate.RateGate`): this process's requests to the shop
    queue on an asyncio lock, then ask PostgreSQL for a slot shared with every other worker."""

    def __init__(self, gates: PostgresRateGates, *, key: str, rate_per_second: float) -> None:
        if rate_per_second <= 0:
            raise ValueError(f"rate_per_second must be positive, got {rate_per_second}")
        self._gates = gates
        self._key = key
        self._rate = rate_per_second
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        at = await self.admit()
        try:
            yield
        finally:
            await asyncio.to_thread(self._gates.answered, self._key, at=at)

    async def admit(self) -> float:
        """Wait for this shop's next slot; the time it was recorded at."""
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(loop, asyncio.Lock())
        async with lock:
            while True:
                admitted, value = await asyncio.to_thread(
                    self._gates.try_send, self._key, rate_per_second=self._rate
                )
                if admitted:
                    return value
                await asyncio.sleep(value)
