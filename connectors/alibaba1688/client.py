"""An async client for the 1688 AOP product APIs a move or a distribution needs.

Every call is a form POST to `{base_url}/param2/1/{namespace}/{api}/{appKey}` carrying the member's
`access_token`, `_aop_timestamp` (ms) and `_aop_signature` (signing.py). Reading is "list, then
detail":

- move (the merchant's own 1688 shop): `alibaba.product.list.get` pages the member's own offer ids
  (≤20 a page, in ID order: "如需遍历所有商品是只能使用ID排序"), then `alibaba.product.get` reads
  each one ("只能查询自己所有的产品": another member's id is refused);
- distribute (a supplier's offers): `alibaba.cross.productInfo` reads any offer the member has a
  铺货 relation with; the offer ids come from the merchant's selection, not from a list call.

Reads are retried on retryable errors only; the app secret and the access token never appear in an
exception or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import httpx
from pydantic import ValidationError

from connectors.alibaba1688.errors import (
    Alibaba1688BusinessError,
    Alibaba1688Error,
    Alibaba1688ResponseError,
    error_from_response,
    is_error_body,
)
from connectors.alibaba1688.models import ProductIdPage
from connectors.alibaba1688.signing import (
    SIGNATURE_PARAM,
    TIMESTAMP_PARAM,
    aop_signature,
    prepare_params,
    url_path,
)
from connectors.http import (
    DEFAULT_TIMEOUT,
    PlatformClient,
    Redactor,
    build_async_client,
    json_object,
    post_form,
    raise_for_transport_status,
)

__all__ = [
    "CROSS_PRODUCT_API",
    "MAX_PAGE_SIZE",
    "PRODUCTION_URL",
    "PRODUCT_GET_API",
    "PRODUCT_LIST_API",
    "PRODUCT_NAMESPACE",
    "Alibaba1688Client",
]

logger = logging.getLogger(__name__)

PRODUCTION_URL: Final = "https://gw.open.1688.com/openapi"
PRODUCT_NAMESPACE: Final = "com.alibaba.product"
PRODUCT_LIST_API: Final = "alibaba.product.list.get"
PRODUCT_GET_API: Final = "alibaba.product.get"
CROSS_PRODUCT_API: Final = "alibaba.cross.productInfo"
MAX_PAGE_SIZE: Final = 20
"""alibaba.product.list.get: "目前最大值为20，超过20时以20为准" — the gateway silently caps a bigger
page, which would break the paging arithmetic, so the client refuses one instead."""


class Alibaba1688Client(PlatformClient):
    """One member's view of 1688: an app (key + secret) acting with that member's access token.

    Production and sandbox differ only by `base_url` (the sandbox: `<sandbox>/alibaba1688/openapi`)
    and `transport` in tests.
    """

    def __init__(
        self,
        *,
        base_url: str = PRODUCTION_URL,
        app_key: str,
        app_secret: str,
        access_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
        rate_per_second: float | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry_attempts: int = 5,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._app_key = app_key
        self._secret = app_secret
        self._token = access_token
        self._attempts = retry_attempts
        self._clock = clock or (lambda: datetime.now(UTC))
        self._redact = Redactor([app_secret, access_token])
        self._http = build_async_client(
            base_url=self._base,
            transport=transport,
            rate_per_second=rate_per_second,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"Alibaba1688Client(base_url={self._base!r}, app_key={self._app_key!r})"

    # -- the wire -------------------------------------------------------------------------------

    def _signed_form(self, path: str, params: Mapping[str, object]) -> dict[str, str]:
        """Business params (falsy ones dropped, as the SDK does) + token + a fresh timestamp per
        attempt, signed over exactly what is sent."""
        form = prepare_params(params)
        form["access_token"] = self._token
        form[TIMESTAMP_PARAM] = str(int(self._clock().timestamp() * 1000))
        form[SIGNATURE_PARAM] = aop_signature(path, form, secret=self._secret)
        return form

    async def _call_once(
        self, namespace: str, api: str, params: Mapping[str, object]
    ) -> dict[str, Any]:
        path = url_path(namespace, api, self._app_key)
        name = f"{namespace}:{api}"
        response = await post_form(
            self._http, f"{self._base}/{path}", self._signed_form(path, params)
        )
        try:
            body = json_object(response, error=Alibaba1688ResponseError, what=f"1688 for {name}")
        except Alibaba1688ResponseError:
            raise_for_transport_status(response, error=Alibaba1688ResponseError)
            raise
        if is_error_body(body):
            error = error_from_response(
                body, http_status=response.status_code, api=name, redact=self._redact
            )
            if (response.status_code >= 500 or response.status_code == 429) and type(error) in (
                Alibaba1688Error,
                Alibaba1688BusinessError,
            ):
                error.retryable = True
            logger.warning("1688 %s failed: %s", name, error)
            raise error
        raise_for_transport_status(response, error=Alibaba1688ResponseError)
        if response.status_code >= 400:
            raise Alibaba1688ResponseError(
                f"HTTP {response.status_code} from 1688 for {name} without an error code"
            )
        return body

    async def call(
        self,
        namespace: str,
        api: str,
        params: Mapping[str, object] | None = None,
        *,
        retry: bool = True,
    ) -> dict[str, Any]:
        """Call one AOP API and return its JSON body (errors raised as `Alibaba1688Error`).

        `retry=True` is for reads: retryable errors (gw.* limits, 5xx, network) are sent again with
        backoff. Anything that changes the member's account must pass `retry=False`.
        """
        args = dict(params or {})
        return await self._sent(lambda: self._call_once(namespace, api, args), retry=retry)

    # -- listing (mode move) --------------------------------------------------------------------

    async def product_ids_page(
        self,
        *,
        page: int,
        page_size: int = MAX_PAGE_SIZE,
        statuses: Sequence[str] | None = ("published",),
    ) -> ProductIdPage:
        """One page of the member's own offer ids, in ascending ID order (the only order that
        traverses a whole shop).

        [I] The request and answer follow the SDK's AlibabaProductListGetParam/Result
        (`pageNo`, `pageSize`, `statusList`, `orderByCondition=ID`, `orderByType=ASC` →
        `result.pageResult{resultList, totalRecords, pageIndex, sizePerPage}`); how the gateway
        wants the `statusList` array on a form is not documented: it is sent as a JSON array.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
        if page < 1:
            raise ValueError(f"page starts at 1, not {page}")
        body = await self.call(
            PRODUCT_NAMESPACE,
            PRODUCT_LIST_API,
            {
                "pageNo": page,
                "pageSize": page_size,
                "statusList": list(statuses) if statuses else None,
                "orderByCondition": "ID",
                "orderByType": "ASC",
            },
        )
        result = body.get("result")
        if isinstance(result, dict) and is_error_body(result):
            raise error_from_response(
                result, api=f"{PRODUCT_NAMESPACE}:{PRODUCT_LIST_API}", redact=self._redact
            )
        page_result = result.get("pageResult") if isinstance(result, dict) else None
        if not isinstance(page_result, dict):
            raise Alibaba1688ResponseError(
                f"{PRODUCT_LIST_API} page {page} has no result.pageResult object"
            )
        try:
            rows = page_result.get("resultList") or []
            return ProductIdPage(
                page=page,
                page_size=page_size,
                total_records=int(page_result.get("totalRecords") or 0),
                product_ids=tuple(int(row["productID"]) for row in rows),
                last_update_times=tuple(row.get("lastUpdateTime") for row in rows),
            )
        except (ValidationError, ValueError, TypeError, KeyError) as exc:
            raise Alibaba1688ResponseError(
                f"{PRODUCT_LIST_API} page {page} is not the documented shape: {exc!r}"
            ) from None

    async def iter_product_rows(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        statuses: Sequence[str] | None = ("published",),
    ) -> AsyncIterator[tuple[int, str | None]]:
        """Every own offer as (id, lastUpdateTime), page after page, each id once."""
        seen: set[int] = set()
        page = 1
        while True:
            result = await self.product_ids_page(page=page, page_size=page_size, statuses=statuses)
            for product_id, updated in zip(
                result.product_ids,
                result.last_update_times or (None,) * len(result.product_ids),
                strict=True,
            ):
                if product_id not in seen:
                    seen.add(product_id)
                    yield product_id, updated
            if not result.product_ids or page * page_size >= result.total_records:
                return
            page += 1

    async def iter_product_ids(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        statuses: Sequence[str] | None = ("published",),
    ) -> AsyncIterator[int]:
        """Every own offer id, page after page; an id already yielded (rows shift while we page)
        is skipped."""
        async for product_id, _ in self.iter_product_rows(page_size=page_size, statuses=statuses):
            yield product_id

    # -- detail ---------------------------------------------------------------------------------

    def _product_info(self, body: dict[str, Any], *, api: str, product_id: int) -> dict[str, Any]:
        info = body.get("productInfo")
        if not isinstance(info, dict):
            raise Alibaba1688ResponseError(f"{api} for {product_id} returned no productInfo")
        return info

    async def own_product(self, product_id: int) -> dict[str, Any]:
        """The `productInfo` of one of the member's own offers (mode move), verbatim.

        alibaba.product.get "只能查询自己所有的产品": another member's offer raises
        `Alibaba1688PermissionError`.
        """
        body = await self.call(
            PRODUCT_NAMESPACE, PRODUCT_GET_API, {"productID": product_id, "webSite": "1688"}
        )
        return self._product_info(body, api=PRODUCT_GET_API, product_id=product_id)

    async def distribution_product(self, product_id: int) -> dict[str, Any]:
        """The `productInfo` of a supplier's offer for distribution (mode distribute), verbatim."""
        body = await self.call(PRODUCT_NAMESPACE, CROSS_PRODUCT_API, {"productId": product_id})
        return self._product_info(body, api=CROSS_PRODUCT_API, product_id=product_id)
