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
from connectors.source import SourceConnector
from connectors.sources import source_for
from listings.migrations import Migration
from pipeline.settings import Settings
from store.oauth_tokens import open_token_store
from store.warehouse import Warehouse

__all__ = ["Platforms"]


@dataclass(frozen=True)
class Platforms:
    """Where the platforms are and how to reach them.

    - `endpoints`: production or the sandbox at a base URL (configuration only);
    - `transport`: None for the network; tests mount the sandbox in-process here;
    - `rate_limited`: False only for in-process tests (the emulators still enforce their limits);
    - `env`: where the secrets a migration names are read (the process environment by default).
    """

    endpoints: Endpoints
    transport: AsyncTransport | None = None
    rate_limited: bool = True
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)

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
        return cls(endpoints=endpoints, transport=transport, rate_limited=rate_limited)

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
