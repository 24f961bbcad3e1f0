"""Reading a whole source shop and parsing its payloads, whatever the source platform.

The platform-specific work lives in each connector package; this module is the one place that picks the
connector for a platform, so the assets never branch on platforms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.taobao import TaobaoClient, parse_item
from listings.model import Listing, SourcePlatform

__all__ = ["ExtractResult", "extract_shop", "parse_payload", "source_item_id_of"]


@dataclass
class ExtractResult:
    """Every detail payload read, and the ids the list call named but no detail call returned."""

    payloads: list[dict[str, Any]] = field(default_factory=list)
    missing_ids: list[str] = field(default_factory=list)
    listed: int = 0


async def extract_shop(client: TaobaoClient, *, max_items: int | None = None) -> ExtractResult:
    """List every on-sale item, then read the details in batches (recovering silent omissions)."""
    ids: list[int] = []
    async for row in client.iter_onsale(fields="num_iid,modified"):
        ids.append(int(row["num_iid"]))
        if max_items is not None and len(ids) >= max_items:
            break
    details = await client.item_details(ids)
    return ExtractResult(
        payloads=list(details.items),
        missing_ids=[str(i) for i in details.missing_ids],
        listed=len(ids),
    )


def source_item_id_of(platform: SourcePlatform, payload: dict[str, Any]) -> str:
    """The source item id in a raw payload (used before parsing, so a bad payload still has a name)."""
    if platform in (SourcePlatform.TAOBAO, SourcePlatform.TMALL):
        return str(payload.get("num_iid", ""))
    raise NotImplementedError(f"no connector for source platform {platform.value!r} yet (issue #5)")


def parse_payload(platform: SourcePlatform, payload: dict[str, Any], *, shop_id: str) -> Listing:
    """Parse one raw payload; raises the connector's ParseProblem when a field cannot be read."""
    if platform in (SourcePlatform.TAOBAO, SourcePlatform.TMALL):
        return parse_item(payload, shop_id=shop_id, tmall=platform is SourcePlatform.TMALL)
    raise NotImplementedError(f"no connector for source platform {platform.value!r} yet (issue #5)")
