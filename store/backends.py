"""The two databases the warehouse runs on, and the only place their SQL differs (decision 73).

The warehouse's SQL is written once, in the subset DuckDB and PostgreSQL both accept (`?`
placeholders, `ON CONFLICT`, `FILTER`, `string_agg(... ORDER BY ...)`, `json ->> 'key'`, no
`QUALIFY`, no `INSERT OR REPLACE`, no alias in `WHERE`). What is left differs here and nowhere else:

- placeholders: `?` for DuckDB, `%s` for psycopg (a literal `%` is doubled);
- DDL type names: `DOUBLE` is `DOUBLE PRECISION` in PostgreSQL (the other types of
  `store.schema` are spelled alike in both);
- connections: DuckDB opens the file per call; PostgreSQL opens a session per call (about 3 ms
  on loopback) with the schema on its search path and JSON columns read back as text, as DuckDB
  returns them.

`PgConnection` gives a psycopg connection the surface the warehouse code uses of a DuckDB one
(`execute(sql, params)` returning something to fetch from, `executemany`), so a function that
takes `warehouse.connect()` works on both.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = [
    "POSTGRES_SCHEMES",
    "PgConnection",
    "advisory_key",
    "is_postgres_url",
    "pg_ddl",
    "pg_sql",
    "postgres_session",
    "without_password",
]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_DOUBLE = re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.IGNORECASE)


def is_postgres_url(location: object) -> bool:
    """True when a warehouse location is a PostgreSQL URL rather than a DuckDB file path."""
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def pg_sql(sql: str) -> str:
    """The warehouse's `?` SQL for psycopg: `%` doubled, then `?` as `%s`.

    A `?` inside a string literal would be taken for a placeholder too: the warehouse's SQL has
    none (JSON paths are `->> 'key'`), and the contract tests run every statement on both.
    """
    return sql.replace("%", "%%").replace("?", "%s")


def pg_ddl(sql: str) -> str:
    """A `store.schema` statement for PostgreSQL: DuckDB's `DOUBLE` is `DOUBLE PRECISION`."""
    return _DOUBLE.sub("DOUBLE PRECISION", sql)


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory-lock key (signed 64 bits) for a name that includes the schema:
    advisory locks are database-wide, so two schemas must not share keys (decision 64)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def check_schema_name(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(
            f"PostgreSQL schema {schema!r}: use lower-case letters, digits and '_' "
            "(BANJIA_DATABASE_SCHEMA)"
        )
    return schema


def without_password(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


class PgConnection:
    """A psycopg connection with the DuckDB-connection surface the warehouse code calls."""

    def __init__(self, con: Any) -> None:
        self._con = con

    @property
    def raw(self) -> Any:
        """The psycopg connection itself (row locks, transactions of its own)."""
        return self._con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor = self._con.cursor()
        cursor.execute(pg_sql(sql), list(params))
        return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._con.cursor() as cursor:
            cursor.executemany(pg_sql(sql), [list(row) for row in rows])


@contextmanager
def postgres_session(url: str, *, schema: str) -> Iterator[Any]:
    """One autocommit psycopg session on `schema` (JSON read back as text); closed at the end.

    Autocommit as DuckDB's connections are: a block that needs a transaction says BEGIN/COMMIT,
    and closing the session rolls back one left open by an error.
    """
    import psycopg  # only a PostgreSQL deployment needs the driver loaded
    from psycopg.types.string import TextLoader

    try:
        con = psycopg.connect(url, autocommit=True, options=f"-c search_path={schema}")
    except psycopg.OperationalError as exc:
        raise ConnectionError(
            f"warehouse database unreachable ({without_password(url)}): {exc}. Start "
            "PostgreSQL, or unset BANJIA_DATABASE_URL to use the DuckDB warehouse file"
        ) from None
    con.adapters.register_loader("json", TextLoader)
    try:
        yield con
    finally:
        con.close()
