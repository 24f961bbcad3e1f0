"""Kuaishou tokens at rest and their rotation: `TokenSet`, `TokenStore`, `TokenManager`.

An access token lives 48 h; a refresh token ~180 d, and every rotation replaces it (the old one
dies 5 minutes later) while keeping the ORIGINAL expiry (kuaishou-api.md §5.3). So rotation must
happen exactly once per due date, however many tasks, processes or workers ask for a token:
two rotations in a row would be harmless only inside the 5-minute grace, and a lost new refresh
token means the merchant has to authorize again. Hence two locks:

- in-process, an `asyncio.Lock`: concurrent tasks of one manager wait for one rotation;
- across processes, a lease in the `oauth_tokens` row, claimed with a compare-and-set UPDATE
  (state `refreshing`, holder, lease expiry). Whoever gets the lease re-reads the stored tokens
  first: if another worker already rotated, it uses theirs.

The lease (2 min by default) is shorter than the 5-minute grace on purpose: if a holder dies after
the platform rotated but before it stored the answer, the next holder's refresh with the stored
(old) refresh token still succeeds.

Tokens are `SecretStr` everywhere, so no repr, log line, metadata or exception shows them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import duckdb
from pydantic import BaseModel, ConfigDict, SecretStr

from connectors.kuaishou.errors import KuaishouOAuthError, KuaishouReauthorizeError
from connectors.kuaishou.oauth import KuaishouOAuthClient, OAuthTokens
from connectors.warehouse import Warehouse

__all__ = [
    "DEFAULT_REFRESH_TOKEN_LIFETIME",
    "TokenManager",
    "TokenSet",
    "TokenStore",
    "WarehouseTokenStore",
]

# The docs say "~180 d" and list `refresh_token_expires_in` for the refresh answer only.
DEFAULT_REFRESH_TOKEN_LIFETIME = timedelta(days=180)

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TokenSet(BaseModel):
    """One merchant's tokens with absolute expiry times (aware datetimes)."""

    model_config = ConfigDict(frozen=True)

    access_token: SecretStr
    refresh_token: SecretStr
    access_expires_at: datetime
    refresh_expires_at: datetime
    open_id: str | None = None
    scopes: tuple[str, ...] = ()

    @classmethod
    def from_answer(
        cls,
        answer: OAuthTokens,
        *,
        requested_at: datetime,
        previous: TokenSet | None = None,
    ) -> TokenSet:
        """The token set of an OAuth answer. Expiries count from `requested_at` (conservative).

        With `previous` (a rotation) the new refresh token keeps the previous, original expiry:
        the platform does not extend it (§5.3). open_id and scopes carry over if not repeated.
        """
        if previous is not None:
            refresh_expires_at = previous.refresh_expires_at
        elif answer.refresh_token_expires_in is not None:
            refresh_expires_at = requested_at + timedelta(seconds=answer.refresh_token_expires_in)
        else:
            refresh_expires_at = requested_at + DEFAULT_REFRESH_TOKEN_LIFETIME
        return cls(
            access_token=answer.access_token,
            refresh_token=answer.refresh_token,
            access_expires_at=requested_at + timedelta(seconds=answer.expires_in),
            refresh_expires_at=refresh_expires_at,
            open_id=answer.open_id or (previous.open_id if previous else None),
            scopes=answer.scopes or (previous.scopes if previous else ()),
        )

    def access_due(self, now: datetime, margin: timedelta) -> bool:
        """True when the access token expires within `margin` of `now` (or already has)."""
        return self.access_expires_at - now <= margin


class TokenStore(Protocol):
    """Where one merchant's tokens live, with a cross-process refresh lease.

    Methods are synchronous (a database round trip); `TokenManager` runs them in a thread.
    """

    @property
    def seller_key(self) -> str: ...

    def load(self) -> TokenSet | None: ...

    def save(self, tokens: TokenSet, *, holder: str | None = None) -> bool:
        """Store `tokens`. With `holder`, only while it holds the lease; False if it lost it."""
        ...

    def try_lock(self, *, holder: str, now: datetime, lease: timedelta) -> bool:
        """Claim the refresh lease if it is free or expired (compare-and-set). True if claimed."""
        ...

    def unlock(self, *, holder: str) -> None:
        """Release the lease if `holder` still holds it."""
        ...


