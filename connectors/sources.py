"""Reading a source shop incrementally, whatever the platform, and parsing its payloads.

Each platform gets a small reader with the same three steps: list what is on sale (ids, each with a
*version*: its modified time where the platform gives one, else a fingerprint of its list row), read the
details of what is new or changed, parse a payload. `extract_shop` compares the listing with what the
warehouse already holds, so a re-run reads only what changed, and items that left the listing are
reported as gone (marked, not forgotten). This module is the one place that branches on platforms.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from connectors.alibaba1688 import Alibaba1688Client, parse_product
from connectors.alibaba1688.errors import Alibaba1688Error
from connectors.pinduoduo import PinduoduoClient, parse_goods
from connectors.taobao import TaobaoClient, parse_item
from connectors.taobao.parse import CHINA_TZ
from listings.cursor import ExtractCursor
from listings.migrations import Migration
from listings.model import Listing, SourcePlatform
from listings.supply import MigrationMode

__all__ = [
    "ExtractResult",
    "ListedItem",
    "SourceReader",
    "extract_shop",
    "parse_payload",
    "reader_for",
    "source_item_id_of",
]


@dataclass(frozen=True)
class ListedItem:
    """One on-sale item as the list call shows it."""

    item_id: str
    version: str
    modified: datetime | None = None


@dataclass
class ExtractResult:
    """What one extraction read, what it skipped as unchanged, and what left the shop."""

    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    modified: dict[str, datetime | None] = field(default_factory=dict)
    missing_ids: list[str] = field(default_factory=list)
    unchanged_ids: list[str] = field(default_factory=list)
    gone_ids: list[str] = field(default_factory=list)
    listed: int = 0
    cursor: ExtractCursor = field(default_factory=ExtractCursor)


class SourceReader(Protocol):
    async def list_items(self, *, cursor: ExtractCursor) -> list[ListedItem]: ...

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]: ...


def _fingerprint(row: Mapping[str, Any]) -> str:
    text = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _top_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)


class TaobaoReader:
    """TOP lists `modified` with every on-sale row: that is the version."""

    def __init__(self, client: TaobaoClient, *, include_inventory: bool = False) -> None:
        self._client = client
        self._include_inventory = include_inventory

    async def list_items(self, *, cursor: ExtractCursor) -> list[ListedItem]:
        rows: list[dict[str, Any]] = (
            [row async for row in self._client.iter_inventory(fields="num_iid,modified")]
            if self._include_inventory
            else []
        )
        rows += [
            row
            async for row in self._client.iter_onsale_split(
                start_modified=None, end_modified=None, fields="num_iid,modified"
            )
        ]
        return [
            ListedItem(
                item_id=str(row["num_iid"]),
                version=str(row.get("modified") or ""),
                modified=_top_time(row.get("modified")),
            )
            for row in rows
        ]

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        details = await self._client.item_details([int(i) for i in ids])
        return list(details.items), [str(i) for i in details.missing_ids]


class PinduoduoReader:
    """`pdd.goods.list.get` has no modified time, only `created_at` windows of ≤7 days: every window
    since `since` is listed, and a goods' version is the fingerprint of its list row (quantities,
    on-sale flags, names), so an edit that shows in the list is re-read."""

    def __init__(self, client: PinduoduoClient, *, since: datetime) -> None:
        self._client = client
        self._since = since

    async def list_items(self, *, cursor: ExtractCursor) -> list[ListedItem]:
        until = datetime.now(UTC)
        rows = [row async for row in self._client.iter_goods(since=self._since, until=until)]
        return [
            ListedItem(
                item_id=str(row["goods_id"]),
                version=_fingerprint(row),
                modified=datetime.fromtimestamp(row["created_at"], UTC)
                if row.get("created_at")
                else None,
            )
            for row in rows
        ]

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        details = await self._client.goods_details([int(i) for i in ids])
        return list(details.goods), [str(i) for i in details.missing_ids]


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

    async def list_items(self, *, cursor: ExtractCursor) -> list[ListedItem]:
        return [
            ListedItem(item_id=str(product_id), version=updated or "", modified=_aop_time(updated))
            async for product_id, updated in self._client.iter_product_rows()
        ]

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


def reader_for(migration: Migration, client: Any) -> SourceReader:
    """The reader of a migration's source platform around its client."""
    platform = migration.source.platform
    if platform in (SourcePlatform.TAOBAO, SourcePlatform.TMALL):
        return TaobaoReader(client, include_inventory=migration.source.include_inventory)
    if platform is SourcePlatform.PINDUODUO:
        since = datetime.now(UTC) - timedelta(days=migration.source.history_days)
        return PinduoduoReader(client, since=since)
    if platform is SourcePlatform.ALIBABA1688:
        return Alibaba1688Reader(client, distribute=migration.mode is MigrationMode.DISTRIBUTE)
    raise NotImplementedError(
        f"migration {migration.key!r}: no reader for source platform {platform.value!r} yet"
    )


async def extract_shop(
    reader: SourceReader,
    *,
    known_versions: Mapping[str, str],
    cursor: ExtractCursor,
    max_items: int | None = None,
) -> ExtractResult:
    """List the shop, read the details of new and changed items, report the unchanged and gone."""
    listed = await reader.list_items(cursor=cursor)
    if max_items is not None:
        listed = sorted(listed, key=lambda item: item.item_id)[:max_items]
    result = ExtractResult(listed=len(listed))
    to_read = []
    for item in listed:
        result.versions[item.item_id] = item.version
        result.modified[item.item_id] = item.modified
        if known_versions.get(item.item_id) == item.version:
            result.unchanged_ids.append(item.item_id)
        else:
            to_read.append(item.item_id)
    payloads, missing = await reader.read_details(to_read) if to_read else ([], [])
    result.missing_ids = missing
    listed_ids = {item.item_id for item in listed}
    for payload in payloads:
        result.payloads[_payload_id(payload)] = payload
    if max_items is None:
        result.gone_ids = sorted(set(known_versions) - listed_ids)
    result.cursor = cursor.advance((item.item_id, item.modified) for item in listed)
    return result


def _payload_id(payload: Mapping[str, Any]) -> str:
    for key in ("num_iid", "goods_id", "productID"):
        if payload.get(key) is not None:
            return str(payload[key])
    raise KeyError("payload has no item id (num_iid / goods_id / productID)")


def source_item_id_of(platform: SourcePlatform, payload: Mapping[str, Any]) -> str:
    """The source item id in a raw payload (before parsing, so a bad payload still has a name)."""
    return _payload_id(payload)


def parse_payload(
    platform: SourcePlatform,
    payload: dict[str, Any],
    *,
    migration: Migration,
    alibaba1688_image_base: str,
) -> Listing:
    """Parse one raw payload; raises the connector's ParseProblem when a field cannot be read."""
    shop_id = migration.source.shop_id
    if platform in (SourcePlatform.TAOBAO, SourcePlatform.TMALL):
        return parse_item(payload, shop_id=shop_id, tmall=platform is SourcePlatform.TMALL)
    if platform is SourcePlatform.PINDUODUO:
        return parse_goods(payload, shop_id=shop_id, price=migration.pricing.pdd_price)
    if platform is SourcePlatform.ALIBABA1688:
        return parse_product(
            payload,
            shop_id=shop_id,
            mode="distribute" if migration.mode is MigrationMode.DISTRIBUTE else "move",
            supplier_name=migration.source.shop_name,
            image_base=alibaba1688_image_base,
        )
    raise NotImplementedError(f"no parser for source platform {platform.value!r} yet")
