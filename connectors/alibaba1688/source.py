"""1688 as a source: the AOP connector behind `SourceConnector` (a member's own offers for
`move`, a supplier's offers through the distribution view for `distribute`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from connectors.alibaba1688.client import Alibaba1688Client
from connectors.alibaba1688.errors import Alibaba1688Error
from connectors.alibaba1688.parse import parse_product
from connectors.source import ListedItem, SourceReader, source_credentials
from listings.cursor import ExtractCursor
from listings.migrations import Migration
from listings.model import Listing
from listings.source_platforms import identity_of
from listings.supply import MigrationMode

__all__ = ["ALIBABA1688_SOURCE", "Alibaba1688Reader", "Alibaba1688Source"]

PRODUCTION_IMAGE_BASE = "https://cbu01.alicdn.com/"


class Alibaba1688Reader:
    """1688 lists offer ids with `lastUpdateTime` (the version). Mode `move` reads the member's own
    offers (`alibaba.product.get`); mode `distribute` reads the listed offers through
    `alibaba.cross.productInfo`, the distribution view (consign prices)."""

    def __init__(
        self, client: Alibaba1688Client, *, distribute: bool, concurrency: int = 4
    ) -> None:
        self._client = client
        self._distribute = distribute
        self._limit = asyncio.Semaphore(concurrency)

    async def list_items(self, *, cursor: ExtractCursor) -> AsyncIterator[ListedItem]:
        async for product_id, updated in self._client.iter_product_rows():
            yield ListedItem(
                item_id=str(product_id), version=updated or "", modified=_aop_time(updated)
            )

    async def _read(self, product_id: str) -> dict[str, Any] | None:
        async with self._limit:
            try:
                if self._distribute:
                    return await self._client.distribution_product(int(product_id))
                return await self._client.own_product(int(product_id))
            except Alibaba1688Error as exc:
                if exc.retryable:
                    raise
                return None

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        results = await asyncio.gather(*(self._read(i) for i in ids))
        payloads = [r for r in results if r is not None]
        missing = [i for i, r in zip(ids, results, strict=True) if r is None]
        return payloads, missing


def _aop_time(text: str | None) -> datetime | None:
    """AOP times look like 20250601120000000+0800."""
    if not text:
        return None
    try:
        return datetime.strptime(text[:14] + text[17:], "%Y%m%d%H%M%S%z")
    except ValueError:
        return None


class Alibaba1688Options(BaseModel):
    """1688 has no settings beyond the common ones."""

    model_config = ConfigDict(extra="forbid")


class Alibaba1688Source:
    """1688: `app_key` is the appKey, `app_secret_env` the app secret, `session_env` the
    member's access_token. Relative image paths are resolved against 1688's image host in both
    modes: in the sandbox the media fetcher routes that host to the emulator (decision 58)."""

    identity = identity_of("alibaba1688")
    production_url = "https://gw.open.1688.com/openapi"
    sandbox_path = "/alibaba1688/openapi"
    options_model = Alibaba1688Options

    def client(
        self,
        migration: Migration,
        *,
        base_url: str,
        env: Mapping[str, str],
        transport: Any = None,
        rate_per_second: float | None = None,
    ) -> Alibaba1688Client:
        credentials = source_credentials(migration, env)
        return Alibaba1688Client(
            base_url=base_url,
            app_key=credentials.app_key,
            app_secret=credentials.app_secret,
            access_token=credentials.session,
            transport=transport,
            rate_per_second=rate_per_second,
        )

    def reader(self, client: Alibaba1688Client, migration: Migration) -> SourceReader:
        return Alibaba1688Reader(client, distribute=migration.mode is MigrationMode.DISTRIBUTE)

    def item_id(self, payload: Mapping[str, Any]) -> str:
        return str(payload["productID"])

    def parse(self, payload: dict[str, Any], *, migration: Migration, base_url: str) -> Listing:
        return parse_product(
            payload,
            shop_id=migration.source.shop_id,
            mode="distribute" if migration.mode is MigrationMode.DISTRIBUTE else "move",
            supplier_name=migration.source.shop_name,
            image_base=PRODUCTION_IMAGE_BASE,
        )

    async def probe(self, client: Alibaba1688Client) -> str:
        await client.product_ids_page(page=1, page_size=1)
        return "alibaba.product.list.get answered"


ALIBABA1688_SOURCE = Alibaba1688Source()
