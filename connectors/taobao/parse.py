"""TOP item JSON → the canonical `Listing`.

Every quirk of the Taobao payload is resolved here, once, so later stages never see a TOP string
format: yuan strings become integer fen (through `Decimal`, never a float); "pid:vid:pname:vname"
strings with their `#cln#`/`#scln#` escapes become named specs; `property_alias` renames values; the
spec dimension that has `prop_imgs` carries the value images; reserved stock (`with_hold_quantity`)
is subtracted. Anything that cannot be read raises `ParseProblem`, whose reason is a sentence the
merchant can act on: the item is quarantined with it, never silently dropped or half-parsed.

What the three source parsers share (`ParseProblem`, `CHINA_TZ`, `yuan_to_fen`, the image and HTML
helpers) lives in `connectors.content`; `ParseProblem`, `CHINA_TZ` and `yuan_to_fen` stay
importable from here for the callers written before it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, NamedTuple

from pydantic import ValidationError

from connectors import content
from connectors.content import (
    ParseProblem,
    dedupe,
    parser_failure,
    price_range_problem,
    validation_problem,
    yuan_to_fen,
)
from connectors.taobao.models import TopItem, TopSku
from listings import description, images
from listings.china_time import CHINA_TZ
from listings.model import (
    ItemProp,
    Listing,
    ListingStatus,
    Sku,
    SkuStatus,
    SourceCategory,
    SourcePlatform,
    SpecValue,
)

__all__ = [
    "CHINA_TZ",
    "ParseProblem",
    "PropEntry",
    "origin_url",
    "parse_item",
    "parse_property_alias",
    "parse_props_name",
    "yuan_to_fen",
]

_TOP_TIME = "%Y-%m-%d %H:%M:%S"
_STATUS = {"onsale": ListingStatus.ONSALE, "instock": ListingStatus.OFFSHELF}
_SKU_STATUS = {"normal": SkuStatus.NORMAL, "delete": SkuStatus.DELETED}

PidVid = tuple[int, int]


class PropEntry(NamedTuple):
    """One "pid:vid:pname:vname" entry, names unescaped. Negative ids mark seller-defined props.

    A NamedTuple (immutable, and built three times faster than a frozen dataclass: an item has one
    per property and SKU chunk)."""

    pid: int
    vid: int
    name: str
    value: str

    @property
    def key(self) -> PidVid:
        return (self.pid, self.vid)


def _unescape(text: str) -> str:
    return text.replace("#cln#", ":").replace("#scln#", ";").strip()


def _pid_vid(pid: str, vid: str) -> PidVid:
    return (int(pid.strip()), int(vid.strip()))


def _entries(text: str | None, shape: str, *, free_text: bool = True) -> Iterator[list[str]]:
    """The non-blank ";"-separated entries of a TOP property string, each split into the ":"
    fields of `shape`; ValueError on an entry of another shape.

    With `free_text` the last field keeps any further ":" (a seller-written name may hold one that
    TOP did not escape); ids-only strings (`pid:vid`) have none, so there it is an error.
    """
    size = shape.count(":") + 1
    for chunk in (text or "").split(";"):
        if not chunk.strip():
            continue
        parts = chunk.split(":", size - 1) if free_text else chunk.split(":")
        if len(parts) != size:
            raise ValueError(f"{chunk!r} is not {shape}")
        yield parts


_CHUNKS_REMEMBERED: Final = 8192
"""How many distinct property chunks (`1627207:28341:颜色分类:黑色`) stay read: a shop's items
repeat a few hundred (its colours, sizes, brand), and each SKU repeats its item's."""


@lru_cache(maxsize=_CHUNKS_REMEMBERED)
def _named_chunk(chunk: str) -> tuple[PropEntry, ...]:
    """`parse_props_name` of one ";"-free chunk, remembered (a ValueError is raised every time)."""
    return tuple(
        PropEntry(*_pid_vid(pid, vid), name=_unescape(name), value=_unescape(value))
        for pid, vid, name, value in _entries(chunk, "pid:vid:name:value")
    )


