"""An async client for the Pinduoduo open-platform goods APIs a shop move needs.

Reading a shop is "list first, then detail": `pdd.goods.list.get` pages through the shop's goods
(≤100 a page, and only for a `created_at` window of at most 7 days), then `pdd.goods.detail.get`
fetches each goods in full, one id per call, a few calls at a time. A longer crawl is therefore cut
into ≤7-day windows here, so no caller has to know the limit, and an id whose detail PDD refuses is
reported back, never dropped. Reads are retried on retryable errors only; the client secret and the
shop's access token never appear in an exception or a log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
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
from connectors.pinduoduo.errors import (
    PinduoduoBusinessError,
    PinduoduoResponseError,
    error_from_response,
)
from connectors.pinduoduo.models import GoodsPage
from connectors.pinduoduo.signing import sign
from listings.china_time import CHINA_TZ

__all__ = [
    "DETAIL_CONCURRENCY",
    "MAX_PAGE_SIZE",
    "MAX_WINDOW",
    "PRODUCTION_URL",
    "GoodsDetails",
    "PinduoduoClient",
    "created_at_windows",
]

logger = logging.getLogger(__name__)

PRODUCTION_URL: Final = "https://gw-api.pinduoduo.com/api/router"
MAX_PAGE_SIZE: Final = 100
MAX_WINDOW: Final = timedelta(days=7)
"""pdd.goods.list.get: created_at_from and created_at_end at most 7 days apart."""
DETAIL_CONCURRENCY: Final = 4
"""detail.get takes one id; a few in flight keep a crawl fast without tripping the shop's QPS."""

GOODS_LIST: Final = "pdd.goods.list.get"
GOODS_DETAIL: Final = "pdd.goods.detail.get"


class GoodsDetails(BaseModel):
    """Full goods in the order asked for, plus the ids PDD refused to return (gone, not the shop's)."""

    model_config = ConfigDict(frozen=True)

    goods: list[dict[str, Any]] = Field(default_factory=list)
    missing_ids: list[int] = Field(default_factory=list)


