"""The ledger and outbox in the warehouse file: the embedded default's `Ledger`.

DuckDB has one writing process, so a claim only has to keep the tasks of this process apart: the
claims are kept per file (`Warehouse.process_claims`), shared by every instance in the process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import duckdb

from store.ledger import LedgerSql
from store.warehouse import Warehouse

__all__ = ["DuckDBLedger"]


class DuckDBLedger(LedgerSql):
    """`Ledger` over the warehouse file's `publish_ledger`, `sku_map` and `supply_outbox`."""

    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse

    @property
    def warehouse(self) -> Warehouse:
        return self._warehouse

    def _connection(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return self._warehouse.connect()

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._warehouse.connect() as con:
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")

    def _held(self) -> set[tuple[str, int]]:
        return self._warehouse.process_claims()
