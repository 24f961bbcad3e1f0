"""What every platform client shares: timeouts, the rate limit, retries and secret redaction.

The layering follows the rule of DESIGN.md: the rate limiter sits in the transport, *below* retries, so a
retried request spends a token like any other and no burst ever exceeds the configured rate. Retries are
opt-in per call and only for errors their connector marks retryable (a create is never blind-retried).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import httpx
import stamina
import yarl

from connectors import safe_json
from connectors.rate_gate import LocalRateGate, RateGate

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncClosing",
    "PlatformClient",
    "PlatformError",
    "RateLimitedTransport",
    "Redactor",
    "build_async_client",
    "call_with_retries",
    "form_body",
    "json_object",
    "post_form",
    "top_style_payload",
]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

T = TypeVar("T")


class PlatformError(Exception):
    """Root of every connector's exception hierarchy.

    Each connector subclasses it once (`KuaishouError`, `TaobaoError`, ...) and then per failure kind.
    `retryable` tells the caller whether sending the same request again can succeed.
    """

    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class _Retryable(Protocol):
    retryable: bool


class Redactor:
    """Masks secret values wherever they could leak: log lines, exception text, metadata.

    It knows the secret *values* (not just key names), so a token inside a URL, a form body or an error
    echoed by a platform is masked all the same.
    """

    MASK = "***"
    _KEY_PATTERN = re.compile(
        r"((?:access_token|session|sign|signSecret|secret|app_secret|client_secret|_aop_signature|"
        r"refresh_token|password)[\"']?\s*[=:]\s*[\"']?)([^&\s\"',}]+)",
        re.IGNORECASE,
    )

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, self.MASK)
        return self._KEY_PATTERN.sub(lambda m: m.group(1) + self.MASK, text)


class RateLimitedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that awaits a `RateGate` before every request.

    The gate is the shop's shared one when the client was given one (several workers on one
    shop, decision 75), else a `LocalRateGate` at `rate_per_second` (this process alone,
    decision 42); with neither, requests go straight through (in-process tests).
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        rate_per_second: float | None,
        gate: RateGate | None = None,
    ) -> None:
        self._inner = inner
        self._gate = gate or (LocalRateGate(rate_per_second) if rate_per_second else None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._gate is None:
            return await self._inner.handle_async_request(request)
        async with self._gate.slot():
            return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _QueryRedactingFilter(logging.Filter):
    """Masks secret query params (access_token, sign, session, ...) in httpx's request log.

    httpx logs every request's URL at INFO. A documented GET (kuaishou `open.item.get`, TOP reads)
    carries the access token in the query, so without this a Dagster run's captured logs would
    keep it.
    """

    _redact = Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                self._redact(str(arg)) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


def install_httpx_log_redaction() -> None:
    """Attach the query-masking filter to the `httpx` logger, once per process."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, _QueryRedactingFilter) for f in httpx_logger.filters):
        httpx_logger.addFilter(_QueryRedactingFilter())


