"""Pinduoduo as a source: the PDD open-platform connector behind `SourceConnector`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from connectors.pinduoduo.client import PinduoduoClient
from connectors.pinduoduo.parse import parse_goods
from connectors.source import ListedItem, SourceReader, list_row_fingerprint, source_credentials
from listings.china_time import CHINA_TZ
from listings.cursor import ExtractCursor
from listings.migrations import Migration
from listings.model import Listing
from listings.source_platforms import identity_of

__all__ = ["PINDUODUO_SOURCE", "PinduoduoReader", "PinduoduoSource"]


class PinduoduoReader:
    """`pdd.goods.list.get` has no modified time, only `created_at` windows of ≤7 days: every window
    since `since` is listed, and a goods' version is the fingerprint of its list row (quantities,
    on-sale flags, names), so an edit that shows in the list is re-read."""

    def __init__(self, client: PinduoduoClient, *, since: datetime) -> None:
        self._client = client
        self._since = since

    async def list_items(self, *, cursor: ExtractCursor) -> AsyncIterator[ListedItem]:
        until = datetime.now(UTC)
        # Each row becomes its small ListedItem as it arrives: a PDD list row carries the SKU
        # list with its specs (~13 KiB in Python), which kept for the whole shop grew the
        # extract's peak with the shop (issue 19).
        async for row in self._client.iter_goods(since=self._since, until=until):
            yield ListedItem(
                item_id=str(row["goods_id"]),
                version=list_row_fingerprint(row),
                modified=datetime.fromtimestamp(row["created_at"], UTC)
                if row.get("created_at")
                else None,
            )

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        details = await self._client.goods_details([int(i) for i in ids])
        return list(details.goods), [str(i) for i in details.missing_ids]


class PinduoduoOptions(BaseModel):
    """PDD's own settings live in the common ones today (`history_days`, `pricing.pdd_price`)."""

    model_config = ConfigDict(extra="forbid")


class PinduoduoSource:
    """Pinduoduo: `app_key` is the client_id, `app_secret_env` the client_secret,
    `session_env` the merchant's access_token."""

    identity = identity_of("pinduoduo")
    production_url = "https://gw-api.pinduoduo.com/api/router"
    sandbox_path = "/pinduoduo/api/router"
    options_model = PinduoduoOptions

    def client(
        self,
        migration: Migration,
        *,
        base_url: str,
        env: Mapping[str, str],
        transport: Any = None,
        rate_per_second: float | None = None,
    ) -> PinduoduoClient:
        credentials = source_credentials(migration, env)
        return PinduoduoClient(
            base_url=base_url,
            client_id=credentials.app_key,
            client_secret=credentials.app_secret,
            access_token=credentials.session,
            transport=transport,
            rate_per_second=rate_per_second,
        )

    def reader(self, client: PinduoduoClient, migration: Migration) -> SourceReader:
        since = datetime.now(UTC) - timedelta(days=migration.source.history_days)
        return PinduoduoReader(client, since=since)

    def item_id(self, payload: Mapping[str, Any]) -> str:
        return str(payload["goods_id"])

    def parse(self, payload: dict[str, Any], *, migration: Migration, base_url: str) -> Listing:
        return parse_goods(
            payload, shop_id=migration.source.shop_id, price=migration.pricing.pdd_price
        )

    async def probe(self, client: PinduoduoClient) -> str:
        now = datetime.now(CHINA_TZ)
        await client.goods_page(
            page=1, page_size=1, created_at_from=now - timedelta(days=1), created_at_end=now
        )
        return "pdd.goods.list.get answered"


PINDUODUO_SOURCE = PinduoduoSource()
