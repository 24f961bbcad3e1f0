"""A strict emulator of the Taobao Open Platform (TOP) gateway for the item-reading methods.

It checks what the real gateway checks, in the same order, and answers with TOP's own envelope
(`{"error_response": {code, msg, sub_code, sub_msg}}`, HTTP 200): app key, timestamp, format,
version, sign_method and sign (md5, hmac and hmac-sha256, recomputed over exactly the params
received), the seller's session, then each method's arguments and documented limits (page_size ≤
200, paging depth 20,000 rows, ≤ 20 ids per batch). `taobao.items.seller.list.get` silently omits
unknown ids and, to emulate the documented silent omission, a deterministic ~2% of valid ids that
item.seller.get still returns. Faults are injected on demand and every call is logged in `calls`.

items.onsale.get filters on `start_modified`/`end_modified` (inclusive, GMT+8 wall clock) and orders
by `order_by` (default `list_time:desc`, ties by num_iid), with `total_results` counted per window.
A shop is generated once per (shop, base URL) and indexed: on-sale rows sorted by `modified` (a
window is two bisections), details by num_iid, so a 100,000-item shop costs O(page) per request.
Between runs, a test changes the shop with `edit_items` and `delist`; those changes are kept per
shop on top of the generated catalog and replayed in order on every view of it, so the shop stays
deterministic apart from them.

Codes 7, 11, 15, 25, 26/27, 40/41 follow reference/source-platforms.md §1.1; the others (21/22
method, 23 format, 28/29 app key, 30/31 timestamp, 32/34 version) and all sub codes are modelled on
TOP's published table but not checked against a live gateway.

Mounted by the sandbox server under `/taobao`:
`POST /taobao/router/rest`, `GET /taobao/img/<name>.jpg` and `GET /taobao/video/<name>` (videos.py);
items name them under Taobao's CDN host (media_hosts.py).
"""

from __future__ import annotations

import hashlib
import hmac
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors.taobao.signing import SIGN_METHODS, sign
from listings.china_time import CHINA_TZ
from sandbox.credentials import TAOBAO_APP_KEY, TAOBAO_APP_SECRET, TAOBAO_SESSIONS
from sandbox.faults import FaultQueue
from sandbox.forms import read_form_or_nothing
from sandbox.guard import guarded
from sandbox.media_hosts import TAOBAO_MEDIA_ORIGIN
from sandbox.taobao_catalog import catalog_num_iids, generate_catalog
from sandbox.taobao_images import render_image
from sandbox.videos import video_response

__all__ = [
    "DEFAULT_SHOP_SIZES",
    "MAX_DEPTH",
    "FaultKind",
    "SandboxCall",
    "TaobaoSandbox",
    "TopFault",
    "build_taobao_app",
]

_TOP_TIME = "%Y-%m-%d %H:%M:%S"
DEFAULT_SHOP_SIZES: dict[str, int] = {"demo-taobao-shop": 200, "demo-tmall-shop": 40}
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 40
MAX_DEPTH = 20_000
"""items.onsale.get refuses page_no*page_size beyond this (reference §1.1, the page_size note)."""
MAX_BATCH = 20
DEFAULT_ORDER = ("list_time", True)
# Columns `order_by` may name (TOP's doc: list_time, delist_time, num, modified, sold_quantity),
# each with the value an item without it sorts as.
ORDER_COLUMNS: dict[str, Any] = {
    "list_time": "", "delist_time": "", "modified": "", "num": 0, "sold_quantity": 0,
}  # fmt: skip
_ORDER_CACHE_SIZE = 32

FaultKind = Literal["isp", "5xx", "throttle"]

# The columns items.onsale.get may return (reference §1.1); anything else in `fields` is ignored.
ONSALE_COLUMNS = frozenset(
    {
        "approve_status", "num_iid", "title", "nick", "type", "cid", "pic_url", "num", "props",
        "valid_thru", "list_time", "price", "modified", "delist_time", "postage_id", "seller_cids",
        "outer_id", "sold_quantity", "has_discount", "has_invoice", "has_warranty", "has_showcase",
    }
)  # fmt: skip
# In `fields` TOP names arrays by their element (`sku`); the item carries them plural (`skus`).
FIELD_KEYS = {"sku": "skus", "item_img": "item_imgs", "prop_img": "prop_imgs", "video": "videos"}


