"""The warehouse: stage tables, quarantine, cursors, caches and tokens, in DuckDB or PostgreSQL.

The embedded default is one DuckDB file. DuckDB lets one process write at a time ("Conflicting
lock is held", dagster#16248), so every operation opens a short-lived connection and closes it,
and the Dagster steps that write are serialized (the in-process executor, see README).

With a PostgreSQL URL (`BANJIA_DATABASE_URL`) the same tables live in one schema of a shared
server, so any worker with an empty disk can run any stage of any migration (decision 73): the
same SQL runs on both, its dialect differences are in `store.backends`. Every stage write is
partition-scoped (delete the migration's rows, then insert, in one transaction), so re-executing
a step is always safe, on either backend.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas

from store.backends import (
    PgConnection,
    advisory_key,
    check_schema_name,
    is_postgres_url,
    pg_ddl,
    pg_sql,
    postgres_session,
    without_password,
)
from store.item_states import ItemTally, item_state_batches
from store.ledger import Ledger, LedgerState, now_utc
from store.schema import LEDGER_MIGRATIONS, WAREHOUSE_MIGRATIONS, apply_migrations

__all__ = ["LedgerState", "Warehouse", "migration_status"]  # LedgerState: as before the split

_HELD: dict[str, set[tuple[str, int]]] = {}


class Warehouse:
    """Typed access to the warehouse tables. Cheap to construct; connections are opened per call.

    `location` is a DuckDB file path (the embedded default) or a `postgresql://` URL, whose
    tables go in `schema` (created if missing). In the DuckDB file the ledger and outbox tables
    live too, reached through `store.duckdb_ledger.DuckDBLedger`; with PostgreSQL the ledger is a
    `PostgresLedger` on the same server (`store.open_ledger`). Publishing sees one `Ledger`
    interface whatever the backend.
    """

    def __init__(self, location: str | Path, *, schema: str = "banjia") -> None:
        self._postgres = is_postgres_url(location)
        self._path = str(location)
        self._schema = check_schema_name(schema) if self._postgres else schema
        self._ready = False
        self._pinned = threading.local()

    @property
    def path(self) -> str:
        """The DuckDB file, or the PostgreSQL URL (it may carry a password: never log it)."""
        return self._path

    @property
    def is_postgres(self) -> bool:
        return self._postgres

    @property
    def schema(self) -> str:
        """The PostgreSQL schema of the tables (meaningless for a DuckDB file)."""
        return self._schema

    def describe(self) -> str:
        """Where the warehouse is, safe to print."""
        if self._postgres:
            return f"{without_password(self._path)} (schema {self._schema})"
        return self._path

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A connection for one operation: DuckDB's, or a `PgConnection` taking the same SQL."""
        if self._postgres:
            with self._pg_connect() as pg:
                yield pg
            return
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self._path, config=_duckdb_config())
        try:
            if not self._ready:
                apply_migrations(con, component="warehouse", migrations=WAREHOUSE_MIGRATIONS)
                apply_migrations(con, component="ledger", migrations=LEDGER_MIGRATIONS)
                self._ready = True
            yield con
        finally:
            con.close()

    @contextmanager
    def _pg_connect(self) -> Iterator[PgConnection]:
        pinned: PgConnection | None = getattr(self._pinned, "con", None)
        if pinned is not None:
            try:
                yield pinned
            except BaseException:
                _rollback_open_transaction(pinned.raw)
                raise
            return
        with postgres_session(self._path, schema=self._schema) as raw:
            if not self._ready:
                self._migrate(raw)
                self._ready = True
            yield PgConnection(raw)

    def _migrate(self, raw: Any) -> None:
        """Create the schema and apply the warehouse migrations once, whoever else starts now:
        the transaction-scoped advisory lock `PostgresLedger` takes for its own migrations (key
        0) makes the other workers, and a ledger creating `schema_migrations`, wait."""
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(0)")
            raw.execute(f"CREATE SCHEMA IF NOT EXISTS {self._schema}")
            apply_migrations(
                raw,
                component="warehouse",
                migrations=WAREHOUSE_MIGRATIONS,
                placeholder="%s",
                ddl=pg_ddl,
            )

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the database open for the block, so each call's connection reuses it.

        DuckDB: opening the file is what a per-call connection costs (about 30 ms on DuckDB 2.0,
        against 0.1 ms once open), and a publish step makes three calls per item. Inside the
        block this process holds DuckDB's file lock, as it does during any one call: wrap one
        step (a run's publishing, the chaos publisher), never a long-lived server. PostgreSQL:
        this thread's calls share one session for the block. Every call still commits on its
        own, so a crash inside the block loses no committed write.
        """
        if self._postgres:
            if getattr(self._pinned, "con", None) is not None:
                yield
                return
            with self._pg_connect() as con:
                self._pinned.con = con
                try:
                    yield
                finally:
                    self._pinned.con = None
            return
        if self._path == ":memory:":
            yield
            return
        with self.connect():  # the schema is applied; the open instance is reused until the end
            yield

    # --- generic partition-scoped stage writes -------------------------------------------------

    def replace_partition(
        self, table: str, *, migration: str, rows: Sequence[dict[str, Any]]
    ) -> None:
        """Delete the migration's rows of a stage table and insert `rows`, in one transaction."""
        with self.connect() as con:
            con.execute("BEGIN")
            self._lock_partition(con, table, migration)
            con.execute(f"DELETE FROM {table} WHERE migration = ?", [migration])
            self._insert(con, table, rows)
            con.execute("COMMIT")

    def _lock_partition(self, con: Any, table: str, migration: str) -> None:
        """PostgreSQL: two workers rewriting one migration's rows of a table take turns (an
        advisory lock until the transaction ends), so the second one's DELETE sees the first
        one's rows instead of both inserting the same keys. DuckDB has one writing process."""
        if self._postgres:
            con.execute(
                "SELECT pg_advisory_xact_lock(?)",
                [advisory_key(f"{self._schema}:{table}:{migration}")],
            )

    @contextmanager
    def shop_uploads_turn(self, shop_key: str) -> Iterator[None]:
        """PostgreSQL: one worker at a time checks and uploads a shop's missing images (a session
        advisory lock per schema and shop), so two workers migrating into one shop at once do not
        both upload the same image; the second then finds the first's `image_uploads` rows.
        DuckDB has one writing process."""
        with self._session_turn(f"image_uploads:{shop_key}"):
            yield

    @contextmanager
    def migration_turn(self, migration: str) -> Iterator[None]:
        """PostgreSQL: one step at a time works on a migration, whichever worker runs it
        (decision 83).

        Dagster's queue already runs one run per migration (decision 57), but two machines
        running `banjia` for the same merchant, or a run launched beside the queue, would both
        rewrite the migration's batched stage tables (delete, then batches of inserts): they would
        collide on keys, and a step of one would read another's half-written table. Taking turns
        per migration, every step reads whole tables; the second worker's step then finds the
        first's work (the stages are idempotent). DuckDB has one writing process."""
        with self._session_turn(f"migration:{migration}"):
            yield

    @contextmanager
    def _session_turn(self, name: str) -> Iterator[None]:
        """A PostgreSQL session advisory lock on `name` (per schema) held for the block, on a
        connection of its own so the block's own transactions commit freely."""
        if not self._postgres:
            yield
            return
        key = advisory_key(f"{self._schema}:{name}")
        with self.connect() as con:
            con.execute("SELECT pg_advisory_lock(?)", [key])
            try:
                yield
            finally:
                con.execute("SELECT pg_advisory_unlock(?)", [key])

    @staticmethod
    def _insert(con: Any, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Insert a batch: DuckDB scans it as one frame (`_bulk_insert`); psycopg pipelines an
        `executemany` (a few round trips for the whole batch)."""
        if not rows:
            return
        if not isinstance(con, PgConnection):
            _bulk_insert(con, table, rows)
            return
        columns = list(rows[0])
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [[_cell(row[c]) for c in columns] for row in rows],
        )

    @contextmanager
    def streaming_memory(self) -> Iterator[None]:
        """Run a batched stage under DuckDB's smaller streaming cap (decision 100).

        A stage that reads and writes a batch at a time needs little of DuckDB's buffer pool,
        but the pool fills to whatever cap it has with the blocks the stage's commits write, so
        under the whole-table cap (`DUCKDB_MEMORY_LIMIT`, which the report's and the review
        export's reads need) every stage's peak carried that cap once the shop was large enough
        to fill it. The block holds a connection, so the database (and its setting) stays open;
        the cap in force before is set back at its end. PostgreSQL: nothing to do.
        """
        if self._postgres:
            yield
            return
        with self.connect() as con:
            _STREAMING[self._path] += 1
            con.execute(f"SET memory_limit = '{_cap_in_force(self._path)}'")
            try:
                yield
            finally:
                _STREAMING[self._path] -= 1
                con.execute(f"SET memory_limit = '{_cap_in_force(self._path)}'")

    def delete_partition(self, table: str, *, migration: str) -> None:
        """Delete the migration's rows of a stage table (the start of a batched rewrite)."""
        with self.connect() as con:
            con.execute(f"DELETE FROM {table} WHERE migration = ?", [migration])

    def append_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Insert one batch of rows (a batched rewrite after `delete_partition`)."""
        with self.connect() as con:
            con.execute("BEGIN")
            self._insert(con, table, rows)
            con.execute("COMMIT")

    def query_batches(
        self, sql: str, params: Sequence[Any] = (), *, batch_size: int = 1000
    ) -> Iterator[list[dict[str, Any]]]:
        """The rows of `sql` in batches of `batch_size`, fetched as they are consumed, so memory
        holds one batch rather than the whole shop (PostgreSQL: a server-side cursor, in a
        session of its own so the caller's writes between batches are not in its transaction)."""
        if self._postgres:
            if not self._ready:
                with self.connect():
                    pass  # the schema
            with (
                postgres_session(self._path, schema=self._schema) as raw,
                raw.transaction(),
                raw.cursor(name="banjia_batches") as cursor,
            ):
                cursor.execute(pg_sql(sql), list(params))
                names = [d.name for d in cursor.description or ()]
                while batch := cursor.fetchmany(batch_size):
                    yield [dict(zip(names, row, strict=True)) for row in batch]
            return
        with self.connect() as con:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description or ()]
            while batch := cursor.fetchmany(batch_size):
                yield [dict(zip(names, row, strict=True)) for row in batch]

    def partition_batches(
        self, table: str, *, migration: str, columns: Sequence[str], batch_size: int = 500
    ) -> Iterator[list[dict[str, Any]]]:
        """A migration's rows of a stage table in source item order, `batch_size` at a time.

        Memory holds one batch on both sides. One query sorting the whole partition would not:
        DuckDB materializes a sorted result before the first row is fetched (the whole shop's
        payloads, in memory it cannot spill), and a LIMIT/OFFSET or keyset page re-reads every
        row's JSON per page. Instead the batches' first ids are read once (a sort of the ids
        alone), then each batch is one range of the key, `ORDER BY` within it (decision 81).
        DuckDB: the table blocks a batch read are evicted before it is yielded, so its cache does
        not fill with the partition as the batches pass (decision 97).
        Rows written to *other* tables between batches are fine; rows of this partition added
        or deleted meanwhile may or may not be seen.
        """
        names = ", ".join(columns)
        with self.connect() as con:
            starts = [
                row[0]
                for row in con.execute(
                    "SELECT source_item_id FROM (SELECT source_item_id, row_number() OVER "
                    f"(ORDER BY source_item_id) AS n FROM {table} WHERE migration = ?) b "
                    "WHERE mod(n - 1, ?) = 0 ORDER BY source_item_id",
                    [migration, batch_size],
                ).fetchall()
            ]
            for first, following in itertools.zip_longest(starts, starts[1:]):
                upper = "" if following is None else " AND source_item_id < ?"
                cursor = con.execute(
                    f"SELECT {names} FROM {table} WHERE migration = ? AND source_item_id >= ?"
                    f"{upper} ORDER BY source_item_id",
                    [migration, first] + ([] if following is None else [following]),
                )
                fields = [d[0] for d in cursor.description or ()]
                batch = [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]
                if not self._postgres:
                    _drop_cached_blocks(con, cap=_cap_in_force(self._path))
                if batch:
                    yield batch

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.connect() as con:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.connect() as con:
            row = con.execute(sql, list(params)).fetchone()
            return row[0] if row else None

    # --- incremental extraction ----------------------------------------------------------------

    def known_versions(self, migration: str) -> dict[str, str]:
        """The version of every item the warehouse holds as listed (not gone) for a migration."""
        rows = self.query(
            "SELECT source_item_id, version FROM raw_listings WHERE migration = ? "
            "AND coalesce(source_state, 'listed') = 'listed'",
            [migration],
        )
        return {row["source_item_id"]: row["version"] or "" for row in rows}

    def load_cursor(self, migration: str) -> str | None:
        return self.scalar("SELECT cursor FROM extract_cursors WHERE migration = ?", [migration])

    def save_extraction(
        self,
        *,
        migration: str,
        rows: Sequence[dict[str, Any]],
        gone_ids: Sequence[str],
        cursor_json: str,
    ) -> None:
        """Upsert the items read, mark the gone ones, and move the cursor, in one transaction."""
        with self.connect() as con:
            con.execute("BEGIN")
            self._lock_partition(con, "raw_listings", migration)
            self._replace_raw_items(con, migration, rows)
            if gone_ids:
                con.executemany(
                    "UPDATE raw_listings SET source_state = 'gone' "
                    "WHERE migration = ? AND source_item_id = ?",
                    [[migration, item_id] for item_id in gone_ids],
                )
            con.execute(
                "INSERT INTO extract_cursors VALUES (?, ?, ?) ON CONFLICT (migration) "
                "DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                [migration, cursor_json, now_utc()],
            )
            con.execute("COMMIT")

    def upsert_raw_listings(self, *, migration: str, rows: Sequence[dict[str, Any]]) -> None:
        """Replace these items' `raw_listings` rows (one batch of an extraction) in one
        transaction; the cursor is left where it is (`save_extraction` moves it at the end)."""
        if not rows:
            return
        with self.connect() as con:
            con.execute("BEGIN")
            self._lock_partition(con, "raw_listings", migration)
            self._replace_raw_items(con, migration, rows)
            con.execute("COMMIT")

    def _replace_raw_items(self, con: Any, migration: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        self._replace_items(
            con, "raw_listings", migration, [row["source_item_id"] for row in rows], rows
        )

    def replace_items(
        self,
        table: str,
        *,
        migration: str,
        source_item_ids: Sequence[str],
        rows: Sequence[dict[str, Any]],
    ) -> None:
        """Delete these items' rows of a stage table and insert `rows` (some of them, or none),
        in one transaction: a batch of a stage re-decided after its first write."""
        if not source_item_ids:
            return
        with self.connect() as con:
            con.execute("BEGIN")
            self._lock_partition(con, table, migration)
            self._replace_items(con, table, migration, source_item_ids, rows)
            con.execute("COMMIT")

    def _replace_items(
        self,
        con: Any,
        table: str,
        migration: str,
        ids: Sequence[str],
        rows: Sequence[dict[str, Any]],
    ) -> None:
        con.execute(
            f"DELETE FROM {table} WHERE migration = ? AND source_item_id IN "
            f"({', '.join('?' for _ in ids)})",
            [migration, *ids],
        )
        self._insert(con, table, rows)

    # --- quarantine ------------------------------------------------------------------------------

    def replace_quarantine(
        self, *, migration: str, stages: Iterable[str], rows: Sequence[dict[str, Any]]
    ) -> None:
        """Replace the quarantine rows a stage owns for a migration (re-running a stage re-decides)."""
        stage_list = list(stages)
        with self.connect() as con:
            con.execute("BEGIN")
            self._lock_partition(con, "quarantine", migration)
            con.execute(
                f"DELETE FROM quarantine WHERE migration = ? AND stage IN "
                f"({', '.join('?' for _ in stage_list)})",
                [migration, *stage_list],
            )
            self._insert(
                con,
                "quarantine",
                [{**row, "migration": migration, "recorded_at": now_utc()} for row in rows],
            )
            con.execute("COMMIT")

    # --- image uploads (an upload belongs to one shop; its preparation to none) -----------------

    def cached_media(self, *, shop_key: str, sha256s: Iterable[str]) -> dict[str, str]:
        """sha256 of prepared bytes → the Kuaishou URL this shop got for them."""
        keys = list(set(sha256s))
        if not keys:
            return {}
        rows = self.query(
            "SELECT sha256, kwai_url FROM image_uploads WHERE shop_key = ? AND sha256 IN "
            f"({', '.join('?' for _ in keys)})",
            [shop_key, *keys],
        )
        return {row["sha256"]: row["kwai_url"] for row in rows}

    def prepared_media(
        self, sources: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """(source sha256, role) → how those source bytes were prepared in that role, by any shop:
        {sha256, facts}. A re-run then prepares the image again only where its shop lacks the
        upload (the prepared bytes are needed to send it)."""
        keys = set(sources)
        digests = list({digest for digest, _ in keys})
        if not digests:
            return {}
        rows = self.query(
            "SELECT source_sha256, role, sha256, facts FROM image_uploads "
            f"WHERE facts IS NOT NULL AND source_sha256 IN ({', '.join('?' for _ in digests)})",
            digests,
        )
        found = {(row["source_sha256"], row["role"]): row for row in rows}
        return {key: row for key, row in found.items() if key in keys}

    # --- video cache (a material belongs to one shop: keyed by the target shop too) ------------

    def cached_videos(self, *, shop_key: str, sha256s: Iterable[str]) -> dict[str, str]:
        keys = list(set(sha256s))
        if not keys:
            return {}
        rows = self.query(
            f"SELECT sha256, video_id FROM video_cache WHERE shop_key = ? AND sha256 IN "
            f"({', '.join('?' for _ in keys)})",
            [shop_key, *keys],
        )
        return {row["sha256"]: row["video_id"] for row in rows}

    def cache_video(self, *, shop_key: str, sha256: str, video_id: str, byte_size: int) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT INTO video_cache VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (shop_key, sha256) DO NOTHING",
                [shop_key, sha256, video_id, byte_size, now_utc()],
            )

    # --- fill rates ------------------------------------------------------------------------------

    def item_media(self, migration: str) -> list[dict[str, Any]]:
        """Per drafted item: what it will carry to Kuaishou, as `listings.compliance.ItemMedia`.

        Main images are the distinct Kuaishou copies of its hosted main-role images (two source
        URLs with the same prepared bytes are one picture on Kuaishou); the white-bordered images
        are the hosted ones that still have a border (what Kuaishou got; one it refused is a
        failed `media` row instead); the video is a hosted `item_videos` row; the short title is
        the draft's.
        """
        return self.query(
            "WITH m AS (SELECT source_item_id, "
            "count(DISTINCT kwai_url) FILTER (WHERE role = 'main' AND status = 'hosted') "
            "AS main_images, "
            "count(DISTINCT kwai_url) FILTER (WHERE role = 'main' AND status = 'hosted' "
            "AND ratio_34) AS ratio_34_images, "
            "count(*) FILTER (WHERE white_border_left AND status = 'hosted') "
            "AS white_border_images "
            "FROM media WHERE migration = ? GROUP BY source_item_id), "
            "v AS (SELECT source_item_id FROM item_videos WHERE migration = ? "
            "AND status = 'hosted') "
            "SELECT coalesce(m.main_images, 0) AS main_images, "
            "coalesce(m.ratio_34_images, 0) AS ratio_34_images, "
            "v.source_item_id IS NOT NULL AS has_video, "
            "(d.draft ->> 'short_title') IS NOT NULL AS has_short_title, "
            "coalesce(m.white_border_images, 0) AS white_border_images "
            "FROM kuaishou_drafts d LEFT JOIN m USING (source_item_id) "
            "LEFT JOIN v USING (source_item_id) WHERE d.migration = ?",
            [migration, migration, migration],
        )

    def record_fill_rates(self, row: dict[str, Any]) -> None:
        """Store one run's fill rates for a migration (a re-executed run replaces its own row)."""
        with self.connect() as con:
            con.execute("BEGIN")
            self._lock_partition(con, "fill_rates", row["migration"])
            con.execute(
                "DELETE FROM fill_rates WHERE migration = ? AND run_id = ?",
                [row["migration"], row["run_id"]],
            )
            self._insert(con, "fill_rates", [row])
            con.execute("COMMIT")

    def cache_media_many(self, entries: Sequence[dict[str, Any]], *, shop_key: str) -> None:
        """Record the shop's uploaded images ({sha256, kwai_url, byte_size}, optionally the
        source_sha256, role and facts JSON they were prepared from) in one connection: opening
        one per image costs more than the upload itself on a busy machine."""
        if not entries:
            return
        now = now_utc()
        with self.connect() as con:
            con.executemany(
                "INSERT INTO image_uploads (shop_key, sha256, kwai_url, byte_size, uploaded_at, "
                "source_sha256, role, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (shop_key, sha256) DO NOTHING",
                [
                    [
                        shop_key,
                        e["sha256"],
                        e["kwai_url"],
                        e["byte_size"],
                        now,
                        e.get("source_sha256"),
                        e.get("role"),
                        e.get("facts"),
                    ]
                    for e in entries
                ],
            )

    def process_claims(self) -> set[tuple[str, int]]:
        """The ledger claims of this process on this file: DuckDB has one writing process, so
        they are all there are (`DuckDBLedger` keeps them here, shared by its instances)."""
        if self._postgres:
            raise TypeError(
                "a PostgreSQL warehouse has no in-process claims: its ledger is a PostgresLedger "
                "(store.open_ledger), whose claims are advisory locks"
            )
        key = self._path if self._path == ":memory:" else os.path.abspath(self._path)
        return _HELD.setdefault(key, set())


# DuckDB's buffer pool may grow to 80 % of the machine's memory by default, and appending to a
# growing table made each checkpoint's peak grow with the table (issue 19: +100 MiB per 10,000
# raw payloads). Capped, the extract's peak stays flat and what does not fit spills to the
# `.tmp` directory beside the file. A sorted result is materialized whole and cannot spill, so
# whole-partition reads of JSON go through `partition_batches` (decision 81). 256 MB still let
# the extract's peak grow with the shop (synthetic appends: 321 → 423 MiB from 20,000 to 40,000
# payloads); 128 MB held it to 286 → 307 MiB at no cost in speed. Under 128 MB the table blocks
# DuckDB keeps cached still filled the cap between 10,000 and 100,000 items (every stage's peak
# grew with the shop); 64 MB is full by 10,000 and still runs the whole-table queries of a
# 100,000-item shop (the migration report, the review export's sorted read), which 32 MB does not
# (out of memory): decision 87.
DUCKDB_MEMORY_LIMIT = "64MB"


def _duckdb_config() -> dict[str, Any]:
    """The DuckDB settings of every connection (one per database file per process, so one
    setting for all of them): `BANJIA_DUCKDB_MEMORY_LIMIT` overrides the cap."""
    return {"memory_limit": os.environ.get("BANJIA_DUCKDB_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT}


# The cap a batched stage runs under (`Warehouse.streaming_memory`, decision 100). On a
# 100,000-item shop the drafts stage alone peaks at 393 MiB under 32 MB against 437 under 64 MB,
# in the same time; 24 MB (385 MiB) runs out of memory in the categories' second pass there (the
# ART keys and the rewritten rows' blocks it cannot evict). The migration report's whole-table
# read needs the 64 MB (decision 87) and runs outside.
STREAMING_MEMORY_LIMIT = "32MB"


def _streaming_limit() -> str:
    """The streaming cap, quoted for SET: `BANJIA_DUCKDB_STREAMING_MEMORY_LIMIT` overrides it."""
    limit = os.environ.get("BANJIA_DUCKDB_STREAMING_MEMORY_LIMIT") or STREAMING_MEMORY_LIMIT
    return limit.replace("'", "''")


# The database files of this process a stage holds under the streaming cap (nested blocks
# counted). Kept here, not read back from DuckDB, which prints the cap rounded ('30.5 MiB'): set
# back from its own print, it would shrink a little at every batch.
_STREAMING: Counter[str] = Counter()


def _cap_in_force(path: str) -> str:
    """The cap the database at `path` is under now in this process, quoted for SET."""
    if _STREAMING[path] > 0:
        return _streaming_limit()
    return str(_duckdb_config()["memory_limit"]).replace("'", "''")


# What `_drop_cached_blocks` leaves cached: 1 MB held categories as flat (5,000 → 40,000 listings:
# 419 → 430 MiB, 16 MB 418 → 429) and may push what is not a table block (an index's buffers) to
# the temporary directory.
CACHE_FLOOR = "16MB"


def _drop_cached_blocks(con: duckdb.DuckDBPyConnection, *, cap: str) -> None:
    """Evict the table blocks DuckDB's buffer pool keeps after a query (decision 97).

    DuckDB keeps every block it read, up to its memory cap, in case it is read again. A batched
    read of a partition reads each key range once, so what one batch read is not read by the
    next, and a cache left to fill makes a stage's memory grow with the shop until the cap.
    Lowering the cap to `CACHE_FLOOR` evicts the unpinned blocks beyond it, oldest first (re-read
    from the file if ever needed); `cap`, the one in force, is set back at once. Nothing is pinned between a
    stage's batches; if something is (another thread's query), DuckDB refuses the lower cap and
    the cache is kept.
    """
    try:
        con.execute(f"SET memory_limit = '{CACHE_FLOOR}'")
    except duckdb.OutOfMemoryException:
        pass
    finally:
        con.execute(f"SET memory_limit = '{cap}'")


def _rollback_open_transaction(raw: Any) -> None:
    """End a transaction an error left open on a shared session (BEGIN without its COMMIT)."""
    from psycopg.pq import TransactionStatus

    if not raw.closed and raw.info.transaction_status != TransactionStatus.IDLE:
        raw.execute("ROLLBACK")


def _bulk_insert(
    con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert a batch with one statement: DuckDB scans a pandas frame of it in bulk.

    `executemany` binds and runs one INSERT per row, which was 43 % of the drafts stage (issue
    19). The frame's columns are plain Python objects (dtype object), so DuckDB infers each
    column's type from the values and casts them to the table's, as the per-row INSERT did.
    """
    columns = list(rows[0])
    frame = pandas.DataFrame(
        {column: [_cell(row[column]) for row in rows] for column in columns}, dtype=object
    )
    names = ", ".join(columns)
    con.register("banjia_insert_batch", frame)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM banjia_insert_batch")
    finally:
        con.unregister("banjia_insert_batch")


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def migration_status(warehouse: Warehouse, migration: str, *, ledger: Ledger) -> dict[str, Any]:
    """Where every source item of a migration stands: published, quarantined (by reason) or pending.

    Each set is counted on its own, so the accounting can be checked rather than assumed:
    - source items: the details read, plus the items the list named whose detail never came;
    - published: the ledger says so;
    - quarantined: a quarantine row (latest stage wins), unless published since;
    - pending: drafted, and the ledger is pending, in flight or unknown (e.g. the daily quota ran out).
    `unaccounted` lists source items in none of them, and `overlapping` those in two.
    The ledger and outbox are read from `ledger`, wherever they live. The items are read a batch
    at a time (`store.item_states.item_state_batches`), the outbox as counts.
    """
    tally = ItemTally()
    for _ in item_state_batches(warehouse, migration, ledger=ledger, tally=tally):
        pass
    return status_of(warehouse, migration, tally=tally, ledger=ledger)


def status_of(
    warehouse: Warehouse, migration: str, *, tally: ItemTally, ledger: Ledger
) -> dict[str, Any]:
    """`migration_status`'s figures from a consumed `item_state_batches` tally (the report
    classifies the items once, for its rows and these counts)."""
    fetched = warehouse.scalar("SELECT count(*) FROM raw_listings WHERE migration = ?", [migration])
    outbox = ledger.outbox_state_counts(migration)
    reported, delegated = outbox.get("sent", 0), outbox.get("delegated", 0)
    our_duty = tally.published - delegated
    return {
        "migration": migration,
        "source_items": tally.source_items,
        "fetched": int(fetched or 0),
        "published": tally.published,
        "quarantined": tally.quarantined,
        "quarantined_by_reason": dict(sorted(tally.quarantined_by_reason.items())),
        "pending": tally.pending,
        "unaccounted": list(tally.unaccounted),
        "overlapping": list(tally.overlapping),
        "reported": reported,
        "reports_delegated": delegated,
        "report_rate": round(reported / our_duty, 4) if our_duty > 0 else None,
    }
