"""Dagster resources: thin, configurable wrappers over the plain clients of `connectors/`.

Every field left empty falls back to its env var at run time (`BANJIA_WAREHOUSE`, `BANJIA_MIGRATIONS`,
`BANJIA_ENDPOINTS`, `BANJIA_SANDBOX_URL`), then to the embedded default: the sandbox and DuckDB.
"""

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.migrations import DEFAULT_WAREHOUSE, load_migrations, migrations_path
from connectors.kuaishou import KuaishouClient
from connectors.kuaishou.tokens import TokenManager
from connectors.ledger import Ledger, PostgresLedger
from connectors.platforms import (
    PRODUCTION_KUAISHOU_URL,
    AsyncTransport,
    Endpoints,
    EndpointsMode,
    HttpClient,
    SourceClient,
    kuaishou_client,
    kuaishou_token_manager,
    media_fetcher,
    publisher,
    source_client,
)
from connectors.publisher import Publisher
from connectors.warehouse import Warehouse
from listings.migrations import Migration, MigrationsFile

DEFAULT_SANDBOX_URL = "http://127.0.0.1:8765"


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse file (DuckDB), and where the publish ledger and report outbox live.

    The ledger stays in the warehouse file unless `ledger_url` (or $BANJIA_LEDGER_URL) names a
    PostgreSQL database: then several workers can publish at once (docs/decisions.md).
    """

    path: str = Field(
        default="", description="Empty: $BANJIA_WAREHOUSE, else data/warehouse.duckdb."
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
        return Warehouse(self.path or os.environ.get("BANJIA_WAREHOUSE") or DEFAULT_WAREHOUSE)

    def ledger(self, warehouse: Warehouse | None = None) -> Ledger:
        """The ledger/outbox store: PostgreSQL when configured, else `warehouse` (or `open()`).

        Close it when done: a PostgreSQL ledger holds this worker's claims on its connection.
        """
        url = self.ledger_url or os.environ.get("BANJIA_LEDGER_URL", "")
        if not url:
            return warehouse or self.open()
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "ledger_url / BANJIA_LEDGER_URL must be a postgresql://user@host:port/db URL "
                "(or empty for the DuckDB ledger in the warehouse file)"
            )
        schema = self.ledger_schema or os.environ.get("BANJIA_LEDGER_SCHEMA") or "banjia"
        return PostgresLedger(url, schema=schema)


class MigrationsResource(dg.ConfigurableResource):
    """The migrations file."""

    path: str = Field(
        default="", description="Empty: $BANJIA_MIGRATIONS, else data/migrations.yaml."
    )

    def load(self) -> MigrationsFile:
        return load_migrations(Path(self.path) if self.path else migrations_path())

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

    def _endpoints(self) -> Endpoints:
        mode = EndpointsMode(
            self.endpoints or os.environ.get("BANJIA_ENDPOINTS") or EndpointsMode.SANDBOX.value
        )
        base = self.sandbox_url or os.environ.get("BANJIA_SANDBOX_URL") or DEFAULT_SANDBOX_URL
        return Endpoints.for_mode(mode, sandbox_url=base)

    def transport(self) -> AsyncTransport | None:
        """The HTTP transport under every client: None is the network (tests mount the sandbox)."""
        return None

    def source(self, migration: Migration, env: Mapping[str, str] | None = None) -> SourceClient:
        return source_client(
            migration,
            endpoints=self._endpoints(),
            env=os.environ if env is None else env,
            transport=self.transport(),
            rate_limited=self.client_rate_limits,
        )

    def kuaishou(
        self,
        migration: Migration,
        env: Mapping[str, str] | None = None,
        *,
        warehouse: Warehouse | None = None,
    ) -> KuaishouClient:
        """The target shop's client; `warehouse` holds its OAuth tokens (`target.auth: oauth`)."""
        return kuaishou_client(
            migration,
            endpoints=self._endpoints(),
            env=os.environ if env is None else env,
            transport=self.transport(),
            rate_limited=self.client_rate_limits,
            warehouse=warehouse,
        )

    def kuaishou_authorize_url(self) -> str:
        """Where a merchant authorizes the app (production page or the sandbox's consent)."""
        return self._endpoints().kuaishou_authorize_url

    def is_sandbox(self) -> bool:
        return self._endpoints().kuaishou_url != PRODUCTION_KUAISHOU_URL

    def kuaishou_tokens(
        self,
        migration: Migration,
        env: Mapping[str, str] | None = None,
        *,
        warehouse: Warehouse,
    ) -> TokenManager:
        """The target shop's OAuth token lifecycle (`banjia kuaishou authorize` stores the first)."""
        return kuaishou_token_manager(
            migration,
            endpoints=self._endpoints(),
            env=os.environ if env is None else env,
            warehouse=warehouse,
            transport=self.transport(),
        )

    def publisher(
        self,
        migration: Migration,
        env: Mapping[str, str] | None = None,
        *,
        warehouse: Warehouse | None = None,
    ) -> Publisher:
        """The migration's publishing backend (Kuaishou open platform or vv-tool)."""
        return publisher(
            migration,
            endpoints=self._endpoints(),
            env=os.environ if env is None else env,
            transport=self.transport(),
            rate_limited=self.client_rate_limits,
            warehouse=warehouse,
        )

    def alibaba1688_image_base(self) -> str:
        """Where 1688's relative `img/ibank/...` paths live (the sandbox serves its own)."""
        return self._endpoints().alibaba1688_image_base

    def media_fetcher(self) -> HttpClient:
        return media_fetcher(transport=self.transport(), routes=self._endpoints().media_routes)
