"""A thin async client for the Kuaishou shop open platform (kuaishou-api.md §6.4).

Every call goes through one gateway function. It signs the 7 system params, POSTs them form-encoded
to `/` + the method with dots as slashes, and turns anything but `result == 1` into a typed
`KuaishouError`. Retries follow DESIGN.md "Exactly-once publishing":

- reads retry on throttling, 5xx and transport errors;
- `open.supply.item.sync` retries too, because a report is idempotent per item;
- `open.item.new` is never retried. A lost answer must be resolved with
  `find_item_by_rel_item_id`, never by resending.

Every method is POSTed, also the category reads that the docs list as GET. Then the access token
never sits in a URL, where httpx's request log or a proxy log would keep it. That the gateway
accepts this is inferred from §5.1 (system params go in the form body of a POST): confirm it with
the first production call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from connectors.http import (
    Redactor,
    build_async_client,
    call_with_retries,
    raise_for_transport_status,
)
from connectors.kuaishou.errors import (
    KuaishouError,
    KuaishouNotFoundError,
    KuaishouServerError,
    KuaishouThrottledError,
    KuaishouTransportError,
    KuaishouValidationError,
    error_from_envelope,
)
from connectors.kuaishou.models import (
    Category,
    CategoryConfig,
    Envelope,
    ImageUploadResult,
    ItemInfo,
    ItemListPage,
    ItemNewParam,
    ItemNewResult,
    SupplyItem,
)
from connectors.kuaishou.rules import ImageCheck, describe, violations
from connectors.kuaishou.signing import SignMethod, dump_param, sign, sign_string

__all__ = ["PRODUCTION_BASE_URL", "KuaishouClient"]

PRODUCTION_BASE_URL = "https://openapi.kwaixiaodian.com"
API_VERSION = "1"

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return "application/octet-stream"


class KuaishouClient:
    """One merchant's (access token's) view of the open platform, for one app.

    Production and sandbox differ only in `base_url` and `transport`.
    """

    def __init__(
        self,
        *,
        base_url: str = PRODUCTION_BASE_URL,
        app_key: str,
        sign_secret: str,
        access_token: str,
        sign_method: SignMethod = "HMAC_SHA256",
        transport: httpx.AsyncBaseTransport | None = None,
        rate_per_second: float | None = None,
        clock: Callable[[], int] | None = None,
        read_attempts: int = 5,
    ) -> None:
        if sign_method not in ("MD5", "HMAC_SHA256"):
            raise ValueError(f"sign_method must be 'MD5' or 'HMAC_SHA256', got {sign_method!r}")
        self._app_key = app_key
        self._sign_secret = sign_secret
        self._access_token = access_token
        self._sign_method: SignMethod = sign_method
        self._clock = clock or _now_ms
        self._read_attempts = read_attempts
        self._redact = Redactor([sign_secret, access_token])
        self._http = build_async_client(
            base_url=base_url, transport=transport, rate_per_second=rate_per_second
        )

    # --- lifecycle -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- methods ---------------------------------------------------------------------------------

    async def categories(self) -> list[Category]:
        """The flat category list (`open.item.category`). It changes rarely: cache it."""
        data = await self._read("open.item.category", {})
        return [_parse(Category, row, method="open.item.category") for row in data or []]

    async def category_config(self, category_id: int) -> CategoryConfig:
        """Refund rules, presale cap and attribute configs of a leaf category."""
        method = "open.item.category.config"
        data = await self._read(method, {"categoryId": category_id})
        return _parse(CategoryConfig, data, method=method)

    async def upload_image(
        self, data: bytes, *, upload_type: int = 1, filename: str = "image"
    ) -> ImageUploadResult:
        """Re-host image bytes on Kuaishou. Every URL in an item must be such a `kwaiImgUrl`.

        It is retried like a read: the worst a repeat can do is store one more copy.
        """
        method = "open.item.image.upload"
        part = (filename, data, _image_type(data))
        result = await self._retrying(
            lambda: self._call(method, {"uploadType": upload_type}, image=part)
        )
        return _parse(ImageUploadResult, result, method=method)

    async def create_item(
        self,
        param: ItemNewParam,
        *,
        category_config: CategoryConfig | None = None,
        is_kwai_image: ImageCheck | None = None,
    ) -> ItemNewResult:
        """Create an item (`open.item.new`) with one request, never retried.

        Raises:
            KuaishouValidationError: `param` breaks publishing rules. Every violation is listed and
                nothing was sent.
            KuaishouServerError, KuaishouTransportError: the outcome is unknown. Look the item up
                with `find_item_by_rel_item_id` before sending anything again.
        """
        method = "open.item.new"
        found = violations(param, category_config=category_config, is_kwai_image=is_kwai_image)
        if found:
            raise KuaishouValidationError(
                f"{method} not sent: relItemId {param.rel_item_id} breaks {len(found)} "
                f"rule(s): {describe(found)}",
                method=method,
                violations=found,
            )
        data = await self._call(method, param)
        return _parse(ItemNewResult, data, method=method)

    async def get_item(self, kwai_item_id: int) -> ItemInfo:
        """An item with its review state (`auditStatus`)."""
        method = "open.item.get"
        data = await self._read(method, {"kwaiItemId": kwai_item_id})
        return _parse(ItemInfo, data, method=method)

    async def find_item_by_rel_item_id(self, rel_item_id: int) -> ItemInfo | None:
        """The item created with this relItemId, or None: how a lost create is resolved.

        The official schema says that with `relItemId` the data is one item, not a page. Both
        shapes are accepted, and so is a not-found error.
        """
        method = "open.item.list.get"
        try:
            data = await self._read(method, {"relItemId": rel_item_id})
        except KuaishouNotFoundError:
            return None
        if not data:
            return None
        if isinstance(data, Mapping) and "items" in data:
            page = _parse(ItemListPage, data, method=method)
            matches = [item for item in page.items if item.rel_item_id in (None, rel_item_id)]
            return matches[0] if matches else None
        item = _parse(ItemInfo, data, method=method)
        return item if item.rel_item_id in (None, rel_item_id) else None

    async def sync_supply_item(self, item: SupplyItem) -> None:
        """Report one published item's supply (`open.supply.item.sync`).

        It is retried: the outbox and the platform treat a report as idempotent per item.
        """
        param = {"item": item.model_dump(by_alias=True, exclude_none=True, mode="json")}
        await self._retrying(lambda: self._call("open.supply.item.sync", param))

    # --- the gateway -----------------------------------------------------------------------------

    async def _read(self, method: str, param: Any) -> Any:
        return await self._retrying(lambda: self._call(method, param))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        return await call_with_retries(call, attempts=self._read_attempts)

    def _system_params(self, method: str, param: Any) -> dict[str, str]:
        params = {
            "appkey": self._app_key,
            "method": method,
            "version": API_VERSION,
            "param": dump_param(param),
            "access_token": self._access_token,
            "timestamp": str(self._clock()),
            "signMethod": self._sign_method,
        }
        if logger.isEnabledFor(logging.DEBUG):
            text = sign_string(params, sign_secret=self._sign_secret)
            logger.debug("kuaishou %s string to sign: %s", method, self._redact(text))
        params["sign"] = sign(params, sign_secret=self._sign_secret, sign_method=self._sign_method)
        return params

    async def _call(
        self, method: str, param: Any, *, image: tuple[str, bytes, str] | None = None
    ) -> Any:
        """One signed request. Returns `data` on `result == 1`, else raises a `KuaishouError`."""
        path = "/" + method.replace(".", "/")
        fields = self._system_params(method, param)
        try:
            if image is None:
                response = await self._http.post(path, data=fields)
            else:
                response = await self._http.post(path, data=fields, files={"imgBytes": image})
        except httpx.TransportError as exc:
            raise KuaishouTransportError(
                f"{method}: no response ({type(exc).__name__}: {self._redact(str(exc))})",
                method=method,
            ) from exc
        raise_for_transport_status(response, error=_http_error_factory(response, method))
        try:
            body = response.json()
        except ValueError:
            snippet = self._redact(response.text[:200])
            cls = KuaishouServerError if response.is_success else KuaishouError
            raise cls(
                f"{method}: HTTP {response.status_code} without a JSON envelope: {snippet!r}",
                method=method,
            ) from None
        if not isinstance(body, Mapping):
            raise KuaishouServerError(f"{method}: the envelope is not an object", method=method)
        envelope = _parse(Envelope, body, method=method)
        if not envelope.ok:
            raise error_from_envelope(body, method=method, redact=self._redact)
        return envelope.data


def _http_error_factory(response: httpx.Response, method: str) -> Callable[..., KuaishouError]:
    """What `raise_for_transport_status` raises: 429 means throttled, 5xx a server error."""
    cls = KuaishouThrottledError if response.status_code == 429 else KuaishouServerError

    def factory(message: str, *, retryable: bool) -> KuaishouError:
        return cls(f"{method}: {message}", method=method, retryable=retryable)

    return factory


def _parse(model: type[M], data: Any, *, method: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KuaishouError(
            f"{method}: unexpected response shape for {model.__name__}: "
            f"{exc.error_count()} error(s), first: {exc.errors()[0]['msg']} at "
            f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}",
            method=method,
        ) from None
