"""The warehouse and the ledger the settings name: DuckDB by default, PostgreSQL when configured.

One setting moves all state (decision 73): with `BANJIA_DATABASE_URL` the warehouse tables are in
that database, and so is the ledger unless `BANJIA_LEDGER_URL` names another one.
"""

from __future__ import annotations

from pipeline.settings import Settings, load_settings
from store import Ledger, Warehouse, open_ledger

__all__ = ["open_settings_ledger", "open_warehouse"]


def open_warehouse(settings: Settings | None = None, *, location: str = "") -> Warehouse:
    """The warehouse at `location` (a file path or URL), else where the settings say."""
    settings = settings or load_settings()
    return Warehouse(location or settings.warehouse_location, schema=settings.database_schema)


def open_settings_ledger(
    warehouse: Warehouse, settings: Settings | None = None, *, url: str = "", schema: str = ""
) -> Ledger:
    """The ledger/outbox store: `url`, else BANJIA_LEDGER_URL, else the warehouse's database."""
    settings = settings or load_settings()
    return open_ledger(
        warehouse, url=url or settings.ledger_url, schema=schema or settings.ledger_schema
    )
