"""Taobao and Tmall as a source: the TOP connector behind `connectors.source.SourceConnector`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from connectors.source import ListedItem, SourceReader, source_credentials
from connectors.taobao.client import TaobaoClient
from connectors.taobao.parse import parse_item
from listings.china_time import CHINA_TZ
from listings.cursor import ExtractCursor
from listings.migrations import Migration
from listings.model import Listing
from listings.source_platforms import SourceIdentity, identity_of

__all__ = ["TAOBAO_SOURCE", "TMALL_SOURCE", "TaobaoReader", "TaobaoSource"]


def _top_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)


def _listed(row: Mapping[str, Any]) -> ListedItem:
    return ListedItem(
        item_id=str(row["num_iid"]),
        version=str(row.get("modified") or ""),
        modified=_top_time(row.get("modified")),
    )


class TaobaoReader:
    """TOP lists `modified` with every on-sale row: that is the version."""

    def __init__(self, client: TaobaoClient, *, include_inventory: bool = False) -> None:
        self._client = client
        self._include_inventory = include_inventory

    async def list_items(self, *, cursor: ExtractCursor) -> AsyncIterator[ListedItem]:
        if self._include_inventory:
            async for row in self._client.iter_inventory(fields="num_iid,modified"):
                yield _listed(row)
        async for row in self._client.iter_onsale_split(
            start_modified=None, end_modified=None, fields="num_iid,modified"
        ):
            yield _listed(row)

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        details = await self._client.item_details([int(i) for i in ids])
        return list(details.items), [str(i) for i in details.missing_ids]


class TaobaoOptions(BaseModel):
    """Taobao has no settings beyond the common ones (`source.include_inventory` is one)."""

    model_config = ConfigDict(extra="forbid")


class TaobaoSource:
    """Taobao (or Tmall: the same TOP API; only the origin URL and the report name differ)."""

    production_url = "https://eco.taobao.com/router/rest"
    sandbox_path = "/taobao/router/rest"
    options_model = TaobaoOptions

    def __init__(self, *, tmall: bool) -> None:
        self._tmall = tmall
        self.identity: SourceIdentity = identity_of("tmall" if tmall else "taobao")

    def client(
        self,
        migration: Migration,
        *,
        base_url: str,
        env: Mapping[str, str],
        transport: Any = None,
        rate_per_second: float | None = None,
    ) -> TaobaoClient:
        """TOP's app_key, app secret and the seller's session key."""
        credentials = source_credentials(migration, env)
        return TaobaoClient(
            base_url=base_url,
            app_key=credentials.app_key,
            app_secret=credentials.app_secret,
            session=credentials.session,
            transport=transport,
            rate_per_second=rate_per_second,
        )

    def reader(self, client: TaobaoClient, migration: Migration) -> SourceReader:
        return TaobaoReader(client, include_inventory=migration.source.include_inventory)

    def item_id(self, payload: Mapping[str, Any]) -> str:
        return str(payload["num_iid"])

    def parse(self, payload: dict[str, Any], *, migration: Migration, base_url: str) -> Listing:
        return parse_item(payload, shop_id=migration.source.shop_id, tmall=self._tmall)

    async def probe(self, client: TaobaoClient) -> str:
        await client.onsale_page(page_no=1, page_size=1)
        return "taobao.items.onsale.get answered"


TAOBAO_SOURCE = TaobaoSource(tmall=False)
TMALL_SOURCE = TaobaoSource(tmall=True)
