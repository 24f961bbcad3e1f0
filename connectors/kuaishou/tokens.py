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
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict, SecretStr

from connectors.kuaishou.errors import KuaishouOAuthError, KuaishouReauthorizeError
from connectors.kuaishou.oauth import KuaishouOAuthClient, OAuthTokens

__all__ = [
    "DEFAULT_REFRESH_TOKEN_LIFETIME",
    "TokenManager",
    "TokenSet",
    "TokenStore",
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
