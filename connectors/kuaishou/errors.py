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
    "KuaishouItemStateError",
    "KuaishouNotFoundError",
    "KuaishouOAuthError",
    "KuaishouQuotaExceededError",
    "KuaishouReauthorizeError",
    "KuaishouServerError",
    "KuaishouThrottledError",
    "KuaishouTokenExpiredError",
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


class KuaishouItemStateError(KuaishouError):
    """The item's review state forbids the change (商品状态不允许编辑).

    An edit needs auditStatus 1 (审核待修改) or 2 (审核通过), and a category change needs 1.
    Wait for the review, then send the edit again.
    """


class KuaishouNotFoundError(KuaishouError):
    """The item (or material) does not exist, or it belongs to another merchant."""


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


# --- OAuth and the token lifecycle (kuaishou-api.md §5.3) -------------------------------------


class KuaishouTokenExpiredError(KuaishouAuthError):
    """The access token expired (鉴权失败/TOKEN过期), as opposed to revoked (`result: 24`).

    Refreshing the token and resending can succeed, so a client with a token provider does that
    once for a read. Without one it is an auth error like any other: not retryable as is.
    """


class KuaishouOAuthError(KuaishouError):
    """An `/oauth2/*` call failed: a documented 1002001xx code, or 100200500 (retryable).

    `oauth_code` is the numeric code and `oauth_error` its OAuth name (`invalid_grant`, ...).
    The message never holds the app secret, a code or a token.
    """

    def __init__(
        self,
        message: str,
        *,
        oauth_code: int | None = None,
        oauth_error: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.oauth_code = oauth_code
        self.oauth_error = oauth_error


class KuaishouReauthorizeError(KuaishouOAuthError):
    """The merchant must authorize the app again; no retry or refresh can help.

    The refresh token was discarded after a rotation (`refreshToken.discarded`), expired (~180 d
    after the authorization) or was revoked, or the authorization code is spent or stale.
    """

    retryable = False


_TOKEN_EXPIRED_MARKERS = ("token过期", "token已过期", "token expired", "access_token_expired")

# Phrases from kuaishou-api.md §5.4 and the sandbox, matched case-insensitively, checked in
# this order (quota and throttle first: their messages name the appkey).
_MARKERS: tuple[tuple[type[KuaishouError], tuple[str, ...]], ...] = (
    (KuaishouQuotaExceededError, ("exceed quota", "[1017]", "请勿重试")),
    (KuaishouThrottledError, ("exceed qps", "qps limit", "限流", "请求过于频繁")),
    (KuaishouTokenExpiredError, _TOKEN_EXPIRED_MARKERS),
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
    (KuaishouItemStateError, ("商品状态不允许编辑",)),
    (KuaishouNotFoundError, ("商品不存在", "item not found", "素材不存在")),
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
