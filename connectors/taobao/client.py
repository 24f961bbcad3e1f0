"""An async client for the Taobao Open Platform (TOP) item APIs a shop move needs.

Reading a shop is "list first, then detail": `taobao.items.onsale.get` pages through the on-sale ids
(list columns only, ≤200 a page, at most 20,000 rows deep), then `taobao.items.seller.list.get`
fetches full items ≤20 at a time. A shop deeper than 20,000 on-sale items is listed window by
window (`iter_onsale_split`): the modified-time range is halved until each window fits the depth.
The batch call silently omits ids it does not return, so every omission is re-asked one by one
with `taobao.item.seller.get`, and an id that is still missing is reported back, never dropped.
Reads are retried on retryable errors only; the app secret and the seller's session never appear
in an exception or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.http import (
    DEFAULT_TIMEOUT,
    PlatformClient,
    Redactor,
    build_async_client,
    json_object,
    post_form,
    raise_for_transport_status,
    top_style_payload,
)
from connectors.taobao.errors import (
    TaobaoBusinessError,
    TaobaoDepthLimitError,
    TaobaoResponseError,
    error_from_response,
)
from connectors.taobao.models import OnsalePage
from connectors.taobao.signing import SIGN_METHODS, SignMethod, sign
from listings.china_time import CHINA_TZ

__all__ = [
    "DETAIL_FIELDS",
    "MAX_BATCH",
    "MAX_DEPTH",
    "MAX_PAGE_SIZE",
    "ONSALE_FIELDS",
    "ONSALE_FLOOR",
    "PRODUCTION_URL",
    "PRODUCTION_URL_HTTP",
    "ItemDetails",
    "TaobaoClient",
]

logger = logging.getLogger(__name__)

PRODUCTION_URL: Final = "https://eco.taobao.com/router/rest"
PRODUCTION_URL_HTTP: Final = "http://gw.api.taobao.com/router/rest"
MAX_PAGE_SIZE: Final = 200
MAX_BATCH: Final = 20
MAX_DEPTH: Final = 20_000
"""items.onsale.get fails past page_no*page_size = 20k (page_size note; the page_no note: 100k)."""
ONSALE_FLOOR: Final = datetime(2003, 1, 1, tzinfo=CHINA_TZ)
"""Where a split crawl with no start_modified begins: no Taobao item is older than Taobao (2003)."""
MAX_WINDOW_PASSES: Final = 3
"""How often one window is re-paged when rows moved while it was paged (see iter_onsale_split)."""

ONSALE_FIELDS: Final = (
    "num_iid,title,nick,cid,price,num,approve_status,pic_url,modified,list_time,outer_id"
)
DETAIL_FIELDS: Final = (
    "num_iid,title,nick,cid,seller_cids,price,num,with_hold_quantity,approve_status,outer_id,"
    "sub_title,sell_point,props,props_name,property_alias,input_pids,input_str,pic_url,desc,"
    "modified,list_time,sold_quantity,sku,item_img,prop_img,video,mpic_video"
)
"""`fields` names arrays singular (`sku`, `item_img`); the item carries them plural (`skus`)."""

_TOP_TIME = "%Y-%m-%d %H:%M:%S"


class ItemDetails(BaseModel):
    """Full items in the order asked for, plus the ids TOP would not return even one by one."""

    model_config = ConfigDict(frozen=True)

    items: list[dict[str, Any]] = Field(default_factory=list)
    missing_ids: list[int] = Field(default_factory=list)


def _top_time(value: datetime) -> str:
    """TOP wants wall-clock GMT+8; aware datetimes are converted, naive ones are taken as GMT+8."""
    if value.tzinfo is not None:
        value = value.astimezone(CHINA_TZ)
    return value.strftime(_TOP_TIME)


def _with_num_iid(fields: str) -> str:
    """Rows are keyed by num_iid, so it is always asked for."""
    names = [name.strip() for name in fields.split(",") if name.strip()]
    return ",".join(names if "num_iid" in names else ["num_iid", *names])


def _with_modified(fields: str) -> str:
    """A split crawl keeps the newest row of an id by its `modified`, so it is always asked for."""
    names = [name.strip() for name in _with_num_iid(fields).split(",") if name.strip()]
    return ",".join(names if "modified" in names else [*names, "modified"])


def _top_second(value: datetime) -> datetime:
    """An aware GMT+8 instant on TOP's one-second grid (naive input is taken as GMT+8)."""
    aware = value.astimezone(CHINA_TZ) if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
    return aware.replace(microsecond=0)


