"""The embedded warehouse: stage tables, quarantine, ledger, outbox and caches in one DuckDB file.

DuckDB lets one process write at a time ("Conflicting lock is held", dagster#16248), so every operation
opens a short-lived connection and closes it, and the Dagster steps that write are serialized (the
in-process executor, see README). Every stage write is partition-scoped (delete the migration's rows, then
insert), so re-executing a step is always safe.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

__all__ = ["LedgerState", "ReportState", "Warehouse", "migration_status"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_listings (
    migration VARCHAR NOT NULL, platform VARCHAR NOT NULL, shop_id VARCHAR NOT NULL,
    source_item_id VARCHAR NOT NULL, payload JSON NOT NULL, fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (migration, source_item_id));
ALTER TABLE raw_listings ADD COLUMN IF NOT EXISTS version VARCHAR;
ALTER TABLE raw_listings ADD COLUMN IF NOT EXISTS modified_at TIMESTAMPTZ;
ALTER TABLE raw_listings ADD COLUMN IF NOT EXISTS source_state VARCHAR DEFAULT 'listed';
CREATE TABLE IF NOT EXISTS extract_cursors (
    migration VARCHAR PRIMARY KEY, cursor JSON NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS listings (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, title VARCHAR, status VARCHAR,
    sku_count INTEGER, price_min_fen BIGINT, price_max_fen BIGINT, main_image_count INTEGER,
    has_video BOOLEAN, has_short_title BOOLEAN, listing JSON NOT NULL,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS category_decisions (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, category_id BIGINT,
    category_path VARCHAR, confidence DOUBLE, layer VARCHAR, candidates JSON,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS kuaishou_drafts (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, rel_item_id BIGINT NOT NULL,
    category_id BIGINT, sku_count INTEGER, synthetic_sku_count INTEGER, draft JSON NOT NULL,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS quarantine (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, stage VARCHAR NOT NULL,
    reason_code VARCHAR NOT NULL, detail VARCHAR NOT NULL, recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (migration, source_item_id, stage));
CREATE TABLE IF NOT EXISTS media_cache (
    sha256 VARCHAR PRIMARY KEY, kwai_url VARCHAR NOT NULL, byte_size BIGINT,
    uploaded_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS media (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, source_url VARCHAR NOT NULL,
    sha256 VARCHAR, kwai_url VARCHAR, status VARCHAR NOT NULL, detail VARCHAR,
    PRIMARY KEY (migration, source_item_id, source_url));
CREATE TABLE IF NOT EXISTS publish_ledger (
    rel_item_id BIGINT PRIMARY KEY, migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL,
    state VARCHAR NOT NULL, kwai_item_id BIGINT, reason VARCHAR, attempts INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, published_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS sku_map (
    rel_sku_id BIGINT PRIMARY KEY, rel_item_id BIGINT NOT NULL, kwai_sku_id BIGINT,
    source_sku_id VARCHAR, synthetic BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS supply_outbox (
    rel_item_id BIGINT PRIMARY KEY, migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL,
    kwai_item_id BIGINT NOT NULL, payload JSON NOT NULL, scene INTEGER NOT NULL,
    published_at TIMESTAMPTZ NOT NULL, due_at TIMESTAMPTZ NOT NULL, state VARCHAR NOT NULL,
    attempts INTEGER NOT NULL, last_error VARCHAR, sent_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS compliance_summary (
    migration VARCHAR NOT NULL, iso_week VARCHAR NOT NULL, published INTEGER, reported INTEGER,
    reported_on_time INTEGER, overdue INTEGER, report_rate DOUBLE, on_time_rate DOUBLE,
    rate_main_images_3 DOUBLE, rate_video DOUBLE, rate_short_title DOUBLE,
    computed_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (migration, iso_week));
ALTER TABLE supply_outbox ADD COLUMN IF NOT EXISTS next_attempt_at TIMESTAMPTZ;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS counted INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS reported_late INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS not_yet_due INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rejected INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rate_main_images_over_3 DOUBLE;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rate_3_4_images DOUBLE;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rate_white_border_left DOUBLE;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS late_items JSON;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS missing_items JSON;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rejected_reports JSON;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS white_border_images_left INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS fill_rates_source VARCHAR;
"""


