"""1688 AOP errors, classified from the two shapes the platform answers with.

- The gateway refuses a request before the API runs with an HTTP 4xx (sometimes 5xx) and a JSON body
  `{"error_code": "gw.SignatureInvalid", "error_message": "...", "request_id": "..."}`; a missing or
  expired access token is `error_code` "401" ("Request need user authorized"). The `gw.*` family names
  the check that failed: `gw.QosAppFrequencyLimit` (rate limit), `gw.SignatureInvalid`,
  `gw.AppKeyNotFound`, `gw.APIACLDecline` (the app lacks the API), `gw.APIUnsupported`,
  `gw.ParamMissing` [C-peer: probes against the live gateway quoted in the code index].
- The API itself answers HTTP 200 with `success: false` and `errorCode`/`errorMessage` (some APIs:
  `errorMsg`, `errMsg` or just `message`, e.g. cross.productInfo's "没有该商品的查询权限").

Only rate/limit and service-side `gw.*` errors and 5xx/429 are retryable; signature, app key, token,
permission and parameter errors are the caller's to fix. The code and message are kept verbatim
(secret values masked), so a merchant or a support ticket sees the platform's own words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.http import PlatformError

__all__ = [
    "Alibaba1688ArgumentError",
    "Alibaba1688BusinessError",
    "Alibaba1688Error",
    "Alibaba1688PermissionError",
    "Alibaba1688RateLimitError",
    "Alibaba1688ResponseError",
    "Alibaba1688ServiceError",
    "Alibaba1688SignatureError",
    "Alibaba1688TokenError",
    "AopErrorBody",
    "error_from_response",
    "is_error_body",
]


class AopErrorBody(BaseModel):
    """Every error field either shape may carry, with the platform's own names."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    error_code: str | None = None
    error_message: str | None = None
    errorCode: str | None = None
    errorMessage: str | None = None
    errorMsg: str | None = None
    errMsg: str | None = None
    message: str | None = None
    exception: str | None = None
    request_id: str | None = None
    success: bool | None = None

    @property
    def code(self) -> str | None:
        return self.error_code or self.errorCode

    @property
    def text(self) -> str | None:
        return (
            self.error_message
            or self.errorMessage
            or self.errorMsg
            or self.errMsg
            or self.exception
            or self.message
        )


class Alibaba1688Error(PlatformError):
    """Any failure talking to 1688. `error_code`/`error_message` are the platform's, verbatim
    (secret values masked); `http_status` is the HTTP status it came with."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        http_status: int | None = None,
        api: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.error_code = error_code
        self.error_message = error_message
        self.http_status = http_status
        self.api = api
        self.request_id = request_id


class Alibaba1688RateLimitError(Alibaba1688Error):
    """A `gw.*` rate or call limit (gw.QosAppFrequencyLimit...): waiting and retrying can succeed."""

    retryable = True


class Alibaba1688ServiceError(Alibaba1688Error):
    """The platform failed internally (a `gw.*` service/timeout code): retryable. [I: code names]"""

    retryable = True


class Alibaba1688SignatureError(Alibaba1688Error):
    """gw.SignatureInvalid / gw.AppKeyNotFound: the app key and secret do not match the request."""


class Alibaba1688TokenError(Alibaba1688Error):
    """401 "Request need user authorized": the member's access token is missing, wrong or expired;
    refresh it or have the member authorize the app again."""


class Alibaba1688PermissionError(Alibaba1688Error):
    """The app lacks the API (gw.APIACLDecline) or the member may not read this product (another
    member's product through alibaba.product.get, no 铺货 relation for cross.productInfo)."""


class Alibaba1688ArgumentError(Alibaba1688Error):
    """A parameter is missing or invalid (gw.ParamMissing, gw.APIUnsupported...): our bug."""


class Alibaba1688BusinessError(Alibaba1688Error):
    """The API understood the request and refused it (e.g. 商品[...]不存在)."""


class Alibaba1688ResponseError(Alibaba1688Error):
    """No AOP envelope at all (HTML, truncated JSON, HTTP 5xx without a body)."""


_RATE_MARKERS = ("qos", "limit", "frequency", "flowcontrol")
_SERVICE_MARKERS = ("serviceunavailable", "timeout", "internalerror", "systemerror", "busy")
_SIGNATURE_MARKERS = ("signature", "appkey")
_TOKEN_MARKERS = ("accesstoken", "token")
_PERMISSION_MARKERS = ("acl", "permission", "forbidden", "notauthorized")
_PERMISSION_TEXTS = ("权限", "只能查询自己", "not permission", "no permission")
_ARGUMENT_MARKERS = ("param", "argument", "apiunsupported", "timestamp")
_TOKEN_TEXTS = ("need user authorized", "user authorization is required")


def _classify(code: str | None, text: str | None) -> type[Alibaba1688Error]:
    lowered = (code or "").lower()
    message = (text or "").lower()
    if lowered == "401" or any(marker in message for marker in _TOKEN_TEXTS):
        return Alibaba1688TokenError
    if lowered.startswith("gw."):
        family = lowered.removeprefix("gw.")
        for markers, error_class in (
            (_SIGNATURE_MARKERS, Alibaba1688SignatureError),
            (_TOKEN_MARKERS, Alibaba1688TokenError),
            (_PERMISSION_MARKERS, Alibaba1688PermissionError),
            (_ARGUMENT_MARKERS, Alibaba1688ArgumentError),
            (_RATE_MARKERS, Alibaba1688RateLimitError),
            (_SERVICE_MARKERS, Alibaba1688ServiceError),
        ):
            if any(marker in family for marker in markers):
                return error_class
        return Alibaba1688Error
    if any(marker in lowered for marker in _PERMISSION_MARKERS) or any(
        marker in message for marker in _PERMISSION_TEXTS
    ):
        return Alibaba1688PermissionError
    return Alibaba1688BusinessError


def is_error_body(body: Mapping[str, Any]) -> bool:
    """Whether a JSON body is an error: an error code, or `success: false`."""
    return bool(body.get("error_code") or body.get("errorCode")) or body.get("success") is False


def error_from_response(
    body: Mapping[str, Any],
    *,
    http_status: int | None = None,
    api: str | None = None,
    redact: Callable[[str], str] | None = None,
) -> Alibaba1688Error:
    """The `Alibaba1688Error` subclass for an AOP error body of either shape.

    `redact` masks secret values in the texts: a gateway may echo the access token back.
    """
    try:
        envelope = AopErrorBody.model_validate(dict(body))
    except ValidationError:
        envelope = AopErrorBody(error_message=str(body))
    mask = redact or (lambda text: text)
    code = envelope.code
    text = mask(envelope.text) if envelope.text is not None else None
    status = f"HTTP {http_status}, " if http_status is not None else ""
    where = f" ({api})" if api else ""
    return _classify(code, text)(
        f"1688 error {code or '(no code)'}: {text or '(no message)'} [{status}request "
        f"{envelope.request_id or '-'}]{where}",
        error_code=code,
        error_message=text,
        http_status=http_status,
        api=api,
        request_id=envelope.request_id,
    )