@lru_cache(maxsize=_CHUNKS_REMEMBERED)
def _ids_chunk(chunk: str) -> tuple[PidVid, ...]:
    """`_parse_properties` of one ";"-free chunk, remembered."""
    return tuple(_pid_vid(pid, vid) for pid, vid in _entries(chunk, "pid:vid", free_text=False))


def parse_props_name(text: str | None) -> list[PropEntry]:
    """Parse "pid:vid:pname:vname;..." in order; ValueError on an entry without four parts.

    Chunk by chunk, which reads (and fails) as reading the whole string: `_entries` splits it
    into the same chunks and stops at the first that is not an entry."""
    return [entry for chunk in (text or "").split(";") for entry in _named_chunk(chunk)]


def parse_property_alias(text: str | None) -> dict[PidVid, str]:
    """Parse "pid:vid:alias;..." into {(pid, vid): alias}; blank aliases are ignored."""
    aliases: dict[PidVid, str] = {}
    for pid, vid, text_alias in _entries(text, "pid:vid:alias"):
        if alias := _unescape(text_alias):
            aliases[_pid_vid(pid, vid)] = alias
    return aliases


def _parse_properties(text: str | None) -> list[PidVid]:
    return [key for chunk in (text or "").split(";") for key in _ids_chunk(chunk)]


def _image_url(url: str | None) -> str | None:
    """The canonical URL of a TOP picture: https on Alibaba's CDN (`listings.images`)."""
    return images.normalize_image_url(url, https_domains=content.ALICDN_DOMAINS)


def origin_url(num_iid: int | str, *, tmall: bool = False) -> str:
    """The public product page Kuaishou's supply report needs as `originItemUrl`."""
    if tmall:
        return f"https://detail.tmall.com/item.htm?id={num_iid}"
    return f"https://item.taobao.com/item.htm?id={num_iid}"


def _detail_images(desc: str | None) -> tuple[str, ...]:
    return description.detail_images(desc, https_domains=content.ALICDN_DOMAINS)


def _main_images(item: TopItem) -> tuple[str, ...]:
    images = item.item_imgs.item_img if item.item_imgs else []
    if images:
        ordered = sorted(enumerate(images), key=lambda pair: (pair[1].position or 0, pair[0]))
        return dedupe(_image_url(img.url) for _, img in ordered)
    return dedupe([_image_url(item.pic_url)])


def _video_url(item: TopItem) -> str | None:
    for video in item.videos.video if item.videos else []:
        if video.url and video.url.strip():
            return _image_url(video.url)
    extra_url = (item.mpic_video.model_extra or {}).get("url") if item.mpic_video else None
    return _image_url(extra_url) if isinstance(extra_url, str) else None


def _top_time(item: TopItem, item_id: str, name: str) -> datetime | None:
    """A TOP time column (`modified`, `list_time`: Beijing time, yyyy-MM-dd HH:mm:ss)."""
    value = getattr(item, name)
    if not value:
        return None
    try:
        return content.read_time(value.strip(), _TOP_TIME).replace(tzinfo=CHINA_TZ)
    except ValueError:
        raise ParseProblem(
            item_id=item_id,
            field=name,
            reason=f"{name} time {value!r} is not yyyy-MM-dd HH:mm:ss",
        ) from None


class _Dim:
    """One SKU's value of one spec dimension, as read from its property strings.

    `name` is the SKU's own name of the dimension (only checked for blankness: the item's names
    come from its first SKU); `spec` is the item's `SpecValue` of it, filled in once the first SKU
    has fixed the dimension names and the image dimension.
    """

    __slots__ = ("key", "name", "pid", "spec", "value")

    def __init__(self, key: PidVid, name: str, value: str) -> None:
        self.key = key
        self.pid = key[0]
        self.name = name
        self.value = value
        self.spec: SpecValue | None = None


