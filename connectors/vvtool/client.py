"""A thin async client for vv-tool's Kuaishou proxy (`/tool/erps/ks-*`), one shop at a time.

Why it looks the way it does (kuaishou-api.md §1.7, source-platforms.md §2):

- **Token.** A client-credentials token (`POST` form-data `grant_type=client_credentials`, `client_id`,
  `client_secret`) goes in `Authorization: Bearer …` on every call. It is re-issued shortly before
  `expires_in` runs out, and once more when a call is refused as unauthorized (HTTP 401 or code 401
  [I: the vendor documents no code for it]). A refused call was not processed, so sending it again
  with the new token is safe even for a create. vv-tool also advises a new token on persistent
  timeouts, so a code 101 drops the cached token (without resending anything).
- **Rate.** 10 req/s per endpoint is vv-tool's documented limit; the limiter sits in the transport
  (`connectors.http`), below retries, and counts all endpoints together, which is conservative.
- **Double envelope.** Success is outer `code == 0` **and** inner `data.result == 1` (errors.py).
- **Money.** Every call is billed (`withholding_money`, in the vendor's unit, 点券), failures too. Each
  response's charge is added to `total_charged` and listed in `charges`, so a run can report what a
  migration cost. Reads are retried on retryable errors, and every retry is billed as well.
- **Creates are never retried.** A lost or ambiguous answer is resolved with
  `find_item_by_rel_item_id`, never by resending (DESIGN.md, exactly-once publishing).
- **Bodies are JSON** [I]: the vv-tool pages show a JSON request example and nested arrays that a
  flat form could not carry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from connectors import safe_json
from connectors.http import AsyncClosing, Redactor, build_async_client, call_with_retries
from connectors.kuaishou.models import CategoryConfig
from connectors.vvtool.errors import (
    AUTH_FAILED_CODE,
    VvtoolAuthError,
    VvtoolError,
    VvtoolKuaishouNotFoundError,
    VvtoolRateLimitedError,
    VvtoolSystemError,
    VvtoolTransportError,
    VvtoolValidationError,
    error_from_inner,
    error_from_outer,
)
from connectors.vvtool.models import (
    VvtoolEnvelope,
    VvtoolInnerEnvelope,
    VvtoolItem,
    VvtoolItemNewData,
    VvtoolItemNewRequest,
    VvtoolOpenItemRequest,
    VvtoolToken,
    VvtoolType,
)
from connectors.vvtool.rules import violations

__all__ = [
    "DEFAULT_RATE_PER_SECOND",
    "ITEM_NEW_PATH",
    "OPEN_ITEM_PATH",
    "PRODUCTION_BASE_URL",
    "PRODUCTION_TOKEN_URL",
    "VvtoolCharge",
    "VvtoolClient",
]

PRODUCTION_BASE_URL = "http://api.vv-tool.com"  # the documented scheme; https is [I]
PRODUCTION_TOKEN_URL = "http://proxy-api.vv-tool.com/api/proxy/oauth/token"
ITEM_NEW_PATH = "/tool/erps/ks-item-new"
OPEN_ITEM_PATH = "/tool/erps/ks-open-item"
DEFAULT_RATE_PER_SECOND = 10.0  # "频率限制: 10 次/秒"
TOKEN_MARGIN_S = 60.0

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class VvtoolCharge:
    """What one response cost, and whether the call succeeded."""

    path: str
    amount: Decimal
    ok: bool


class VvtoolClient(AsyncClosing):
    """One vv-tool account's view of one Kuaishou shop (`shop_id`) and tier (`vvtype`).

    Production and sandbox differ only in `base_url`, `token_url` and `transport`. A relative
    `token_url` is resolved against `base_url`.
    """

    def __init__(
        self,
        *,
        base_url: str = PRODUCTION_BASE_URL,
        client_id: str,
        client_secret: str,
        shop_id: str,
        vvtype: VvtoolType = 1,
        transport: httpx.AsyncBaseTransport | None = None,
        token_url: str = PRODUCTION_TOKEN_URL,
        rate_per_second: float | None = DEFAULT_RATE_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        read_attempts: int = 3,
    ) -> None:
        if vvtype not in (1, 2):
            raise ValueError(f"vvtype must be 1 (普通版) or 2 (增强版), got {vvtype!r}")
        self.shop_id = shop_id
        self.vvtype: VvtoolType = vvtype
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self._clock = clock
        self._read_attempts = read_attempts
        self._redact = Redactor([client_secret])
        self._http = build_async_client(
            base_url=base_url, transport=transport, rate_per_second=rate_per_second
        )
        self._token_lock = asyncio.Lock()
        self._access_token: str | None = None
        self._token_expires_at = 0.0
        self.charges: list[VvtoolCharge] = []
        self.tokens_issued = 0

    # --- lifecycle -------------------------------------------------------------------------------

    # --- money -----------------------------------------------------------------------------------

    @property
    def total_charged(self) -> Decimal:
        """The sum of every response's `withholding_money` so far, failed calls included."""
        return sum((charge.amount for charge in self.charges), Decimal(0))

    # --- methods ---------------------------------------------------------------------------------

    async def create_item(
        self, request: VvtoolItemNewRequest, *, category_config: CategoryConfig | None = None
    ) -> VvtoolItemNewData:
        """Create an item through `ks-item-new` with one request, never retried.

        The client sends its own `shop_id` and `vvtype`, whatever `request` carries.

        Raises:
            VvtoolValidationError: the request breaks a publishing rule; nothing was sent or billed.
            VvtoolKuaishouError: Kuaishou refused it (quota, duplicate relItemId, ...).
            VvtoolError with `retryable` True (timeout, system error, no response): the outcome is
                unknown. Look the item up with `find_item_by_rel_item_id` before sending again.
        """
        request = request.model_copy(update={"shop_id": self.shop_id, "vvtype": self.vvtype})
        found = violations(request, category_config=category_config)
        if found:
            raise VvtoolValidationError(
                f"vv-tool {ITEM_NEW_PATH} not sent: relItemId {request.rel_item_id} breaks "
                f"{len(found)} rule(s): " + "; ".join(str(v) for v in found),
                path=ITEM_NEW_PATH,
                violations=found,
            )
        data = await self._call(ITEM_NEW_PATH, request.wire())
        return self._parse(VvtoolItemNewData, data, path=ITEM_NEW_PATH)

    async def get_item(self, kwai_item_id: int) -> VvtoolItem:
        """An item by its Kuaishou id (`ks-open-item`, as documented). Retried; each try is billed."""
        request = VvtoolOpenItemRequest(
            shop_id=self.shop_id, kwai_item_id=kwai_item_id, vvtype=self.vvtype
        )
        data = await self._read(OPEN_ITEM_PATH, request.wire())
        return self._parse(VvtoolItem, data, path=OPEN_ITEM_PATH)

    async def find_item_by_rel_item_id(self, rel_item_id: int) -> VvtoolItem | None:
        """The item created with this relItemId, or None: how a lost create is resolved.

        [I] `ks-open-item` documents only `kwaiItemId`; this sends `relItemId` in its place (see
        `VvtoolOpenItemRequest`). Kuaishou's "not found" becomes None; so does an item whose
        relItemId differs.
        """
        request = VvtoolOpenItemRequest(
            shop_id=self.shop_id, rel_item_id=rel_item_id, vvtype=self.vvtype
        )
        try:
            data = await self._read(OPEN_ITEM_PATH, request.wire())
        except VvtoolKuaishouNotFoundError:
            return None
        if not data:
            return None
        item = self._parse(VvtoolItem, data, path=OPEN_ITEM_PATH)
        return item if item.rel_item_id in (None, rel_item_id) else None

    async def check_credentials(self) -> None:
        """Ask for an access token, which proves client id and secret without a billed call.

        Raises the client's error for refused credentials (`banjia migrations check --online`).
        """
        self._forget_token()
        await self._token()

    # --- the token -------------------------------------------------------------------------------

    async def _token(self) -> str:
        async with self._token_lock:
            if self._access_token is not None and self._clock() < self._token_expires_at:
                return self._access_token
            return await self._issue_token()

    def _forget_token(self, token: str | None = None) -> None:
        """Drop the cached token (only if it is still `token`, when given)."""
        if token is None or token == self._access_token:
            self._access_token = None
            self._token_expires_at = 0.0

    async def _issue_token(self) -> str:
        form = {
            "grant_type": (None, "client_credentials"),
            "client_id": (None, self._client_id),
            "client_secret": (None, self._client_secret),
        }
        try:
            # Multipart form-data, exactly as vv-tool's samples (curl --form) send it.
            response = await self._http.post(self._token_url, files=form)
        except httpx.TransportError as exc:
            raise VvtoolTransportError(
                f"vv-tool token: no response ({type(exc).__name__}: {self._redact(str(exc))})",
                path="token",
            ) from exc
        body = _json_object(response)
        self._record("token", _money(body), ok=response.is_success)
        payload: Any = body
        if isinstance(body, Mapping) and isinstance(body.get("data"), Mapping):
            payload = body["data"]  # [I] in case the token comes in vv-tool's envelope
        try:
            token = VvtoolToken.model_validate(payload)
        except ValidationError:
            snippet = self._redact(response.text[:200])
            cls = VvtoolSystemError if response.status_code >= 500 else VvtoolAuthError
            raise cls(
                f"vv-tool token: HTTP {response.status_code}, no access_token: {snippet!r}",
                path="token",
            ) from None
        self._redact.add(token.access_token)
        self._access_token = token.access_token
        self._token_expires_at = self._clock() + max(
            token.expires_in - TOKEN_MARGIN_S, token.expires_in / 2
        )
        self.tokens_issued += 1
        return token.access_token

    # --- the gateway -----------------------------------------------------------------------------

    async def _read(self, path: str, payload: dict[str, Any]) -> Any:
        return await self._retrying(lambda: self._call(path, payload))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        return await call_with_retries(call, attempts=self._read_attempts)

    async def _send(self, path: str, payload: dict[str, Any], token: str) -> httpx.Response:
        try:
            return await self._http.post(
                path, json=payload, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TransportError as exc:
            raise VvtoolTransportError(
                f"vv-tool {path}: no response ({type(exc).__name__}: {self._redact(str(exc))})",
                path=path,
            ) from exc

    async def _call(self, path: str, payload: dict[str, Any]) -> Any:
        """One call; returns Kuaishou's inner `data` when both envelopes say success."""
        token = await self._token()
        response = await self._send(path, payload, token)
        body = _json_object(response)
        if _unauthorized(response, body):
            # Refused before processing: bill it, then once more with a fresh token.
            self._record(path, _money(body), ok=False)
            self._forget_token(token)
            token = await self._token()
            response = await self._send(path, payload, token)
            body = _json_object(response)
        money = _money(body)
        try:
            data = self._unwrap(path, response, body, money)
        except VvtoolError:
            self._record(path, money, ok=False)
            raise
        self._record(path, money, ok=True)
        return data

    def _unwrap(
        self, path: str, response: httpx.Response, body: Mapping[str, Any] | None, money: Decimal
    ) -> Any:
        status = response.status_code
        if body is None or status >= 500 or status == 429:
            snippet = self._redact(response.text[:200])
            cls: type[VvtoolError] = VvtoolSystemError
            if status == 429:
                cls = VvtoolRateLimitedError
            elif status == 401:
                cls = VvtoolAuthError
            raise cls(
                f"vv-tool {path}: HTTP {status} without a usable envelope: {snippet!r}",
                path=path,
                withholding_money=money,
            )
        try:
            envelope = VvtoolEnvelope.model_validate(body)
        except ValidationError:
            raise VvtoolSystemError(
                f"vv-tool {path}: HTTP {status}, the body is not vv-tool's envelope",
                path=path,
                withholding_money=money,
            ) from None
        if not envelope.ok:
            if envelope.code == 101:
                self._forget_token()
            code = envelope.code
            if code is None and status == 401:
                code = AUTH_FAILED_CODE
            raise error_from_outer(
                path=path, code=code, msg=envelope.msg, withholding_money=money, redact=self._redact
            )
        if not isinstance(envelope.data, Mapping):
            raise VvtoolSystemError(
                f"vv-tool {path}: code 0 without Kuaishou's envelope in data",
                path=path,
                withholding_money=money,
            )
        inner = VvtoolInnerEnvelope.model_validate(envelope.data)
        if not inner.ok:
            raise error_from_inner(
                envelope.data, path=path, withholding_money=money, redact=self._redact
            )
        return inner.data

    def _record(self, path: str, amount: Decimal, *, ok: bool) -> None:
        if amount:
            self.charges.append(VvtoolCharge(path=path, amount=amount, ok=ok))

    def _parse(self, model: type[M], data: Any, *, path: str) -> M:
        """Kuaishou's data; a shape we cannot read is a retryable error, since the call may have
        taken effect (a create): the caller then looks the item up."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise VvtoolSystemError(
                f"vv-tool {path}: unexpected data for {model.__name__}: {exc.error_count()} "
                f"error(s), first: {first['msg']} at {'.'.join(str(p) for p in first['loc'])}",
                path=path,
            ) from None


def _json_object(response: httpx.Response) -> Mapping[str, Any] | None:
    try:
        body = safe_json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, Mapping) else None


def _unauthorized(response: httpx.Response, body: Mapping[str, Any] | None) -> bool:
    return response.status_code == 401 or (
        body is not None and body.get("code") in (AUTH_FAILED_CODE, str(AUTH_FAILED_CODE))
    )


def _money(body: Mapping[str, Any] | None) -> Decimal:
    """`withholding_money` of a response, 0 when absent or unreadable (never fails a call)."""
    raw = body.get("withholding_money") if body is not None else None
    if raw is None or isinstance(raw, bool):
        return Decimal(0)
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return Decimal(0)
