"""Kuaishou errors: one hierarchy, classified from the response envelope.

The platform documents few result codes. Apart from `result: 24` (authorization revoked) it
signals the failure kind only in the text (`error_msg`, `sub_msg`), and it sends errors with
HTTP 200 (kuaishou-api.md §1.5, §5.4). So `error_from_envelope` matches the documented
phrases, and every error keeps the platform's fields verbatim for the merchant and for us.
The class decides what the caller does:

- retry: throttled, server error, transport error;
- stop for today: quota (the docs say "请勿重试");
- fix and resend: auth, category, validation;
- look the item up by relItemId: duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from connectors.http import PlatformError

if TYPE_CHECKING:
    from connectors.kuaishou.rules import Violation

__all__ = [
    "KuaishouAuthError",
    "KuaishouCategoryError",
    "KuaishouDuplicateItemError",
    "KuaishouError",
    "KuaishouNotFoundError",
    "KuaishouQuotaExceededError",
    "KuaishouServerError",
    "KuaishouThrottledError",
    "KuaishouTransportError",
    "KuaishouValidationError",
    "error_from_envelope",
]

AUTH_REVOKED_RESULT = 24


class KuaishouError(PlatformError):
    """Root of every Kuaishou failure. Keeps the envelope's fields verbatim (secrets masked)."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        result: int | None = None,
        error_msg: str | None = None,
        code: str | None = None,
        msg: str | None = None,
        sub_code: str | None = None,
        sub_msg: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.method = method
        self.result = result
        self.error_msg = error_msg
        self.code = code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg


class KuaishouAuthError(KuaishouError):
    """Bad appkey or signature (验签失败), expired/revoked token (result 24), or no scope."""


class KuaishouThrottledError(KuaishouError):
    """QPS limit or the hidden per-API throttle: back off and retry."""

    retryable = True


class KuaishouQuotaExceededError(KuaishouError):
    """Daily quota used up (500 new items per merchant, or `[1017] exceed quota`).

    Do not retry today: the docs say "请勿重试".
    """


class KuaishouCategoryError(KuaishouError):
    """The category cannot be sold into (商品来源不可售卖): not a leaf, not opened, or unknown."""


class KuaishouValidationError(KuaishouError):
    """The platform rejected a param.

    If the check ran on our side before sending, `violations` lists every problem.
    """

    def __init__(
        self,
        message: str,
        *,
        violations: Iterable[Violation] = (),
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.violations: tuple[Violation, ...] = tuple(violations)


class KuaishouDuplicateItemError(KuaishouValidationError):
    """The relItemId was used before. The item may exist: find it by relItemId, never resend."""


class KuaishouNotFoundError(KuaishouError):
    """The item does not exist, or it belongs to another merchant."""


class KuaishouServerError(KuaishouError):
    """HTTP 5xx, or a body that is not an envelope.

    Retryable for reads. For a create the outcome is unknown.
    """

    retryable = True


class KuaishouTransportError(KuaishouError):
    """The request got no response (timeout, connection reset).

    Retryable for reads. For a create the outcome is unknown.
    """

    retryable = True


# Phrases from kuaishou-api.md §5.4 and the sandbox, matched case-insensitively, checked in
# this order (quota and throttle first: their messages name the appkey).
_MARKERS: tuple[tuple[type[KuaishouError], tuple[str, ...]], ...] = (
    (KuaishouQuotaExceededError, ("exceed quota", "[1017]", "请勿重试")),
    (KuaishouThrottledError, ("exceed qps", "qps limit", "限流", "请求过于频繁")),
    (
        KuaishouAuthError,
        (
            "验签失败",
            "签名校验失败",
            "鉴权失败",
            "token过期",
            "authorization_revoked",
            "scope权限",
            "appkey不存在",
            "invalid appkey",
            "access_token",
        ),
    ),
    (KuaishouCategoryError, ("商品来源不可售卖", "非叶子类目", "类目不存在")),
    (KuaishouDuplicateItemError, ("relitemid已存在", "relitemid重复", "duplicate relitemid")),
    (KuaishouNotFoundError, ("商品不存在", "item not found")),
    (KuaishouServerError, ("系统错误", "服务异常", "系统繁忙", "server error")),
    (KuaishouValidationError, ("参数", "invalid param", "不合法", "不能为空")),
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def error_from_envelope(
    envelope: Mapping[str, Any],
    *,
    method: str,
    redact: Callable[[str], str] | None = None,
) -> KuaishouError:
    """The typed error for a failed envelope (`result != 1`).

    `redact` masks secrets in the message and the kept fields, in case the platform echoes a token.
    An unrecognised error becomes a plain, non-retryable `KuaishouError`: retrying a failure we
    do not understand could publish twice.
    """
    mask = redact or (lambda s: s)
    raw_result = envelope.get("result")
    result = (
        raw_result if isinstance(raw_result, int) and not isinstance(raw_result, bool) else None
    )
    fields = {
        name: None if (value := _text(envelope.get(name))) is None else mask(value)
        for name in ("error_msg", "code", "msg", "sub_code", "sub_msg")
    }
    haystack = " ".join(v for v in fields.values() if v).lower()

    cls: type[KuaishouError] = KuaishouError
    if result == AUTH_REVOKED_RESULT:
        cls = KuaishouAuthError
    else:
        for candidate, markers in _MARKERS:
            if any(marker in haystack for marker in markers):
                cls = candidate
                break

    detail = " | ".join(f"{k}={v}" for k, v in fields.items() if v)
    message = f"{method} failed: result={raw_result!r}" + (f" {detail}" if detail else "")
    return cls(
        message,
        method=method,
        result=result,
        error_msg=fields["error_msg"],
        code=fields["code"],
        msg=fields["msg"],
        sub_code=fields["sub_code"],
        sub_msg=fields["sub_msg"],
    )
