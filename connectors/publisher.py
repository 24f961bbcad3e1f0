"""What a publishing backend must offer, so the publish stage can use either of them.

Two backends publish to a Kuaishou shop (DESIGN.md, migrations): the open platform itself
(`connectors.kuaishou.KuaishouClient`, which satisfies `Publisher` as it is) and the vv-tool proxy
(`connectors.vvtool.VvtoolPublisher`, an adapter). Both take the official `open.item.new` param and
answer with the official models, so drafting does not depend on the backend.

They differ in three duties, which the stage must record rather than skip silently:

- **Supply reports** (`open.supply.item.sync`, mandatory within 24 h): vv-tool has no such endpoint.
  Items published through vv-tool are published under vv-tool's app, so the duty most likely sits
  with vv-tool [I, kuaishou-api.md §1.7]. `supports_supply_report(p)` is False for it; the pipeline
  should record those reports as "vv-tool's duty", not as sent or failed.
- **Updates** of a published item (`open.item.edit`, `open.item.autopass.edit`): only the
  Kuaishou client has them; `supports_item_edit(p)` tells. A vv-tool item whose source changed is
  left as it is and counted, never created again.
- **Image upload**: vv-tool documents none; it takes public https image URLs in the item.
  `supports_image_upload(p)` is False for it; its `upload_image` raises.

Errors: both raise `connectors.http.PlatformError` subclasses with `retryable`. For a create, a
retryable error means the outcome is unknown: look the item up by relItemId, never resend.
`is_quota_exhausted` recognises the daily-quota error of either backend (stop for today).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from connectors.kuaishou.errors import (
    KuaishouAuthError,
    KuaishouDuplicateItemError,
    KuaishouQuotaExceededError,
)
from connectors.kuaishou.models import ImageUploadResult, ItemInfo, ItemNewParam, ItemNewResult
from connectors.vvtool.errors import (
    VvtoolAbnormalError,
    VvtoolAuthError,
    VvtoolKuaishouDuplicateError,
    VvtoolKuaishouError,
    VvtoolKuaishouQuotaError,
    VvtoolShopNotAuthorizedError,
)

__all__ = [
    "Publisher",
    "is_quota_exhausted",
    "supports_image_upload",
    "supports_item_edit",
    "supports_supply_report",
]


@runtime_checkable
class Publisher(Protocol):
    """Create items, find one by relItemId, upload an image, in the official models."""

    async def create_item(self, param: ItemNewParam) -> ItemNewResult:
        """Create the item with one request, never retried."""
        ...

    async def find_item_by_rel_item_id(self, rel_item_id: int) -> ItemInfo | None:
        """The item created with this relItemId, or None: how a lost create is resolved."""
        ...

    async def upload_image(
        self, data: bytes, *, upload_type: int = 1, filename: str = "image"
    ) -> ImageUploadResult:
        """Re-host image bytes where the backend's items may use them."""
        ...

    async def aclose(self) -> None:
        """Close the connections underneath."""
        ...


def supports_supply_report(publisher: object) -> bool:
    """False when the backend cannot file supply reports itself (vv-tool); True by default, which
    is what `KuaishouClient` (no such attribute) means."""
    return bool(getattr(publisher, "supports_supply_report", True))


def supports_image_upload(publisher: object) -> bool:
    """False when the backend takes public image URLs instead of uploads (vv-tool)."""
    return bool(getattr(publisher, "supports_image_upload", True))


def supports_item_edit(publisher: object) -> bool:
    """True when the backend can update a published item (`open.item.edit` and autopass edits,
    read back with `get_item`): the Kuaishou client. vv-tool documents no edit."""
    return all(callable(getattr(publisher, name, None)) for name in _EDIT_METHODS)


_EDIT_METHODS = ("get_item", "edit_item", "autopass_edit")


def is_account_refusal(exc: BaseException) -> bool:
    """The platform refused the shop or the app, not the item: a revoked or expired authorization,
    a bad signature or app key, a shop vv-tool may not publish to, an account that needs a person.

    No item is at fault, so none may be marked rejected: the run stops with the fix, and every
    item stays pending until the account is mended.
    """
    if isinstance(exc, VvtoolKuaishouError):
        return isinstance(exc.kuaishou, KuaishouAuthError)
    return isinstance(
        exc,
        KuaishouAuthError | VvtoolAuthError | VvtoolShopNotAuthorizedError | VvtoolAbnormalError,
    )


def is_duplicate_rel_item_id(exc: BaseException) -> bool:
    """Kuaishou says the relItemId was used before: the item may exist (a create whose answer was
    lost, another worker's create): find it by relItemId, never send it again."""
    return isinstance(exc, KuaishouDuplicateItemError | VvtoolKuaishouDuplicateError)


def is_quota_exhausted(exc: BaseException) -> bool:
    """The daily new-item quota is used up, on either backend: stop for today, do not retry."""
    return isinstance(exc, KuaishouQuotaExceededError | VvtoolKuaishouQuotaError)
