"""The Kuaishou sandbox's item edits, category suggestions and item-video materials.

These methods extend `kuaishou_open.KuaishouSandbox` and are routed by its gateway:

- `open.item.edit` (§1.6): only in auditStatus 1 (审核待修改) or 2 (审核通过). Title, details,
  main-image and category changes send the item back to review; a category change needs status 1.
  The merged item must pass `rules.violations`, so the SKUs stay a full Cartesian product.
- `open.item.autopass.edit`: price, stock (add or subtract) and service, without review.
- `open.item.category.suggested.get` (§3): Kuaishou-hosted images only, at most 3 leaves ranked by
  the characters they share with the title, and a per-merchant daily quota (2,000 by default).
- `open.item.material.upload.token.issue` / the upload endpoint / `.token.verify` /
  `open.item.material.detail.get` (§4): single-use, expiring tokens; MP4 files up to a cap.
- `itemVideo` on `open.item.new` and edits must name a material of the same merchant.

The switches are plain attributes: `sandbox.materials` (`MaterialStore`: `max_video_bytes`,
`token_ttl`) and `sandbox.suggestions` (`SuggestionQuota`: `daily_quota`, `unopened`, and the
counted calls). Response shapes the reference marks [?] (tokens, material details) are invented
here, and the client reads them leniently.

`kuaishou_open` imports this module and this module imports it back. Both hold the other as a
module object and read its attributes only when called, so either may be imported first.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import secrets
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeGuard

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.kuaishou.rules import MAX_STOCK, Violation, describe, violations
from connectors.kuaishou.video import (
    MATERIAL_UPLOAD_TYPE_VIDEO,
    MAX_VIDEO_BYTES,
    item_video_violations,
    looks_like_mp4,
)
from listings.china_time import CHINA_TZ
from sandbox import kuaishou_open as gateway
from sandbox.forms import MULTIPART, FormError, content_type, multipart

if TYPE_CHECKING:
    from sandbox.forms import UploadedFile
    from sandbox.kuaishou_open import KuaishouSandbox, StoredItem

__all__ = [
    "HANDLERS",
    "SUGGEST_API_ID",
    "UPLOAD_PATH",
    "Material",
    "MaterialStore",
    "SuggestionQuota",
    "UploadTicket",
    "item_video_problems",
    "upload_route",
]

UPLOAD_PATH = "material/upload"  # relative to the gateway root, e.g. /kuaishou/material/upload
SUGGEST_API_ID = 2_011_017  # invented: the apiId echoed in the "[1017] exceed quota" message
SUGGESTIONS_MAX = 3  # [C] at most 3 suggestions
MATERIAL_READY = 1  # invented status: the sandbox makes a material usable at once
_ADD, _SUBTRACT, _SET = 1, 2, 3  # skuStockChangeType
_AUDIT_LABELS = {0: "待审核", 1: "审核待修改", 2: "审核通过", 3: "审核拒绝"}
_REVIEWED_FIELDS = ("title", "details", "imageUrls", "categoryId")

Handler = Callable[["KuaishouSandbox", int, dict[str, Any], Mapping[str, "UploadedFile"]], Any]


# --- state ------------------------------------------------------------------------------------


@dataclass(slots=True)
class UploadTicket:
    """An issued upload token: single-use for the upload, then verified once into a material."""

    token: str
    seller: int
    file_name: str
    file_length: int | None
    expires_at: datetime
    data: bytes | None = None
    material_id: int | None = None


@dataclass(frozen=True, slots=True)
class Material:
    """An uploaded, verified item video."""

    material_id: int
    seller: int
    video_id: str
    file_name: str
    size: int
    sha256: str
    created_at: datetime


@dataclass
class MaterialStore:
    """Item-video tokens and materials, with the switches `max_video_bytes` and `token_ttl`."""

    max_video_bytes: int = MAX_VIDEO_BYTES
    token_ttl: timedelta = timedelta(minutes=30)
    tickets: dict[str, UploadTicket] = field(default_factory=dict)
    materials: dict[int, Material] = field(default_factory=dict)
    _next_id: int = 7_004_000_000_001

    def owns_video(self, seller: int, video_id: str) -> bool:
        return any(m.video_id == video_id and m.seller == seller for m in self.materials.values())

    def add(self, ticket: UploadTicket, *, now: datetime) -> Material:
        data = ticket.data or b""
        material_id, self._next_id = self._next_id, self._next_id + 1
        material = Material(
            material_id=material_id,
            seller=ticket.seller,
            video_id=f"sbxv{material_id}",
            file_name=ticket.file_name,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=now,
        )
        self.materials[material_id] = material
        return material


@dataclass
class SuggestionQuota:
    """The suggested.get quota: `daily_quota` calls per merchant per China day, all counted.

    `unopened` holds leaf ids this merchant may not publish into (`open: false`).
    """

    daily_quota: int = 2000
    unopened: set[int] = field(default_factory=set)
    calls: dict[tuple[int, date], int] = field(default_factory=lambda: defaultdict(int))

    def used(self, seller: int, day: date) -> int:
        return self.calls.get((seller, day), 0)


# --- helpers ----------------------------------------------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(sub_msg: str) -> gateway.SandboxApiError:
    return gateway.SandboxApiError(
        gateway.Result.INVALID_PARAM, "参数错误", sub_code="INVALID_PARAM", sub_msg=sub_msg
    )


def _not_editable(sub_msg: str) -> gateway.SandboxApiError:
    return gateway.SandboxApiError(
        gateway.Result.INVALID_PARAM,
        "商品状态不允许编辑",
        sub_code="ITEM_STATE",
        sub_msg=sub_msg,
    )


def _today(sandbox: KuaishouSandbox) -> date:
    return sandbox.now().astimezone(CHINA_TZ).date()


def _own_item(sandbox: KuaishouSandbox, seller: int, item_id: Any) -> StoredItem:
    if not _is_int(item_id):
        raise _invalid("itemId: required, a Kuaishou item id")
    item = sandbox.items.get(item_id)
    if item is None or item.seller != seller:
        raise gateway.SandboxApiError(gateway.Result.NOT_FOUND, f"商品不存在: {item_id}")
    return item


def _unknown_keys(data: Mapping[str, Any], allowed: frozenset[str], at: str) -> Iterator[Violation]:
    for key in data:
        if key not in allowed:
            yield Violation(f"{at}{key}", "is not a field of this method: remove it")


def _stock_after(
    stock: int, edit: Mapping[str, Any], at: str, *, allowed: tuple[int, ...]
) -> tuple[int, list[Violation]]:
    """Apply `skuStockChangeType`/`skuChangeStock` to `stock`; both or neither must be sent."""
    kind, change = edit.get("skuStockChangeType"), edit.get("skuChangeStock")
    if kind is None and change is None:
        return stock, []
    if kind not in allowed or not _is_int(kind):
        names = ", ".join(str(k) for k in allowed)
        return stock, [Violation(f"{at}.skuStockChangeType", f"must be one of {names}")]
    if not _is_int(change) or change < 0:
        return stock, [Violation(f"{at}.skuChangeStock", f"must be an integer ≥ 0, got {change!r}")]
    result = {_ADD: stock + change, _SUBTRACT: stock - change, _SET: change}[kind]
    if not 0 <= result <= MAX_STOCK:
        return stock, [
            Violation(
                f"{at}.skuChangeStock",
                f"would leave {result} in stock (now {stock}); it must stay 0–{MAX_STOCK}",
            )
        ]
    return result, []


def _raise_if(found: list[Violation]) -> None:
    if found:
        raise _invalid(describe(found))


def _sku_mapping(item: StoredItem) -> dict[str, Any]:
    return {
        "kwaiItemId": item.kwai_item_id,
        "relItemId": item.rel_item_id,
        "skuIdMapping": [
            {"kwaiSkuId": k, "relSkuId": r, **({"skuNick": n} if n else {})}
            for k, r, n in item.sku_ids
        ],
    }


def item_video_problems(
    sandbox: KuaishouSandbox, seller: int, param: Mapping[str, Any]
) -> list[Violation]:
    """The `itemVideo` check of new and edit: a type 1 id must be this seller's material.

    The sandbox has no short videos (`open.photo.*`), so a type 2 id is never known.
    """
    return item_video_violations(
        param,
        is_own_video=lambda video_id: sandbox.materials.owns_video(seller, video_id),
        is_short_video=lambda _: False,
    )


# --- open.item.edit ---------------------------------------------------------------------------

_EDIT_FIELDS = frozenset(
    {
        "itemId",
        "title",
        "categoryId",
        "categoryName",
        "imageUrls",
        "threeQuartersImageUrls",
        "updateThreeQuartersImageUrls",
        "shortTitle",
        "sellingPoint",
        "details",
        "detailImageUrls",
        "updateDetailImageUrls",
        "skuList",
        "itemPropValues",
        "updateItemPropValues",
        "serviceRule",
        "expressTemplateId",
        "itemVideo",
    }
)
_FLAGGED = {
    "detailImageUrls": "updateDetailImageUrls",
    "itemPropValues": "updateItemPropValues",
    "threeQuartersImageUrls": "updateThreeQuartersImageUrls",
}
_PLAIN = tuple(sorted(_EDIT_FIELDS - {"itemId", "skuList", *_FLAGGED, *_FLAGGED.values()}))
_EDIT_SKU_FIELDS = frozenset(
    {
        "skuId",
        "relSkuId",
        "skuSalePrice",
        "skuMarketPrice",
        "skuNick",
        "skuProps",
        "skuStockChangeType",
        "skuChangeStock",
    }
)
_COPIED_SKU_FIELDS = ("relSkuId", "skuSalePrice", "skuMarketPrice", "skuNick", "skuProps")


def _edited_param(
    item: StoredItem, param: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Violation]]:
    """The item's param with the edit's top-level fields applied (SKUs aside)."""
    found = list(_unknown_keys(param, _EDIT_FIELDS, ""))
    merged = copy.deepcopy(item.param)
    for name in _PLAIN:
        if param.get(name) is not None:
            merged[name] = param[name]
    for name, flag in _FLAGGED.items():
        if param.get(flag) is True:
            # `[]` with the flag clears the field; a required one then fails the rules check.
            value = param.get(name)
            optional = name == "threeQuartersImageUrls"
            if value is None or (optional and value == []):
                merged.pop(name, None)
            else:
                merged[name] = value
        elif param.get(name) is not None:
            found.append(
                Violation(name, f"is ignored unless {flag} is true: send {flag}=true to change it")
            )
    return merged, found


def _edited_skus(
    item: StoredItem, edits: Any
) -> tuple[list[dict[str, Any]], list[int | None], list[Violation]]:
    """The new SKU list (add-SKU shape) and the kwaiSkuId of each (None for a new SKU)."""
    if not isinstance(edits, list):
        return [], [], [Violation("skuList", "must be a list of SKUs (OpenApiUpdateSkuDTO)")]
    existing = {
        kwai_sku_id: sku
        for (kwai_sku_id, _, _), sku in zip(item.sku_ids, item.param["skuList"], strict=True)
    }
    skus: list[dict[str, Any]] = []
    ids: list[int | None] = []
    found: list[Violation] = []
    seen: dict[int, int] = {}
    for i, edit in enumerate(edits):
        at = f"skuList[{i}]"
        if not isinstance(edit, Mapping):
            found.append(Violation(at, "must be a SKU object"))
            continue
        found.extend(_unknown_keys(edit, _EDIT_SKU_FIELDS, f"{at}."))
        sku_id = edit.get("skuId")
        if sku_id is None:
            base: dict[str, Any] = {"skuStock": 0}
        elif not _is_int(sku_id) or sku_id not in existing:
            found.append(Violation(f"{at}.skuId", f"{sku_id!r} is not a SKU of this item"))
            continue
        elif sku_id in seen:
            found.append(Violation(f"{at}.skuId", f"repeats skuList[{seen[sku_id]}].skuId"))
            continue
        else:
            seen[sku_id] = i
            base = copy.deepcopy(existing[sku_id])
        sku = {**base, **{k: edit[k] for k in _COPIED_SKU_FIELDS if edit.get(k) is not None}}
        sku["skuStock"], problems = _stock_after(
            base["skuStock"], edit, at, allowed=(_ADD, _SUBTRACT, _SET)
        )
        found.extend(problems)
        skus.append(sku)
        ids.append(sku_id)
    return skus, ids, found


def item_edit(
    sandbox: KuaishouSandbox, seller: int, param: dict[str, Any], files: Any
) -> dict[str, Any]:
    """Merge the edit into the item, check the merged item as a new one, then store it.

    Nothing is stored unless every check passes. A reviewed-field change resets the review
    (auditStatus 0, and the `gets` counter the sandbox's review model uses).
    """
    item = _own_item(sandbox, seller, param.get("itemId"))
    status = item.audit_status
    if status not in (1, 2):
        raise _not_editable(
            f"itemId {item.kwai_item_id}: auditStatus {status} ({_AUDIT_LABELS.get(status, '?')}) "
            "cannot be edited; only 1 (审核待修改) or 2 (审核通过) can: wait for the review"
        )
    merged, found = _edited_param(item, param)
    new_ids: list[int | None] = [k for k, _, _ in item.sku_ids]
    if param.get("skuList") is not None:
        merged["skuList"], new_ids, sku_problems = _edited_skus(item, param["skuList"])
        found.extend(sku_problems)
    _raise_if(found)  # before the matrix check, whose SKU indexes need every SKU in place
    category_id = merged.get("categoryId")
    if category_id != item.param["categoryId"]:
        if status != 1:
            raise _not_editable(
                f"categoryId: a category change needs auditStatus 1 (审核待修改), "
                f"item {item.kwai_item_id} has {status} ({_AUDIT_LABELS.get(status, '?')})"
            )
        if not _is_int(category_id) or not sandbox.tree.is_leaf(category_id):
            raise gateway.SandboxApiError(
                gateway.Result.CATEGORY,
                "商品来源不可售卖",
                sub_msg=f"categoryId {category_id} 不是可发布的叶子类目",
            )
    config = sandbox.config_for(category_id) if _is_int(category_id) else None
    found += violations(merged, category_config=config, is_kwai_image=sandbox.is_kwai_image)
    found += item_video_problems(sandbox, seller, merged)
    _raise_if(found)

    reviewed = any(merged.get(f) != item.param.get(f) for f in _REVIEWED_FIELDS)
    item.sku_ids = [
        (kwai_sku_id or _new_sku_id(sandbox), sku["relSkuId"], sku.get("skuNick"))
        for kwai_sku_id, sku in zip(new_ids, merged["skuList"], strict=True)
    ]
    item.param = merged
    if reviewed:
        item.audit_status, item.audit_reason, item.gets = 0, "", 0
        item.submitted_at = sandbox.now()  # the review's delay starts again
    return _sku_mapping(item)


_SKU_COUNTERS: weakref.WeakKeyDictionary[KuaishouSandbox, Iterator[int]] = (
    weakref.WeakKeyDictionary()
)


def _new_sku_id(sandbox: KuaishouSandbox) -> int:
    """A fresh kwaiSkuId for a SKU added by an edit, from a range apart from open.item.new's."""
    return next(_SKU_COUNTERS.setdefault(sandbox, itertools.count(6_004_000_000_001)))


# --- open.item.autopass.edit ------------------------------------------------------------------

_AUTOPASS_FIELDS = frozenset({"itemId", "skuList", "serviceRule", "expressTemplateId"})
_AUTOPASS_SKU_FIELDS = frozenset(
    {"skuId", "skuSalePrice", "skuMarketPrice", "skuStockChangeType", "skuChangeStock"}
)


def item_autopass_edit(
    sandbox: KuaishouSandbox, seller: int, param: dict[str, Any], files: Any
) -> None:
    """Price, stock and service without review: the audit status is left as it is."""
    item = _own_item(sandbox, seller, param.get("itemId"))
    found = list(_unknown_keys(param, _AUTOPASS_FIELDS, ""))
    merged = copy.deepcopy(item.param)
    for name in ("serviceRule", "expressTemplateId"):
        if param.get(name) is not None:
            merged[name] = param[name]
    index = {kwai_sku_id: i for i, (kwai_sku_id, _, _) in enumerate(item.sku_ids)}
    edits = param.get("skuList") or []
    if not isinstance(edits, list):
        edits, found = [], [*found, Violation("skuList", "must be a list of SKUs")]
    for i, edit in enumerate(edits):
        at = f"skuList[{i}]"
        if not isinstance(edit, Mapping):
            found.append(Violation(at, "must be a SKU object"))
            continue
        found.extend(_unknown_keys(edit, _AUTOPASS_SKU_FIELDS, f"{at}."))
        sku_id = edit.get("skuId")
        if not _is_int(sku_id) or sku_id not in index:
            found.append(Violation(f"{at}.skuId", f"required: a SKU of this item, got {sku_id!r}"))
            continue
        sku = merged["skuList"][index[sku_id]]
        for name in ("skuSalePrice", "skuMarketPrice"):
            if edit.get(name) is not None:
                sku[name] = edit[name]
        sku["skuStock"], problems = _stock_after(
            sku["skuStock"], edit, at, allowed=(_ADD, _SUBTRACT)
        )
        found.extend(problems)
    config = sandbox.config_for(merged["categoryId"])
    found += violations(merged, category_config=config, is_kwai_image=sandbox.is_kwai_image)
    _raise_if(found)
    item.param = merged


# --- open.item.category.suggested.get ---------------------------------------------------------


def _chars(text: str) -> set[str]:
    return {c for c in text.lower() if c.isalnum()}


def category_suggested_get(
    sandbox: KuaishouSandbox, seller: int, param: dict[str, Any], files: Any
) -> list[dict[str, Any]]:
    """Up to 3 leaves by a character-overlap score; every call counts against the quota."""
    quota, day = sandbox.suggestions, _today(sandbox)
    if quota.used(seller, day) >= quota.daily_quota:
        raise gateway.SandboxApiError(
            gateway.Result.QUOTA,
            f"[1017] exceed quota limit,[apiId:{SUGGEST_API_ID};primaryUserId:{seller}]",
        )
    quota.calls[(seller, day)] += 1
    urls, title, desc = param.get("imageUrls"), param.get("itemTitle"), param.get("itemDesc")
    found: list[Violation] = []
    if not isinstance(urls, list) or not urls:
        found.append(Violation("imageUrls", "required: at least one Kuaishou image URL"))
    else:
        for i, url in enumerate(urls):
            if not isinstance(url, str) or not sandbox.is_kwai_image(url):
                found.append(
                    Violation(
                        f"imageUrls[{i}]",
                        f"{url!r} is not a Kuaishou image URL: upload it with "
                        "open.item.image.upload first",
                    )
                )
    if not isinstance(title, str) or not title.strip():
        found.append(Violation("itemTitle", "required: the item title"))
    if desc is not None and not isinstance(desc, str):
        found.append(Violation("itemDesc", "must be a string"))
    _raise_if(found)
    wanted = _chars(title) if isinstance(title, str) else set()
    scored = []
    for leaf in sandbox.tree.leaves():
        own = _chars(leaf.name)
        score = 2 * len(own & wanted) + len((_chars(leaf.path) - own) & wanted)
        if score:
            scored.append((-score, -len(own & wanted) / max(len(own), 1), leaf.category_id))
    scored.sort()
    return [_suggestion(sandbox, leaf_id) for *_, leaf_id in scored[:SUGGESTIONS_MAX]]


def _suggestion(sandbox: KuaishouSandbox, leaf_id: int) -> dict[str, Any]:
    path = []
    node = sandbox.tree.get(leaf_id)
    while node is not None:
        path.append(node)
        node = sandbox.tree.get(node.parent_id) if node.parent_id else None
    path.reverse()
    return {
        "categoryNamePath": [n.name for n in path],
        "categoryCodePath": [n.category_id for n in path],
        "open": leaf_id not in sandbox.suggestions.unopened,
    }


# --- open.item.material.* ---------------------------------------------------------------------


def _check_upload_type(param: Mapping[str, Any]) -> None:
    kind = param.get("materialUploadType")
    if kind != MATERIAL_UPLOAD_TYPE_VIDEO or not _is_int(kind):
        raise _invalid(f"materialUploadType: must be 1 (商品视频), got {kind!r}")


def material_token_issue(
    sandbox: KuaishouSandbox, seller: int, param: dict[str, Any], files: Any
) -> dict[str, Any]:
    """A single-use token. A declared `fileLength` over the cap is refused here already."""
    _check_upload_type(param)
    store, now = sandbox.materials, sandbox.now()
    file_name = param.get("fileName")
    if file_name is None:
        file_name = f"{now:%Y%m%d%H%M%S}.mp4"
    elif not isinstance(file_name, str) or not file_name.strip():
        raise _invalid("fileName: must be a non-empty string when sent")
    length = param.get("fileLength")
    if length is not None and (not _is_int(length) or not 0 < length <= store.max_video_bytes):
        raise _invalid(
            f"fileLength: {length!r} bytes; a video must have 1–{store.max_video_bytes} bytes"
        )
    token = secrets.token_urlsafe(24)
    ticket = UploadTicket(token, seller, file_name, length, expires_at=now + store.token_ttl)
    store.tickets[token] = ticket
    return {
        "token": token,
        "uploadUrl": f"{UPLOAD_PATH}?token={token}",
        "expireTime": int(ticket.expires_at.timestamp() * 1000),
    }


def _ticket(sandbox: KuaishouSandbox, token: Any, *, seller: int | None = None) -> UploadTicket:
    ticket = sandbox.materials.tickets.get(token) if isinstance(token, str) else None
    if ticket is None or (seller is not None and ticket.seller != seller):
        raise _invalid(
            "token: unknown upload token; issue one with open.item.material.upload.token.issue"
        )
    if ticket.material_id is None and sandbox.now() >= ticket.expires_at:
        raise _invalid(f"token: expired at {ticket.expires_at.isoformat()}; issue a new one")
    return ticket


def _accept_upload(sandbox: KuaishouSandbox, ticket: UploadTicket, data: bytes) -> None:
    if ticket.data is not None:
        raise _invalid("token: already used for an upload; a token is single-use, issue a new one")
    cap = sandbox.materials.max_video_bytes
    if len(data) > cap:
        raise _invalid(f"file: {len(data)} bytes, at most {cap} are allowed for an item video")
    if not looks_like_mp4(data):
        raise _invalid("file: not an MP4 video (no ftyp box at offset 4)")
    if ticket.file_length is not None and ticket.file_length != len(data):
        raise _invalid(f"file: {len(data)} bytes, but fileLength declared {ticket.file_length}")
    ticket.data = data


def upload_route(state: KuaishouSandbox) -> Route:
    """`POST material/upload?token=…` with the file as the multipart part `file`.

    The token is the only credential, as on upload hosts; the answer is the usual envelope,
    with HTTP 400 on a refusal.
    """

    async def upload(request: Request) -> Response:
        token = request.query_params.get("token")
        ticket = state.materials.tickets.get(token or "")
        state.calls.append(("material.upload", ticket.seller if ticket else None))
        try:
            ticket = _ticket(state, token)
            body = await request.body()
            if len(body) > state.materials.max_video_bytes + 65_536:
                raise _invalid(f"file: larger than {state.materials.max_video_bytes} bytes")
            kind, header = content_type(request)
            if kind != MULTIPART:
                raise _invalid(f"Content-Type: the upload needs {MULTIPART}, got {kind}")
            try:
                _, parts = multipart(body, header)
            except FormError as exc:
                raise _invalid(str(exc)) from None
            part = parts.get("file")
            if part is None:
                raise _invalid("file: required, the video bytes as the multipart part 'file'")
            _accept_upload(state, ticket, part.data)
        except gateway.SandboxApiError as error:
            return JSONResponse(error.envelope(), status_code=400)
        return JSONResponse({"result": int(gateway.Result.OK), "error_msg": "success"})

    return Route("/" + UPLOAD_PATH, upload, methods=["POST"])


def material_token_verify(
    sandbox: KuaishouSandbox, seller: int, param: dict[str, Any], files: Any
) -> dict[str, Any]:
    """Turn an uploaded token into a material. Verifying it again answers the same materialId."""
    _check_upload_type(param)
    ticket = _ticket(sandbox, param.get("token"), seller=seller)
    if ticket.data is None:
        raise _invalid("token: nothing was uploaded with this token; upload the file first")
    if ticket.material_id is None:
        ticket.material_id = sandbox.materials.add(ticket, now=sandbox.now()).material_id
    return {"materialId": ticket.material_id}


def material_detail_get(
    sandbox: KuaishouSandbox, seller: int, param: dict[str, Any], files: Any
) -> dict[str, Any]:
    _check_upload_type(param)
    material_id = param.get("materialId")
    material = sandbox.materials.materials.get(material_id) if _is_int(material_id) else None
    if material is None or material.seller != seller:
        raise gateway.SandboxApiError(gateway.Result.NOT_FOUND, f"素材不存在: {material_id!r}")
    return {
        "materialId": material.material_id,
        "materialUploadType": MATERIAL_UPLOAD_TYPE_VIDEO,
        "status": MATERIAL_READY,
        "videoId": material.video_id,
        "fileName": material.file_name,
        "fileLength": material.size,
        "createTime": int(material.created_at.timestamp() * 1000),
    }


HANDLERS: dict[str, Handler] = {
    "open.item.edit": item_edit,
    "open.item.autopass.edit": item_autopass_edit,
    "open.item.category.suggested.get": category_suggested_get,
    "open.item.material.upload.token.issue": material_token_issue,
    "open.item.material.upload.token.verify": material_token_verify,
    "open.item.material.detail.get": material_detail_get,
}
