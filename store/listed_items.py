"""One extraction's listing of the source shop, kept in the warehouse instead of in memory.

The list call names every on-sale item with its version. Held in Python for the whole run, that
listing (and the warehouse's known versions beside it) grew the extract's memory with the shop
(issue 19). Here each page is appended to `listed_items` as it arrives; which items to read,
which are unchanged and which left the shop are then decided in SQL against `raw_listings`, and
read back a batch at a time in listing order (decision 89).

Rows of a migration live only during its extraction: `start` clears what a cut-short run left,
`finish` clears them once the extraction is saved. The table has no key: DuckDB holds a key's
index in memory outside its capped cache, which would grow with the shop again; positions are
unique because one run writes them. Each row ends in one state:
`duplicate` (the id was listed again later: the last listing wins), `beyond` (past
`max_items`), `unchanged` (same version as in `raw_listings`, not read again) or `read`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from connectors.source import ListedItem
from store.warehouse import Warehouse

__all__ = ["ListedItems"]

TABLE = "listed_items"
READ = "read"
UNCHANGED = "unchanged"


def _modified_text(value: datetime | None) -> str | None:
    """ISO text, so the instant and its UTC offset come back exactly as the connector gave them
    (the cursor's JSON and figures print them)."""
    return None if value is None else value.isoformat()


class ListedItems:
    """The `listed_items` rows of one migration: appended page by page, decided in SQL."""

    def __init__(self, warehouse: Warehouse, migration: str) -> None:
        self._warehouse = warehouse
        self._migration = migration
        self._next_position = 0

    def start(self) -> None:
        """Forget what an earlier run of this migration left (a run cut short)."""
        self._warehouse.delete_partition(TABLE, migration=self._migration)
        self._next_position = 0

    def append(self, rows: Iterable[ListedItem]) -> int:
        """One page of the listing, in the order listed; how many rows it held."""
        batch = [
            {
                "migration": self._migration,
                "position": self._next_position + offset,
                "source_item_id": row.item_id,
                "version": row.version,
                "modified": _modified_text(row.modified),
                "state": None,
            }
            for offset, row in enumerate(rows)
        ]
        if batch:
            self._warehouse.append_rows(TABLE, batch)
            self._next_position += len(batch)
        return len(batch)

    def decide(self, *, max_items: int | None) -> None:
        """Give every listed row its state: duplicates and rows past `max_items` (the first
        `max_items` ids in id order are kept) aside, then unchanged or to read."""
        m = self._migration
        with self._warehouse.connect() as con:
            con.execute("BEGIN")
            con.execute(
                f"UPDATE {TABLE} SET state = 'duplicate' WHERE migration = ? AND position NOT IN "
                f"(SELECT max(position) FROM {TABLE} WHERE migration = ? GROUP BY source_item_id)",
                [m, m],
            )
            if max_items is not None:
                con.execute(
                    f"UPDATE {TABLE} SET state = 'beyond' WHERE migration = ? AND state IS NULL "
                    f"AND source_item_id NOT IN (SELECT source_item_id FROM {TABLE} WHERE "
                    "migration = ? AND state IS NULL ORDER BY source_item_id LIMIT ?)",
                    [m, m, max_items],
                )
            con.execute(
                f"UPDATE {TABLE} SET state = '{UNCHANGED}' WHERE migration = ? AND state IS NULL "
                "AND EXISTS (SELECT 1 FROM raw_listings r WHERE r.migration = "
                f"{TABLE}.migration AND r.source_item_id = {TABLE}.source_item_id "
                "AND coalesce(r.source_state, 'listed') = 'listed' "
                f"AND coalesce(r.version, '') = {TABLE}.version)",
                [m],
            )
            con.execute(
                f"UPDATE {TABLE} SET state = '{READ}' WHERE migration = ? AND state IS NULL", [m]
            )
            con.execute("COMMIT")

    def count(self, *states: str) -> int:
        """How many listed items are in these states."""
        marks = ", ".join("?" for _ in states)
        return int(
            self._warehouse.scalar(
                f"SELECT count(*) FROM {TABLE} WHERE migration = ? AND state IN ({marks})",
                [self._migration, *states],
            )
        )

    def batches(self, *states: str, batch_size: int) -> Iterator[list[ListedItem]]:
        """The rows in these states in listing order, `batch_size` at a time: each batch is one
        query from where the last stopped, so writes between batches are safe on DuckDB too."""
        marks = ", ".join("?" for _ in states)
        after = -1
        while True:
            rows = self._warehouse.query(
                f"SELECT position, source_item_id, version, modified FROM {TABLE} "
                f"WHERE migration = ? AND state IN ({marks}) AND position > ? "
                "ORDER BY position LIMIT ?",
                [self._migration, *states, after, batch_size],
            )
            if not rows:
                return
            after = int(rows[-1]["position"])
            yield [
                ListedItem(
                    item_id=row["source_item_id"],
                    version=row["version"] or "",
                    modified=datetime.fromisoformat(row["modified"]) if row["modified"] else None,
                )
                for row in rows
            ]

    def gone_ids(self) -> list[str]:
        """Items the warehouse holds as listed that this listing no longer names, by id."""
        rows = self._warehouse.query(
            "SELECT source_item_id FROM raw_listings r WHERE migration = ? "
            "AND coalesce(source_state, 'listed') = 'listed' AND NOT EXISTS (SELECT 1 FROM "
            f"{TABLE} l WHERE l.migration = r.migration AND l.source_item_id = r.source_item_id) "
            "ORDER BY source_item_id",
            [self._migration],
        )
        return [row["source_item_id"] for row in rows]

    def finish(self) -> None:
        """The extraction is saved: its listing is not needed any more."""
        self._warehouse.delete_partition(TABLE, migration=self._migration)
