"""The publishing rules of `open.item.new` (kuaishou-api.md §1), as one pure validator.

The client runs it before sending, so a bad draft is quarantined with every problem named and
no call spent. The sandbox runs the same function, so it is as strict as we are. The function
works on the wire dict, not on the model, for two reasons: the sandbox receives raw JSON that
may have any shape, and a wrong type must be reported as a violation, never raised.

Each `Violation` names a field path in wire names (`skuList[3].skuSalePrice`) and says how to
fix it. Limits marked [C] are confirmed in the reference. The delivery-time ranges follow the
2025 text (§1.4).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from pydantic import BaseModel

from connectors.kuaishou.models import CategoryConfig, ItemNewParam

__all__ = [
    "KUAISHOU_IMAGE_DOMAINS",
    "ImageCheck",
    "Violation",
    "describe",
    "kuaishou_hosted",
    "violations",
]

MAX_LONG = 2**63 - 1
MAIN_IMAGES = (1, 9)  # [C] ≤9
DETAIL_IMAGES = (1, 50)  # [C] 1–50
SKUS = (1, 600)  # [C] 1–600
MAX_PROP_LEVELS = 3  # [C]
MAX_STOCK = 9_999_999  # [C]
MAX_DETAILS_CHARS = 2000  # [C] 1000 汉字 / 2000 characters
SHORT_TITLE_EXCLUSIVE = (4, 20)  # [C] >4 and <20 characters
SELLING_POINT_EXCLUSIVE = (8, 24)  # [C] >8 and <24 characters
PROMISE_DELIVERY_TIMES = (86_400, 172_800, 259_200)  # seconds; 259200 only in older text
PRESALE_SECONDS = (3 * 86_400, 15 * 86_400)  # 2025 text: 3–15 days
MARKET_PRICE_FACTOR = 10
MAX_URL_CHARS = 2000  # [C] an image URL: len ≤ 2000 (OpenApiAddSkuPropDTO.imageUrl)
MAX_SKU_NICK_CHARS = 30  # [C] "≤30 characters"
PAY_WAY_ONLINE = 2  # [C] payWay: only 2 (online payment)
SERVICE_PROMISES = (
    "freshRotRefund",
    "brokenRefund",
    "allergyRefund",
    "crabRefund",
    "weightGuarantee",
)  # [C] servicePromise: booleans
KUAISHOU_IMAGE_DOMAINS = (
    "kwimgs.com",
    "yximgs.com",
    "ksimg.com",
    "kwaixiaodian.com",
    "kuaishou.com",
    "gifshow.com",
    "sandbox-kwaixiaodian.local",
)
"""Hosts of the `kwaiImgUrl`s the image upload hands out [I: Kuaishou's CDN domains as seen on
its pages, and the sandbox's]. `banjia kuaishou validate` checks URLs against them offline."""
_MAX_LISTED_MISSING = 10

ImageCheck = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: the field path in wire names, and what to do about it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def describe(found: Sequence[Violation]) -> str:
    """All violations on one line, for an exception message or a `sub_msg`."""
    return "; ".join(str(v) for v in found)


def violations(
    param: ItemNewParam | Mapping[str, Any],
    *,
    category_config: CategoryConfig | None = None,
    is_kwai_image: ImageCheck | None = None,
) -> list[Violation]:
    """Every rule `param` breaks, in field order, or `[]`.

    `category_config` adds the category's refund rules and required attributes.
    `is_kwai_image` adds the check that every image URL is hosted by Kuaishou.
    """
    if isinstance(param, BaseModel):
        data: Any = param.model_dump(by_alias=True, exclude_none=True, mode="json")
    else:
        data = param
    if not isinstance(data, Mapping):
        return [Violation("param", "must be a JSON object")]
    checks: tuple[Iterable[Violation], ...] = (
        _texts(data),
        _ids(data),
        _optional_scalars(data),
        _images(data, is_kwai_image),
        _skus(data, is_kwai_image),
        _service_rule(data.get("serviceRule"), category_config),
        _item_props(data.get("itemPropValues"), category_config),
    )
    return list(itertools.chain.from_iterable(checks))


# --- scalar helpers ---------------------------------------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_long(value: Any, field: str, what: str) -> Iterator[Violation]:
    if value is None:
        yield Violation(field, f"required: {what}")
    elif not _is_int(value) or not 0 < value <= MAX_LONG:
        yield Violation(field, f"must be a positive long below 2**63 ({what}), got {value!r}")


def _text_length(value: Any, field: str, bounds: tuple[int, int], what: str) -> Iterator[Violation]:
    low, high = bounds
    if not isinstance(value, str):
        yield Violation(field, f"must be a string ({what})")
    elif not low < len(value) < high:
        yield Violation(
            field,
            f"must be longer than {low} and shorter than {high} characters ({what}); "
            f"has {len(value)}: shorten or drop it",
        )


# --- top-level fields -------------------------------------------------------------------------


def _texts(p: Mapping[str, Any]) -> Iterator[Violation]:
    title = p.get("title")
    if not isinstance(title, str) or not title.strip():
        yield Violation("title", "required: a non-empty item name (商品名称)")
    if p.get("shortTitle") is not None:
        yield from _text_length(p["shortTitle"], "shortTitle", SHORT_TITLE_EXCLUSIVE, "2–10 汉字")
    if p.get("sellingPoint") is not None:
        yield from _text_length(
            p["sellingPoint"], "sellingPoint", SELLING_POINT_EXCLUSIVE, "4–12 汉字"
        )
    details = p.get("details")
    if not isinstance(details, str) or not details.strip():
        yield Violation("details", "required: a non-empty text description")
    elif len(details) > MAX_DETAILS_CHARS:
        yield Violation(
            "details",
            f"has {len(details)} characters, at most {MAX_DETAILS_CHARS} are allowed: shorten it",
        )


def _ids(p: Mapping[str, Any]) -> Iterator[Violation]:
    yield from _positive_long(p.get("relItemId"), "relItemId", "our idempotency key")
    category_id = p.get("categoryId")
    if not _is_int(category_id) or category_id <= 0:
        yield Violation("categoryId", f"required: a leaf category id, got {category_id!r}")
    template = p.get("expressTemplateId")
    if not _is_int(template) or template < 0:
        yield Violation(
            "expressTemplateId", f"required: a freight template id (≥ 0), got {template!r}"
        )


def _url_list(
    urls: Any,
    field: str,
    bounds: tuple[int, int],
    is_kwai_image: ImageCheck | None,
    *,
    required: bool = True,
) -> Iterator[Violation]:
    low, high = bounds
    if urls is None and not required:
        return
    if not isinstance(urls, list):
        yield Violation(field, f"required: a list of {low}–{high} Kuaishou image URLs")
        return
    if not low <= len(urls) <= high:
        yield Violation(field, f"has {len(urls)} images, {low}–{high} are allowed")
    for i, url in enumerate(urls):
        yield from _image_url(url, f"{field}[{i}]", is_kwai_image)


def kuaishou_hosted(url: str) -> bool:
    """Whether `url` is an https/http URL on one of `KUAISHOU_IMAGE_DOMAINS` (offline check)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return parts.scheme in ("https", "http") and any(
        host == domain or host.endswith("." + domain) for domain in KUAISHOU_IMAGE_DOMAINS
    )


def _image_url(url: Any, field: str, is_kwai_image: ImageCheck | None) -> Iterator[Violation]:
    if not isinstance(url, str) or not url:
        yield Violation(field, "must be a non-empty image URL")
    elif len(url) > MAX_URL_CHARS:
        yield Violation(
            field, f"has {len(url)} characters, at most {MAX_URL_CHARS}: upload the image again"
        )
    elif is_kwai_image is not None and not is_kwai_image(url):
        yield Violation(
            field,
            f"{url} is not a Kuaishou image URL: upload it with open.item.image.upload first",
        )


def _images(p: Mapping[str, Any], is_kwai_image: ImageCheck | None) -> Iterator[Violation]:
    yield from _url_list(p.get("imageUrls"), "imageUrls", MAIN_IMAGES, is_kwai_image)
    yield from _url_list(
        p.get("threeQuartersImageUrls"),
        "threeQuartersImageUrls",
        (0, MAIN_IMAGES[1]),
        is_kwai_image,
        required=False,
    )
    yield from _url_list(p.get("detailImageUrls"), "detailImageUrls", DETAIL_IMAGES, is_kwai_image)


# --- SKUs -------------------------------------------------------------------------------------


def _skus(p: Mapping[str, Any], is_kwai_image: ImageCheck | None) -> Iterator[Violation]:
    skus = p.get("skuList")
    if not isinstance(skus, list):
        yield Violation("skuList", f"required: a list of {SKUS[0]}–{SKUS[1]} SKUs")
        return
    if not SKUS[0] <= len(skus) <= SKUS[1]:
        yield Violation("skuList", f"has {len(skus)} SKUs, {SKUS[0]}–{SKUS[1]} are allowed")
    well_formed: list[tuple[int, list[Mapping[str, Any]]]] = []
    seen_rel: dict[int, int] = {}
    for i, sku in enumerate(skus):
        path = f"skuList[{i}]"
        if not isinstance(sku, Mapping):
            yield Violation(path, "must be a SKU object")
            continue
        rel = sku.get("relSkuId")
        yield from _positive_long(rel, f"{path}.relSkuId", "our SKU id")
        if _is_int(rel) and rel in seen_rel:
            yield Violation(f"{path}.relSkuId", f"repeats skuList[{seen_rel[rel]}].relSkuId")
        elif _is_int(rel):
            seen_rel[rel] = i
        yield from _sku_numbers(sku, path)
        yield from _sku_nick(sku, path)
        props = yield from _sku_props(sku.get("skuProps"), path, is_kwai_image)
        if props is not None:
            well_formed.append((i, props))
    yield from _market_prices(skus)
    if well_formed and len(well_formed) == len(skus):
        yield from _matrix(well_formed)


def _sku_nick(sku: Mapping[str, Any], path: str) -> Iterator[Violation]:
    nick = sku.get("skuNick")
    if nick is None:
        return
    if not isinstance(nick, str):
        yield Violation(f"{path}.skuNick", f"must be a string (the SKU code), got {nick!r}"[:200])
    elif len(nick) > MAX_SKU_NICK_CHARS:
        yield Violation(
            f"{path}.skuNick",
            f"has {len(nick)} characters, at most {MAX_SKU_NICK_CHARS}: shorten the SKU code",
        )


def _sku_numbers(sku: Mapping[str, Any], path: str) -> Iterator[Violation]:
    price = sku.get("skuSalePrice")
    if not _is_int(price) or price < 1:
        yield Violation(f"{path}.skuSalePrice", f"must be an integer ≥ 1 fen, got {price!r}")
    stock = sku.get("skuStock")
    if not _is_int(stock) or not 0 <= stock <= MAX_STOCK:
        yield Violation(f"{path}.skuStock", f"must be an integer 0–{MAX_STOCK}, got {stock!r}")


def _sku_props(
    props: Any, path: str, is_kwai_image: ImageCheck | None
) -> Generator[Violation, None, list[Mapping[str, Any]] | None]:
    """Check one SKU's props; return them when they are fit for the matrix checks."""
    field = f"{path}.skuProps"
    if props is None:
        props = []
    if not isinstance(props, list):
        yield Violation(field, "must be a list of spec props")
        return None
    fit = True
    if len(props) > MAX_PROP_LEVELS:
        yield Violation(
            field, f"has {len(props)} spec levels, at most {MAX_PROP_LEVELS}: merge dimensions"
        )
    names: set[str] = set()
    for k, prop in enumerate(props):
        at = f"{field}[{k}]"
        if not isinstance(prop, Mapping):
            yield Violation(at, "must be a spec prop object")
            fit = False
            continue
        name, value = prop.get("propName"), prop.get("propValueName")
        if not isinstance(name, str) or not name.strip():
            yield Violation(f"{at}.propName", "required: the spec name, e.g. 颜色")
            fit = False
        elif name in names:
            yield Violation(f"{at}.propName", f"spec {name} appears twice in one SKU")
            fit = False
        else:
            names.add(name)
        if not isinstance(value, str) or not value.strip():
            yield Violation(f"{at}.propValueName", "required: the spec value, e.g. 红色")
            fit = False
        if prop.get("isMainProp") not in (0, 1):
            yield Violation(f"{at}.isMainProp", "must be 1 (main prop) or 0")
            fit = False
        if prop.get("propVersion") not in (1, 2):
            yield Violation(f"{at}.propVersion", "must be 1 (custom spec) or 2 (category template)")
        if prop.get("imageUrl") is not None:
            yield from _image_url(prop["imageUrl"], f"{at}.imageUrl", is_kwai_image)
    return props if fit else None


def _market_prices(skus: Sequence[Any]) -> Iterator[Violation]:
    prices: list[int] = [
        price for s in skus if isinstance(s, Mapping) and _is_int(price := s.get("skuSalePrice"))
    ]
    if not prices:
        return
    top = max(prices)
    for i, sku in enumerate(skus):
        market = sku.get("skuMarketPrice") if isinstance(sku, Mapping) else None
        if market is None:
            continue
        if not isinstance(market, int | float) or isinstance(market, bool):
            yield Violation(f"skuList[{i}].skuMarketPrice", "must be a number of fen")
        elif not top < market <= MARKET_PRICE_FACTOR * top:
            yield Violation(
                f"skuList[{i}].skuMarketPrice",
                f"{market} must be above the highest sale price {top} and at most "
                f"{MARKET_PRICE_FACTOR}× it: omit it otherwise",
            )


def _matrix(skus: Sequence[tuple[int, list[Mapping[str, Any]]]]) -> Iterator[Violation]:
    """Same spec names everywhere, exactly one main prop with images, the full Cartesian product."""
    first_index, first_props = skus[0]
    dims = [prop["propName"] for prop in first_props]
    consistent = True
    for i, props in skus[1:]:
        names = [prop["propName"] for prop in props]
        if set(names) != set(dims):
            consistent = False
            yield Violation(
                f"skuList[{i}].skuProps",
                f"has specs {names} but skuList[{first_index}] has {dims}: "
                "every SKU needs the same spec names",
            )
    if not consistent:
        return
    yield from _main_prop(skus, dims)

    values: dict[str, list[str]] = {dim: [] for dim in dims}
    combos: dict[tuple[str, ...], int] = {}
    for i, props in skus:
        by_name = {prop["propName"]: prop["propValueName"] for prop in props}
        combo = tuple(by_name[dim] for dim in dims)
        for dim, value in zip(dims, combo, strict=True):
            if value not in values[dim]:
                values[dim].append(value)
        if combo in combos:
            yield Violation(
                f"skuList[{i}].skuProps",
                f"repeats the combination {_label(dims, combo)} of skuList[{combos[combo]}]: "
                "one SKU per combination",
            )
        else:
            combos[combo] = i
    expected = math.prod(len(v) for v in values.values())
    if expected > SKUS[1]:
        yield Violation(
            "skuList",
            f"the full Cartesian product of the spec values has {expected} combinations, more than "
            f"the {SKUS[1]}-SKU limit: reduce the spec values",
        )
        return
    missing = [c for c in itertools.product(*values.values()) if c not in combos]
    if missing:
        listed = ", ".join(_label(dims, c) for c in missing[:_MAX_LISTED_MISSING])
        extra = len(missing) - _MAX_LISTED_MISSING
        more = f" and {extra} more" if extra > 0 else ""
        yield Violation(
            "skuList",
            f"lacks {len(missing)} of {expected} spec combinations ({listed}{more}): the full "
            "Cartesian product is required; add the missing SKUs (stock 0 is fine)",
        )


def _main_prop(
    skus: Sequence[tuple[int, list[Mapping[str, Any]]]], dims: Sequence[str]
) -> Iterator[Violation]:
    if not dims:
        return
    main_names = {
        prop["propName"] for _, props in skus for prop in props if prop["isMainProp"] == 1
    }
    if len(main_names) != 1:
        found = ", ".join(sorted(main_names)) or "none"
        yield Violation(
            "skuList",
            f"exactly one spec must be the main prop (isMainProp=1, its values carry images); "
            f"found {found}",
        )
        return
    (main,) = main_names
    for i, props in skus:
        for k, prop in enumerate(props):
            at = f"skuList[{i}].skuProps[{k}]"
            if prop["propName"] != main:
                continue
            if prop["isMainProp"] != 1:
                yield Violation(f"{at}.isMainProp", f"{main} is the main prop: set 1 on every SKU")
            if not prop.get("imageUrl"):
                yield Violation(
                    f"{at}.imageUrl",
                    f"required: the main prop {main}={prop['propValueName']} needs an image",
                )


def _label(dims: Sequence[str], combo: Sequence[str]) -> str:
    return "/".join(f"{d}={v}" for d, v in zip(dims, combo, strict=True)) or "(no specs)"


# --- service rule and category attributes -----------------------------------------------------


def _service_rule(rule: Any, config: CategoryConfig | None) -> Iterator[Violation]:
    if not isinstance(rule, Mapping):
        yield Violation("serviceRule", "required: {refundRule, promiseDeliveryTime}")
        return
    refund = rule.get("refundRule")
    allowed = config.category_config.refund_rule_list if config else []
    if not isinstance(refund, str) or not refund:
        yield Violation(
            "serviceRule.refundRule", f'required: a string enum such as "1", got {refund!r}'
        )
    elif allowed and refund not in allowed:
        yield Violation(
            "serviceRule.refundRule",
            f"{refund!r} is not allowed in this category: use one of {allowed}",
        )
    yield from _service_promise(rule.get("servicePromise"))
    promise = rule.get("promiseDeliveryTime")
    presale = rule.get("deliverGoodsInteralTime")
    if (promise is None) == (presale is None):
        yield Violation(
            "serviceRule",
            "give exactly one of promiseDeliveryTime (spot) and deliverGoodsInteralTime (presale)",
        )
    if promise is not None and promise not in PROMISE_DELIVERY_TIMES:
        yield Violation(
            "serviceRule.promiseDeliveryTime",
            f"must be one of {PROMISE_DELIVERY_TIMES} seconds, got {promise!r}",
        )
    if presale is not None and (
        not _is_int(presale) or not PRESALE_SECONDS[0] <= presale <= PRESALE_SECONDS[1]
    ):
        yield Violation(
            "serviceRule.deliverGoodsInteralTime",
            f"must be {PRESALE_SECONDS[0]}–{PRESALE_SECONDS[1]} s (3–15 days), got {presale!r}",
        )


def _service_promise(promise: Any) -> Iterator[Violation]:
    if promise is None:
        return
    field = "serviceRule.servicePromise"
    if not isinstance(promise, Mapping):
        yield Violation(field, f"must be an object of booleans {{{', '.join(SERVICE_PROMISES)}}}")
        return
    for key, value in promise.items():
        if key not in SERVICE_PROMISES:
            yield Violation(f"{field}.{key}"[:200], f"unknown: use {', '.join(SERVICE_PROMISES)}")
        elif not isinstance(value, bool):
            yield Violation(f"{field}.{key}", "must be true or false")


def _optional_scalars(p: Mapping[str, Any]) -> Iterator[Violation]:
    """Type checks of optional top-level fields: a wrong type there is refused, not ignored."""
    pay_way = p.get("payWay")
    if pay_way is not None and (not _is_int(pay_way) or pay_way != PAY_WAY_ONLINE):
        yield Violation(
            "payWay",
            f"must be the integer {PAY_WAY_ONLINE} (online payment), got {pay_way!r}"[:200],
        )
    for name in ("categoryName", "itemRemark", "instructions"):
        value = p.get(name)
        if value is not None and not isinstance(value, str):
            yield Violation(name, "must be a string")
    for name in ("purchaseLimit",):
        value = p.get(name)
        if value is not None and not isinstance(value, bool):
            yield Violation(name, "must be true or false")
    for name in ("limitCount", "spuId", "sizeChartTemplateId"):
        value = p.get(name)
        if value is not None and (not _is_int(value) or not 0 <= value <= MAX_LONG):
            yield Violation(name, "must be a non-negative integer")
    for name in ("whiteBaseImageUrl", "transparentImageUrl"):
        if p.get(name) is not None:
            yield from _image_url(p[name], name, None)
    video = p.get("itemVideo")
    if video is not None:
        if not isinstance(video, Mapping):
            yield Violation("itemVideo", "must be an object {videoId, videoType}")
        else:
            if not isinstance(video.get("videoId"), str) or not video.get("videoId"):
                yield Violation("itemVideo.videoId", "required: the video id as a string")
            if video.get("videoType", 1) not in (1, 2) or isinstance(video.get("videoType"), bool):
                yield Violation("itemVideo.videoType", "must be 1 (uploaded) or 2 (short video)")


_VALUE_FIELDS = (
    "textPropValue",
    "radioPropValue",
    "checkBoxPropValuesList",
    "datetimeTimestamp",
    "dateRange",
    "imagePropValues",
)


def _item_props(values: Any, config: CategoryConfig | None) -> Iterator[Violation]:
    if values is None:
        values = []
    if not isinstance(values, list):
        yield Violation("itemPropValues", "must be a list of category attribute values")
        return
    known = {pc.prop_id: pc for pc in config.prop_configs} if config else {}
    seen: dict[int, int] = {}
    for i, value in enumerate(values):
        at = f"itemPropValues[{i}]"
        if not isinstance(value, Mapping):
            yield Violation(at, "must be an attribute object")
            continue
        prop_id = value.get("propId")
        if not _is_int(prop_id) or prop_id <= 0:
            yield Violation(f"{at}.propId", f"required: the attribute id, got {prop_id!r}")
            continue
        if prop_id in seen:
            yield Violation(f"{at}.propId", f"repeats itemPropValues[{seen[prop_id]}]: once each")
        seen.setdefault(prop_id, i)
        if config is not None and prop_id not in known:
            yield Violation(f"{at}.propId", f"{prop_id} is not an attribute of this category")
        if not any(value.get(name) not in (None, "", []) for name in _VALUE_FIELDS):
            yield Violation(at, "has no value: fill the field matching its input type")
    for prop_id, pc in known.items():
        if pc.required and prop_id not in seen:
            yield Violation(
                "itemPropValues",
                f"the category requires {pc.prop_name} (propId {prop_id}): add it once",
            )
