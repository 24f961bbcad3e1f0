"""The Kuaishou OAuth endpoints: code exchange and refresh-token rotation (kuaishou-api.md §5.3).

- `GET {oauth_base}/oauth2/access_token?app_id&app_secret&grant_type=code&code` exchanges the
  code the merchant's browser brought back (valid 2 min, single use) for an access token (48 h)
  and a refresh token (~180 d).
- `POST {oauth_base}/oauth2/refresh_token` (form `grant_type=refresh_token, refresh_token, app_id,
  app_secret`) rotates both. The old refresh token dies within 5 minutes, and the new one keeps
  the original expiry: after ~180 d only a new authorization helps.

Rotation is not idempotent, so who may call `refresh` and when is `tokens.TokenManager`'s job
(one rotation under a lock). This module only speaks the protocol and classifies failures:

- `invalid_grant` and `access_denied` (e.g. `refreshToken.discarded`) → `KuaishouReauthorizeError`;
- `server_error` (100200500), HTTP 5xx and lost answers → retryable;
- every other code → `KuaishouOAuthError`, not retryable (a configuration problem).

Secrets (app secret, code, tokens) are masked in every message and log line. The code exchange is
a GET with the app secret in the query, as documented; httpx logs request URLs at INFO, so a
filter on the `httpx` logger masks those query values (`_UrlSecretFilter`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from connectors import safe_json
from connectors.http import DEFAULT_TIMEOUT, AsyncClosing, Redactor, call_with_retries
from connectors.kuaishou.errors import (
    KuaishouOAuthError,
    KuaishouReauthorizeError,
    KuaishouServerError,
    KuaishouTransportError,
)

__all__ = [
    "OAUTH_ERRORS",
    "PRODUCTION_OAUTH_BASE_URL",
    "KuaishouOAuthClient",
    "OAuthTokens",
    "oauth_error",
]

PRODUCTION_OAUTH_BASE_URL = "https://openapi.kwaixiaodian.com"

# kuaishou-api.md §5.3: the documented codes and their OAuth names.
OAUTH_ERRORS: dict[int, str] = {
    100200100: "invalid_request",
    100200101: "unauthorized_client",
    100200102: "access_denied",
    100200105: "invalid_grant",
    100200106: "invalid_scope",
    100200107: "invalid_openid",
    100200500: "server_error",
}
_REAUTHORIZE = frozenset({"access_denied", "invalid_grant"})
_RETRYABLE = frozenset({"server_error"})

logger = logging.getLogger(__name__)


class OAuthTokens(BaseModel):
    """A token answer of either endpoint. The tokens are `SecretStr`, so no repr shows them.

    `refresh_token_expires_in` is optional: the docs list it for the refresh answer only.
    """

    model_config = ConfigDict(extra="ignore")

    access_token: SecretStr
    expires_in: int = Field(gt=0)
    refresh_token: SecretStr
    refresh_token_expires_in: int | None = None
    open_id: str | None = None
    scopes: tuple[str, ...] = ()


class _UrlSecretFilter(logging.Filter):
    """Masks `app_secret`, `code` and token query values in `httpx`'s request log lines."""

    _PATTERN = re.compile(r"([?&](?:app_secret|code|refresh_token|access_token)=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        masked = self._PATTERN.sub(r"\1***", text)
        if masked != text:
            record.msg, record.args = masked, None
        return True


def _install_url_filter() -> None:
    target = logging.getLogger("httpx")
    if not any(isinstance(f, _UrlSecretFilter) for f in target.filters):
        target.addFilter(_UrlSecretFilter())


def oauth_error(body: Mapping[str, Any], *, operation: str, redact: Redactor) -> KuaishouOAuthError:
    """The typed error of a failed OAuth answer (`result != 1`).

    The error's shape beyond the code is not documented [I]: the name is read from `error`, else
    from the code table; the detail from `error_msg`, `error_description`, `msg` or `message`.
    """
    raw = body.get("result", body.get("code"))
    code = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if code is None and isinstance(raw, str) and raw.isdigit():
        code = int(raw)
    name = body.get("error") if isinstance(body.get("error"), str) else None
    name = name or (OAUTH_ERRORS.get(code) if code is not None else None)
    detail = next(
        (
            str(body[key])
            for key in ("error_msg", "error_description", "msg", "message")
            if body.get(key)
        ),
        "",
    )
    message = redact(
        f"kuaishou oauth {operation} failed: {code if code is not None else raw!r} "
        f"{name or 'unknown_error'}" + (f" ({detail})" if detail else "")
    )
    cls = KuaishouReauthorizeError if name in _REAUTHORIZE else KuaishouOAuthError
    if cls is KuaishouReauthorizeError:
        message += ": the merchant must authorize the app again"
    return cls(
        message,
        method=f"oauth2.{operation}",
        result=code,
        error_msg=redact(detail) or None,
        oauth_code=code,
        oauth_error=name,
        retryable=name in _RETRYABLE,
    )


class KuaishouOAuthClient(AsyncClosing):
    """The app's side of the OAuth flow: one app id and secret, any number of merchants.

    Production and sandbox differ only in `base_url` and `transport`.
    """

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        base_url: str = PRODUCTION_OAUTH_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        refresh_attempts: int = 3,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._refresh_attempts = refresh_attempts
        self._redact = Redactor([app_secret])
        self._http = httpx.AsyncClient(
            base_url=base_url,
            transport=transport or httpx.AsyncHTTPTransport(retries=0),
            timeout=timeout,
        )
        _install_url_filter()

    @property
    def redact(self) -> Redactor:
        """The redactor that knows every secret this client has seen (for callers' own logs)."""
        return self._redact

    async def exchange_code(self, code: str) -> OAuthTokens:
        """Exchange an authorization code for the first token pair. Sent once, never retried.

        The code is single use, so a resend after a lost answer could only fail (`invalid_grant`);
        the merchant authorizes again instead.
        """
        self._redact.add(code)
        params = {
            "app_id": self._app_id,
            "app_secret": self._app_secret,
            "grant_type": "code",
            "code": code,
        }
        return await self._send("access_token", "GET", params=params)

    async def refresh(self, refresh_token: str) -> OAuthTokens:
        """Rotate the token pair. Retried on server errors and lost answers, a few times.

        A retry after a lost answer resends the old refresh token, which the platform honours for
        5 minutes after a rotation; the attempts stay well inside that window.
        """
        self._redact.add(refresh_token)
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "app_id": self._app_id,
            "app_secret": self._app_secret,
        }
        return await call_with_retries(
            lambda: self._send("refresh_token", "POST", data=form),
            attempts=self._refresh_attempts,
            timeout_s=60.0,
        )

    async def _send(
        self,
        operation: str,
        http_method: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> OAuthTokens:
        method = f"oauth2.{operation}"
        try:
            response = await self._http.request(
                http_method, f"/oauth2/{operation}", params=params, data=data
            )
        except httpx.TransportError as exc:
            raise KuaishouTransportError(
                f"{method}: no response ({type(exc).__name__}: {self._redact(str(exc))})",
                method=method,
            ) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise KuaishouServerError(
                f"{method}: HTTP {response.status_code}", method=method, retryable=True
            )
        try:
            body = safe_json.loads(response.content)
        except ValueError:
            raise KuaishouServerError(
                f"{method}: HTTP {response.status_code} without a JSON body", method=method
            ) from None
        if not isinstance(body, Mapping):
            raise KuaishouServerError(f"{method}: the answer is not an object", method=method)
        if body.get("result") != 1:
            raise oauth_error(body, operation=operation, redact=self._redact)
        for key in ("access_token", "refresh_token"):
            if isinstance(body.get(key), str):
                self._redact.add(body[key])
        try:
            tokens = OAuthTokens.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise KuaishouOAuthError(
                f"{method}: unexpected answer: {exc.error_count()} error(s), first: "
                f"{first['msg']} at {'.'.join(str(p) for p in first['loc'])}",
                method=method,
            ) from None
        logger.info(
            "kuaishou oauth %s: new tokens for open_id %s, access token valid %d s",
            operation,
            tokens.open_id,
            tokens.expires_in,
        )
        return tokens
