"""Every warehouse migration runs on both backends and gives them the same tables and columns.

A migration is written once (store/schema.py); this is what tells its author that it used
something only one backend speaks, and which one.
"""

from pathlib import Path

import psycopg

from store.schema import WAREHOUSE_MIGRATIONS
from store.warehouse import Warehouse


def _duckdb_columns(path: Path) -> dict[str, list[str]]:
    store = Warehouse(path)
    rows = store.query(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    )
    columns: dict[str, list[str]] = {}
    for row in rows:
        columns.setdefault(row["table_name"], []).append(row["column_name"])
    return columns


def _postgres_columns(url: str, schema: str) -> dict[str, list[str]]:
    Warehouse(url, schema=schema).scalar("SELECT 1")  # applies the migrations
    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
            [schema],
        ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def test_every_warehouse_migration_is_applied_on_postgresql(
    postgres_url: str, postgres_schema: str
) -> None:
    store = Warehouse(postgres_url, schema=postgres_schema)
    applied = store.query(
        "SELECT version FROM schema_migrations WHERE component = 'warehouse' ORDER BY version"
    )
    assert [row["version"] for row in applied] == [m.version for m in WAREHOUSE_MIGRATIONS]


def test_both_backends_have_the_same_warehouse_tables_and_columns(
    tmp_path: Path, postgres_url: str, postgres_schema: str
) -> None:
    duck = _duckdb_columns(tmp_path / "w.duckdb")
    ledger_tables = {  # LEDGER_MIGRATIONS': PostgresLedger's to make there, not the warehouse's
        "publish_ledger",
        "sku_map",
        "supply_outbox",
        "shop_rate_window",
        "shop_daily_quota",
    }
    duck = {table: cols for table, cols in duck.items() if table not in ledger_tables}
    assert _postgres_columns(postgres_url, postgres_schema) == duck
