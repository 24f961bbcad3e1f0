"""Dagster resources: thin, configurable wrappers over the plain objects of `store/` and `pipeline/`.

Every field left empty takes its value from the settings (`pipeline.settings`: `BANJIA_WAREHOUSE`,
`BANJIA_LEDGER_URL`, `BANJIA_MIGRATIONS`, `BANJIA_ENDPOINTS`, `BANJIA_SANDBOX_URL`), whose defaults
are the embedded ones: the sandbox and DuckDB.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import Field

from connectors.platforms import AsyncTransport
from listings.migrations import Migration, MigrationsFile
from pipeline.clients import Platforms
from pipeline.migrations_file import load_migrations
from pipeline.settings import load_settings
from pipeline.stores import open_settings_ledger, open_warehouse
from store import Ledger, Warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse (a DuckDB file or a PostgreSQL schema), and where the ledger and outbox live.

    `$BANJIA_DATABASE_URL` puts every table in PostgreSQL, so any worker can run any stage
    (decision 73). The ledger is in the warehouse's database unless `ledger_url` (or
    $BANJIA_LEDGER_URL) names another PostgreSQL database.
    """

    path: str = Field(
        default="",
        description="A DuckDB file or a postgresql:// URL; empty: $BANJIA_DATABASE_URL, else "
        "$BANJIA_WAREHOUSE, else data/warehouse.duckdb.",
    )
    ledger_url: str = Field(
        default="",
        description="postgresql://... for a shared ledger; empty: $BANJIA_LEDGER_URL, else the "
        "warehouse file.",
    )
    ledger_schema: str = Field(
        default="", description="The PostgreSQL schema; empty: $BANJIA_LEDGER_SCHEMA, else banjia."
    )

    def open(self) -> Warehouse:
        return open_warehouse(location=self.path)

    @contextmanager
    def for_step(self, context: dg.AssetExecutionContext) -> Iterator[Warehouse]:
        """The warehouse for one asset's step on the partition's migration, held as that
        migration's turn: with PostgreSQL, no two steps of one migration write at once, whichever
        worker runs them (decision 83)."""
        store = self.open()
        with store.migration_turn(context.partition_key):
            yield store

    def ledger(self, warehouse: Warehouse) -> Ledger:
        """The ledger/outbox store (close it when done)."""
        return open_settings_ledger(warehouse, url=self.ledger_url, schema=self.ledger_schema)


class MigrationsResource(dg.ConfigurableResource):
    """The migrations file."""

    path: str = Field(
        default="", description="Empty: $BANJIA_MIGRATIONS, else data/migrations.yaml."
    )

    def load(self) -> MigrationsFile:
        return load_migrations(Path(self.path) if self.path else load_settings().migrations)

    def get(self, key: str) -> Migration:
        return self.load().get(key)


class PlatformsResource(dg.ConfigurableResource):
    """Where the platforms are: the sandbox emulators (default) or production.

    `endpoints=production` is the switch to the real platforms; nothing else changes. Production code
    never imports the emulators: tests subclass this resource and override `transport()` to mount
    them in-process (tests/inprocess.py).
    """

    endpoints: str = Field(
        default="", description="sandbox | production; empty: $BANJIA_ENDPOINTS."
    )
    sandbox_url: str = Field(default="", description="Empty: $BANJIA_SANDBOX_URL or loopback 8765.")
    client_rate_limits: bool = Field(
        default=True,
        description="Only for in-process tests: False skips the clients' rate limiters "
        "(they are tested on their own; the emulators still enforce their QPS limits).",
    )

    def transport(self) -> AsyncTransport | None:
        """The HTTP transport under every client: None is the network (tests mount the sandbox)."""
        return None

    def platforms(self) -> Platforms:
        """The client factory every stage uses."""
        settings = load_settings()
        overrides = {
            k: v
            for k, v in {"endpoints": self.endpoints, "sandbox_url": self.sandbox_url}.items()
            if v
        }
        return Platforms.from_settings(
            settings.model_copy(update=overrides),
            transport=self.transport(),
            rate_limited=self.client_rate_limits,
        )