_DDL = """
CREATE TABLE IF NOT EXISTS oauth_tokens (
    seller_key VARCHAR PRIMARY KEY,
    access_token VARCHAR, refresh_token VARCHAR,
    access_expires_at TIMESTAMPTZ, refresh_expires_at TIMESTAMPTZ,
    open_id VARCHAR, scopes JSON, updated_at TIMESTAMPTZ,
    lock_state VARCHAR NOT NULL DEFAULT 'free', lock_holder VARCHAR, lock_expires_at TIMESTAMPTZ)
"""
_COLUMNS = "access_token, refresh_token, access_expires_at, refresh_expires_at, open_id, scopes"


_PATH_LOCKS: dict[str, threading.Lock] = {}
_PATH_LOCKS_GUARD = threading.Lock()


def _path_lock(path: str) -> threading.Lock:
    with _PATH_LOCKS_GUARD:
        return _PATH_LOCKS.setdefault(os.path.abspath(path), threading.Lock())


class WarehouseTokenStore:
    """Tokens of one merchant (`seller_key`) in the warehouse table `oauth_tokens`.

    In the embedded default the warehouse file IS the secret store: tokens are stored as given,
    so protect `data/warehouse.duckdb` like a credentials file (file permissions, no copies into
    tickets). A deployment with a vault swaps in another `TokenStore`. Nothing here logs a token.

    DuckDB lets one process hold the file at a time, so a connection that meets another
    process's lock is retried for `lock_timeout_s`. Inside one process the store's operations on
    a file take turns (a lock per path): DuckDB's Python module can fail two threads that open
    the same file at once ("Unique file handle conflict"), and the manager runs them in threads.
    """

    def __init__(
        self, warehouse: Warehouse, *, seller_key: str, lock_timeout_s: float = 10.0
    ) -> None:
        self._warehouse = warehouse
        self._seller_key = seller_key
        self._lock_timeout_s = lock_timeout_s
        with self._connect() as con:
            con.execute(_DDL)

    @property
    def seller_key(self) -> str:
        return self._seller_key

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """`warehouse.connect()`, retrying only the opening while the file is busy elsewhere."""
        deadline = time.monotonic() + self._lock_timeout_s
        with _path_lock(self._warehouse.path):
            while True:
                opened = self._warehouse.connect()
                try:
                    con = opened.__enter__()
                    break
                except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
                    busy = "lock" in str(exc).lower() or "in use" in str(exc).lower()
                    if not busy or time.monotonic() > deadline:
                        raise
                time.sleep(0.05)
            try:
                yield con
            finally:
                opened.__exit__(None, None, None)  # closes the connection; errors propagate

    def load(self) -> TokenSet | None:
        with self._connect() as con:
            row = con.execute(
                f"SELECT {_COLUMNS} FROM oauth_tokens WHERE seller_key = ?", [self._seller_key]
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return TokenSet(
            access_token=SecretStr(row[0]),
            refresh_token=SecretStr(row[1]),
            access_expires_at=row[2],
            refresh_expires_at=row[3],
            open_id=row[4],
            scopes=tuple(json.loads(row[5]) if row[5] else ()),
        )

    def save(self, tokens: TokenSet, *, holder: str | None = None) -> bool:
        values: list[Any] = [
            tokens.access_token.get_secret_value(),
            tokens.refresh_token.get_secret_value(),
            tokens.access_expires_at,
            tokens.refresh_expires_at,
            tokens.open_id,
            json.dumps(list(tokens.scopes)),
            _utc_now(),
        ]
        with self._connect() as con:
            if holder is None:
                con.execute(
                    f"INSERT INTO oauth_tokens (seller_key, {_COLUMNS}, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seller_key) DO UPDATE SET "
                    "access_token = excluded.access_token, refresh_token = excluded.refresh_token, "
                    "access_expires_at = excluded.access_expires_at, "
                    "refresh_expires_at = excluded.refresh_expires_at, open_id = excluded.open_id, "
                    "scopes = excluded.scopes, updated_at = excluded.updated_at",
                    [self._seller_key, *values],
                )
                return True
            rows = con.execute(
                "UPDATE oauth_tokens SET access_token = ?, refresh_token = ?, "
                "access_expires_at = ?, refresh_expires_at = ?, open_id = ?, scopes = ?, "
                "updated_at = ? WHERE seller_key = ? AND lock_holder = ? RETURNING seller_key",
                [*values, self._seller_key, holder],
            ).fetchall()
            return bool(rows)

    def try_lock(self, *, holder: str, now: datetime, lease: timedelta) -> bool:
        try:
            with self._connect() as con:
                con.execute(
                    "INSERT INTO oauth_tokens (seller_key) VALUES (?) "
                    "ON CONFLICT (seller_key) DO NOTHING",
                    [self._seller_key],
                )
                rows = con.execute(
                    "UPDATE oauth_tokens SET lock_state = 'refreshing', lock_holder = ?, "
                    "lock_expires_at = ? WHERE seller_key = ? AND (lock_state = 'free' "
                    "OR lock_expires_at IS NULL OR lock_expires_at <= ?) RETURNING seller_key",
                    [holder, now + lease, self._seller_key, now],
                ).fetchall()
        except (duckdb.TransactionException, duckdb.ConstraintException):
            return False  # another connection of this process claimed the row at the same time
        return bool(rows)

    def unlock(self, *, holder: str) -> None:
        for _ in range(20):
            try:
                with self._connect() as con:
                    con.execute(
                        "UPDATE oauth_tokens SET lock_state = 'free', lock_holder = NULL, "
                        "lock_expires_at = NULL WHERE seller_key = ? AND lock_holder = ?",
                        [self._seller_key, holder],
                    )
                return
            except duckdb.TransactionException:
                time.sleep(0.01)
        logger.warning(
            "kuaishou token lease of %s not released; it expires on its own", self._seller_key
        )


class TokenManager:
    """Hands out a valid access token for one merchant, rotating it at most once per due date.

    Pass it as `KuaishouClient(token_provider=manager)`: it is awaitable as `manager()`, and the
    client calls `force_refresh` when the platform says a token expired.

    - `refresh_margin`: rotate proactively when the access token has less left than this.
    - `lease`: how long a worker may hold the cross-process refresh lease (< the 5-min grace).
    - `wait_timeout_s`: how long (real time) to wait for another worker's rotation.
    """

    def __init__(
        self,
        store: TokenStore,
        oauth_client: KuaishouOAuthClient,
        *,
        refresh_margin: timedelta = timedelta(hours=6),
        clock: Callable[[], datetime] = _utc_now,
        lease: timedelta = timedelta(minutes=2),
        wait_timeout_s: float = 150.0,
        poll_interval_s: float = 0.05,
        holder: str | None = None,
    ) -> None:
        self._store = store
        self._oauth = oauth_client
        self._margin = refresh_margin
        self._clock = clock
        self._lease = lease
        self._wait_timeout_s = wait_timeout_s
        self._poll_interval_s = poll_interval_s
        self._holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = asyncio.Lock()
        self._cached: TokenSet | None = None

    async def __call__(self) -> str:
        return await self.access_token()

    async def aclose(self) -> None:
        """Close the OAuth client (the store keeps no connection open between calls)."""
        await self._oauth.aclose()

    async def stored(self) -> TokenSet | None:
        """The tokens in the store as they are now (no refresh), e.g. for a status line."""
        return await asyncio.to_thread(self._store.load)

    async def access_token(self) -> str:
        """A token valid for longer than `refresh_margin`, rotating first if needed."""
        cached = self._cached
        if cached is not None and not self._due(cached):
            return cached.access_token.get_secret_value()
        tokens = await self._fresh(self._due)
        return tokens.access_token.get_secret_value()

    async def force_refresh(self, rejected: str) -> str:
        """The platform refused `rejected` as expired: rotate, unless someone already has."""

        def stale(tokens: TokenSet) -> bool:
            return tokens.access_token.get_secret_value() == rejected or self._due(tokens)

        tokens = await self._fresh(stale)
        return tokens.access_token.get_secret_value()

    async def authorize(self, code: str) -> TokenSet:
        """Exchange the code of a (re)authorization and store the new tokens."""
        requested_at = self._now()
        answer = await self._oauth.exchange_code(code)
        tokens = TokenSet.from_answer(answer, requested_at=requested_at)
        await asyncio.to_thread(self._store.save, tokens)
        self._cached = tokens
        logger.info(
            "kuaishou authorization stored for %s (open_id %s); access token valid until %s",
            self._store.seller_key,
            tokens.open_id,
            tokens.access_expires_at.isoformat(),
        )
        return tokens

    # --- internals -------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("TokenManager's clock must return timezone-aware datetimes")
        return now

    def _due(self, tokens: TokenSet) -> bool:
        return tokens.access_due(self._now(), self._margin)

    async def _load(self) -> TokenSet:
        tokens = await asyncio.to_thread(self._store.load)
        if tokens is None:
            raise KuaishouReauthorizeError(
                f"no Kuaishou tokens stored for {self._store.seller_key}: the merchant must "
                "authorize the app (then TokenManager.authorize(code))",
                method="oauth2.refresh_token",
            )
        self._cached = tokens
        return tokens

    async def _fresh(self, stale: Callable[[TokenSet], bool]) -> TokenSet:
        """The stored tokens if `stale` says they are fine, else rotated ones, under both locks."""
        async with self._lock:
            tokens = await self._load()
            if not stale(tokens):
                return tokens
            deadline = time.monotonic() + self._wait_timeout_s
            while not await asyncio.to_thread(
                self._store.try_lock, holder=self._holder, now=self._now(), lease=self._lease
            ):
                if time.monotonic() > deadline:
                    raise KuaishouOAuthError(
                        f"kuaishou token refresh of {self._store.seller_key}: another worker "
                        f"has held the refresh lease for over {self._wait_timeout_s:.0f} s",
                        method="oauth2.refresh_token",
                        retryable=True,
                    )
                await asyncio.sleep(self._poll_interval_s)
                tokens = await self._load()
                if not stale(tokens):
                    return tokens  # another worker rotated while we waited
            try:
                tokens = await self._load()  # re-read under the lease
                if not stale(tokens):
                    return tokens
                return await self._rotate(tokens)
            finally:
                await asyncio.to_thread(self._store.unlock, holder=self._holder)

    async def _rotate(self, tokens: TokenSet) -> TokenSet:
        requested_at = self._now()
        if tokens.refresh_expires_at <= requested_at:
            raise KuaishouReauthorizeError(
                f"the Kuaishou refresh token of {self._store.seller_key} expired at "
                f"{tokens.refresh_expires_at.isoformat()}: the merchant must authorize the app "
                "again",
                method="oauth2.refresh_token",
            )
        answer = await self._oauth.refresh(tokens.refresh_token.get_secret_value())
        rotated = TokenSet.from_answer(answer, requested_at=requested_at, previous=tokens)
        if not await asyncio.to_thread(self._store.save, rotated, holder=self._holder):
            logger.warning(
                "kuaishou token lease of %s expired during the rotation and another worker took "
                "it; the new tokens are used here but not stored",
                self._store.seller_key,
            )
        self._cached = rotated
        logger.info(
            "kuaishou tokens of %s rotated; access token valid until %s, refresh until %s",
            self._store.seller_key,
            rotated.access_expires_at.isoformat(),
            rotated.refresh_expires_at.isoformat(),
        )
        return rotated
