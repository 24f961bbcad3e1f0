"""The Kuaishou OAuth endpoints, emulated as strictly as the docs allow (kuaishou-api.md §5.3).

- `GET /oauth2/access_token?app_id&app_secret&grant_type=code&code`: a code from
  `SandboxOAuth.issue_code` (what the merchant's browser would bring back) is valid 2 minutes and
  once. The answer: a 48 h access token and a refresh token valid 180 days.
- `GET /oauth/authorize?app_id&redirect_uri&scope&response_type=code&state`: the merchant's consent
  page. The sandbox has no login, so the merchant is `sandbox_seller` (default: the demo seller)
  and consent is given at once: a 302 to `redirect_uri?code=...&state=...`, as the real page does
  after the merchant clicks 授权. Unknown app, missing redirect_uri, another response_type or an
  unknown scope answer 400 with the OAuth error.
- `POST /oauth2/refresh_token` (form `grant_type=refresh_token, refresh_token, app_id,
  app_secret`): a new access token (48 h) and a new refresh token that keeps the ORIGINAL expiry.
  The old refresh token keeps working for 5 minutes after its first rotation, then answers
  `100200102 access_denied refreshToken.discarded`.

Access tokens issued here expire against the sandbox's clock (`KuaishouSandbox.advance` moves it),
and `revoke` turns any token into `result 24 AUTHORIZATION_REVOKED` at the gateway (or
`access_denied` at the refresh endpoint). The static tokens of `credentials.py` never expire.

The docs give the error codes and names; the body shape of an OAuth error is invented [I]:
`{"result": <code>, "error": <name>, "error_msg": <detail>}`. Faults for tests:
`fail_next("refresh_token", "lose_response")` rotates and then answers HTTP 500, the case the
5-minute grace exists for.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

__all__ = [
    "ACCESS_TOKEN_TTL",
    "CODE_TTL",
    "DEFAULT_SCOPES",
    "DISCARD_GRACE",
    "REFRESH_TOKEN_TTL",
    "IssuedAccessToken",
    "IssuedCode",
    "IssuedRefreshToken",
    "OAuthFailure",
    "OAuthFault",
    "SandboxOAuth",
    "oauth_routes",
]

CODE_TTL = timedelta(minutes=2)
ACCESS_TOKEN_TTL = timedelta(seconds=172_800)
REFRESH_TOKEN_TTL = timedelta(days=180)
DISCARD_GRACE = timedelta(minutes=5)
DEFAULT_SCOPES = ("merchant_item", "merchant_user")
KNOWN_SCOPES = frozenset(
    {*DEFAULT_SCOPES, "merchant_order", "merchant_refund", "merchant_logistics"}
)

OAuthFault = Literal["5xx", "server_error", "lose_response"]


@dataclass(slots=True)
class IssuedCode:
    seller: int
    issued_at: datetime
    scopes: tuple[str, ...]
    used: bool = False


@dataclass(slots=True)
class IssuedAccessToken:
    seller: int
    expires_at: datetime
    scopes: tuple[str, ...]


@dataclass(slots=True)
class IssuedRefreshToken:
    seller: int
    expires_at: datetime
    scopes: tuple[str, ...]
    rotated_at: datetime | None = None


class OAuthFailure(Exception):
    """An OAuth error answer: one of the documented 1002001xx codes (or 100200500)."""

    def __init__(self, code: int, error: str, detail: str) -> None:
        super().__init__(f"{code} {error} {detail}")
        self.code, self.error, self.detail = code, error, detail

    def body(self) -> dict[str, Any]:
        return {"result": self.code, "error": self.error, "error_msg": self.detail}


def _invalid_request(detail: str) -> OAuthFailure:
    return OAuthFailure(100200100, "invalid_request", detail)


def _invalid_grant(detail: str) -> OAuthFailure:
    return OAuthFailure(100200105, "invalid_grant", detail)


def _access_denied(detail: str) -> OAuthFailure:
    return OAuthFailure(100200102, "access_denied", detail)


def open_id_of(seller: int) -> str:
    """A stable, opaque open_id per merchant, as the platform hands out."""
    return "f" + hashlib.sha256(f"sandbox-open-id:{seller}".encode()).hexdigest()[:31]


class SandboxOAuth:
    """Codes, issued tokens, rotations and revocations. Tests read the fields directly.

    - `refreshes`: successful rotations (so a test can assert "exactly one").
    - `exchanges`: successful code exchanges.
    - `access_tokens`, `refresh_tokens`, `codes`, `revoked`: what was issued and revoked.
    """

    def __init__(self, *, app_id: str, app_secret: str, now: Callable[[], datetime]) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.now = now
        self.codes: dict[str, IssuedCode] = {}
        self.access_tokens: dict[str, IssuedAccessToken] = {}
        self.refresh_tokens: dict[str, IssuedRefreshToken] = {}
        self.revoked: set[str] = set()
        self.refreshes = 0
        self.exchanges = 0
        self._faults: dict[str, deque[OAuthFault]] = defaultdict(deque)

    # --- switches for tests ----------------------------------------------------------------------

    def issue_code(self, seller: int, *, scopes: Iterable[str] = DEFAULT_SCOPES) -> str:
        """An authorization code for `seller`, as the authorize page would redirect with."""
        code = "ks-sbx-code-" + secrets.token_hex(12)
        self.codes[code] = IssuedCode(seller=seller, issued_at=self.now(), scopes=tuple(scopes))
        return code

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token (the merchant cancelled the authorization)."""
        self.revoked.add(token)

    def fail_next(self, operation: str, kind: OAuthFault, *, times: int = 1) -> None:
        """Make the next calls of `access_token` or `refresh_token` fail.

        - "5xx": HTTP 500 before processing.
        - "server_error": `100200500 server_error` before processing.
        - "lose_response": processed (a refresh rotates), then HTTP 500.
        """
        if operation not in ("access_token", "refresh_token"):
            raise ValueError(f"unknown OAuth operation {operation!r}")
        if kind not in ("5xx", "server_error", "lose_response"):
            raise ValueError(f"unknown OAuth fault {kind!r}")
        self._faults[operation].extend([kind] * times)

    def take_fault(self, operation: str) -> OAuthFault | None:
        queue = self._faults.get(operation)
        return queue.popleft() if queue else None

    # --- what the gateway asks -------------------------------------------------------------------

    def access_token_status(
        self, token: str
    ) -> tuple[int, Literal["ok", "expired", "revoked"]] | None:
        """(seller, status) of a token issued here, or None if it was never issued here."""
        issued = self.access_tokens.get(token)
        if issued is None:
            return None
        if token in self.revoked:
            return issued.seller, "revoked"
        if self.now() >= issued.expires_at:
            return issued.seller, "expired"
        return issued.seller, "ok"

    def consent(self, params: Mapping[str, str], *, default_seller: int) -> str:
        """The redirect of the authorize page: `redirect_uri` with a fresh code and the state."""
        if params.get("app_id") != self.app_id:
            raise OAuthFailure(100200101, "unauthorized_client", "app_id is unknown")
        if params.get("response_type") != "code":
            raise _invalid_request(
                f"response_type: must be code, got {params.get('response_type')!r}"
            )
        redirect_uri = params.get("redirect_uri") or ""
        if (
            urlsplit(redirect_uri).scheme not in ("http", "https")
            or not urlsplit(redirect_uri).netloc
        ):
            raise _invalid_request("redirect_uri: required, an absolute http(s) URL")
        scopes = tuple(s for s in (params.get("scope") or "").split(",") if s)
        unknown = sorted(set(scopes) - KNOWN_SCOPES)
        if unknown:
            raise OAuthFailure(100200106, "invalid_scope", f"scope: unknown {', '.join(unknown)}")
        try:
            seller = int(params.get("sandbox_seller") or default_seller)
        except ValueError:
            raise _invalid_request("sandbox_seller: a seller id (digits)") from None
        code = self.issue_code(seller, scopes=scopes or DEFAULT_SCOPES)
        answer = {"code": code}
        if params.get("state"):
            answer["state"] = params["state"]
        separator = "&" if urlsplit(redirect_uri).query else "?"
        return f"{redirect_uri}{separator}{urlencode(answer)}"

    # --- the two endpoints -----------------------------------------------------------------------

    def exchange(self, params: Mapping[str, str]) -> dict[str, Any]:
        self._check_app(params)
        if params.get("grant_type") != "code":
            raise _invalid_request(f"grant_type: must be code, got {params.get('grant_type')!r}")
        code = params.get("code") or ""
        if not code:
            raise _invalid_request("code: required")
        issued = self.codes.get(code)
        if issued is None or issued.used:
            raise _invalid_grant("code.invalid: unknown or already used")
        issued.used = True
        if self.now() - issued.issued_at > CODE_TTL:
            raise _invalid_grant("code.expired: a code is valid for 2 minutes")
        self.exchanges += 1
        refresh_expires_at = self.now() + REFRESH_TOKEN_TTL
        body = self._issue(issued.seller, issued.scopes, refresh_expires_at=refresh_expires_at)
        del body["refresh_token_expires_in"]  # documented for the refresh answer only
        return body

    def refresh(self, params: Mapping[str, str]) -> dict[str, Any]:
        self._check_app(params)
        if params.get("grant_type") != "refresh_token":
            raise _invalid_request(
                f"grant_type: must be refresh_token, got {params.get('grant_type')!r}"
            )
        token = params.get("refresh_token") or ""
        if not token:
            raise _invalid_request("refresh_token: required")
        issued = self.refresh_tokens.get(token)
        now = self.now()
        if issued is None:
            raise _invalid_grant("refreshToken.invalid")
        if token in self.revoked:
            raise _access_denied("refreshToken.revoked")
        if issued.rotated_at is not None and now >= issued.rotated_at + DISCARD_GRACE:
            raise _access_denied("refreshToken.discarded")
        if now >= issued.expires_at:
            raise _invalid_grant("refreshToken.expired: authorize the app again")
        if issued.rotated_at is None:
            issued.rotated_at = now
        self.refreshes += 1
        return self._issue(issued.seller, issued.scopes, refresh_expires_at=issued.expires_at)

    def _check_app(self, params: Mapping[str, str]) -> None:
        secret = (params.get("app_secret") or "").encode()
        if params.get("app_id") != self.app_id or not hmac.compare_digest(
            secret, self.app_secret.encode()
        ):
            raise OAuthFailure(100200101, "unauthorized_client", "app_id or app_secret is wrong")

    def _issue(
        self, seller: int, scopes: tuple[str, ...], *, refresh_expires_at: datetime
    ) -> dict[str, Any]:
        now = self.now()
        access = "ks-sbx-at-" + secrets.token_hex(16)
        refresh = "ks-sbx-rt-" + secrets.token_hex(16)
        self.access_tokens[access] = IssuedAccessToken(
            seller=seller, expires_at=now + ACCESS_TOKEN_TTL, scopes=scopes
        )
        self.refresh_tokens[refresh] = IssuedRefreshToken(
            seller=seller, expires_at=refresh_expires_at, scopes=scopes
        )
        return {
            "result": 1,
            "access_token": access,
            "expires_in": int(ACCESS_TOKEN_TTL.total_seconds()),
            "refresh_token": refresh,
            "refresh_token_expires_in": max(0, int((refresh_expires_at - now).total_seconds())),
            "open_id": open_id_of(seller),
            "scopes": list(scopes),
        }