class _TooDeep(Exception):
    """A window holds more rows than one query can page through: halve it."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self.total = total


class _Window:
    """An inclusive [start, end] range of modified times, whole seconds (TOP's resolution)."""

    __slots__ = ("end", "start")

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        self.end = end

    def __str__(self) -> str:
        if self.start == self.end:
            return _top_time(self.start)
        return f"{_top_time(self.start)} .. {_top_time(self.end)}"

    def halves(self) -> tuple[_Window, _Window] | None:
        """(older, newer) halves, or None when the window is a single second."""
        seconds = int((self.end - self.start).total_seconds())
        if seconds < 1:
            return None
        middle = self.start + timedelta(seconds=seconds // 2)
        return _Window(self.start, middle), _Window(middle + timedelta(seconds=1), self.end)


def _chunks(ids: Sequence[int], size: int) -> list[Sequence[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


class TaobaoClient(PlatformClient):
    """One seller's view of TOP: an app (key + secret) acting with that seller's session key.

    Production and sandbox differ only by `base_url` (and `transport` in tests).
    """

    def __init__(
        self,
        *,
        base_url: str,
        app_key: str,
        app_secret: str,
        session: str,
        sign_method: SignMethod = "hmac-sha256",
        transport: httpx.AsyncBaseTransport | None = None,
        rate_per_second: float | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry_attempts: int = 5,
        clock: Callable[[], datetime] | None = None,
        max_depth: int | None = None,
    ) -> None:
        """`max_depth` is how deep items.onsale.get pages (None: TOP's documented `MAX_DEPTH`);
        lower it only against an emulator that has the same lower cap."""
        if sign_method not in SIGN_METHODS:
            raise ValueError(f"sign_method must be one of {SIGN_METHODS}, not {sign_method!r}")
        self._url = base_url
        self._app_key = app_key
        self._secret = app_secret
        self._session = session
        self._sign_method: SignMethod = sign_method
        self._attempts = retry_attempts
        self._clock = clock or (lambda: datetime.now(CHINA_TZ))
        self._max_depth = max_depth
        self._redact = Redactor([app_secret, session])
        self._http = build_async_client(
            base_url=base_url, transport=transport, rate_per_second=rate_per_second, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"TaobaoClient(base_url={self._url!r}, app_key={self._app_key!r})"

    # -- the wire -------------------------------------------------------------------------------

    def _signed_params(self, method: str, params: Mapping[str, object]) -> dict[str, str]:
        """System + business params, signed; a fresh timestamp per attempt, so no retry is stale."""
        form: dict[str, str] = {
            "method": method,
            "app_key": self._app_key,
            "session": self._session,
            "timestamp": _top_time(self._clock()),
            "format": "json",
            "v": "2.0",
            "sign_method": self._sign_method,
        }
        for key, value in params.items():
            if value is not None and str(value).strip() != "":
                form[key] = str(value)
        form["sign"] = sign(form, secret=self._secret, sign_method=self._sign_method)
        return form

    async def _call_once(self, method: str, params: Mapping[str, object]) -> dict[str, Any]:
        response = await post_form(self._http, self._url, self._signed_params(method, params))
        raise_for_transport_status(response, error=TaobaoResponseError)
        body = json_object(response, error=TaobaoResponseError, what=f"TOP for {method}")
        return top_style_payload(
            body,
            method=method,
            prefix="taobao.",
            error=TaobaoResponseError,
            parse_error=lambda b: error_from_response(b, method=method, redact=self._redact),
        )

    async def call(
        self, method: str, params: Mapping[str, object] | None = None, *, retry: bool = True
    ) -> dict[str, Any]:
        """Call one TOP method and return its `<method>_response` object.

        `retry=True` is for reads: retryable errors (isp.*, call limit, 5xx, network) are sent again
        with backoff. Anything that changes the shop must pass `retry=False`.
        """
        args = dict(params or {})
        return await self._sent(lambda: self._call_once(method, args), retry=retry)

    # -- listing --------------------------------------------------------------------------------

    @property
    def max_depth(self) -> int:
        """How many rows deep items.onsale.get lets anyone page (read when used, not when built)."""
        return MAX_DEPTH if self._max_depth is None else self._max_depth

    async def iter_inventory(
        self, *, fields: str = ONSALE_FIELDS, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[dict[str, Any]]:
        """Every 仓库中 (instock) row of `taobao.items.inventory.get`, each id once.

        Same list columns and depth cap as items.onsale.get; a warehouse deeper than the cap
        raises TaobaoDepthLimitError rather than being read partially.
        """
        seen: set[int] = set()
        page_no = 1
        while True:
            if page_no * page_size > self.max_depth:
                raise TaobaoDepthLimitError(
                    f"the warehouse holds more than {self.max_depth} items: "
                    "items.inventory.get cannot page deeper"
                )
            payload = await self.call(
                "taobao.items.inventory.get",
                {"fields": _with_num_iid(fields), "page_no": page_no, "page_size": page_size},
            )
            rows = (payload.get("items") or {}).get("item") or []
            for row in rows:
                if int(row["num_iid"]) not in seen:
                    seen.add(int(row["num_iid"]))
                    yield row
            if not rows or page_no * page_size >= int(payload.get("total_results") or 0):
                return
            page_no += 1

    async def onsale_page(
        self,
        *,
        page_no: int,
        page_size: int = MAX_PAGE_SIZE,
        fields: str = ONSALE_FIELDS,
        start_modified: datetime | None = None,
        end_modified: datetime | None = None,
    ) -> OnsalePage:
        """One page of the seller's on-sale items (list columns only: no desc, no SKUs)."""
        payload = await self.call(
            "taobao.items.onsale.get",
            {
                "fields": _with_num_iid(fields),
                "page_no": page_no,
                "page_size": page_size,
                "start_modified": _top_time(start_modified) if start_modified else None,
                "end_modified": _top_time(end_modified) if end_modified else None,
            },
        )
        rows = (payload.get("items") or {}).get("item") or []
        try:
            return OnsalePage(
                page_no=page_no,
                page_size=page_size,
                total_results=int(payload.get("total_results") or 0),
                items=tuple(rows),
            )
        except (ValidationError, ValueError, TypeError) as exc:
            raise TaobaoResponseError(
                f"items.onsale.get page {page_no} is not the documented shape: {exc}"
            ) from None

    async def iter_onsale(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        fields: str = ONSALE_FIELDS,
        start_modified: datetime | None = None,
        end_modified: datetime | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every on-sale row of the window, page after page, as TOP sent it.

        Rows shift while we page (an item listed meanwhile pushes the others down), so an id already
        yielded is skipped. A window deeper than TOP lets anyone page raises `TaobaoDepthLimitError`
        up front instead of returning a silently truncated shop: narrow start/end_modified.
        """
        seen: set[int] = set()
        page_no = 1
        while True:
            page = await self.onsale_page(
                page_no=page_no,
                page_size=page_size,
                fields=fields,
                start_modified=start_modified,
                end_modified=end_modified,
            )
            if page_no == 1 and page.total_results > self.max_depth:
                raise TaobaoDepthLimitError(
                    f"{page.total_results} on-sale items in one window exceed TOP's paging depth "
                    f"of {self.max_depth}; split the crawl by start_modified/end_modified "
                    "(iter_onsale_split does)"
                )
            for row in page.items:
                num_iid = int(row["num_iid"])
                if num_iid not in seen:
                    seen.add(num_iid)
                    yield row
            if not page.items or page_no * page_size >= page.total_results:
                return
            page_no += 1

    async def iter_onsale_split(
        self,
        *,
        start_modified: datetime | None,
        end_modified: datetime | None,
        fields: str = ONSALE_FIELDS,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every on-sale row modified in [start_modified, end_modified], however deep the shop.

        TOP pages a query only 20,000 rows deep, so a window whose `total_results` is deeper is
        halved by modified time, recursively, down to one second (TOP's resolution); a single
        second that still holds more raises `TaobaoDepthLimitError` naming it, since onsale.get
        cannot read it at all. A None start is `ONSALE_FLOOR`, a None end the client's clock now.

        Each id is yielded once, with its newest `modified` (always asked for). Windows are read
        newest first, so a row that moved between windows while we paged is met first in its
        newer window. Within a window, rows shift when an item leaves it (an edit moves it past
        `end`) or enters it, which can push an unchanged row past a page boundary; so a window is
        re-paged until a pass sees a steady `total_results` and that many distinct ids.
        """
        names = _with_modified(fields)
        start = _top_second(start_modified or ONSALE_FLOOR)
        end = _top_second(end_modified or self._clock())
        page_size = min(page_size, self.max_depth)
        capacity = (self.max_depth // page_size) * page_size  # page_no*page_size stays ≤ the cap
        yielded: set[int] = set()
        pending = [_Window(start, end)] if start <= end else []
        while pending:
            window = pending.pop()
            try:
                rows = await self._read_window(
                    window, fields=names, page_size=page_size, capacity=capacity
                )
            except _TooDeep as deep:
                halves = window.halves()
                if halves is None:
                    raise TaobaoDepthLimitError(
                        f"{deep.total} on-sale items share the modified time {window} (GMT+8), "
                        f"more than one items.onsale.get query pages through ({capacity} rows "
                        f"at page_size {page_size}; TOP's depth is {self.max_depth}): they cannot "
                        "be listed through taobao.items.onsale.get"
                    ) from None
                logger.debug("onsale window %s holds %d rows: halved", window, deep.total)
                pending.extend(halves)  # the newer half is popped (read) first
                continue
            for num_iid, row in rows.items():
                if num_iid not in yielded:
                    yielded.add(num_iid)
                    yield row

    async def _read_window(
        self, window: _Window, *, fields: str, page_size: int, capacity: int
    ) -> dict[int, dict[str, Any]]:
        """The window's rows by id (newest `modified` kept); `_TooDeep` when it cannot be paged."""
        rows: dict[int, dict[str, Any]] = {}
        for attempt in range(1, MAX_WINDOW_PASSES + 1):
            seen: set[int] = set()
            totals: set[int] = set()
            page_no = 1
            while True:
                page = await self.onsale_page(
                    page_no=page_no,
                    page_size=page_size,
                    fields=fields,
                    start_modified=window.start,
                    end_modified=window.end,
                )
                if page.total_results > capacity:
                    raise _TooDeep(page.total_results)
                totals.add(page.total_results)
                for row in page.items:
                    num_iid = int(row["num_iid"])
                    seen.add(num_iid)
                    known = rows.get(num_iid)
                    if known is None or str(row.get("modified", "")) > str(
                        known.get("modified", "")
                    ):
                        rows[num_iid] = row
                if not page.items or page_no * page_size >= page.total_results:
                    break
                page_no += 1
            if len(totals) == 1 and len(seen) >= totals.pop():
                return rows
            logger.info(
                "onsale window %s changed while paged (pass %d of %d): paging it again",
                window,
                attempt,
                MAX_WINDOW_PASSES,
            )
        raise TaobaoResponseError(
            f"the on-sale items modified in {window} kept changing over {MAX_WINDOW_PASSES} "
            "passes; list them again later",
            retryable=True,
        )

    # -- detail ---------------------------------------------------------------------------------

    async def item_details(
        self, num_iids: Sequence[int], *, fields: str = DETAIL_FIELDS
    ) -> ItemDetails:
        """Full items for `num_iids` (≤20 per batch call), recovering silent omissions one by one.

        Items come back verbatim (raw dicts, as TOP sent them) in the order asked for; ids that
        neither call returns are listed in `missing_ids`.
        """
        wanted = list(dict.fromkeys(int(num_iid) for num_iid in num_iids))
        found: dict[int, dict[str, Any]] = {}
        for batch in _chunks(wanted, MAX_BATCH):
            payload = await self.call(
                "taobao.items.seller.list.get",
                {
                    "num_iids": ",".join(str(num_iid) for num_iid in batch),
                    "fields": _with_num_iid(fields),
                },
            )
            for item in (payload.get("items") or {}).get("item") or []:
                if isinstance(item, dict) and "num_iid" in item:
                    found.setdefault(int(item["num_iid"]), item)
        missing: list[int] = []
        for num_iid in (num_iid for num_iid in wanted if num_iid not in found):
            item = await self._item_one(num_iid, fields=fields)
            if item is None:
                missing.append(num_iid)
            else:
                found[num_iid] = item
        if missing:
            logger.warning("TOP returned no item for %d id(s): %s", len(missing), missing)
        return ItemDetails(
            items=[found[num_iid] for num_iid in wanted if num_iid in found], missing_ids=missing
        )

    async def item(self, num_iid: int, *, fields: str = DETAIL_FIELDS) -> dict[str, Any]:
        """One full item via taobao.item.seller.get (raises when TOP refuses it)."""
        payload = await self.call(
            "taobao.item.seller.get", {"num_iid": num_iid, "fields": _with_num_iid(fields)}
        )
        item = payload.get("item")
        if not isinstance(item, dict):
            raise TaobaoResponseError(f"item.seller.get for {num_iid} returned no item")
        return item

    async def _item_one(self, num_iid: int, *, fields: str) -> dict[str, Any] | None:
        """The single-item fallback: None when TOP says the item is not (or no longer) there."""
        try:
            item = await self.item(num_iid, fields=fields)
        except TaobaoBusinessError as exc:
            logger.info("item.seller.get %s refused: %s", num_iid, exc)
            return None
        return item if int(item.get("num_iid", num_iid)) == num_iid else None
