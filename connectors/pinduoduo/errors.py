"""Pinduoduo errors, classified from the `error_response` envelope.

The gateway answers `{"error_response": {"error_code", "error_msg", "sub_code", "sub_msg",
"request_id"}}` for every failure it understands. `error_code` says which check failed; `sub_code`
is often the same number as a string, sometimes a name, sometimes null. The five fields are kept as
PDD sent them (texts secret-masked), so a merchant or a support ticket sees the real codes.

Codes and where they come from (samples of real answers quoted in public code, [C-peer]; the rest
are modelled on PDD's published error table as remembered, [I], not checked against a live gateway):

| code  | meaning                        | class              | retry | source  |
|-------|--------------------------------|--------------------|-------|---------|
| 10000 | 参数错误:<name>                 | ArgumentError      | no    | C-peer  |
| 10019 | access_token已过期               | TokenError         | no    | C-peer  |
| 20004 | 签名验证失败                     | SignatureError     | no    | C-peer  |
| 50001 | 业务服务错误 (e.g. 时间跨度不能超过…) | BusinessError      | no    | C-peer  |
| 20031 | 用户没有授权访问此接口            | PermissionError    | no    | I       |
| 20032 | access_token已失效               | TokenError         | no    | I       |
| 50000 | 系统内部错误 / 系统繁忙            | ServiceError       | yes   | I       |
| 54001 | 服务过载保护                      | ServiceError       | yes   | I       |
| 52101 | 当前接口被限流                    | RateLimitError     | yes   | I       |
| 52102 | 当前应用被限流                    | RateLimitError     | yes   | I       |
| 70031 | 调用过于频繁                      | RateLimitError     | yes   | I       |

A code outside the table is classified by its text: 限流/频繁 mean throttling, 繁忙 a busy
system; both are worth another try. Anything else is not retried. An answer with no envelope at all
(HTML, HTTP 5xx) is a `PinduoduoResponseError`, retryable when the status was 5xx or 429.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from connectors.http import PlatformError

__all__ = [
    "ErrorResponse",
    "PinduoduoArgumentError",
    "PinduoduoBusinessError",
    "PinduoduoError",
    "PinduoduoPermissionError",
    "PinduoduoRateLimitError",
    "PinduoduoResponseError",
    "PinduoduoServiceError",
    "PinduoduoSignatureError",
    "PinduoduoTokenError",
    "error_from_response",
]


class ErrorResponse(BaseModel):
    """The body of `error_response`, with PDD's own field names."""

    model_config = ConfigDict(extra="allow")

    error_code: int | None = None
    error_msg: str | None = None
    sub_code: str | None = None
    sub_msg: str | None = None
    request_id: str | None = None

    @field_validator("sub_code", "request_id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        """PDD sends `sub_code` as "20004" and `request_id` as digits; either may come as a number."""
        return str(value) if isinstance(value, int) else value


class PinduoduoError(PlatformError):
    """Any failure talking to the PDD gateway. Carries the envelope's fields verbatim (masked).

    `method` is the PDD `type` that failed (named like the other connectors' errors).
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool | None = None,
        error_code: int | None = None,
        error_msg: str | None = None,
        sub_code: str | None = None,
        sub_msg: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.error_code = error_code
        self.error_msg = error_msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.request_id = request_id
        self.method = method


class PinduoduoRateLimitError(PinduoduoError):
    """The app, the API or the shop hit its call frequency limit; waiting and retrying can succeed."""

    retryable = True


class PinduoduoServiceError(PinduoduoError):
    """PDD failed internally (system error, busy, overload protection); retryable."""

    retryable = True


class PinduoduoSignatureError(PinduoduoError):
    """20004: the gateway computed another sign: a wrong client_secret or a serializer difference."""


class PinduoduoTokenError(PinduoduoError):
    """The shop's access_token is unknown, expired or revoked: the merchant must re-authorize."""


class PinduoduoPermissionError(PinduoduoError):
    """The app lacks the permission package for this API, or the shop did not grant it."""


class PinduoduoArgumentError(PinduoduoError):
    """10000: a parameter is missing or invalid (page_size > 100, a bad timestamp); our bug."""


class PinduoduoBusinessError(PinduoduoError):
    """50001: the request was understood but refused (no such goods, a created_at span > 7 days)."""


class PinduoduoResponseError(PinduoduoError):
    """The gateway answered with no PDD envelope (HTML, truncated JSON, HTTP 5xx)."""


_CODE_CLASSES: dict[int, type[PinduoduoError]] = {
    10000: PinduoduoArgumentError,
    10019: PinduoduoTokenError,
    20004: PinduoduoSignatureError,
    20031: PinduoduoPermissionError,
    20032: PinduoduoTokenError,
    50000: PinduoduoServiceError,
    50001: PinduoduoBusinessError,
    52101: PinduoduoRateLimitError,
    52102: PinduoduoRateLimitError,
    54001: PinduoduoServiceError,
    70031: PinduoduoRateLimitError,
}
_THROTTLE_WORDS = ("限流", "频繁", "too many", "frequency")
_BUSY_WORDS = ("繁忙", "busy", "系统异常")


def _classify(envelope: ErrorResponse) -> type[PinduoduoError]:
    if envelope.error_code in _CODE_CLASSES:
        return _CODE_CLASSES[envelope.error_code]
    text = f"{envelope.error_msg or ''} {envelope.sub_msg or ''} {envelope.sub_code or ''}".lower()
    if any(word in text for word in _THROTTLE_WORDS):
        return PinduoduoRateLimitError
    if any(word in text for word in _BUSY_WORDS):
        return PinduoduoServiceError
    return PinduoduoError


def error_from_response(
    body: Mapping[str, Any],
    *,
    method: str | None = None,
    redact: Callable[[str], str] | None = None,
) -> PinduoduoError:
    """The `PinduoduoError` subclass for a PDD error body (`{"error_response": {...}}` or inner).

    `redact` masks secret values in the texts: a gateway may echo the access token in `sub_msg`.
    """
    inner = body.get("error_response", body)
    try:
        envelope = ErrorResponse.model_validate(inner)
    except ValidationError:
        envelope = ErrorResponse(error_msg=str(inner))
    mask = redact or (lambda text: text)
    error_msg = mask(envelope.error_msg) if envelope.error_msg is not None else None
    sub_msg = mask(envelope.sub_msg) if envelope.sub_msg is not None else None
    parts = [f"PDD error {envelope.error_code}: {error_msg}"]
    if sub_msg and sub_msg != error_msg:
        parts.append(f"{envelope.sub_code}: {sub_msg}")
    where = f" ({method})" if method else ""
    return _classify(envelope)(
        "; ".join(parts) + where,
        error_code=envelope.error_code,
        error_msg=error_msg,
        sub_code=envelope.sub_code,
        sub_msg=sub_msg,
        request_id=envelope.request_id,
        method=method,
    )
