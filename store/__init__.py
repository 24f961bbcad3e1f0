"""State: warehouse tables, the publish ledger and report outbox, caches, tokens and the schema.

What other packages use: `Warehouse` (a DuckDB file, or a PostgreSQL schema shared by several
workers), `Ledger` with its two backends (`DuckDBLedger` in the warehouse file, `PostgresLedger`
for several workers) and `open_ledger` to pick one from configuration, the state names, and
`migration_status`.
"""

from store.duckdb_ledger import DuckDBLedger
from store.ledger import Ledger, LedgerState, PostgresLedger, ReportState
from store.warehouse import Warehouse, migration_status

__all__ = [
    "DuckDBLedger",
    "Ledger",
    "LedgerState",
    "PostgresLedger",
    "ReportState",
    "Warehouse",
    "migration_status",
    "open_ledger",
]


def open_ledger(warehouse: Warehouse, *, url: str = "", schema: str = "banjia") -> Ledger:
    """The ledger/outbox store: PostgreSQL when `url` names one (in `schema`), else the
    warehouse's own database: its DuckDB file, or its PostgreSQL schema (a shared warehouse never
    gets a ledger whose claims only keep one process's tasks apart).

    Close it when done: a PostgreSQL ledger holds this worker's claims on its connection.
    """
    if not url and warehouse.is_postgres:
        return PostgresLedger(warehouse.path, schema=warehouse.schema)
    if not url:
        return DuckDBLedger(warehouse)
    if not url.startswith(("postgresql://", "postgres://")):
        raise ValueError(
            "the ledger URL (BANJIA_LEDGER_URL) must be a postgresql://user@host:port/db URL, "
            "or empty for the DuckDB ledger in the warehouse file"
        )
    return PostgresLedger(url, schema=schema)
