"""The HTTP-layer refusals of every emulator, in each platform's own envelope.

A real gateway never answers a malformed request with a bare "Method Not Allowed" or a stack trace:
it answers in its envelope, and a client written from the documentation parses that. So every
emulator app is wrapped in `PlatformGuard`, which turns what Starlette or a bug would answer into
the platform's error body:

- a body over `max_body` bytes (declared or streamed) is refused before it is read in full;
- an unknown path (Starlette's plain "Not Found") and an unsupported HTTP method (405);
- an exception escaping a handler: logged, and answered as the platform's system error, so no
  input reaches a 500. Injected faults (`fail_next(..., "5xx")`) are responses, not exceptions, and
  pass through untouched.

Each platform's `Refusal` builds its envelope; the codes and HTTP statuses are in
docs/kuaishou-methods.md "What the sandbox infers" where no source gives them [I].
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_BODY_BYTES", "REFUSALS", "PlatformGuard", "Refusal", "RefusalKind", "guarded"]

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
"""Kuaishou's image upload caps a file at 2 MB and no platform documents a larger body; 10 MB [I]."""

RefusalKind = Literal["too_large", "not_found", "method", "internal"]

Envelope = Callable[[RefusalKind, str], tuple[int, dict[str, Any]]]


def _request_id() -> str:
    return uuid.uuid4().hex[:16]


def _top(kind: RefusalKind, detail: str) -> tuple[int, dict[str, Any]]:
    code, msg, sub_code = {
        "too_large": (41, "Invalid arguments:body", "isv.invalid-parameter"),
        "not_found": (22, "Invalid method", "isv.invalid-method"),
        "method": (22, "Invalid method", "isv.invalid-method"),
        "internal": (15, "Remote service error", "isp.unknown-error"),
    }[kind]
    inner = {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": detail}
    return 200, {"error_response": {**inner, "request_id": _request_id()}}


def _pdd(kind: RefusalKind, detail: str) -> tuple[int, dict[str, Any]]:
    code, msg = {
        "too_large": (10000, "参数错误:body"),
        "not_found": (10001, "接口不存在"),
        "method": (10001, "请求方法不支持"),
        "internal": (50000, "系统错误"),
    }[kind]
    inner = {"error_code": code, "error_msg": msg, "sub_code": str(code), "sub_msg": detail}
    return 200, {"error_response": {**inner, "request_id": _request_id()}}


def _aop(kind: RefusalKind, detail: str) -> tuple[int, dict[str, Any]]:
    code, status = {
        "too_large": ("gw.ParamInvalid", 400),
        "not_found": ("gw.APINotFound", 404),
        "method": ("gw.HttpMethodNotAllowed", 405),
        # The real gateway may say 5xx here; the sandbox answers 400, so that a 5xx always means
        # an injected fault [I].
        "internal": ("gw.SystemError", 400),
    }[kind]
    return status, {"error_code": code, "error_message": detail, "request_id": _request_id()}


def _kuaishou(kind: RefusalKind, detail: str) -> tuple[int, dict[str, Any]]:
    result, msg = {
        "too_large": (10, "参数错误"),
        "not_found": (31, "api不存在"),
        "method": (10, "参数错误"),
        "internal": (32, "系统繁忙"),
    }[kind]
    return 200, {"result": result, "error_msg": msg, "sub_code": kind.upper(), "sub_msg": detail}


def _vvtool(kind: RefusalKind, detail: str) -> tuple[int, dict[str, Any]]:
    code, msg = {
        "too_large": (100, "请求参数错误"),
        "not_found": (203, "暂不支持当前接口"),
        "method": (203, "暂不支持当前接口"),
        "internal": (200, "系统错误"),
    }[kind]
    return 200, {"code": code, "msg": f"{msg}: {detail}", "data": [], "withholding_money": 0}


@dataclass(frozen=True, slots=True)
class Refusal:
    """How one platform words a refusal of the HTTP layer."""

    platform: str
    envelope: Envelope


REFUSALS: dict[str, Refusal] = {
    "taobao": Refusal("taobao", _top),
    "pinduoduo": Refusal("pinduoduo", _pdd),
    "alibaba1688": Refusal("alibaba1688", _aop),
    "kuaishou": Refusal("kuaishou", _kuaishou),
    "vvtool": Refusal("vvtool", _vvtool),
}


class _BodyTooLarge(Exception):
    pass


class PlatformGuard:
    """ASGI middleware: the refusals of the module doc, in `refusal`'s envelope."""

    def __init__(
        self,
        app: ASGIApp,
        refusal: Refusal,
        *,
        max_body: int = MAX_BODY_BYTES,
        larger: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.refusal = refusal
        self.max_body = max_body
        self.larger = dict(larger or {})
        """Path suffix → cap, for upload hosts that take more (Kuaishou's item videos)."""

    def _cap(self, scope: Scope) -> int:
        path = str(scope.get("path", ""))
        return next(
            (cap for suffix, cap in self.larger.items() if path.endswith(suffix)), self.max_body
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope)
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await self._refuse(send, "too_large", f"body of {declared} bytes, at most {cap}")
            return
        try:
            body = await self._read_body(receive, cap)
        except _BodyTooLarge:
            await self._refuse(send, "too_large", f"body over {cap} bytes")
            return
        await self._forward(scope, body, receive, send)

    async def _read_body(self, receive: Receive, cap: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise _BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _forward(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
        sent_body = False

        async def replay() -> Message:
            """The body read above, once; then the client's own messages (its disconnect)."""
            nonlocal sent_body
            if sent_body:
                return await receive()
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        held: list[Message] = []
        state: dict[str, Any] = {"hold": False, "started": False}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                plain = _header(message, b"content-type").startswith(b"text/plain")
                state["hold"] = plain and message["status"] in (404, 405, 500)
                state["status"] = message["status"]
            if state["hold"]:
                held.append(message)
                return
            state["started"] = True
            await send(message)

        try:
            await self.app(scope, replay, watch)
        except Exception as exc:
            if state["started"]:
                raise
            logger.exception("sandbox %s: a handler failed", self.refusal.platform)
            name = type(exc).__name__
            await self._refuse(send, "internal", f"the request could not be processed ({name})")
            return
        if not state["hold"]:
            return
        text = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        if state["status"] == 405:
            await self._refuse(
                send, "method", f"HTTP method {scope['method']} is not supported here"
            )
        elif state["status"] == 404 and text == b"Not Found":  # Starlette's router: no such path
            await self._refuse(send, "not_found", f"no API at {scope['path']}")
        else:  # an emulator's own plain answer: a missing image, an injected fault
            for message in held:
                await send(message)

    async def _refuse(self, send: Send, kind: RefusalKind, detail: str) -> None:
        status, body = self.refusal.envelope(kind, detail)
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json;charset=UTF-8"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def guarded(platform: str, *, larger: Mapping[str, int] | None = None) -> list[Middleware]:
    """The `middleware=` of an emulator's Starlette app: its guard, in `platform`'s envelope."""
    return [Middleware(PlatformGuard, refusal=REFUSALS[platform], larger=larger)]


def _header(message: Message, name: bytes) -> bytes:
    for key, value in message.get("headers", []):
        if key.lower() == name:
            return bytes(value).lower()
    return b""


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
