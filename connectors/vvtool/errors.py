"""vv-tool errors: one hierarchy for both layers of the double envelope.

vv-tool wraps Kuaishou's answer in its own envelope (kuaishou-api.md §1.7, source-platforms.md §2):
`{code, msg, msec, time, data: {result, error_msg, ..., data?}, withholding_money}`. A call fails when
either layer says so, and the two layers mean different things:

- the **outer** `code` is vv-tool's own verdict (documented codes: 100 params, 101 timeout, 103 no such
  account, 200 system error, 203 unsupported, 204 no permission / no calls left, 302 shop not
  authorized); the request may never have reached Kuaishou;
- the **inner** `data.result != 1` is Kuaishou's verdict, forwarded. `VvtoolKuaishouError` keeps its
  fields verbatim and is classified exactly as the Kuaishou connector classifies them
  (`connectors.kuaishou.errors.error_from_envelope`), so quota and throttling mean the same on both
  publishing backends.

`retryable` answers "can the same request succeed if sent again?". For a create, a retryable failure
also means *the outcome is unknown* (a 101 timeout may come after Kuaishou created the item): the
caller looks the item up before sending anything again, never blind-retries (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.http import PlatformError
from connectors.kuaishou.errors import (
    KuaishouDuplicateItemError,
    KuaishouError,
    KuaishouNotFoundError,
    KuaishouQuotaExceededError,
    KuaishouThrottledError,
    error_from_envelope,
)

if TYPE_CHECKING:
    from connectors.kuaishou.rules import Violation

__all__ = [
    "AUTH_FAILED_CODE",
    "RATE_LIMITED_CODE",
    "VvtoolAbnormalError",
    "VvtoolAuthError",
    "VvtoolError",
    "VvtoolKuaishouDuplicateError",
    "VvtoolKuaishouError",
    "VvtoolKuaishouNotFoundError",
    "VvtoolKuaishouQuotaError",
    "VvtoolKuaishouThrottledError",
    "VvtoolParamsError",
    "VvtoolRateLimitedError",
    "VvtoolShopNotAuthorizedError",
    "VvtoolSystemError",
    "VvtoolTimeoutError",
    "VvtoolTransportError",
    "VvtoolUnsupportedError",
    "VvtoolValidationError",
    "error_from_inner",
    "error_from_outer",
]

# Not in vv-tool's code table [I]: an expired or unknown Bearer token, and the 10 req/s limit. The
# sandbox answers them with these codes (and HTTP 401 / 429); the client also reacts to the HTTP status.
AUTH_FAILED_CODE = 401
RATE_LIMITED_CODE = 429


class VvtoolError(PlatformError):
    """Root of every vv-tool failure. `code`/`msg` are the outer envelope's, secrets masked."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        code: int | None = None,
        msg: str | None = None,
        withholding_money: Decimal | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.path = path
        self.code = code
        self.msg = msg
        self.withholding_money = withholding_money


class VvtoolParamsError(VvtoolError):
    """Outer code 100 (请求参数错误): fix the request; resending it unchanged cannot succeed."""


class VvtoolTimeoutError(VvtoolError):
    """Outer code 101 (请求超时，请重试). Retryable for reads; for a create the outcome is unknown.

    vv-tool's docs also advise regenerating the token on persistent timeouts, so the client drops
    its cached token when it sees this code.
    """

    retryable = True


class VvtoolSystemError(VvtoolError):
    """Outer code 200 (系统错误), HTTP 5xx or a body that is not an envelope. Retryable for reads."""

    retryable = True


class VvtoolUnsupportedError(VvtoolError):
    """Outer code 203 (暂不支持当前接口), or a capability the vv-tool route lacks (image upload)."""


class VvtoolAbnormalError(VvtoolError):
    """Outer code 204: no permission for the endpoint, or the account's calls/balance are used up.

    Not retryable: a person has to open the endpoint or top the account up on vv-tool's site.
    """


class VvtoolShopNotAuthorizedError(VvtoolError):
    """Outer code 302 (未授权店铺): the merchant has not authorized vv-tool for this `shop_id`."""


class VvtoolAuthError(VvtoolError):
    """The token endpoint refused the client credentials, or a fresh token was refused too."""


class VvtoolRateLimitedError(VvtoolError):
    """vv-tool's 10 req/s per endpoint was exceeded [I: code and status]; back off and retry."""

    retryable = True