_NOT_ALONE: Final = _Dim((0, 0), "", "")
"""The mark of a chunk pair that cannot be read on its own (see `_ItemParser.dimension`)."""
_NO_DIMENSIONS: Final[dict[str, _Dim]] = {}


class _ItemParser:
    """Holds one item's lookups (names, aliases, prop images) while its SKUs are built."""

    def __init__(self, item: TopItem) -> None:
        self.item = item
        self.item_id = str(item.num_iid)
        self.props = self._read(parse_props_name, item.props_name, "props_name")
        self.aliases = self._read(parse_property_alias, item.property_alias, "property_alias")
        self.names: dict[PidVid, PropEntry] = {entry.key: entry for entry in self.props}
        self.prop_images = self._prop_images()
        # Each SKU repeats the item's property strings: each distinct one is read once per item.
        self._sku_keys: dict[str, list[PidVid]] = {}
        self._sku_names: dict[str, dict[PidVid, PropEntry]] = {}
        self._dimensions: dict[str, dict[str, _Dim]] = {}  # by properties, properties_name chunk
        self._shape: list[int] | None = None
        self._shape_set = False
        self._spec_values: dict[tuple[str, str, str | None], SpecValue] = {}
        self._fen: dict[str | None, int] = {}

    def problem(self, field: str, reason: str) -> ParseProblem:
        return ParseProblem(item_id=self.item_id, field=field, reason=reason)

    def _read(self, parser: Any, text: str | None, field: str) -> Any:
        try:
            return parser(text)
        except ValueError as exc:
            raise self.problem(
                field, f"cannot read {field} ({exc}); re-save the item's properties on Taobao"
            ) from None

    def _prop_images(self) -> dict[PidVid, str]:
        images: dict[PidVid, str] = {}
        entries = self.item.prop_imgs.prop_img if self.item.prop_imgs else []
        for img in sorted(entries, key=lambda entry: entry.position or 0):
            url = _image_url(img.url)
            if not url or not img.properties:
                continue
            try:
                keys = _parse_properties(img.properties)
            except ValueError:
                raise self.problem(
                    "prop_imgs", f"prop image properties {img.properties!r} is not pid:vid"
                ) from None
            for key in keys:
                images.setdefault(key, url)
        return images

    def price_fen(self, text: str | None, field: str) -> int:
        """`text` in fen, or the problem of `field`; a price text read before is looked up (the
        SKUs of an item mostly share a few prices, and a refused one never gets this far twice)."""
        fen = self._fen.get(text)
        if fen is not None:
            return fen
        try:
            fen = yuan_to_fen(text)
        except ValueError:
            raise self.problem(
                field, f"price {text!r} is not a yuan amount like 39.00; correct it on Taobao"
            ) from None
        problem = price_range_problem(fen, platform="Taobao")
        if problem:
            raise self.problem(field, problem)
        self._fen[text] = fen
        return fen

    def value_name(self, key: PidVid, named: Mapping[PidVid, PropEntry]) -> tuple[str, str] | None:
        entry = named.get(key) or self.names.get(key)
        if entry is None:
            return None
        return entry.name, self.aliases.get(key) or entry.value

    def _keys_of(self, text: str | None) -> list[PidVid]:
        """A SKU's `properties` ids, chunk by chunk read once per item; ValueError as the parser.

        Every SKU repeats the same few chunks ("1627207:28341"), so a chunk seen before is one
        dictionary look-up; a blank chunk reads as no ids, as `_parse_properties` reads it.
        """
        cache = self._sku_keys
        keys: list[PidVid] = []
        for chunk in (text or "").split(";"):
            found = cache.get(chunk)
            if found is None:
                found = cache[chunk] = _parse_properties(chunk)
            keys += found
        return keys

    def _names_of(self, text: str | None) -> dict[PidVid, PropEntry]:
        """A SKU's `properties_name` entries by key, chunk by chunk read once per item."""
        cache = self._sku_names
        named: dict[PidVid, PropEntry] = {}
        for chunk in (text or "").split(";"):
            found = cache.get(chunk)
            if found is None:
                found = cache[chunk] = {entry.key: entry for entry in parse_props_name(chunk)}
            named.update(found)
        return named

    def spec_value(self, name: str, value: str, image_url: str | None) -> SpecValue:
        """The item's SpecValue of a dimension value (frozen: one shared by every SKU with it)."""
        key = (name, value, image_url)
        spec = self._spec_values.get(key)
        if spec is None:
            spec = self._spec_values[key] = SpecValue(name=name, value=value, image_url=image_url)
        return spec

    def dimension(self, ids: str, named: str) -> _Dim:
        """The dimension value a `properties` chunk and the `properties_name` chunk beside it
        give when they stand alone (one id, and one name entry of that id), read once per item;
        else `_NOT_ALONE`.

        A SKU whose every chunk pair stands alone, on distinct ids, resolves exactly as
        `sku_specs` reads it: its ids are the pairs' ids, and its name entries the pairs' entries,
        none overriding another.
        """
        by_name = self._dimensions.setdefault(ids, {})
        found = by_name.get(named)
        if found is None:
            found = by_name[named] = self._alone(ids, named)
        return found

    def _alone(self, ids: str, named: str) -> _Dim:
        try:
            keys = self._keys_of(ids)
            entries = self._names_of(named)
        except ValueError:
            return _NOT_ALONE  # sku_specs reads it again and says why
        if len(keys) != 1 or len(entries) != 1 or keys[0] not in entries:
            return _NOT_ALONE
        key = keys[0]
        entry = entries[key]
        value = self.aliases.get(key) or entry.value
        if not entry.name or not value:
            return _NOT_ALONE
        return _Dim(key, entry.name, value)

    def sku_dims(self, sku: TopSku, index: int) -> tuple[list[_Dim], bool]:
        """The SKU's dimension values in its own order, or the problem that stops it; and
        whether they come in the item's shape: the first SKU's dimensions, in its order, each
        once (set by the first SKU, if its dimensions are distinct)."""
        ids, named = sku.properties, sku.properties_name
        if ids and named:
            id_chunks = ids.split(";")
            name_chunks = named.split(";")
            if len(id_chunks) == len(name_chunks):
                # Few allocations per SKU: the garbage collector's passes cost in proportion to
                # them (a quarter of parsing time with a warehouse batch in memory).
                dims = []
                for position, id_chunk in enumerate(id_chunks):
                    name_chunk = name_chunks[position]
                    dim = self._dimensions.get(id_chunk, _NO_DIMENSIONS).get(name_chunk)
                    dims.append(dim or self.dimension(id_chunk, name_chunk))
                if _NOT_ALONE not in dims:
                    shape = self._shape
                    if shape is not None and len(shape) == len(dims):
                        for position, pid in enumerate(shape):
                            if dims[position].pid != pid:
                                break
                        else:
                            return dims, True  # distinct pids, so distinct ids
                    if len({dim.key for dim in dims}) == len(dims):
                        return dims, self._shaped([dim.pid for dim in dims])
        dims = [_Dim(*spec) for spec in self.sku_specs(sku, index)]
        return dims, self._shaped([dim.pid for dim in dims])

    def _shaped(self, pids: list[int]) -> bool:
        if self._shape is None and not self._shape_set:
            self._shape_set = True  # the first SKU's pids, when each is there once
            self._shape = pids if len(set(pids)) == len(pids) else None
        return pids == self._shape

    def sku_specs(self, sku: TopSku, index: int) -> list[tuple[PidVid, str, str]]:
        try:
            keys = self._keys_of(sku.properties)
            named = self._names_of(sku.properties_name)
        except ValueError as exc:
            raise self.problem(
                f"skus.sku[{index}]", f"cannot read the SKU's properties ({exc})"
            ) from None
        if not keys:
            keys = list(named)
        specs: list[tuple[PidVid, str, str]] = []
        for key in keys:
            resolved = self.value_name(key, named)
            if resolved is None or not resolved[0] or not resolved[1]:
                raise self.problem(
                    f"skus.sku[{index}]",
                    f"SKU {sku.sku_id} uses property {key[0]}:{key[1]} that has no name; "
                    "re-save the item's SKUs on Taobao",
                )
            specs.append((key, *resolved))
        return specs

    def skus(self) -> tuple[list[Sku | dict[str, Any]], set[int]]:
        raw_skus = self.item.skus.sku if self.item.skus else []
        if not raw_skus:
            return [self.single_sku()], set()
        first, first_in_shape = self.sku_dims(raw_skus[0], 0)
        order = [dim.pid for dim in first]
        names = {dim.pid: dim.name for dim in first}
        image_pids = {key[0] for key in self.prop_images}
        image_pid = next((pid for pid in order if pid in image_pids), None)

        def spec(dim: _Dim) -> SpecValue:
            if dim.spec is None:
                image = self.prop_images.get(dim.key) if dim.pid == image_pid else None
                dim.spec = self.spec_value(names[dim.pid], dim.value, image)
            return dim.spec

        # Nearly every SKU comes in the item's shape (`sku_dims`): then position i is dimension
        # i, what the by-pid look-up below reads, and its specs are made at once (SpecValues of
        # names checked non-blank cannot fail), so only they stay alive until the SKUs are made
        # (a big item's live containers are what drives the collector's full passes). Any other
        # row is kept for the check below. (With a pid twice in `order` there is no shape.)
        rows: list[tuple[SpecValue, ...] | list[_Dim]] = [
            tuple([spec(dim) for dim in first]) if first_in_shape else first
        ]
        for index in range(1, len(raw_skus)):
            dims, in_shape = self.sku_dims(raw_skus[index], index)
            rows.append(tuple([dim.spec or spec(dim) for dim in dims]) if in_shape else dims)
        skus: list[Sku | dict[str, Any]] = []
        for index, (sku, row) in enumerate(zip(raw_skus, rows, strict=True)):
            if isinstance(row, tuple):
                skus.append(self.sku(sku, index, row))
                continue
            by_pid = {dim.pid: dim for dim in row}
            if sorted(by_pid) != sorted(order) or len(row) != len(order):
                raise self.problem(
                    f"skus.sku[{index}]",
                    f"SKU {sku.sku_id} has other spec dimensions than the item's first SKU; "
                    "every SKU must have one value of each dimension",
                )
            skus.append(self.sku(sku, index, tuple([spec(by_pid[pid]) for pid in order])))
        return skus, set(order)

    def sku(self, sku: TopSku, index: int, specs: tuple[SpecValue, ...]) -> dict[str, Any]:
        """The fields of one `Sku`, which `Listing` validates with the others in one call (one
        pydantic call per item, not one per SKU: the biggest items have hundreds)."""
        if sku.price is None or not sku.price.strip():
            if not self.item.price:
                raise self.problem(
                    f"skus.sku[{index}].price",
                    f"SKU {sku.sku_id} has no price and the item has none either",
                )
            price = self.price_fen(self.item.price, "price")
        else:
            price = self._fen.get(sku.price) or self.price_fen(
                sku.price, f"skus.sku[{index}].price"
            )
        status = _SKU_STATUS.get(sku.status or "normal")
        if status is None:
            status_text = (sku.status or "normal").strip().lower()
            if status_text not in _SKU_STATUS:
                raise self.problem(
                    f"skus.sku[{index}].status", f"SKU status {sku.status!r} is not normal/delete"
                )
            status = _SKU_STATUS[status_text]
        return {
            "source_sku_id": str(sku.sku_id),
            "specs": specs,
            "price_fen": price,
            "stock": max(0, (sku.quantity or 0) - (sku.with_hold_quantity or 0)),
            "outer_id": sku.outer_id or None,
            "status": status,
        }

    def single_sku(self) -> Sku:
        if not self.item.price or not self.item.price.strip():
            raise self.problem(
                "price",
                "the item has neither SKUs nor an item price; set a price on Taobao and run again",
            )
        return Sku(
            source_sku_id=self.item_id,
            price_fen=self.price_fen(self.item.price, "price"),
            stock=max(0, (self.item.num or 0) - (self.item.with_hold_quantity or 0)),
            outer_id=self.item.outer_id or None,
        )

    def item_props(self, sku_pids: set[int]) -> tuple[ItemProp, ...]:
        return tuple(
            ItemProp(name=entry.name, value=self.aliases.get(entry.key) or entry.value)
            for entry in self.props
            if entry.pid not in sku_pids and entry.name
        )

    def status(self) -> ListingStatus:
        text = (self.item.approve_status or "onsale").strip().lower()
        if text not in _STATUS:
            raise self.problem(
                "approve_status",
                f"approve_status {self.item.approve_status!r} is not onsale/instock",
            )
        return _STATUS[text]


