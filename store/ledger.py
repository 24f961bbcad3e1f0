"""The publish ledger and the supply-report outbox, behind one interface and two backends.

`Ledger` is what publishing and reporting need (DESIGN.md, exactly-once publishing; state and scale):

- **DuckDB** (`store.duckdb_ledger.DuckDBLedger`, the default): the ledger tables live in the warehouse
  file. DuckDB has one writing process, so a claim only has to keep the tasks of this process apart.
- **PostgreSQL** (`PostgresLedger`, `BANJIA_LEDGER_URL=postgresql://...`): several workers share the
  ledger. A claim takes the rows with `SELECT ... FOR UPDATE SKIP LOCKED` and then holds a
  session-level advisory lock per item for as long as the worker works on it. The lock is the
  liveness mark: a crashed worker's connection drops and its locks with it, so its `in_flight` rows
  become claimable at once (and are resolved by relItemId lookup), while a live worker's rows are
  never taken by another.

Both backends run the same SQL (`LedgerSql`); only connections, placeholders and claims differ.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, runtime_checkable

from store.schema import LEDGER_MIGRATIONS, apply_migrations

__all__ = [
    "IN_DOUBT",
    "TO_PUBLISH",
    "Ledger",
    "LedgerConnectionLostError",
    "LedgerSql",
    "LedgerState",
    "PostgresLedger",
    "PublishedItem",
    "ReportState",
    "now_utc",
]


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
    # Created, then taken off the shelf by `banjia batch undo` (issue 18): done for publishing,
    # never created again (its relItemId is spent on Kuaishou), history and batch kept.
    WITHDRAWN = "withdrawn"


IN_DOUBT = (LedgerState.IN_FLIGHT, LedgerState.UNKNOWN)
TO_PUBLISH = (LedgerState.PENDING, *IN_DOUBT)


def now_utc() -> datetime:
    return datetime.now(UTC)


_SKU_COLUMNS = (
    ("rel_sku_id", "BIGINT"),
    ("rel_item_id", "BIGINT"),
    ("kwai_sku_id", "BIGINT"),
    ("source_sku_id", "VARCHAR"),
    ("synthetic", "BOOLEAN"),
)
_OUTBOX_COLUMNS = (
    ("rel_item_id", "BIGINT"),
    ("migration", "VARCHAR"),
    ("source_item_id", "VARCHAR"),
    ("kwai_item_id", "BIGINT"),
    ("payload", "VARCHAR"),
    ("scene", "INTEGER"),
    ("published_at", "TIMESTAMPTZ"),
    ("due_at", "TIMESTAMPTZ"),
    ("state", "VARCHAR"),
    ("attempts", "INTEGER"),
)


@dataclass(frozen=True)
class PublishedItem:
    """One create that landed, as `record_published_many` stores it: the Kuaishou id, the SKU id
    map, the supply report to queue (`outbox_row`: migration, source_item_id, payload, scene,
    published_at, due_at, optional state), the publish run's batch, and when the create's answer
    came (`published_at`; None: the commit's time)."""

    rel_item_id: int
    kwai_item_id: int
    sku_rows: Sequence[dict[str, Any]]
    outbox_row: dict[str, Any]
    batch: str | None = None
    published_at: datetime | None = None


@runtime_checkable
class Ledger(Protocol):
    """The ledger/outbox store publishing and reporting write through (either backend).

    Every write is committed before the method returns: that is the point of the ledger.
    `claim`/`outbox_claim` take items for this worker (never given to two workers at once) until
    `release`/`outbox_release`, or until the worker's process dies.
    """

    def ledger(self, migration: str) -> dict[int, dict[str, Any]]: ...

    def ledger_of_items(
        self, migration: str, source_item_ids: Sequence[str]
    ) -> list[dict[str, Any]]: ...

    def ledger_state_counts(self, migration: str) -> dict[str, int]: ...

    def done_item_count(self, migration: str) -> int: ...

    def outbox_state_counts(self, migration: str) -> dict[str, int]: ...

    def ledger_ensure_pending(
        self, *, migration: str, items: Sequence[tuple[int, str]], target_shop: str | None = None
    ) -> None: ...

    def ledger_transition(
        self,
        *,
        rel_item_id: int,
        state: str,
        kwai_item_id: int | None = None,
        reason: str | None = None,
        count_attempt: bool = False,
        versions: tuple[str, str] | None = None,
    ) -> None: ...

    def record_published(
        self,
        *,
        rel_item_id: int,
        kwai_item_id: int,
        sku_rows: Sequence[dict[str, Any]],
        outbox_row: dict[str, Any],
        batch: str | None = None,
    ) -> None: ...

    def record_published_many(self, items: Sequence[PublishedItem]) -> None: ...

    def batches(self, migration: str) -> list[dict[str, Any]]: ...

    def batch_rows(self, migration: str, batch: str) -> list[dict[str, Any]]: ...

    def mark_withdrawn(self, *, rel_item_id: int, reason: str) -> bool: ...

    def record_edited(
        self, *, rel_item_id: int, versions: tuple[str, str], sku_rows: Sequence[dict[str, Any]]
    ) -> None: ...

    def sku_ids(self, rel_item_id: int) -> dict[int, int]: ...

    def published_since(self, migration: str, since: datetime) -> int: ...

    def published_in_shop_since(self, target_shop: str, since: datetime) -> int: ...

    def take_shop_quota(
        self, target_shop: str, *, day: date, since: datetime, limit: int, force: bool = False
    ) -> bool: ...

    def give_back_shop_quota(self, target_shop: str, *, day: date) -> None: ...

    def claim(
        self, *, rel_item_ids: Sequence[int], states: Sequence[str]
    ) -> list[dict[str, Any]]: ...

    def claim_creates(self, *, versions: Mapping[int, tuple[str, str]]) -> list[dict[str, Any]]: ...

    def unclaim_unsent(self, rel_item_ids: Sequence[int]) -> None: ...

    def release(self, rel_item_ids: Sequence[int]) -> None: ...

    def outbox_due(
        self, migration: str, *, now: datetime | None = None
    ) -> list[dict[str, Any]]: ...

    def outbox_rows(self, migration: str) -> list[dict[str, Any]]: ...

    def outbox_claim(
        self, *, rel_item_ids: Sequence[int], now: datetime
    ) -> list[dict[str, Any]]: ...

    def outbox_release(self, rel_item_ids: Sequence[int]) -> None: ...

    def outbox_mark(
        self,
        *,
        rel_item_id: int,
        sent: bool,
        error: str | None = None,
        rejected: bool = False,
        at: datetime | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None: ...

    def close(self) -> None: ...


_DUE = "state IN ('pending', 'failed', 'rejected') AND coalesce(next_attempt_at, published_at) <= ?"


class LedgerSql:
    """The ledger operations in the SQL both DuckDB and PostgreSQL accept.

    A backend supplies a connection (`_connection`, committed when the block ends), placeholders
    (`?` here, rewritten by `_sql`), `executemany`, and the lock step of a claim (`_lock`).
    """

    def _connection(self) -> Any:  # pragma: no cover - every backend overrides it
        raise NotImplementedError

    def _transaction(self) -> Any:  # pragma: no cover - every backend overrides it
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql

    def _held(self) -> set[tuple[str, int]]:  # pragma: no cover - every backend overrides it
        raise NotImplementedError

    def _lock(self, kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows of `rows` this worker could take (default: all; one process, see `claim`)."""
        return rows

    def _unlock(self, kind: str, ids: Sequence[int]) -> None:
        return None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._connection() as con:
            cursor = con.execute(self._sql(sql), list(params))
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._connection() as con:
            con.execute(self._sql(sql), list(params))

    # --- ledger ------------------------------------------------------------------------------

    def ledger(self, migration: str) -> dict[int, dict[str, Any]]:
        rows = self._rows("SELECT * FROM publish_ledger WHERE migration = ?", [migration])
        return {row["rel_item_id"]: row for row in rows}

    def ledger_of_items(
        self, migration: str, source_item_ids: Sequence[str]
    ) -> list[dict[str, Any]]:
        """The ledger rows of some source items (a batch of the report's, `store.item_states`),
        only the columns an item's state needs, oldest generation first. By id, not by a range
        of ids: the ledger may be another database than the warehouse, sorting text otherwise."""
        if not source_item_ids:
            return []
        return self._rows(
            "SELECT rel_item_id, source_item_id, state, kwai_item_id FROM publish_ledger "
            f"WHERE migration = ? AND source_item_id IN ({_marks(source_item_ids)}) "
            "ORDER BY created_at, rel_item_id",
            [migration, *source_item_ids],
        )

    def ledger_state_counts(self, migration: str) -> dict[str, int]:
        """How many ledger rows of the migration are in each state."""
        return self._state_counts("publish_ledger", migration)

    def done_item_count(self, migration: str) -> int:
        """Source items with a published or withdrawn row: what `migration_status` counts as
        published (a withdrawn item was published and is done)."""
        rows = self._rows(
            "SELECT count(DISTINCT source_item_id) AS n FROM publish_ledger "
            "WHERE migration = ? AND state IN (?, ?)",
            [migration, LedgerState.PUBLISHED, LedgerState.WITHDRAWN],
        )
        return int(rows[0]["n"]) if rows else 0

    def outbox_state_counts(self, migration: str) -> dict[str, int]:
        """How many supply reports of the migration are in each state."""
        return self._state_counts("supply_outbox", migration)

    def _state_counts(self, table: str, migration: str) -> dict[str, int]:
        """How many rows of the migration in `table` (one of the ledger's own) are in each state."""
        return {
            str(row["state"]): int(row["n"])
            for row in self._rows(
                f"SELECT state, count(*) AS n FROM {table} WHERE migration = ? "
                "GROUP BY state ORDER BY state",
                [migration],
            )
        }

    def ledger_ensure_pending(
        self, *, migration: str, items: Sequence[tuple[int, str]], target_shop: str | None = None
    ) -> None:
        """Add a `pending` row for every (rel_item_id, source_item_id) not in the ledger yet, in
        `target_shop` (the Kuaishou shop, whose daily quota the creates spend); rows of the
        migration made before the shop was recorded get it too.

        One statement over two array parameters, on both backends: `executemany` with ON CONFLICT
        costs DuckDB about 15 ms a row, 30 s for a 2,000-item shop on every run and every resume.
        """
        if not items:
            return  # a partition with no drafts (all quarantined): nothing to queue
        now = now_utc()
        with self._transaction() as con:
            con.execute(
                self._sql(
                    "INSERT INTO publish_ledger (rel_item_id, migration, source_item_id, state, "
                    "attempts, created_at, updated_at, target_shop) SELECT rel, ?, src, ?, 0, ?, "
                    "?, ? FROM (SELECT unnest(?::BIGINT[]) AS rel, unnest(?::VARCHAR[]) AS src) "
                    "AS new ON CONFLICT (rel_item_id) DO NOTHING"
                ),
                [
                    migration,
                    LedgerState.PENDING,
                    now,
                    now,
                    target_shop,
                    [rel for rel, _ in items],
                    [src for _, src in items],
                ],
            )
            if target_shop is not None:
                con.execute(
                    self._sql(
                        "UPDATE publish_ledger SET target_shop = ? "
                        "WHERE migration = ? AND target_shop IS NULL"
                    ),
                    [target_shop, migration],
                )

    def ledger_transition(
        self,
        *,
        rel_item_id: int,
        state: str,
        kwai_item_id: int | None = None,
        reason: str | None = None,
        count_attempt: bool = False,
        versions: tuple[str, str] | None = None,
    ) -> None:
        """Move a ledger row to `state`; committed before this returns (the point of the ledger).

        `versions` (content, offer) is what is about to be sent: kept with the row, so an item
        resolved later by lookup is known to carry that version.
        """
        now = now_utc()
        version, offer = versions or (None, None)
        self._run(
            "UPDATE publish_ledger SET state = ?, kwai_item_id = COALESCE(?, kwai_item_id), "
            "reason = ?, attempts = attempts + ?, updated_at = ?, "
            "published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END, "
            "version = COALESCE(?, version), offer_version = COALESCE(?, offer_version) "
            "WHERE rel_item_id = ?",
            [
                state,
                kwai_item_id,
                reason,
                int(count_attempt),
                now,
                state,
                now,
                version,
                offer,
                rel_item_id,
            ],
        )

    def _insert_columns(
        self,
        con: Any,
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[dict[str, Any]],
        *,
        suffix: str = "",
    ) -> None:
        """Insert `rows` with one statement over one array parameter per column (as in
        `ledger_ensure_pending`): `executemany` costs DuckDB ~0.5 ms a row, and these run on the
        ledger thread every create waits for."""
        if not rows:
            return
        names = ", ".join(name for name, _ in columns)
        arrays = ", ".join(f"unnest(?::{kind}[])" for _, kind in columns)
        con.execute(
            self._sql(f"INSERT INTO {table} ({names}) SELECT {arrays}{suffix}"),
            [[row[name] for row in rows] for name, _ in columns],
        )

    def _replace_skus(
        self, con: Any, rel_item_ids: Sequence[int], sku_rows: Sequence[dict[str, Any]]
    ) -> None:
        """The SKU maps of these items, replaced: one DELETE and one INSERT for all of them."""
        con.execute(
            self._sql("DELETE FROM sku_map WHERE rel_item_id IN (SELECT unnest(?::BIGINT[]))"),
            [list(rel_item_ids)],
        )
        self._insert_columns(con, "sku_map", _SKU_COLUMNS, sku_rows)

    def record_published(
        self,
        *,
        rel_item_id: int,
        kwai_item_id: int,
        sku_rows: Sequence[dict[str, Any]],
        outbox_row: dict[str, Any],
        batch: str | None = None,
    ) -> None:
        """Mark an item published, store its SKU id map and queue its supply report, atomically.

        `batch` is the publish run that recorded it (what `banjia batch undo` names); a row that
        already has one keeps it.
        """
        self.record_published_many(
            [
                PublishedItem(
                    rel_item_id=rel_item_id,
                    kwai_item_id=kwai_item_id,
                    sku_rows=sku_rows,
                    outbox_row=outbox_row,
                    batch=batch,
                )
            ]
        )

    def record_published_many(self, items: Sequence[PublishedItem]) -> None:
        """`record_published` for many items in one transaction of four statements (ledger rows,
        SKU maps deleted and inserted, reports queued), whatever their number: a transaction
        costs DuckDB milliseconds of CPU, so a publish run records its creates in batches
        (decision 80). All or none: an item whose record a crash loses is still `in_flight`,
        and the next run resolves it by relItemId lookup."""
        by_rel = {item.rel_item_id: item for item in items}  # one row per item: the last word
        if not by_rel:
            return
        now = now_utc()
        done = list(by_rel.values())
        rels = list(by_rel)
        with self._transaction() as con:
            con.execute(
                self._sql(
                    "UPDATE publish_ledger SET state = 'published', kwai_item_id = done.kwai, "
                    "reason = NULL, updated_at = ?, published_at = done.at, "
                    "batch = COALESCE(publish_ledger.batch, done.batch) FROM (SELECT "
                    "unnest(?::BIGINT[]) AS rel, unnest(?::BIGINT[]) AS kwai, "
                    "unnest(?::TIMESTAMPTZ[]) AS at, unnest(?::VARCHAR[]) AS batch) AS done "
                    "WHERE publish_ledger.rel_item_id = done.rel"
                ),
                [
                    now,
                    rels,
                    [item.kwai_item_id for item in done],
                    [item.published_at or now for item in done],
                    [item.batch for item in done],
                ],
            )
            self._replace_skus(con, rels, [row for item in done for row in item.sku_rows])
            self._insert_columns(
                con,
                "supply_outbox",
                _OUTBOX_COLUMNS,
                [_outbox_values(item) for item in done],
                suffix=" ON CONFLICT (rel_item_id) DO NOTHING",
            )

    def batches(self, migration: str) -> list[dict[str, Any]]:
        """The migration's batches, oldest first: batch id, first and last create, items, and how
        many of them are still published / withdrawn. Rows published before batches were kept
        (no batch) are left out: they cannot be named."""
        return self._rows(
            "SELECT batch, min(published_at) AS first_published_at, "
            "max(published_at) AS last_published_at, count(*) AS items, "
            "count(*) FILTER (WHERE state = 'published') AS published, "
            "count(*) FILTER (WHERE state = 'withdrawn') AS withdrawn "
            "FROM publish_ledger WHERE migration = ? AND batch IS NOT NULL "
            "GROUP BY batch ORDER BY min(published_at), batch",
            [migration],
        )

    def batch_rows(self, migration: str, batch: str) -> list[dict[str, Any]]:
        """The ledger rows of one batch, by relItemId."""
        return self._rows(
            "SELECT * FROM publish_ledger WHERE migration = ? AND batch = ? ORDER BY rel_item_id",
            [migration, batch],
        )

    def mark_withdrawn(self, *, rel_item_id: int, reason: str) -> bool:
        """A published item was taken off the shelf: `withdrawn`, its relItemId, Kuaishou id,
        batch and published_at kept. True when the row was published (False: nothing changed)."""
        with self._transaction() as con:
            cursor = con.execute(
                self._sql(
                    "UPDATE publish_ledger SET state = 'withdrawn', reason = ?, updated_at = ? "
                    "WHERE rel_item_id = ? AND state = 'published' RETURNING rel_item_id"
                ),
                [reason, now_utc(), rel_item_id],
            )
            return bool(cursor.fetchall())

    def record_edited(
        self, *, rel_item_id: int, versions: tuple[str, str], sku_rows: Sequence[dict[str, Any]]
    ) -> None:
        """An edit of a published item landed: its new versions and SKU ids, atomically.

        The supply report is not queued again: it reported the item, which is still the same one.
        """
        with self._transaction() as con:
            con.execute(
                self._sql(
                    "UPDATE publish_ledger SET version = ?, offer_version = ?, reason = NULL, "
                    "updated_at = ? WHERE rel_item_id = ?"
                ),
                [versions[0], versions[1], now_utc(), rel_item_id],
            )
            if sku_rows:
                self._replace_skus(con, [rel_item_id], sku_rows)

    def sku_ids(self, rel_item_id: int) -> dict[int, int]:
        """relSkuId → Kuaishou skuId of a published item (what an edit must name)."""
        rows = self._rows(
            "SELECT rel_sku_id, kwai_sku_id FROM sku_map WHERE rel_item_id = ? "
            "AND kwai_sku_id IS NOT NULL",
            [rel_item_id],
        )
        return {int(r["rel_sku_id"]): int(r["kwai_sku_id"]) for r in rows}

    def published_since(self, migration: str, since: datetime) -> int:
        """Items of a migration published at or after `since`."""
        rows = self._rows(
            "SELECT count(*) AS n FROM publish_ledger WHERE migration = ? AND published_at >= ?",
            [migration, since],
        )
        return int(rows[0]["n"]) if rows else 0

    def published_in_shop_since(self, target_shop: str, since: datetime) -> int:
        """Items created in a Kuaishou shop at or after `since`, by every migration into it: what
        the shop's daily quota (500 new items) has spent today."""
        rows = self._rows(
            "SELECT count(*) AS n FROM publish_ledger WHERE target_shop = ? AND published_at >= ?",
            [target_shop, since],
        )
        return int(rows[0]["n"]) if rows else 0

    def take_shop_quota(
        self, target_shop: str, *, day: date, since: datetime, limit: int, force: bool = False
    ) -> bool:
        """Spend one new item of the Kuaishou shop's `day` (which began at `since`) if fewer than
        `limit` are spent (`force`: whatever the count, a create that landed after all).

        One counter per shop and day (`shop_daily_quota`) shared by every worker on this ledger,
        so workers publishing into one shop at once never overshoot its 500 a day (decision 75).
        The day's first call counts what the ledger already published into the shop since
        `since`. Taken in the row's lock, so two workers never both take the last one.
        """
        with self._transaction() as con:
            con.execute(
                self._sql(
                    "INSERT INTO shop_daily_quota (shop, day, used) SELECT ?, ?, count(*) "
                    "FROM publish_ledger WHERE target_shop = ? AND published_at >= ? "
                    "ON CONFLICT (shop, day) DO NOTHING"
                ),
                [target_shop, day, target_shop, since],
            )
            taken = con.execute(
                self._sql(
                    "UPDATE shop_daily_quota SET used = used + 1 WHERE shop = ? AND day = ? "
                    "AND (used < ? OR ?) RETURNING used"
                ),
                [target_shop, day, limit, force],
            ).fetchall()
        return bool(taken)

    def give_back_shop_quota(self, target_shop: str, *, day: date) -> None:
        """Return one new item taken by `take_shop_quota` whose create did not happen."""
        self._run(
            "UPDATE shop_daily_quota SET used = used - 1 WHERE shop = ? AND day = ? AND used > 0",
            [target_shop, day],
        )

    def claim(self, *, rel_item_ids: Sequence[int], states: Sequence[str]) -> list[dict[str, Any]]:
        """Take those of `rel_item_ids` whose row is in one of `states` and no worker holds.

        The rows come back as they are (the state tells the caller what to do: resolve an
        in-doubt one by lookup, create a pending one); they stay this worker's until `release`.
        """
        return self._claim_ledger(rel_item_ids, states=states)

    def claim_creates(self, *, versions: Mapping[int, tuple[str, str]]) -> list[dict[str, Any]]:
        """Claim a batch of items to create, in one transaction (decision 80): those of
        `versions` (relItemId → the content and offer versions about to be sent) whose row is
        pending or in doubt and no worker holds.

        The pending ones become `in_flight` with their versions and one more attempt, committed
        before this returns, so each is recorded as possibly created before its create is sent,
        as `ledger_transition(state=in_flight)` would. In-doubt rows are left as they are: they
        are looked up first, and their versions are what may have been sent. The rows come back
        as they were: `pending` in a returned row means "now in flight, never sent".
        """
        return self._claim_ledger(list(versions), states=TO_PUBLISH, versions=versions)

    def _claim_ledger(
        self,
        rel_item_ids: Sequence[int],
        *,
        states: Sequence[str],
        versions: Mapping[int, tuple[str, str]] | None = None,
    ) -> list[dict[str, Any]]:
        held = self._held()
        wanted = [rel for rel in dict.fromkeys(rel_item_ids) if ("ledger", rel) not in held]
        if not wanted:
            return []
        with self._transaction() as con:
            rows = self._select_for_claim(
                con,
                f"SELECT * FROM publish_ledger WHERE rel_item_id IN ({_marks(wanted)}) "
                f"AND state IN ({_marks(states)}) ORDER BY rel_item_id",
                [*wanted, *states],
            )
            taken = self._lock("ledger", rows)
            # Noted at once: whatever fails next, `close` gives the locks back.
            self._note_claims("ledger", taken)
            fresh = [int(row["rel_item_id"]) for row in taken if row["state"] == "pending"]
            if versions is not None and fresh:
                con.execute(
                    self._sql(
                        "UPDATE publish_ledger SET state = 'in_flight', reason = NULL, "
                        "attempts = attempts + 1, updated_at = ?, version = sent.version, "
                        "offer_version = sent.offer FROM (SELECT unnest(?::BIGINT[]) AS rel, "
                        "unnest(?::VARCHAR[]) AS version, unnest(?::VARCHAR[]) AS offer) AS sent "
                        "WHERE publish_ledger.rel_item_id = sent.rel "
                        "AND publish_ledger.state = 'pending'"
                    ),
                    [
                        now_utc(),
                        fresh,
                        [versions[rel][0] for rel in fresh],
                        [versions[rel][1] for rel in fresh],
                    ],
                )
        return taken

    def unclaim_unsent(self, rel_item_ids: Sequence[int]) -> None:
        """Items `claim_creates` moved to `in_flight` whose create was never sent (the quota ran
        out, the run stopped first): `pending` again, the attempt not counted. Only the claimer
        knows nothing was sent, so only items this object holds are touched; give any other
        in-flight item to a lookup instead."""
        mine = [rel for rel in dict.fromkeys(rel_item_ids) if ("ledger", rel) in self._mine()]
        if not mine:
            return
        self._run(
            "UPDATE publish_ledger SET state = 'pending', attempts = attempts - 1, "
            "updated_at = ? WHERE rel_item_id IN (SELECT unnest(?::BIGINT[])) "
            "AND state = 'in_flight'",
            [now_utc(), mine],
        )

    def _select_for_claim(self, con: Any, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        cursor = con.execute(self._sql(sql), list(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _mine(self) -> set[tuple[str, int]]:
        """The claims this object took (what `close` gives back), a subset of `_held()`."""
        if not hasattr(self, "_my_claims"):
            self._my_claims: set[tuple[str, int]] = set()
        return self._my_claims

    def _note_claims(self, kind: str, rows: list[dict[str, Any]]) -> None:
        keys = {(kind, int(row["rel_item_id"])) for row in rows}
        self._held().update(keys)
        self._mine().update(keys)

    def release(self, rel_item_ids: Sequence[int]) -> None:
        self._release("ledger", rel_item_ids)

    def _release(self, kind: str, ids: Sequence[int]) -> None:
        mine = [rel for rel in dict.fromkeys(ids) if (kind, rel) in self._mine()]
        self._unlock(kind, mine)
        self._held().difference_update((kind, rel) for rel in mine)
        self._mine().difference_update((kind, rel) for rel in mine)

    # --- supply outbox -------------------------------------------------------------------------

    def outbox_due(self, migration: str, *, now: datetime | None = None) -> list[dict[str, Any]]:
        """The unsent reports whose next attempt is due at `now` (default: the current time).

        A failed report waits for its `next_attempt_at` (exponential backoff), so one failing report
        does not hold up the others; earliest deadline first.
        """
        return self._rows(
            f"SELECT * FROM supply_outbox WHERE migration = ? AND {_DUE} "
            "ORDER BY due_at, rel_item_id",
            [migration, now or now_utc()],
        )

    def outbox_rows(self, migration: str) -> list[dict[str, Any]]:
        """Every report row of a migration, whatever its state (for summaries and checks)."""
        return self._rows(
            "SELECT * FROM supply_outbox WHERE migration = ? ORDER BY source_item_id", [migration]
        )

    def outbox_claim(self, *, rel_item_ids: Sequence[int], now: datetime) -> list[dict[str, Any]]:
        """Take those of `rel_item_ids` that are still due at `now` and no worker holds."""
        held = self._held()
        wanted = [rel for rel in dict.fromkeys(rel_item_ids) if ("outbox", rel) not in held]
        if not wanted:
            return []
        with self._transaction() as con:
            rows = self._select_for_claim(
                con,
                f"SELECT * FROM supply_outbox WHERE rel_item_id IN ({_marks(wanted)}) "
                f"AND {_DUE} ORDER BY due_at, rel_item_id",
                [*wanted, now],
            )
            taken = self._lock("outbox", rows)
        self._note_claims("outbox", taken)
        return taken

    def outbox_release(self, rel_item_ids: Sequence[int]) -> None:
        self._release("outbox", rel_item_ids)

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
        self._run(
            "UPDATE supply_outbox SET state = ?, attempts = attempts + 1, last_error = ?, "
            "sent_at = CASE WHEN ? THEN ? ELSE sent_at END, next_attempt_at = ? "
            "WHERE rel_item_id = ? AND state <> 'sent'",
            [state, error, sent, at or now_utc(), None if sent else next_attempt_at, rel_item_id],
        )

    def close(self) -> None:
        """Give back every claim this object holds."""
        for kind, rel in list(self._mine()):
            self._release(kind, [rel])


def _outbox_values(item: PublishedItem) -> dict[str, Any]:
    row = item.outbox_row
    return {
        "rel_item_id": item.rel_item_id,
        "migration": row["migration"],
        "source_item_id": row["source_item_id"],
        "kwai_item_id": item.kwai_item_id,
        "payload": json.dumps(row["payload"], ensure_ascii=False),
        "scene": row["scene"],
        "published_at": row["published_at"],
        "due_at": row["due_at"],
        "state": row.get("state", ReportState.PENDING),
        "attempts": 0,
    }


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


# --- PostgreSQL ----------------------------------------------------------------------------------

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class LedgerConnectionLostError(ConnectionError):
    """The ledger's session ended while it held claims: never reconnect silently then (the claims'
    advisory locks died with it; a pooler in transaction mode would do the same)."""


class PostgresLedger(LedgerSql):
    """The ledger and outbox in PostgreSQL, shared by several workers.

    One connection per object (autocommit; multi-statement writes in explicit transactions) also
    holds this worker's advisory locks, so they live exactly as long as the worker does.
    `schema` keeps the tables apart from anything else in the database (created if missing).
    """

    def __init__(self, url: str, *, schema: str = "banjia") -> None:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(
                f"ledger schema {schema!r}: use lower-case letters, digits and '_' "
                "(BANJIA_LEDGER_SCHEMA)"
            )
        self._url = url
        self._schema = schema
        self._con: Any = None
        self._claims: set[tuple[str, int]] = set()

    @property
    def schema(self) -> str:
        return self._schema

    def _open(self) -> Any:
        import psycopg  # only a PostgreSQL deployment needs the driver loaded

        if self._con is not None and (self._con.closed or self._con.broken):
            self._session_lost()
        if self._con is None or self._con.closed or self._con.broken:
            try:
                con = psycopg.connect(self._url, autocommit=True)
            except psycopg.OperationalError as exc:
                raise ConnectionError(
                    f"ledger database unreachable ({_without_password(self._url)}): {exc}. "
                    "Start PostgreSQL or unset BANJIA_LEDGER_URL to use the DuckDB ledger"
                ) from None
            with con.transaction():
                # Two workers starting at once must not race on CREATE ... IF NOT EXISTS.
                con.execute("SELECT pg_advisory_xact_lock(0)")
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {self._schema}")
                con.execute(f"SET search_path TO {self._schema}")
                apply_migrations(
                    con,
                    component="ledger",
                    migrations=LEDGER_MIGRATIONS,
                    json_type="TEXT",
                    placeholder="%s",
                )
            self._con = con
        return self._con

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        con = self._open()
        try:
            yield con
        except Exception:
            if con.closed or con.broken:
                self._session_lost()
            raise

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        con = self._open()
        try:
            with con.transaction():
                yield con
        except Exception:
            if con.closed or con.broken:
                self._session_lost()
            raise

    def _session_lost(self) -> None:
        """The session is gone: with claims held that is an error (never a silent reconnect)."""
        if not self._claims:
            return
        lost = len(self._claims)
        self._claims.clear()
        raise LedgerConnectionLostError(
            f"the ledger's PostgreSQL session ended while this worker held {lost} claim(s); "
            "their locks went with it, so another worker may take those items now. This run "
            "stops; items left in flight are resolved by relItemId lookup on the next run"
        )

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _held(self) -> set[tuple[str, int]]:
        return self._claims

    def _select_for_claim(self, con: Any, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        # Rows another worker is claiming right now are skipped, not waited for.
        return super()._select_for_claim(con, sql + " FOR UPDATE SKIP LOCKED", params)

    def _lock_key(self, kind: str, rel_item_id: int) -> int:
        """The advisory-lock key of a claim. Advisory locks are database-wide, not per schema:
        two ledgers in one database (two deployments, or parallel test workers) must not take
        each other's items, so the key hashes the schema with the kind and the relItemId."""
        digest = hashlib.blake2b(
            f"{self._schema}:{kind}:{rel_item_id}".encode(), digest_size=8
        ).digest()
        return int.from_bytes(digest, "big", signed=True)

    def _lock(self, kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Keep the rows whose advisory lock this session gets: the others belong to live workers.

        One statement for all the rows (a batch claim takes up to 50, decision 80)."""
        if not rows:
            return []
        keys = [self._lock_key(kind, int(row["rel_item_id"])) for row in rows]
        got = self._con.execute(
            "SELECT pg_try_advisory_lock(key) FROM unnest(%s::BIGINT[]) WITH ORDINALITY "
            "AS claimed(key, n) ORDER BY n",
            [keys],
        ).fetchall()
        return [row for row, (locked,) in zip(rows, got, strict=True) if locked]

    def _unlock(self, kind: str, ids: Sequence[int]) -> None:
        if self._con is None or self._con.closed or not ids:
            return  # the session is gone, and its locks with it
        self._con.execute(
            "SELECT pg_advisory_unlock(key) FROM unnest(%s::BIGINT[]) AS released(key)",
            [[self._lock_key(kind, rel) for rel in ids]],
        )

    def close(self) -> None:
        super().close()
        if self._con is not None:
            self._con.close()
            self._con = None


def _without_password(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
