"""`VvtoolPublisher`: the vv-tool client behind the `connectors.publisher.Publisher` interface.

It takes the official `ItemNewParam` like the Kuaishou client does, converts it to the 2022 variant
(convert.py: 3:4 images, detail images, short title, selling point and prop sort numbers have no
place in it; they are dropped and counted in `dropped`), and converts the answers back to the
official `ItemNewResult` / `ItemInfo`.

Two duties of the official route it cannot take on, exposed as flags rather than skipped silently:

- `supports_supply_report = False`: vv-tool has no `open.supply.item.sync`; items are published under
  vv-tool's app, so the report duty most likely sits with vv-tool [I]. The pipeline records the
  reports of these items as vv-tool's duty.
- `supports_image_upload = False`: vv-tool documents no upload; items carry public https image URLs
  (the source's, normalised), and `upload_image` raises `VvtoolUnsupportedError`.

Detail images could be set afterwards with vv-tool's `ks-images-update` (≤20, triggers review);
that endpoint is not implemented.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from connectors.http import AsyncClosing
from connectors.kuaishou.models import (
    CategoryConfig,
    ImageUploadResult,
    ItemInfo,
    ItemNewParam,
    ItemNewResult,
)
from connectors.vvtool.client import VvtoolClient
from connectors.vvtool.convert import item_info, item_new_result, to_vvtool_request
from connectors.vvtool.errors import VvtoolUnsupportedError

__all__ = ["VvtoolPublisher"]


class VvtoolPublisher(AsyncClosing):
    """Publishes official params through vv-tool. Wraps (and closes) one `VvtoolClient`."""

    supports_supply_report = False
    supports_image_upload = False

    def __init__(self, client: VvtoolClient) -> None:
        self.client = client
        self.dropped: Counter[str] = Counter()
        """Values dropped per official wire path, over every create so far."""
        self.items_with_drops: Counter[str] = Counter()
        """How many items lost each field (an item with 3 dropped 3:4 images counts once)."""

    @property
    def total_charged(self) -> Decimal:
        return self.client.total_charged

    async def aclose(self) -> None:
        await self.client.aclose()

    async def create_item(
        self, param: ItemNewParam, *, category_config: CategoryConfig | None = None
    ) -> ItemNewResult:
        """Create the item through ks-item-new, never retried (see `VvtoolClient.create_item`).

        The drops are counted before sending, so they are reported even when the create fails.
        """
        conversion = to_vvtool_request(
            param, shop_id=self.client.shop_id, vvtype=self.client.vvtype
        )
        self.dropped.update(conversion.dropped)
        self.items_with_drops.update(conversion.dropped.keys())
        data = await self.client.create_item(conversion.request, category_config=category_config)
        return item_new_result(data)

    async def find_item_by_rel_item_id(self, rel_item_id: int) -> ItemInfo | None:
        found = await self.client.find_item_by_rel_item_id(rel_item_id)
        return None if found is None else item_info(found)

    async def get_item(self, kwai_item_id: int) -> ItemInfo:
        return item_info(await self.client.get_item(kwai_item_id))

    async def upload_image(
        self, data: bytes, *, upload_type: int = 1, filename: str = "image"
    ) -> ImageUploadResult:
        """Always raises: vv-tool documents no image upload. Use public https URLs in the item."""
        raise VvtoolUnsupportedError(
            "vv-tool has no image upload endpoint: publish with public https image URLs "
            "(check supports_image_upload before re-hosting media)",
            path="upload_image",
        )
