"""Taobao TOP errors, classified from the `error_response` envelope.

TOP answers HTTP 200 with `{"error_response": {"code", "msg", "sub_code", "sub_msg"}}` for every
failure it understands. The numeric `code` says which gateway check failed (7 call limit, 11/12
permission, 25 signature, 26/27 session, 40/41 arguments, 15 remote service error); for code 15 the
`sub_code` prefix says whose fault it is: `isp.*` is the platform's (send it again), `isv.*` is ours
(don't). The four fields are kept as the platform sent them, so a merchant or a support ticket sees
the real codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.http import PlatformError

__all__ = [
    "ErrorResponse",
    "TaobaoArgumentError",
    "TaobaoBusinessError",
    "TaobaoCallLimitError",
    "TaobaoDepthLimitError",
    "TaobaoError",
    "TaobaoPermissionError",
    "TaobaoResponseError",
    "TaobaoServiceError",
    "TaobaoSessionError",
    "TaobaoSignatureError",
    "error_from_response",
]


class ErrorResponse(BaseModel):
    """The body of `error_response`, with TOP's own field names."""

    model_config = ConfigDict(extra="allow")

    code: int | None = None
    msg: str | None = None
    sub_code: str | None = None
    sub_msg: str | None = None
    request_id: str | None = None


class TaobaoError(PlatformError):
    """Any failure talking to TOP. Carries the envelope's fields verbatim (secrets masked)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool | None = None,
        code: int | None = None,
        msg: str | None = None,
        sub_code: str | None = None,
        sub_msg: str | None = None,
        method: str | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.method = method


class TaobaoCallLimitError(TaobaoError):
    """Code 7: the app or the API hit its call frequency limit; waiting and retrying can succeed."""

    retryable = True


class TaobaoServiceError(TaobaoError):
    """An `isp.*` sub code: the platform failed internally (timeouts, remote errors); retryable."""

    retryable = True


class TaobaoSignatureError(TaobaoError):
    """Code 25 (and 24): the gateway computed another sign: a wrong app secret or sign_method."""


class TaobaoSessionError(TaobaoError):
    """Codes 26/27: the seller's session is missing, expired or revoked; they must re-authorize."""


class TaobaoPermissionError(TaobaoError):
    """Codes 11/12: the app or the seller lacks the permission for this API."""


class TaobaoArgumentError(TaobaoError):
    """Codes 40/41: a required argument is missing or invalid; a bug on our side, never retried."""


class TaobaoBusinessError(TaobaoError):
    """An `isv.*` sub code: the request was understood but refused (e.g. no such item)."""


class TaobaoDepthLimitError(TaobaoError):
    """A window holds more rows than TOP lets anyone page through: split it by modified time."""


class TaobaoResponseError(TaobaoError):
    """The gateway answered with no TOP envelope (HTML, truncated JSON, HTTP 5xx)."""


_CODE_CLASSES: dict[int, type[TaobaoError]] = {
    7: TaobaoCallLimitError,
    11: TaobaoPermissionError,
    12: TaobaoPermissionError,
    24: TaobaoSignatureError,
    25: TaobaoSignatureError,
    26: TaobaoSessionError,
    27: TaobaoSessionError,
    40: TaobaoArgumentError,
    41: TaobaoArgumentError,
}


def _classify(envelope: ErrorResponse) -> type[TaobaoError]:
    if envelope.code in _CODE_CLASSES:
        return _CODE_CLASSES[envelope.code]
    sub_code = (envelope.sub_code or "").lower()
    if sub_code.startswith("isp."):
        return TaobaoServiceError
    if sub_code.startswith("isv."):
        return TaobaoBusinessError
    return TaobaoError


def error_from_response(
    body: Mapping[str, Any],
    *,
    method: str | None = None,
    redact: Callable[[str], str] | None = None,
) -> TaobaoError:
    """The `TaobaoError` subclass for a TOP error body (`{"error_response": {...}}` or inner dict).

    `redact` masks secret values in the texts: TOP may echo the session key in `sub_msg`.
    """
    inner = body.get("error_response", body)
    try:
        envelope = ErrorResponse.model_validate(inner)
    except ValidationError:
        envelope = ErrorResponse(msg=str(inner))
    mask = redact or (lambda text: text)
    msg = mask(envelope.msg) if envelope.msg is not None else None
    sub_msg = mask(envelope.sub_msg) if envelope.sub_msg is not None else None
    parts = [f"TOP error {envelope.code}: {msg}"]
    if envelope.sub_code or sub_msg:
        parts.append(f"{envelope.sub_code}: {sub_msg}")
    where = f" ({method})" if method else ""
    return _classify(envelope)(
        "; ".join(parts) + where,
        code=envelope.code,
        msg=msg,
        sub_code=envelope.sub_code,
        sub_msg=sub_msg,
        method=method,
    )
