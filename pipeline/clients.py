"""Every platform client a stage needs, built from one migration and one place's configuration.

`Platforms` is the one factory: the Dagster resource (`assets/resources.py`) and the `banjia`
command both hold one and ask it for clients, so neither builds a client of its own. It adds to
`connectors.platforms` only what needs state: a Kuaishou client with OAuth keeps its tokens in the
warehouse (`store.oauth_tokens`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.kuaishou import KuaishouClient
from connectors.kuaishou.tokens import TokenManager, TokenStore
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
from connectors.rate_gate import LocalRateGates, RateGates
from connectors.source import SourceConnector
from connectors.sources import source_for
from listings.migrations import Migration
from pipeline.settings import Settings
from store.oauth_tokens import open_token_store
from store.rate_window import PostgresRateGates
from store.warehouse import Warehouse

__all__ = ["Platforms", "shop_rate_gates"]

_PROCESS_RATE_GATES = LocalRateGates()
_POSTGRES_RATE_GATES: dict[tuple[str, str], PostgresRateGates] = {}


def shop_rate_gates(settings: Settings) -> RateGates:
    """The Kuaishou shops' rate gates for this configuration, one set per process.

    With the ledger in PostgreSQL (BANJIA_LEDGER_URL, or BANJIA_DATABASE_URL, whose schema then
    holds the ledger) every worker shares each shop's window there (several workers, one shop,
    one limit); without, the clients of this process share it in memory (a media step and then a
    publish step of one shop do not each start with an empty window).
    """
    if settings.ledger_url:
        key = (settings.ledger_url, settings.ledger_schema)
    elif settings.database_url:
        key = (settings.database_url, settings.database_schema)
    else:
        return _PROCESS_RATE_GATES
    if key not in _POSTGRES_RATE_GATES:
        _POSTGRES_RATE_GATES[key] = PostgresRateGates(key[0], schema=key[1])
    return _POSTGRES_RATE_GATES[key]


@dataclass(frozen=True)
class Platforms:
    """Where the platforms are and how to reach them.

    - `endpoints`: production or the sandbox at a base URL (configuration only);
    - `transport`: None for the network; tests mount the sandbox in-process here;
    - `rate_limited`: False only for in-process tests (the emulators still enforce their limits);
    - `rate_gates`: where a Kuaishou shop's rate window lives: shared by every client of the shop
      in this process (`LocalRateGates`), or by every worker (`PostgresRateGates`, with the ledger
      in PostgreSQL); None: each client keeps its own (decision 75);
    - `env`: where the secrets a migration names are read (the process environment by default).
    """

    endpoints: Endpoints
    transport: AsyncTransport | None = None
    rate_limited: bool = True
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    rate_gates: RateGates | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: AsyncTransport | None = None,
        rate_limited: bool = True,
    ) -> Platforms:
        endpoints = Endpoints.for_mode(
            EndpointsMode(settings.endpoints), sandbox_url=settings.sandbox_url
        )
        return cls(
            endpoints=endpoints,
            transport=transport,
            rate_limited=rate_limited,
            rate_gates=shop_rate_gates(settings),
        )

    @property
    def is_sandbox(self) -> bool:
        return self.endpoints.kuaishou_url != PRODUCTION_KUAISHOU_URL

    def source(self, migration: Migration) -> SourceClient:
        """The client of the migration's source shop."""
        return source_client(
            migration,
            endpoints=self.endpoints,
            env=self.env,
            transport=self.transport,
            rate_limited=self.rate_limited,
        )

    def kuaishou(
        self, migration: Migration, *, warehouse: Warehouse | None = None
    ) -> KuaishouClient:
        """The target shop's client; `warehouse` keeps its OAuth tokens (`target.auth: oauth`)."""
        return kuaishou_client(
            migration,
            endpoints=self.endpoints,
            env=self.env,
            transport=self.transport,
            rate_limited=self.rate_limited,
            token_store=self._token_store(migration, warehouse),
            rate_gates=self.rate_gates,
        )

    def kuaishou_tokens(self, migration: Migration, *, warehouse: Warehouse) -> TokenManager:
        """The target shop's OAuth token lifecycle (`banjia kuaishou authorize` stores the first)."""
        return kuaishou_token_manager(
            migration,
            endpoints=self.endpoints,
            env=self.env,
            token_store=open_token_store(warehouse, seller_key=migration.kuaishou_shop_key),
            transport=self.transport,
        )

    def publisher(self, migration: Migration, *, warehouse: Warehouse | None = None) -> Publisher:
        """The migration's publishing backend (Kuaishou open platform or vv-tool)."""
        return publisher(
            migration,
            endpoints=self.endpoints,
            env=self.env,
            transport=self.transport,
            rate_limited=self.rate_limited,
            token_store=self._token_store(migration, warehouse),
            rate_gates=self.rate_gates,
        )

    def media_fetcher(self) -> HttpClient:
        """A plain client for source images and videos (public CDN URLs, or the sandbox's)."""
        return media_fetcher(transport=self.transport, routes=self.endpoints.media_routes)

    def source_connector(self, migration: Migration) -> tuple[SourceConnector, str]:
        """The migration's source connector and the URL of its API (production or sandbox)."""
        connector = source_for(migration.source.platform)
        return connector, self.endpoints.source_url(connector)

    @staticmethod
    def _token_store(migration: Migration, warehouse: Warehouse | None) -> TokenStore | None:
        if migration.target.auth != "oauth" or warehouse is None:
            return None
        return open_token_store(warehouse, seller_key=migration.kuaishou_shop_key)