class VvtoolTransportError(VvtoolError):
    """No response at all (timeout, connection reset). Retryable for reads; a create is in doubt."""

    retryable = True


class VvtoolValidationError(VvtoolError):
    """The request breaks a publishing rule. Checked before sending, so nothing was sent or charged."""

    def __init__(
        self, message: str, *, violations: Iterable[Violation] = (), **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.violations: tuple[Violation, ...] = tuple(violations)


class VvtoolKuaishouError(VvtoolError):
    """vv-tool answered `code == 0` but Kuaishou failed (`data.result != 1`).

    `result`, `error_msg`, `sub_code`, `sub_msg` are Kuaishou's, verbatim (secrets masked).
    `kuaishou` is the same failure classified by the Kuaishou connector, for callers that want the
    finer kind (auth, category, validation, ...); `retryable` follows it.
    """

    def __init__(
        self,
        message: str,
        *,
        kuaishou: KuaishouError,
        **fields: Any,
    ) -> None:
        fields.setdefault("retryable", kuaishou.retryable)
        super().__init__(message, **fields)
        self.kuaishou = kuaishou
        self.result = kuaishou.result
        self.error_msg = kuaishou.error_msg
        self.sub_code = kuaishou.sub_code
        self.sub_msg = kuaishou.sub_msg


class VvtoolKuaishouQuotaError(VvtoolKuaishouError):
    """Kuaishou's 500-new-items-per-day quota (or another daily quota): stop for today, "请勿重试"."""


class VvtoolKuaishouThrottledError(VvtoolKuaishouError):
    """Kuaishou throttled vv-tool's app ("Exceed qps limit"): back off and retry."""


class VvtoolKuaishouDuplicateError(VvtoolKuaishouError):
    """The relItemId was used before: the item may exist; find it, never resend."""


class VvtoolKuaishouNotFoundError(VvtoolKuaishouError):
    """Kuaishou has no such item for this shop (ks-open-item)."""


_OUTER: dict[int, type[VvtoolError]] = {
    100: VvtoolParamsError,
    101: VvtoolTimeoutError,
    200: VvtoolSystemError,
    203: VvtoolUnsupportedError,
    204: VvtoolAbnormalError,
    302: VvtoolShopNotAuthorizedError,
    AUTH_FAILED_CODE: VvtoolAuthError,
    RATE_LIMITED_CODE: VvtoolRateLimitedError,
}

_INNER: tuple[tuple[type[KuaishouError], type[VvtoolKuaishouError]], ...] = (
    (KuaishouQuotaExceededError, VvtoolKuaishouQuotaError),
    (KuaishouThrottledError, VvtoolKuaishouThrottledError),
    (KuaishouDuplicateItemError, VvtoolKuaishouDuplicateError),
    (KuaishouNotFoundError, VvtoolKuaishouNotFoundError),
)


def _identity(text: str) -> str:
    return text


def error_from_outer(
    *,
    path: str,
    code: int | None,
    msg: str | None,
    withholding_money: Decimal | None = None,
    redact: Callable[[str], str] | None = None,
) -> VvtoolError:
    """The typed error for an outer `code != 0`. An undocumented code is a plain, non-retryable
    `VvtoolError`: retrying a failure we do not understand could publish twice."""
    mask = redact or _identity
    text = mask(msg) if msg is not None else None
    cls = _OUTER.get(code, VvtoolError) if code is not None else VvtoolError
    message = f"vv-tool {path} failed: code={code!r}" + (f" msg={text}" if text else "")
    return cls(message, path=path, code=code, msg=text, withholding_money=withholding_money)


def error_from_inner(
    inner: Mapping[str, Any],
    *,
    path: str,
    withholding_money: Decimal | None = None,
    redact: Callable[[str], str] | None = None,
) -> VvtoolKuaishouError:
    """The typed error for Kuaishou's failure inside a `code == 0` envelope."""
    kuaishou = error_from_envelope(inner, method=f"vv-tool {path}", redact=redact)
    cls = next((ours for theirs, ours in _INNER if isinstance(kuaishou, theirs)), None)
    return (cls or VvtoolKuaishouError)(
        f"{kuaishou} (Kuaishou's answer through vv-tool)",
        kuaishou=kuaishou,
        path=path,
        code=0,
        withholding_money=withholding_money,
    )