def oauth_routes(oauth: SandboxOAuth, *, default_seller: int) -> list[Route]:
    """The consent page and the two token endpoints, listed before the gateway's catch-all."""

    async def authorize(request: Request) -> Response:
        try:
            location = oauth.consent(dict(request.query_params), default_seller=default_seller)
        except OAuthFailure as failure:
            return JSONResponse(failure.body(), status_code=400)
        return RedirectResponse(location, status_code=302)

    async def access_token(request: Request) -> Response:
        if request.method != "GET":
            return JSONResponse(_invalid_request("use GET with query parameters").body())
        return _answer(oauth, "access_token", dict(request.query_params), oauth.exchange)

    async def refresh_token(request: Request) -> Response:
        if request.method != "POST":
            return JSONResponse(_invalid_request("use POST with a form body").body())
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return JSONResponse(_invalid_request(f"Content-Type: form only, got {kind}").body())
        try:
            params = dict(parse_qsl((await request.body()).decode("utf-8")))
        except UnicodeDecodeError:
            return JSONResponse(_invalid_request("the form body is not UTF-8").body())
        return _answer(oauth, "refresh_token", params, oauth.refresh)

    return [
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/oauth2/access_token", access_token, methods=["GET", "POST"]),
        Route("/oauth2/refresh_token", refresh_token, methods=["GET", "POST"]),
    ]


def _answer(
    oauth: SandboxOAuth,
    operation: str,
    params: Mapping[str, str],
    handler: Callable[[Mapping[str, str]], dict[str, Any]],
) -> Response:
    fault = oauth.take_fault(operation)
    if fault == "5xx":
        return PlainTextResponse("Internal Server Error", status_code=500)
    if fault == "server_error":
        return JSONResponse(OAuthFailure(100200500, "server_error", "系统繁忙").body())
    try:
        body = handler(params)
    except OAuthFailure as failure:
        return JSONResponse(failure.body())
    if fault == "lose_response":
        return PlainTextResponse("Internal Server Error", status_code=500)
    return JSONResponse(body)