def build_async_client(
    *,
    base_url: str,
    transport: httpx.AsyncBaseTransport | None = None,
    rate_per_second: float | None = None,
    rate_gate: RateGate | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient whose every request passes the rate limiter: `rate_gate` when given (a
    shop's gate shared with other workers), else this process's own at `rate_per_second`.

    `transport` is the wire: the default network transport in production, an `httpx.ASGITransport` over
    the sandbox in tests. Production vs sandbox is therefore only `base_url` and `transport`.
    """
    wire = transport or httpx.AsyncHTTPTransport(retries=0)
    install_httpx_log_redaction()
    return httpx.AsyncClient(
        base_url=base_url,
        transport=RateLimitedTransport(wire, rate_per_second=rate_per_second, gate=rate_gate),
        timeout=timeout,
        headers=headers,
    )


FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def form_body(fields: Mapping[str, str]) -> bytes:
    """`fields` as an application/x-www-form-urlencoded body, in their order.

    Why not httpx's `data=`: it encodes with `urllib.parse.urlencode`, a Python loop over every byte,
    and a create's `param` is kilobytes of JSON, mostly CJK: that loop was the largest share of a
    publish's own CPU (decision 103). yarl's C quoter writes the same form (what `parse_qsl` and
    every form decoder read back to the same pairs; `:`, `/`, `?` and `@` are left as they are,
    which the form grammar allows) several times faster.
    """
    return yarl.URL.build(query=fields).raw_query_string.encode("ascii")


async def post_form(
    client: httpx.AsyncClient, url: str, fields: Mapping[str, str]
) -> httpx.Response:
    """POST `fields` form-encoded (see `form_body`): what every platform's signed call sends."""
    return await client.post(
        url, content=form_body(fields), headers={"Content-Type": FORM_CONTENT_TYPE}
    )


def _is_retryable(exc: Exception) -> bool:
    if isinstance(exc, PlatformError):
        return exc.retryable
    return isinstance(exc, httpx.TransportError)


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = 5,
    timeout_s: float = 120.0,
    wait_initial_s: float = 0.2,
    wait_max_s: float = 10.0,
    is_retryable: Callable[[Exception], bool] = _is_retryable,
) -> T:
    """Await `call()` again after a retryable failure, with exponential backoff and jitter.

    Only idempotent reads, and writes the platform dedupes, should go through here: creating an item
    never does (DESIGN.md, exactly-once publishing).
    """
    async for attempt in stamina.retry_context(
        on=is_retryable,
        attempts=attempts,
        timeout=timeout_s,
        wait_initial=wait_initial_s,
        wait_max=wait_max_s,
    ):
        with attempt:
            return await call()
    raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover


def raise_for_transport_status(response: httpx.Response, *, error: Callable[..., Any]) -> None:
    """Turn HTTP-level failures (5xx, 429) into a connector's retryable error before envelope parsing."""
    if response.status_code >= 500 or response.status_code == 429:
        raise error(
            f"HTTP {response.status_code} from {response.request.url.path}",
            retryable=True,
        )


def json_object(
    response: httpx.Response, *, error: Callable[..., Exception], what: str
) -> dict[str, Any]:
    """The response's JSON object, or the connector's `error` saying what came instead.

    `what` names the call in the message, e.g. "TOP for taobao.item.seller.get".
    """
    try:
        body = safe_json.loads(response.content)
    except ValueError:
        raise error(f"non-JSON answer (HTTP {response.status_code}) from {what}") from None
    if not isinstance(body, dict):
        raise error(f"unexpected JSON from {what}: not an object")
    return body


def top_style_payload(
    body: Mapping[str, Any],
    *,
    method: str,
    prefix: str,
    error: Callable[..., Exception],
    parse_error: Callable[[Mapping[str, Any]], Exception],
) -> dict[str, Any]:
    """The `<method minus prefix, dots as underscores>_response` object of a TOP-style envelope.

    Taobao's TOP and Pinduoduo's open platform (which copied it) answer `{"error_response": {...}}`
    on failure; `parse_error` turns that into the connector's own error, which is logged and raised.
    """
    if "error_response" in body:
        failure = parse_error(body)
        logger.warning("%s failed: %s", method, failure)
        raise failure
    key = method.removeprefix(prefix).replace(".", "_") + "_response"
    payload = body.get(key)
    if not isinstance(payload, dict):
        raise error(f"the answer for {method} has no {key!r} object")
    return payload


class AsyncClosing:
    """`async with` for a client: leaving the block awaits `aclose()`.

    The default `aclose` closes the httpx client the object owns (`_http`); a client that owns more
    (a token provider, an inner client) overrides it.
    """

    _http: httpx.AsyncClient

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class PlatformClient(AsyncClosing):
    """What every source client shares: one rate-limited httpx client (`AsyncClosing`), reads
    retried with backoff and writes sent once."""

    _attempts: int

    async def _sent(self, call: Callable[[], Awaitable[T]], *, retry: bool) -> T:
        """`call()` once (`retry=False`: anything that changes the shop) or with retries (reads)."""
        if not retry:
            return await call()
        return await call_with_retries(call, attempts=self._attempts)
