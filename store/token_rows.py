"""One `oauth_tokens` row as a `TokenSet` and back: the DuckDB and the PostgreSQL token stores
differ in how they lock the row, not in what it holds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from connectors.kuaishou.tokens import TokenSet

__all__ = ["TOKEN_COLUMNS", "UPSERT_TOKENS_SQL", "token_set", "token_values"]

TOKEN_COLUMNS = (
    "access_token, refresh_token, access_expires_at, refresh_expires_at, open_id, scopes"
)
# A seller's tokens written whole (`token_values` order), whoever held them before: both stores.
UPSERT_TOKENS_SQL = (
    f"INSERT INTO oauth_tokens (seller_key, {TOKEN_COLUMNS}, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seller_key) DO UPDATE SET "
    "access_token = excluded.access_token, refresh_token = excluded.refresh_token, "
    "access_expires_at = excluded.access_expires_at, "
    "refresh_expires_at = excluded.refresh_expires_at, open_id = excluded.open_id, "
    "scopes = excluded.scopes, updated_at = excluded.updated_at"
)


def token_set(row: Sequence[Any] | None) -> TokenSet | None:
    """The tokens of a row selected as `TOKEN_COLUMNS`; None when there is none yet."""
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


def token_values(tokens: TokenSet, *, now: datetime) -> list[Any]:
    """`TOKEN_COLUMNS` then `updated_at`, as stored (secrets unwrapped only here)."""
    return [
        tokens.access_token.get_secret_value(),
        tokens.refresh_token.get_secret_value(),
        tokens.access_expires_at,
        tokens.refresh_expires_at,
        tokens.open_id,
        json.dumps(list(tokens.scopes)),
        now,
    ]
