"""One merchant's Kuaishou OAuth tokens at rest, in the warehouse table `oauth_tokens`.

The rotation protocol (`connectors.kuaishou.tokens.TokenManager`) talks to the platform; this is the
`TokenStore` it keeps tokens in: a row per seller with a compare-and-set refresh lease, so one
rotation happens per due date however many processes ask.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import duckdb

from connectors.kuaishou.tokens import TokenSet, TokenStore
from store.token_rows import TOKEN_COLUMNS, UPSERT_TOKENS_SQL, token_set, token_values
from store.warehouse import Warehouse

__all__ = ["WarehouseTokenStore", "open_token_store"]

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


_COLUMNS = TOKEN_COLUMNS


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
        # The schema now, while this process is the only one asking: several workers that meet
        # a fresh file later would each wait for the first one's migrations under the file lock.
        with self._connect():
            pass

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
        return token_set(row)

    def save(self, tokens: TokenSet, *, holder: str | None = None) -> bool:
        values = token_values(tokens, now=_utc_now())
        with self._connect() as con:
            if holder is None:
                con.execute(
                    UPSERT_TOKENS_SQL,
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


def open_token_store(warehouse: Warehouse, *, seller_key: str) -> TokenStore:
    """The token store of the warehouse's backend: a row lock in PostgreSQL (decision 74), the
    compare-and-set lease in a DuckDB file."""
    if warehouse.is_postgres:
        from store.pg_tokens import PostgresTokenStore

        return PostgresTokenStore(warehouse, seller_key=seller_key)
    return WarehouseTokenStore(warehouse, seller_key=seller_key)