def _parse_item(item_json: dict[str, Any], *, shop_id: str, tmall: bool = False) -> Listing:
    """One TOP `Item` dict (taobao.item.seller.get's "item") as a canonical `Listing`.

    `tmall` picks the Tmall origin URL and platform: a TOP id does not say which marketplace it is
    on.
    """
    item_id = str(item_json.get("num_iid", "?"))
    try:
        item = TopItem.model_validate(item_json)
    except ValidationError as exc:
        raise validation_problem(item_id, exc, whole="item") from None
    if not (item.title or "").strip():
        raise ParseProblem(
            item_id=item_id, field="title", reason="the item has no title; give it one on Taobao"
        )
    parser = _ItemParser(item)
    skus, sku_pids = parser.skus()
    try:
        return Listing.model_validate(
            {
                "platform": SourcePlatform.TMALL if tmall else SourcePlatform.TAOBAO,
                "shop_id": shop_id,
                "source_item_id": item_id,
                "title": item.title or "",
                "selling_point": item.sell_point or item.sub_title or None,
                "category": SourceCategory(ids=(str(item.cid),) if item.cid else ()),
                "props": parser.item_props(sku_pids),
                "skus": skus,
                "main_images": _main_images(item),
                "detail_images": _detail_images(item.desc),
                "video_url": _video_url(item),
                "description_html": item.desc or None,
                "origin_url": origin_url(item.num_iid, tmall=tmall),
                "status": parser.status(),
                "seller_name": item.nick or None,
                "modified_at": _top_time(item, item_id, "modified"),
                "listed_at": _top_time(item, item_id, "list_time"),
                "sales": item.sold_quantity,
                "raw": item_json,
            }
        )
    except ValidationError as exc:
        raise validation_problem(item_id, exc, whole="item") from None


def parse_item(item_json: dict[str, Any], *, shop_id: str, tmall: bool = False) -> Listing:
    """One TOP `Item` dict (taobao.item.seller.get's "item") as a canonical `Listing`.

    `tmall` picks the Tmall origin URL and platform: a TOP id does not say which marketplace it is
    on. Raises `ParseProblem` for any item it cannot take, also when the parser itself fails.
    """
    try:
        return _parse_item(item_json, shop_id=shop_id, tmall=tmall)
    except ParseProblem:
        raise
    except Exception as exc:
        item_id = item_json.get("num_iid") if isinstance(item_json, dict) else None
        raise parser_failure(str(item_id or "?")[:40], exc, platform="Taobao") from exc
