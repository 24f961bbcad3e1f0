"""How each Kuaishou method banjia uses is sent: HTTP method and content type, as documented.

One table, read by the client (which sends each method this way) and by the sandbox (which accepts
what the documentation accepts), and mirrored in docs/kuaishou-methods.md with the source of every
row. Sources:

- WS: whalesky-labs/kwaishop-php-sdk @55302f6, `src/Api/Item/<Method>.php` (`$httpMethod`,
  `$contentType`), a catalogue generated from the official per-method pages (2025-09).
- CW: crywolfx/kuaishou-merchant-open-api, `packages/common/constant/api.default.method.ts`,
  generated from the official JSON schemas.
- AB: AndersonBY/kwaixiaodian-python-sdk, `http_method` of each request model, taken from the
  official Java SDK.
- API调用说明 (kuaishou-api.md §5.1): POST bodies are form-urlencoded only; image upload is
  multipart.

A GET sends the system params (and the JSON string `param`) in the query string; the schemas name
`application/json` as its content type, which a body-less GET never uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["FORM", "JSON", "METHODS", "MULTIPART", "MethodSpec", "spec_for"]

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
JSON = "application/json"

HttpMethod = Literal["GET", "POST"]


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """How one open-platform method travels, and where that is written down."""

    http_method: HttpMethod
    content_type: str
    source: str
    inferred: bool = False
    """True when no source states it and it follows from the gateway's general rule [I]."""


METHODS: dict[str, MethodSpec] = {
    "open.item.category": MethodSpec("GET", JSON, "WS OpenItemCategory.php; CW"),
    "open.item.category.config": MethodSpec("GET", JSON, "WS OpenItemCategoryConfig.php; CW"),
    "open.item.category.suggested.get": MethodSpec(
        "GET", JSON, "WS OpenItemCategorySuggestedGet.php"
    ),
    "open.item.image.upload": MethodSpec(
        "POST", MULTIPART, "WS OpenItemImageUpload.php; CW; kuaishou-api.md §4"
    ),
    "open.item.new": MethodSpec("POST", FORM, "WS OpenItemNew.php; CW"),
    "open.item.edit": MethodSpec("POST", FORM, "WS OpenItemEdit.php; CW"),
    "open.item.autopass.edit": MethodSpec("POST", FORM, "WS OpenItemAutopassEdit.php; CW"),
    "open.item.get": MethodSpec("GET", JSON, "WS OpenItemGet.php; CW"),
    "open.item.list.get": MethodSpec("GET", JSON, "WS OpenItemListGet.php; CW"),
    "open.item.material.upload.token.issue": MethodSpec(
        "POST", FORM, "WS OpenItemMaterialUploadTokenIssue.php; AB (Java: POST)"
    ),
    "open.item.material.upload.token.verify": MethodSpec(
        "POST", FORM, "WS OpenItemMaterialUploadTokenVerify.php"
    ),
    "open.item.material.detail.get": MethodSpec("GET", JSON, "WS OpenItemMaterialDetailGet.php"),
    "open.item.shelf.status.update": MethodSpec(
        "POST",
        FORM,
        "WS OpenItemShelfStatusUpdate.php; AB models/item.py (Java "
        "OpenItemShelfStatusUpdateRequest: POST, kwaiItemId, shelfStatus)",
    ),
    "open.supply.item.sync": MethodSpec(
        "POST",
        FORM,
        "AB models/supply.py (Java OpenSupplyItemSyncRequest: POST); the content type from "
        "API调用说明 (form only)",
        inferred=True,
    ),
}
"""Every method banjia's Kuaishou client calls."""


def spec_for(method: str) -> MethodSpec:
    """The documented way to send `method`; an unlisted one is a form POST, the gateway default."""
    return METHODS.get(method) or MethodSpec("POST", FORM, "API调用说明 default", inferred=True)
