"""OAuth tokens in a PostgreSQL warehouse: one rotation across machines, by a row lock (decision 74).

The DuckDB store (`store.oauth_tokens.WarehouseTokenStore`) keeps a compare-and-set lease in the
row, because DuckDB has no row locks. PostgreSQL has them, and they are the better lease:

- `try_lock` opens a session of its own, begins a transaction and takes the seller's row with
  `SELECT ... FOR UPDATE SKIP LOCKED`. A second worker (any machine) gets no row, so it does not
  rotate: it waits for the new tokens (`TokenManager` polls `load`) and uses them.
- `save(holder=...)` writes the rotated tokens in that transaction and commits at once, so the
  refresh token the platform just issued is never lost; the commit also ends the lock.
- A worker that dies mid-rotation drops its session and the lock with it; one that hangs is cut
  off by `idle_in_transaction_session_timeout` = the lease, and its late `save` returns False.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.kuaishou.tokens import TokenSet
from store.token_rows import TOKEN_COLUMNS, UPSERT_TOKENS_SQL, token_set, token_values
from store.warehouse import Warehouse

__all__ = ["PostgresTokenStore"]

_COLUMNS = TOKEN_COLUMNS


class PostgresTokenStore:
    """Tokens of one merchant (`seller_key`) in the PostgreSQL warehouse's `oauth_tokens`."""

    def __init__(self, warehouse: Warehouse, *, seller_key: str) -> None:
        if not warehouse.is_postgres:
            raise ValueError("PostgresTokenStore needs a PostgreSQL warehouse")
        self._warehouse = warehouse
        self._seller_key = seller_key
        self._held: dict[str, Any] = {}  # holder -> its session, in the transaction holding the row
        self._guard = threading.Lock()
        with warehouse.connect():  # the schema, before any worker asks for a lock
            pass

    @property
    def seller_key(self) -> str:
        return self._seller_key

    def load(self) -> TokenSet | None:
        with self._warehouse.connect() as con:
            row = con.execute(
                f"SELECT {_COLUMNS} FROM oauth_tokens WHERE seller_key = ?", [self._seller_key]
            ).fetchone()
        return token_set(row)

    def save(self, tokens: TokenSet, *, holder: str | None = None) -> bool:
        values = token_values(tokens, now=datetime.now(UTC))
        if holder is None:
            with self._warehouse.connect() as con:
                con.execute(
                    UPSERT_TOKENS_SQL,
                    [self._seller_key, *values],
                )
            return True
        import psycopg

        with self._guard:
            session = self._held.get(holder)
        if session is None:
            return False
        try:
            session.execute(
                "UPDATE oauth_tokens SET access_token = %s, refresh_token = %s, "
                "access_expires_at = %s, refresh_expires_at = %s, open_id = %s, scopes = %s, "
                "updated_at = %s WHERE seller_key = %s",
                [*values, self._seller_key],
            )
            session.commit()
        except psycopg.Error:
            if session.closed or session.broken:
                return False  # the lease ran out: the server ended the session and its lock
            raise
        return True

    def try_lock(self, *, holder: str, now: datetime, lease: timedelta) -> bool:
        import psycopg

        session = psycopg.connect(
            self._warehouse.path,
            options=f"-c search_path={self._warehouse.schema} "
            f"-c idle_in_transaction_session_timeout={max(1, int(lease.total_seconds() * 1000))}",
        )
        try:
            session.execute(
                "INSERT INTO oauth_tokens (seller_key) VALUES (%s) "
                "ON CONFLICT (seller_key) DO NOTHING",
                [self._seller_key],
            )
            session.commit()
            row = session.execute(
                "SELECT seller_key FROM oauth_tokens WHERE seller_key = %s FOR UPDATE SKIP LOCKED",
                [self._seller_key],
            ).fetchone()
        except BaseException:
            session.close()
            raise
        if row is None:
            session.close()
            return False  # another worker is rotating right now
        with self._guard:
            self._held[holder] = session
        return True

    def unlock(self, *, holder: str) -> None:
        with self._guard:
            session = self._held.pop(holder, None)
        if session is not None:
            session.close()  # rolls back a transaction still open, ending the row lock
