"""The publishing rules of `ks-item-new`: Kuaishou's own rules, plus what the 2022 variant changes.

vv-tool forwards the request to `open.item.new`, so the rules are Kuaishou's. The client (before
sending, so a bad draft costs no call and no money) and the sandbox (on receipt) both run this one
function, which maps the request to the official shape and calls `connectors.kuaishou.rules.violations`.
The differences of the 2022 variant (seeds/vv-tool-ks-item-new.txt):

- it has no `detailImageUrls`, so the official "1–50 detail images" rule does not apply;
- `details` is at most 300 characters (official: 2000);
- `shop_id` is required and `vvtype` is 1 or 2;
- every image URL must be https. The 2022 text allows any image URL and vv-tool passes it to Kuaishou
  [I: whether vv-tool re-hosts it]; requiring https keeps mixed-content URLs out. No "was it uploaded
  to Kuaishou" check is possible here: vv-tool has no upload endpoint in the documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from connectors.kuaishou.models import CategoryConfig
from connectors.kuaishou.rules import Violation
from connectors.kuaishou.rules import violations as kuaishou_violations

__all__ = ["MAX_DETAILS_CHARS", "VVTOOL_ONLY_FIELDS", "to_official_shape", "violations"]

MAX_DETAILS_CHARS = 300  # the 2022 text: 0 < 长度 <= 300
VVTOOL_ONLY_FIELDS = ("shop_id", "vvtype")
# Official rules about fields the 2022 variant does not have.
_NOT_IN_VARIANT = ("detailImageUrls",)


def to_official_shape(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as an `open.item.new` param: vv-tool's own fields removed, the rest as is.

    The field names are the same (camelCase) in both; the official-only fields are simply absent.
    """
    return {k: v for k, v in request.items() if k not in VVTOOL_ONLY_FIELDS}


def violations(
    request: BaseModel | Mapping[str, Any],
    *,
    category_config: CategoryConfig | None = None,
) -> list[Violation]:
    """Every rule a ks-item-new request breaks, or `[]`. Never raises on a malformed request."""
    if isinstance(request, BaseModel):
        data: Any = request.model_dump(by_alias=True, exclude_none=True, mode="json")
    else:
        data = request
    if not isinstance(data, Mapping):
        return [Violation("body", "must be a JSON object")]
    found = [
        v
        for v in kuaishou_violations(to_official_shape(data), category_config=category_config)
        if not _about(v, _NOT_IN_VARIANT)
    ]
    found.extend(_variant(data, details_flagged=any(v.field == "details" for v in found)))
    return found


def _about(violation: Violation, fields: tuple[str, ...]) -> bool:
    return any(
        violation.field == f or violation.field.startswith((f"{f}[", f"{f}.")) for f in fields
    )


def _variant(data: Mapping[str, Any], *, details_flagged: bool) -> Iterator[Violation]:
    shop_id = data.get("shop_id")
    if not isinstance(shop_id, str) or not shop_id.strip():
        yield Violation("shop_id", "required: the Kuaishou shop id authorized to vv-tool, a string")
    if data.get("vvtype", 1) not in (1, 2):
        yield Violation("vvtype", f"must be 1 (普通版) or 2 (增强版), got {data.get('vvtype')!r}")
    details = data.get("details")
    if not details_flagged and isinstance(details, str) and len(details) > MAX_DETAILS_CHARS:
        yield Violation(
            "details",
            f"has {len(details)} characters; the vv-tool route allows at most {MAX_DETAILS_CHARS}: "
            "shorten it",
        )
    yield from _https_images(data)


def _https_images(data: Mapping[str, Any]) -> Iterator[Violation]:
    urls: list[tuple[str, Any]] = []
    images = data.get("imageUrls")
    if isinstance(images, list):
        urls.extend((f"imageUrls[{i}]", url) for i, url in enumerate(images))
    skus = data.get("skuList")
    for i, sku in enumerate(skus if isinstance(skus, list) else []):
        props = sku.get("skuProps") if isinstance(sku, Mapping) else None
        for k, prop in enumerate(props if isinstance(props, list) else []):
            if isinstance(prop, Mapping) and prop.get("imageUrl") is not None:
                urls.append((f"skuList[{i}].skuProps[{k}].imageUrl", prop["imageUrl"]))
    for field, url in urls:
        if isinstance(url, str) and url and not url.startswith("https://"):
            yield Violation(field, f"{url} is not an https URL: the vv-tool route takes https only")