class TopFault(Exception):
    """An error the gateway answers with, as TOP's `error_response`."""

    def __init__(
        self, code: int, msg: str, *, sub_code: str | None = None, sub_msg: str | None = None
    ) -> None:
        super().__init__(f"{code} {msg} {sub_code or ''} {sub_msg or ''}".strip())
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg

    def body(self, request_id: str) -> dict[str, Any]:
        inner: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.sub_code:
            inner["sub_code"] = self.sub_code
        if self.sub_msg:
            inner["sub_msg"] = self.sub_msg
        inner["request_id"] = request_id
        return {"error_response": inner}


def _missing(name: str) -> TopFault:
    return TopFault(
        40, f"Missing required arguments:{name}", sub_code="isv.missing-parameter", sub_msg=name
    )


def _invalid(name: str, why: str) -> TopFault:
    return TopFault(41, f"Invalid arguments:{name}", sub_code="isv.invalid-parameter", sub_msg=why)


EditKind = Literal["edit", "delist"]


@dataclass(frozen=True)
class _ShopChange:
    """One `edit_items`/`delist` call, replayed on every view of the shop (in order)."""

    kind: EditKind
    num_iids: tuple[int, ...]
    stamp: str


@dataclass
class _ShopView:
    """One shop's items as served at one base URL, with the indexes that keep a request O(page).

    `items` is the catalog in generation order (what `TaobaoSandbox.catalog` returns, edits
    applied in place); `by_id` serves the detail calls; the on-sale index, (modified, num_iid)
    sorted, turns a modified window into two bisections. For other orders each on-sale item gets
    its rank in the whole shop once; a window is sorted by rank (a C-level key) and cached, so
    paging through a window sorts it once, not once per page.
    """

    items: list[dict[str, Any]]
    by_id: dict[int, dict[str, Any]] = field(init=False)
    _onsale: list[tuple[str, int]] | None = field(default=None, init=False)
    _orders: dict[tuple[int, int, str, bool], list[int]] = field(default_factory=dict, init=False)
    _ranks: dict[str, dict[int, int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.by_id = {item["num_iid"]: item for item in self.items}

    def changed(self) -> None:
        """Drop the indexes after an edit; the next request rebuilds them."""
        self._onsale = None
        self._orders.clear()
        self._ranks.clear()

    def _index(self) -> list[tuple[str, int]]:
        if self._onsale is None:
            self._onsale = sorted(
                (item["modified"], item["num_iid"])
                for item in self.items
                if item["approve_status"] == "onsale"
            )
        return self._onsale

    def onsale_page(
        self,
        *,
        start: str | None,
        end: str | None,
        order: tuple[str, bool],
        offset: int,
        limit: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total_results of the window, the items of one page of it)."""
        index = self._index()
        low = 0 if start is None else bisect_left(index, start, key=_modified_of)
        high = len(index) if end is None else bisect_right(index, end, key=_modified_of)
        high = max(low, high)
        total = high - low
        column, descending = order
        if column == "modified":
            if descending:
                stop, begin = high - offset, max(low, high - offset - limit)
                ids = [num_iid for _, num_iid in reversed(index[begin : max(begin, stop)])]
            else:
                ids = [
                    num_iid for _, num_iid in index[low + offset : min(high, low + offset + limit)]
                ]
        else:
            ids = self._ordered(low, high, column, descending)[offset : offset + limit]
        return total, [self.by_id[num_iid] for num_iid in ids]

    def _ordered(self, low: int, high: int, column: str, descending: bool) -> list[int]:
        key = (low, high, column, descending)
        ordered = self._orders.get(key)
        if ordered is None:
            ordered = sorted(
                (num_iid for _, num_iid in self._index()[low:high]),
                key=self._rank(column).__getitem__,
                reverse=descending,
            )
            if len(self._orders) >= _ORDER_CACHE_SIZE:
                self._orders.pop(next(iter(self._orders)))
            self._orders[key] = ordered
        return ordered

    def _rank(self, column: str) -> dict[int, int]:
        """num_iid → position of the on-sale item in the shop ordered by (column, num_iid)."""
        rank = self._ranks.get(column)
        if rank is None:
            missing = ORDER_COLUMNS[column]
            by_id = self.by_id
            ordered = sorted(
                (num_iid for _, num_iid in self._index()),
                key=lambda num_iid: (by_id[num_iid].get(column, missing), num_iid),
            )
            rank = self._ranks[column] = {num_iid: place for place, num_iid in enumerate(ordered)}
        return rank

    def apply(self, change: _ShopChange) -> None:
        for num_iid in change.num_iids:
            item = self.by_id[num_iid]
            if change.kind == "edit":
                _edit_item(item, change.stamp)
            else:
                item["approve_status"] = "instock"
                item["delist_time"] = change.stamp
                item["modified"] = change.stamp
        self.changed()


def _modified_of(entry: tuple[str, int]) -> str:
    return entry[0]


def _plus_one_yuan(price: str) -> str:
    return str((Decimal(price) + 1).quantize(Decimal("0.01")))


def _edit_item(item: dict[str, Any], stamp: str) -> None:
    """What a seller's edit looks like to a reader: the price moves up ¥1 (item and every SKU)
    and `modified` moves to the edit's time."""
    item["price"] = _plus_one_yuan(item["price"])
    skus = (item.get("skus") or {}).get("sku")
    if skus:
        item["skus"] = {"sku": [{**sku, "price": _plus_one_yuan(sku["price"])} for sku in skus]}
    item["modified"] = stamp


@dataclass(frozen=True)
class SandboxCall:
    """One request as the emulator saw it: the method, the seller, the params and the outcome."""

    method: str
    shop_id: str | None
    params: dict[str, str]
    error_code: int | None
    http_status: int = 200
    fault: str | None = None


class TaobaoSandbox:
    """The emulator's state: one TOP app, its sellers' sessions and shops, faults, the call log.

    `sessions` maps session key → shop id, `shop_sizes` shop id → number of generated items.
    `omission_percent` of valid ids are silently left out of items.seller.list.get answers;
    `max_clock_skew` is how far a request's timestamp may be from now (None: not checked).
    `max_depth` is the paging depth of items.onsale.get (TOP's 20,000; tests lower it to stay
    fast); `clock` is the emulator's now (GMT+8), for the timestamp check and for edits.
    """

    def __init__(
        self,
        *,
        app_key: str = TAOBAO_APP_KEY,
        app_secret: str = TAOBAO_APP_SECRET,
        sessions: dict[str, str] | None = None,
        shop_sizes: dict[str, int] | None = None,
        seed: int = 7,
        omission_percent: int = 2,
        max_clock_skew: timedelta | None = timedelta(minutes=10),
        max_depth: int = MAX_DEPTH,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.sessions = dict(TAOBAO_SESSIONS if sessions is None else sessions)
        self.shop_sizes = dict(DEFAULT_SHOP_SIZES if shop_sizes is None else shop_sizes)
        self.seed = seed
        self.omission_percent = omission_percent
        self.max_clock_skew = max_clock_skew
        self.max_depth = max_depth
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(CHINA_TZ))
        self.calls: list[SandboxCall] = []
        self._faults: FaultQueue[FaultKind] = FaultQueue(get_args(FaultKind))
        self._views: dict[tuple[str, str], _ShopView] = {}
        self._changes: defaultdict[str, list[_ShopChange]] = defaultdict(list)
        self._known_ids: dict[str, frozenset[int]] = {}
        self._request_no = 0

    # -- faults and log --------------------------------------------------------------------------

    def fail_next(self, method: str, kind: FaultKind, *, times: int = 1) -> None:
        """Make the next `times` authenticated calls of `method` fail with `kind`.

        "isp": a retryable isp.* remote-service error; "5xx": HTTP 502 from the gateway;
        "throttle": code 7, the call limit.
        """
        self._faults.queue(method, kind, times=times)

    def calls_to(self, method: str) -> list[SandboxCall]:
        return [call for call in self.calls if call.method == method]

    def _next_fault(self, method: str) -> FaultKind | None:
        return self._faults.take(method)

    def _request_id(self) -> str:
        self._request_no += 1
        return f"sandbox{self.seed:x}{self._request_no:08d}"

    # -- catalogs --------------------------------------------------------------------------------

    def catalog(self, shop_id: str, *, base_url: str) -> list[dict[str, Any]]:
        """The shop's items (on sale and in stock) as they are now: generated once per
        (shop, base URL), with every edit and delisting since applied."""
        return self._view(shop_id, base_url).items

    def _view(self, shop_id: str, base_url: str) -> _ShopView:
        key = (shop_id, base_url)
        view = self._views.get(key)
        if view is None:
            view = _ShopView(
                generate_catalog(
                    shop_id=shop_id,
                    size=self.shop_sizes.get(shop_id, 0),
                    seed=self.seed,
                    base_url=base_url,
                )
            )
            for change in self._changes[shop_id]:
                view.apply(change)
            self._views[key] = view
        return view

    def _index(self, shop_id: str, base_url: str) -> dict[int, dict[str, Any]]:
        return self._view(shop_id, base_url).by_id

    # -- changes between runs --------------------------------------------------------------------

    def edit_items(
        self, shop_id: str, num_iids: Iterable[int], *, at: datetime | None = None
    ) -> str:
        """The seller edits these items: price +¥1 (item and SKUs), `modified` = `at` or now.

        Returns the `modified` the items now carry ("yyyy-MM-dd HH:mm:ss", GMT+8; a naive `at`
        is taken as GMT+8). Unknown ids raise ValueError: a test should not edit what is not there.
        """
        return self._change("edit", shop_id, num_iids, at=at)

    def delist(self, shop_id: str, num_iids: Iterable[int], *, at: datetime | None = None) -> str:
        """The seller takes these items off the shelf (approve_status → instock).

        They leave items.onsale.get; item.seller.get and items.seller.list.get still return them,
        as TOP does for a seller's own 仓库中 items. `modified` and `delist_time` move to `at`/now.
        """
        return self._change("delist", shop_id, num_iids, at=at)

    def _change(
        self, kind: EditKind, shop_id: str, num_iids: Iterable[int], *, at: datetime | None
    ) -> str:
        ids = tuple(dict.fromkeys(int(num_iid) for num_iid in num_iids))
        known = self._ids_of(shop_id)
        unknown = [num_iid for num_iid in ids if num_iid not in known]
        if unknown:
            raise ValueError(f"shop {shop_id!r} has no item(s) {unknown[:10]}")
        when = self.clock() if at is None else at
        stamp = (when.astimezone(CHINA_TZ) if when.tzinfo else when).strftime(_TOP_TIME)
        change = _ShopChange(kind, ids, stamp)
        self._changes[shop_id].append(change)
        for (view_shop, _), view in self._views.items():
            if view_shop == shop_id:
                view.apply(change)
        return stamp

    def _ids_of(self, shop_id: str) -> Collection[int]:
        """The shop's ids: from a view if one exists, else enumerated without building items."""
        for (view_shop, _), view in self._views.items():
            if view_shop == shop_id:
                return view.by_id.keys()
        if shop_id not in self._known_ids:
            self._known_ids[shop_id] = frozenset(
                catalog_num_iids(
                    shop_id=shop_id, size=self.shop_sizes.get(shop_id, 0), seed=self.seed
                )
            )
        return self._known_ids[shop_id]

    def is_silently_omitted(self, num_iid: int) -> bool:
        """Whether items.seller.list.get leaves this (valid) id out, as TOP sometimes does."""
        digest = hashlib.blake2b(f"{self.seed}:{num_iid}".encode(), digest_size=4).digest()
        return int.from_bytes(digest, "big") % 100 < self.omission_percent

    # -- gateway checks --------------------------------------------------------------------------

    def authenticate(self, params: dict[str, str]) -> str:
        """The shop id the request acts for, after every gateway check; raises TopFault."""
        if not params.get("app_key"):
            raise TopFault(28, "Missing app key")
        if params["app_key"] != self.app_key:
            raise TopFault(29, "Invalid app Key", sub_code="isv.appkey-not-exists")
        self._check_timestamp(params.get("timestamp"))
        if params.get("format", "xml") != "json":
            raise TopFault(23, "Invalid format", sub_msg="the sandbox answers format=json only")
        if not params.get("v"):
            raise TopFault(32, "Missing version")
        if params["v"] != "2.0":
            raise TopFault(34, "Unsupported version", sub_msg="use v=2.0")
        sign_method = params.get("sign_method", "md5")
        if sign_method not in SIGN_METHODS:
            raise TopFault(25, "Invalid signature", sub_msg=f"unknown sign_method {sign_method}")
        given = params.get("sign")
        if not given:
            raise TopFault(24, "Missing signature")
        expected = sign(params, secret=self.app_secret, sign_method=sign_method)  # type: ignore[arg-type]
        if not hmac.compare_digest(expected, given.upper()):
            raise TopFault(25, "Invalid signature", sub_msg="sign does not match the request")
        session = params.get("session")
        if not session:
            raise TopFault(26, "Missing session", sub_msg="this method needs the seller's session")
        if session not in self.sessions:
            raise TopFault(
                27, "Invalid session", sub_code="invalid-sessionkey", sub_msg="SessionKey非法"
            )
        return self.sessions[session]

    def _check_timestamp(self, text: str | None) -> None:
        if not text:
            raise TopFault(30, "Missing timestamp")
        try:
            if text.isdigit():
                stamp = datetime.fromtimestamp(int(text) / 1000, tz=CHINA_TZ)
            else:
                stamp = datetime.strptime(text, _TOP_TIME).replace(tzinfo=CHINA_TZ)
        except (ValueError, OverflowError, OSError):
            raise TopFault(
                31, "Invalid timestamp", sub_msg="use yyyy-MM-dd HH:mm:ss in GMT+8"
            ) from None
        if self.max_clock_skew is not None:
            skew = abs(self.clock() - stamp)
            if skew > self.max_clock_skew:
                raise TopFault(
                    31, "Invalid timestamp", sub_msg="timestamp is more than 10 minutes off"
                )

    # -- methods ---------------------------------------------------------------------------------

    def dispatch(
        self, method: str, params: dict[str, str], *, shop_id: str, base_url: str
    ) -> dict[str, Any]:
        handlers = {
            "taobao.items.onsale.get": self._items_onsale_get,
            "taobao.items.inventory.get": self._items_inventory_get,
            "taobao.item.seller.get": self._item_seller_get,
            "taobao.items.seller.list.get": self._items_seller_list_get,
        }
        return handlers[method](params, shop_id=shop_id, base_url=base_url)

    def _items_onsale_get(
        self, params: dict[str, str], *, shop_id: str, base_url: str
    ) -> dict[str, Any]:
        fields = _fields(params)
        page_no = _int_param(params, "page_no", default=1)
        page_size = _int_param(params, "page_size", default=DEFAULT_PAGE_SIZE)
        if page_no < 1:
            raise _invalid("page_no", "page_no must be 1 or more")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise _invalid("page_size", f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        if page_no * page_size > self.max_depth:
            raise _invalid(
                "page_no",
                f"page_no*page_size must not exceed {self.max_depth}; "
                "split the query by modified time",
            )
        start = _time_param(params, "start_modified")
        end = _time_param(params, "end_modified")
        total, page = self._view(shop_id, base_url).onsale_page(
            start=start,
            end=end,
            order=_order_param(params),
            offset=(page_no - 1) * page_size,
            limit=page_size,
        )
        columns = sorted({name for name in fields if name in ONSALE_COLUMNS})
        body: dict[str, Any] = {"total_results": total}
        if page:
            body["items"] = {"item": [_columns(item, columns) for item in page]}
        return {"items_onsale_get_response": body}

    def _items_inventory_get(
        self, params: dict[str, str], *, shop_id: str, base_url: str
    ) -> dict[str, Any]:
        """The seller's 仓库中 (instock) items, newest modified first, same paging rules and shape."""
        fields = _fields(params)
        page_no = _int_param(params, "page_no", default=1)
        page_size = _int_param(params, "page_size", default=DEFAULT_PAGE_SIZE)
        if page_no < 1:
            raise _invalid("page_no", "page_no must be 1 or more")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise _invalid("page_size", f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        if page_no * page_size > self.max_depth:
            raise _invalid("page_no", f"page_no*page_size must not exceed {self.max_depth}")
        view = self._view(shop_id, base_url)
        instock = sorted(
            (item for item in view.items if item["approve_status"] == "instock"),
            key=lambda item: (item["modified"], item["num_iid"]),
            reverse=True,
        )
        page = instock[(page_no - 1) * page_size : page_no * page_size]
        columns = sorted({name for name in fields if name in ONSALE_COLUMNS})
        body: dict[str, Any] = {"total_results": len(instock)}
        if page:
            body["items"] = {"item": [_columns(item, columns) for item in page]}
        return {"items_inventory_get_response": body}

    def _item_seller_get(
        self, params: dict[str, str], *, shop_id: str, base_url: str
    ) -> dict[str, Any]:
        fields = _fields(params)
        num_iid = _int_param(params, "num_iid")
        item = self._index(shop_id, base_url).get(num_iid)
        if item is None:
            raise TopFault(
                15,
                "Remote service error",
                sub_code="isv.item-not-exist",
                sub_msg=f"商品 {num_iid} 不存在或不属于当前卖家",
            )
        return {"item_seller_get_response": {"item": _project(item, _detail_keys(fields))}}

    def _items_seller_list_get(
        self, params: dict[str, str], *, shop_id: str, base_url: str
    ) -> dict[str, Any]:
        raw_ids = params.get("num_iids", "").strip()
        if not raw_ids:
            raise _missing("num_iids")
        fields = _fields(params)
        try:
            ids = [int(part) for part in raw_ids.split(",") if part.strip()]
        except ValueError:
            raise _invalid("num_iids", "num_iids must be comma-separated numeric ids") from None
        if len(ids) > MAX_BATCH:
            raise _invalid("num_iids", f"num_iids holds {len(ids)} ids; at most {MAX_BATCH}")
        index = self._index(shop_id, base_url)
        keys = _detail_keys(fields)
        items = [
            _project(index[num_iid], keys)
            for num_iid in ids
            if num_iid in index and not self.is_silently_omitted(num_iid)
        ]
        body: dict[str, Any] = {"items": {"item": items}} if items else {}
        return {"items_seller_list_get_response": body}

    # -- one request -----------------------------------------------------------------------------

    def handle(self, params: dict[str, str], *, base_url: str) -> tuple[int, dict[str, Any] | str]:
        """Status and body for one gateway request; every outcome lands in `calls`."""
        method = params.get("method", "")
        shop_id: str | None = None
        request_id = self._request_id()
        try:
            if not method:
                raise TopFault(21, "Missing method")
            if method not in _METHODS:
                raise TopFault(22, "Invalid method", sub_msg=f"{method} is not emulated")
            shop_id = self.authenticate(params)
            fault = self._next_fault(method)
            if fault == "5xx":
                self.calls.append(SandboxCall(method, shop_id, params, None, 502, fault))
                return 502, "502 Bad Gateway"
            if fault == "throttle":
                raise TopFault(
                    7,
                    "App Call Limited",
                    sub_code="accesscontrol.limited-by-api-access-count",
                    sub_msg="This ban will last for 1 more seconds",
                )
            if fault == "isp":
                raise TopFault(
                    15,
                    "Remote service error",
                    sub_code="isp.top-remote-connection-timeout",
                    sub_msg="远程服务调用超时",
                )
            body = self.dispatch(method, params, shop_id=shop_id, base_url=base_url)
        except TopFault as error:
            self.calls.append(SandboxCall(method, shop_id, params, error.code))
            return 200, error.body(request_id)
        next(iter(body.values()))["request_id"] = request_id
        self.calls.append(SandboxCall(method, shop_id, params, None))
        return 200, body


_METHODS = frozenset(
    {
        "taobao.items.onsale.get",
        "taobao.items.inventory.get",
        "taobao.item.seller.get",
        "taobao.items.seller.list.get",
    }
)


def _fields(params: dict[str, str]) -> list[str]:
    text = params.get("fields", "").strip()
    if not text:
        raise _missing("fields")
    return [name.strip() for name in text.split(",") if name.strip()]


def _detail_keys(fields: list[str]) -> set[str]:
    """Item keys for a detail `fields` list: `sku` → `skus`, `sku.price` → `skus` (whole SKUs)."""
    keys = set()
    for name in fields:
        base = name.split(".", 1)[0]
        keys.add(FIELD_KEYS.get(base, base))
    return keys


def _columns(item: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """A list row: a few columns looked up, not every key of the item scanned."""
    return {name: item[name] for name in columns if name in item}


def _project(item: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key in keys}


def _int_param(params: dict[str, str], name: str, *, default: int | None = None) -> int:
    text = params.get(name, "").strip()
    if not text:
        if default is None:
            raise _missing(name)
        return default
    try:
        return int(text)
    except ValueError:
        raise _invalid(name, f"{name} must be a whole number") from None


def _time_param(params: dict[str, str], name: str) -> str | None:
    """The time, re-formatted so string order is time order ("2025-6-1 ..." parses too)."""
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, _TOP_TIME).strftime(_TOP_TIME)
    except ValueError:
        raise _invalid(name, f"{name} must be yyyy-MM-dd HH:mm:ss") from None


def _order_param(params: dict[str, str]) -> tuple[str, bool]:
    """`order_by` "column:asc|desc" → (column, descending); TOP's default is list_time:desc."""
    text = params.get("order_by", "").strip()
    if not text:
        return DEFAULT_ORDER
    column, _, direction = text.partition(":")
    direction = direction.strip().lower() or "desc"
    if column.strip() not in ORDER_COLUMNS or direction not in ("asc", "desc"):
        raise _invalid(
            "order_by", f"order_by is column:asc|desc with column one of {sorted(ORDER_COLUMNS)}"
        )
    return column.strip(), direction == "desc"


def _catalog_base_url(request: Request) -> str:
    """The origin the catalog puts before `/taobao/img/...`: Taobao's image CDN, the same on every
    port and after every restart (media_hosts.py), never this request's own origin."""
    return TAOBAO_MEDIA_ORIGIN


def build_taobao_app(state: TaobaoSandbox) -> Starlette:
    """The TOP gateway as an ASGI app over `state`."""

    async def router_rest(request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await read_form_or_nothing(request))
        status, body = state.handle(params, base_url=_catalog_base_url(request))
        if isinstance(body, str):
            return PlainTextResponse(body, status_code=status)
        return JSONResponse(body, status_code=status)

    async def image(request: Request) -> Response:
        name = request.path_params["name"]
        if "broken" in name or not name.endswith((".jpg", ".jpeg")):
            return PlainTextResponse("404 Not Found", status_code=404)
        return Response(
            render_image(name),
            media_type="image/jpeg",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def video(request: Request) -> Response:
        return video_response(request.path_params["name"])

    return Starlette(
        middleware=guarded("taobao"),
        routes=[
            Route("/router/rest", router_rest, methods=["GET", "POST"]),
            Route("/img/{name}", image, methods=["GET"]),
            Route("/taobao/img/{name}", image, methods=["GET"]),
            Route("/video/{name}", video, methods=["GET"]),
            Route("/taobao/video/{name}", video, methods=["GET"]),
        ],
    )