class ReportState:
    """The states of a supply-outbox row."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # a transient failure (5xx, timeout, throttle): retried with backoff
    REJECTED = (
        "rejected"  # the platform refused the report (result != 1 with a reason): retried too
    )
    DELEGATED = "delegated"  # published through vv-tool: the report is vv-tool's duty


class LedgerState:
    """The states of a publish-ledger row (DESIGN.md, exactly-once publishing)."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    PUBLISHED = "published"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


def now_utc() -> datetime:
    return datetime.now(UTC)


class Warehouse:
    """Typed access to the warehouse tables. Cheap to construct; connections are opened per call."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._ready = False

    @property
    def path(self) -> str:
        return self._path

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self._path)
        try:
            if not self._ready:
                con.execute(_SCHEMA)
                self._ready = True
            yield con
        finally:
            con.close()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the database open for the block, so each call's connection reuses it.

        Opening the file is what a per-call connection costs (about 30 ms on DuckDB 2.0, against
        0.1 ms once open), and a publish step makes three calls per item. Inside the block this
        process holds DuckDB's file lock, as it does during any one call: wrap one step (a
        run's publishing, the chaos publisher), never a long-lived server. Every call still commits
        on its own, so a crash inside the block loses no committed write.
        """
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
            con.execute(f"DELETE FROM {table} WHERE migration = ?", [migration])
            self._insert(con, table, rows)
            con.execute("COMMIT")

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [[_cell(row[c]) for c in columns] for row in rows],
        )

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
        holds one batch rather than the whole shop."""
        with self.connect() as con:
            cursor = con.execute(sql, list(params))
            names = [d[0] for d in cursor.description or ()]
            while batch := cursor.fetchmany(batch_size):
                yield [dict(zip(names, row, strict=True)) for row in batch]

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
            for row in rows:
                con.execute(
                    "DELETE FROM raw_listings WHERE migration = ? AND source_item_id = ?",
                    [migration, row["source_item_id"]],
                )
            self._insert(con, "raw_listings", rows)
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

    # --- quarantine ------------------------------------------------------------------------------

    def replace_quarantine(
        self, *, migration: str, stages: Iterable[str], rows: Sequence[dict[str, Any]]
    ) -> None:
        """Replace the quarantine rows a stage owns for a migration (re-running a stage re-decides)."""
        stage_list = list(stages)
        with self.connect() as con:
            con.execute("BEGIN")
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

    # --- media cache -----------------------------------------------------------------------------

    def cached_media(self, sha256s: Iterable[str]) -> dict[str, str]:
        keys = list(set(sha256s))
        if not keys:
            return {}
        rows = self.query(
            f"SELECT sha256, kwai_url FROM media_cache WHERE sha256 IN "
            f"({', '.join('?' for _ in keys)})",
            keys,
        )
        return {row["sha256"]: row["kwai_url"] for row in rows}

    def cache_media(self, *, sha256: str, kwai_url: str, byte_size: int) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT INTO media_cache VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                [sha256, kwai_url, byte_size, now_utc()],
            )

    # --- publish ledger --------------------------------------------------------------------------

    def ledger(self, migration: str) -> dict[int, dict[str, Any]]:
        rows = self.query("SELECT * FROM publish_ledger WHERE migration = ?", [migration])
        return {row["rel_item_id"]: row for row in rows}

    def ledger_ensure_pending(self, *, migration: str, items: Sequence[tuple[int, str]]) -> None:
        """Add a `pending` row for every (rel_item_id, source_item_id) not in the ledger yet.

        One statement over two list parameters: `executemany` with ON CONFLICT costs DuckDB about
        15 ms a row, 30 s for a 2,000-item shop on every run (and on every resume after a crash).
        """
        if not items:
            return  # a partition with no drafts (all quarantined): nothing to queue
        now = now_utc()
        with self.connect() as con:
            con.execute(
                "INSERT INTO publish_ledger (rel_item_id, migration, source_item_id, state, "
                "attempts, created_at, updated_at) SELECT rel, ?, src, ?, 0, ?, ? FROM "
                "(SELECT unnest(?::BIGINT[]) AS rel, unnest(?::VARCHAR[]) AS src) "
                "ON CONFLICT (rel_item_id) DO NOTHING",
                [
                    migration,
                    LedgerState.PENDING,
                    now,
                    now,
                    [rel for rel, _ in items],
                    [src for _, src in items],
                ],
            )

    def ledger_transition(
        self,
        *,
        rel_item_id: int,
        state: str,
        kwai_item_id: int | None = None,
        reason: str | None = None,
        count_attempt: bool = False,
    ) -> None:
        """Move a ledger row to `state`; committed before this returns (the point of the ledger)."""
        now = now_utc()
        with self.connect() as con:
            con.execute(
                "UPDATE publish_ledger SET state = ?, kwai_item_id = COALESCE(?, kwai_item_id), "
                "reason = ?, attempts = attempts + ?, updated_at = ?, "
                "published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END "
                "WHERE rel_item_id = ?",
                [state, kwai_item_id, reason, int(count_attempt), now, state, now, rel_item_id],
            )

    def record_published(
        self,
        *,
        rel_item_id: int,
        kwai_item_id: int,
        sku_rows: Sequence[dict[str, Any]],
        outbox_row: dict[str, Any],
    ) -> None:
        """Mark an item published, store its SKU id map and queue its supply report, atomically."""
        now = now_utc()
        with self.connect() as con:
            con.execute("BEGIN")
            con.execute(
                "UPDATE publish_ledger SET state = 'published', kwai_item_id = ?, reason = NULL, "
                "updated_at = ?, published_at = ? WHERE rel_item_id = ?",
                [kwai_item_id, now, now, rel_item_id],
            )
            con.execute("DELETE FROM sku_map WHERE rel_item_id = ?", [rel_item_id])
            self._insert(con, "sku_map", sku_rows)
            con.execute(
                "INSERT INTO supply_outbox (rel_item_id, migration, source_item_id, kwai_item_id, "
                "payload, scene, published_at, due_at, state, attempts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (rel_item_id) DO NOTHING",
                [
                    rel_item_id,
                    outbox_row["migration"],
                    outbox_row["source_item_id"],
                    kwai_item_id,
                    json.dumps(outbox_row["payload"], ensure_ascii=False),
                    outbox_row["scene"],
                    outbox_row["published_at"],
                    outbox_row["due_at"],
                    outbox_row.get("state", ReportState.PENDING),
                ],
            )
            con.execute("COMMIT")

    # --- supply outbox ---------------------------------------------------------------------------

    def outbox_due(self, migration: str, *, now: datetime | None = None) -> list[dict[str, Any]]:
        """The unsent reports whose next attempt is due at `now` (default: the current time).

        A failed report waits for its `next_attempt_at` (exponential backoff), so one failing report
        does not hold up the others; earliest deadline first.
        """
        return self.query(
            "SELECT * FROM supply_outbox WHERE migration = ? "
            "AND state IN ('pending', 'failed', 'rejected') "
            "AND coalesce(next_attempt_at, published_at) <= ? "
            "ORDER BY due_at, rel_item_id",
            [migration, now or now_utc()],
        )

    def outbox_mark(
        self,
        *,
        rel_item_id: int,
        sent: bool,
        error: str | None = None,
        rejected: bool = False,
        at: datetime | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        """Record one attempt: sent (at `at`), or failed/rejected and retried at `next_attempt_at`.

        A sent row is never touched again, so a report is never sent twice after success.
        """
        state = (
            ReportState.SENT if sent else (ReportState.REJECTED if rejected else ReportState.FAILED)
        )
        with self.connect() as con:
            con.execute(
                "UPDATE supply_outbox SET state = ?, attempts = attempts + 1, last_error = ?, "
                "sent_at = CASE WHEN ? THEN ? ELSE sent_at END, next_attempt_at = ? "
                "WHERE rel_item_id = ? AND state <> 'sent'",
                [
                    state,
                    error,
                    sent,
                    at or now_utc(),
                    None if sent else next_attempt_at,
                    rel_item_id,
                ],
            )


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _ids(warehouse: Warehouse, sql: str, migration: str) -> set[str]:
    return {row["source_item_id"] for row in warehouse.query(sql, [migration])}


def migration_status(warehouse: Warehouse, migration: str) -> dict[str, Any]:
    """Where every source item of a migration stands: published, quarantined (by reason) or pending.

    Each set is read on its own, so the accounting can be checked rather than assumed:
    - source items: the details read, plus the items the list named whose detail never came;
    - published: the ledger says so;
    - quarantined: a quarantine row (latest stage wins), unless published since;
    - pending: drafted, and the ledger is pending, in flight or unknown (e.g. the daily quota ran out).
    `unaccounted` lists source items in none of them, and `overlapping` those in two.
    """
    source = _ids(
        warehouse, "SELECT source_item_id FROM raw_listings WHERE migration = ?", migration
    )
    missing = _ids(
        warehouse,
        "SELECT source_item_id FROM quarantine WHERE migration = ? AND stage = 'extract'",
        migration,
    )
    published = _ids(
        warehouse,
        "SELECT source_item_id FROM publish_ledger WHERE migration = ? AND state = 'published'",
        migration,
    )
    latest = warehouse.query(
        "SELECT source_item_id, reason_code FROM quarantine WHERE migration = ? "
        "QUALIFY row_number() OVER (PARTITION BY source_item_id ORDER BY recorded_at DESC) = 1",
        [migration],
    )
    quarantined = {r["source_item_id"]: r["reason_code"] for r in latest}
    for item_id in published:
        quarantined.pop(item_id, None)
    pending = _ids(
        warehouse,
        "SELECT d.source_item_id FROM kuaishou_drafts d LEFT JOIN publish_ledger l "
        "ON l.rel_item_id = d.rel_item_id WHERE d.migration = ? "
        "AND (l.state IS NULL OR l.state IN ('pending', 'in_flight', 'unknown'))",
        migration,
    ) - set(quarantined)
    all_items = source | missing
    states = [published, set(quarantined), pending]
    overlapping = sorted(item for item in all_items if sum(item in state for state in states) > 1)
    unaccounted = sorted(all_items - published - set(quarantined) - pending)
    by_reason: dict[str, int] = {}
    for reason in quarantined.values():
        by_reason[reason] = by_reason.get(reason, 0) + 1
    outbox = {
        row["state"]: int(row["n"])
        for row in warehouse.query(
            "SELECT state, count(*) AS n FROM supply_outbox WHERE migration = ? GROUP BY state",
            [migration],
        )
    }
    reported, delegated = outbox.get("sent", 0), outbox.get("delegated", 0)
    our_duty = len(published) - delegated
    return {
        "migration": migration,
        "source_items": len(all_items),
        "fetched": len(source),
        "published": len(published),
        "quarantined": len(quarantined),
        "quarantined_by_reason": dict(sorted(by_reason.items())),
        "pending": len(pending),
        "unaccounted": unaccounted,
        "overlapping": overlapping,
        "reported": reported,
        "reports_delegated": delegated,
        "report_rate": round(reported / our_duty, 4) if our_duty > 0 else None,
    }