def _unix(value: datetime | int) -> int:
    """Unix seconds; naive datetimes are taken as GMT+8 wall-clock time, as PDD's back office shows."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=CHINA_TZ)
        return int(value.timestamp())
    return int(value)


def created_at_windows(since: datetime | int, until: datetime | int) -> list[tuple[int, int]]:
    """[since, until] as inclusive (from, end) unix-second windows, each at most 7 days long.

    The next window starts one second after the last one ends, so no goods falls between two
    windows and none is listed twice.
    """
    start, stop = _unix(since), _unix(until)
    if stop < start:
        raise ValueError(f"until ({until}) is before since ({since})")
    span = int(MAX_WINDOW.total_seconds())
    windows: list[tuple[int, int]] = []
    while True:
        end = min(start + span, stop)
        windows.append((start, end))
        if end >= stop:
            return windows
        start = end + 1


class PinduoduoClient(PlatformClient):
    """One shop's view of the PDD open platform: an app (client id + secret) with the shop's token.

    Production and sandbox differ only by `base_url` (and `transport` in tests).
    """

    def __init__(
        self,
        *,
        base_url: str = PRODUCTION_URL,
        client_id: str,
        client_secret: str,
        access_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
        rate_per_second: float | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry_attempts: int = 5,
        detail_concurrency: int = DETAIL_CONCURRENCY,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if detail_concurrency < 1:
            raise ValueError("detail_concurrency must be at least 1")
        self._url = base_url
        self._client_id = client_id
        self._secret = client_secret
        self._token = access_token
        self._attempts = retry_attempts
        self._concurrency = detail_concurrency
        self._clock = clock or (lambda: datetime.now(CHINA_TZ))
        self._redact = Redactor([client_secret, access_token])
        self._http = build_async_client(
            base_url=base_url, transport=transport, rate_per_second=rate_per_second, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"PinduoduoClient(base_url={self._url!r}, client_id={self._client_id!r})"

    # -- the wire -------------------------------------------------------------------------------

    def _signed_params(self, method: str, params: Mapping[str, object]) -> dict[str, str]:
        """System + business params, signed; a fresh timestamp per attempt, so no retry is stale.

        None means "not sent"; every other value is sent and signed as its string, empty or not.
        """
        form: dict[str, str] = {
            "type": method,
            "client_id": self._client_id,
            "access_token": self._token,
            "timestamp": str(_unix(self._clock())),
            "data_type": "JSON",
            "version": "V1",
        }
        for key, value in params.items():
            if value is not None:
                form[key] = str(value)
        form["sign"] = sign(form, client_secret=self._secret)
        return form

    async def _call_once(self, method: str, params: Mapping[str, object]) -> dict[str, Any]:
        response = await post_form(self._http, self._url, self._signed_params(method, params))
        raise_for_transport_status(response, error=PinduoduoResponseError)
        body = json_object(response, error=PinduoduoResponseError, what=f"PDD for {method}")
        return top_style_payload(
            body,
            method=method,
            prefix="pdd.",
            error=PinduoduoResponseError,
            parse_error=lambda b: error_from_response(b, method=method, redact=self._redact),
        )

    async def call(
        self, method: str, params: Mapping[str, object] | None = None, *, retry: bool = True
    ) -> dict[str, Any]:
        """Call one PDD `type` and return its `<type minus pdd.>_response` object.

        `retry=True` is for reads: retryable errors (rate limit, system busy, 5xx, network) are sent
        again with backoff. Anything that changes the shop must pass `retry=False`.
        """
        args = dict(params or {})
        return await self._sent(lambda: self._call_once(method, args), retry=retry)

    # -- listing --------------------------------------------------------------------------------

    async def goods_page(
        self,
        *,
        page: int,
        page_size: int = MAX_PAGE_SIZE,
        created_at_from: datetime | int,
        created_at_end: datetime | int,
        is_onsale: int | None = None,
    ) -> GoodsPage:
        """One page of the shop's goods created in [from, end] (≤7 days apart; PDD enforces it).

        `is_onsale` 1 lists goods on the shelf only, 0 those off it, None both.
        """
        payload = await self.call(
            GOODS_LIST,
            {
                "page": page,
                "page_size": page_size,
                "created_at_from": _unix(created_at_from),
                "created_at_end": _unix(created_at_end),
                "is_onsale": is_onsale,
            },
        )
        try:
            return GoodsPage(
                page=page,
                page_size=page_size,
                total_count=int(payload.get("total_count") or 0),
                goods_list=tuple(payload.get("goods_list") or ()),
            )
        except (ValidationError, ValueError, TypeError) as exc:
            raise PinduoduoResponseError(
                f"goods.list.get page {page} is not the documented shape: {exc}"
            ) from None

    async def iter_goods(
        self,
        *,
        since: datetime | int,
        until: datetime | int,
        page_size: int = MAX_PAGE_SIZE,
        is_onsale: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every list row of goods created in [since, until], window by window, page by page.

        Windows go oldest first and are ≤7 days each (`created_at_windows`). Rows shift while we
        page (a goods listed meanwhile pushes the others down), so an id already yielded is skipped.
        """
        seen: set[int] = set()
        for start, end in created_at_windows(since, until):
            page = 1
            while True:
                result = await self.goods_page(
                    page=page,
                    page_size=page_size,
                    created_at_from=start,
                    created_at_end=end,
                    is_onsale=is_onsale,
                )
                for row in result.goods_list:
                    goods_id = int(row["goods_id"])
                    if goods_id not in seen:
                        seen.add(goods_id)
                        yield row
                if not result.goods_list or page * page_size >= result.total_count:
                    break
                page += 1

    # -- detail ---------------------------------------------------------------------------------

    async def goods_detail(self, goods_id: int) -> dict[str, Any]:
        """One goods in full (pdd.goods.detail.get), verbatim; raises when PDD refuses it."""
        payload = await self.call(GOODS_DETAIL, {"goods_id": goods_id})
        if "goods_id" not in payload:
            raise PinduoduoResponseError(f"goods.detail.get for {goods_id} returned no goods")
        return payload

    async def goods_details(self, goods_ids: Iterable[int]) -> GoodsDetails:
        """Full goods for `goods_ids`, with `detail_concurrency` workers (calls in flight).

        Goods come back verbatim in the order asked for; ids PDD answers with a business refusal
        (deleted, not this shop's) are listed in `missing_ids`. Any other error cancels the rest
        and propagates, after the retries it deserves.
        """
        wanted = list(dict.fromkeys(int(goods_id) for goods_id in goods_ids))
        found: dict[int, dict[str, Any]] = {}
        queue = iter(wanted)  # shared by the workers: next() never awaits, so no id goes twice

        async def worker() -> None:
            for goods_id in queue:
                try:
                    found[goods_id] = await self.goods_detail(goods_id)
                except PinduoduoBusinessError as exc:
                    logger.info("goods.detail.get %s refused: %s", goods_id, exc)

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self._concurrency, len(wanted))):
                    group.create_task(worker())
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None  # callers catch PinduoduoError, not a group
        missing = [goods_id for goods_id in wanted if goods_id not in found]
        if missing:
            logger.warning("PDD returned no goods for %d id(s): %s", len(missing), missing)
        return GoodsDetails(
            goods=[found[goods_id] for goods_id in wanted if goods_id in found],
            missing_ids=missing,
        )
