"""What a source platform's connector offers: the protocol every source folder implements.

A source platform is one folder under `connectors/` that exposes one object satisfying
`SourceConnector`, plus one line in `connectors.sources` (the registry). The pipeline reaches a source
only through this protocol: it builds the client, lists and reads the shop with the reader, names
each payload's item and parses it into the canonical `Listing`. Its `identity` tells the supply
report how to name the platform truthfully (`listings.source_platforms`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from connectors.http import AsyncClosing
from listings.cursor import ExtractCursor
from listings.migrations import Migration
from listings.model import Listing
from listings.source_platforms import SourceIdentity

__all__ = [
    "ListedItem",
    "MissingSecretError",
    "SourceClient",
    "SourceConnector",
    "SourceCredentials",
    "SourceReader",
    "list_row_fingerprint",
    "read_secret",
    "source_credentials",
]


class MissingSecretError(RuntimeError):
    """A migration names an env var for a secret that is not set."""


def read_secret(env: Mapping[str, str], name: str, *, migration: str, field: str) -> str:
    """The secret in env var `name`; a clear error naming the migration, the field and the fix."""
    value = env.get(name, "")
    if not value.strip():
        raise MissingSecretError(
            f"migration {migration!r}: {field} names env var {name}, which is not set; "
            f"export {name} (for the sandbox: `set -a; . data/sandbox.env`)"
        )
    return value


@dataclass(frozen=True)
class SourceCredentials:
    """A migration's source credentials, read now: the app key, the app secret and the seller's
    authorization (TOP's session key; PDD's and 1688's access_token)."""

    app_key: str
    app_secret: str
    session: str


def source_credentials(migration: Migration, env: Mapping[str, str]) -> SourceCredentials:
    """`source.app_key`, and the secrets in the env vars `source.app_secret_env` and
    `source.session_env` name; a clear error naming the field when one is not set."""
    source = migration.source
    return SourceCredentials(
        app_key=source.app_key,
        app_secret=read_secret(
            env, source.app_secret_env, migration=migration.key, field="source.app_secret_env"
        ),
        session=read_secret(
            env, source.session_env, migration=migration.key, field="source.session_env"
        ),
    )


@dataclass(frozen=True, slots=True)
class ListedItem:
    """One on-sale item as the list call shows it: its id and a *version* (the modified time
    where the platform gives one, else a fingerprint of its list row).

    The extract writes them to the warehouse a page at a time as they come and keeps none for the
    whole listing (issue 19, decision 89)."""

    item_id: str
    version: str
    modified: datetime | None = None


def list_row_fingerprint(row: Mapping[str, Any]) -> str:
    """A version for platforms whose list rows carry no modified time: a hash of the row, so an
    edit that shows in the list is re-read."""
    text = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class SourceReader(Protocol):
    """Lists what is on sale and reads the details of the items asked for."""

    def list_items(self, *, cursor: ExtractCursor) -> AsyncIterator[ListedItem]:
        """The shop's listing, an item at a time as the list pages arrive (an async generator:
        a whole shop's listing is never one list in memory)."""
        ...

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """(payloads read, ids the platform did not return)."""
        ...


SourceClient = AsyncClosing
"""A source platform's client: `async with client: ...` closes it at the end."""


@runtime_checkable
class SourceConnector(Protocol):
    """One source platform, as the pipeline sees it.

    - `identity`: the platform's name and its supply-report naming;
    - `production_url` / `sandbox_path`: where its API is (production, or under the sandbox's base);
    - `options_model`: the pydantic model of the platform's own settings (`source.options`);
    - `client`, `reader`, `item_id`, `parse`: reach the shop, read it, name and parse a payload;
    - `probe`: one cheap signed read that proves the credentials.
    """

    @property
    def identity(self) -> SourceIdentity: ...

    @property
    def production_url(self) -> str: ...

    @property
    def sandbox_path(self) -> str: ...

    @property
    def options_model(self) -> type[BaseModel]: ...

    def client(
        self,
        migration: Migration,
        *,
        base_url: str,
        env: Mapping[str, str],
        transport: Any = None,
        rate_per_second: float | None = None,
    ) -> SourceClient: ...

    def reader(self, client: Any, migration: Migration) -> SourceReader: ...

    def item_id(self, payload: Mapping[str, Any]) -> str:
        """The item id of a raw payload (before parsing, so a bad payload still has a name)."""
        ...

    def parse(self, payload: dict[str, Any], *, migration: Migration, base_url: str) -> Listing:
        """The canonical listing; raises `connectors.content.ParseProblem` naming the field."""
        ...

    async def probe(self, client: Any) -> str:
        """The platform's cheapest signed read, to prove the credentials before a run
        (`banjia migrations check --online`); says what answered. Raises the connector's error."""
        ...
