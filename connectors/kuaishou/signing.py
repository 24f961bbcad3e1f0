"""Kuaishou open-platform request signing (reference/signing.md, kuaishou-api.md §5.2).

The client and the sandbox both import this module, so they cannot drift apart. `param` is
signed as the exact string that is sent. For that reason `dump_param` is the only JSON
serializer for `param`: a second serializer with other separators or escaping would make a
valid-looking request fail with "验签失败".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["SIGNED_PARAMS", "SignMethod", "dump_param", "sign", "sign_string"]

SignMethod = Literal["MD5", "HMAC_SHA256"]

# The system params that are signed: `sign` itself, business fields and file parts never are.
SIGNED_PARAMS: tuple[str, ...] = (
    "access_token",
    "appkey",
    "method",
    "param",
    "signMethod",
    "timestamp",
    "version",
)


def dump_param(obj: Any) -> str:
    """Serialize a `param` value: compact separators and raw UTF-8 (no \\u escapes).

    A pydantic model is dumped with its wire aliases and without unset (None) fields. A `None`
    field must not be sent as `null`, because the platform may read it as a value.
    """
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(by_alias=True, exclude_none=True, mode="json")
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def sign_string(params: Mapping[str, str | None], *, sign_secret: str) -> str:
    """The exact text that is signed: sorted `k=v` pairs of the sent system params, then the secret.

    Values are used raw (not URL-encoded). A param that is not sent (None or absent) is left
    out, never signed as "None". The result contains the secret, so never log it without
    `Redactor`.
    """
    pairs = [
        f"{key}={params[key]}"
        for key in sorted(SIGNED_PARAMS)
        if key in params and params[key] is not None
    ]
    return "&".join([*pairs, f"signSecret={sign_secret}"])


def sign(
    params: Mapping[str, str | None],
    *,
    sign_secret: str,
    sign_method: SignMethod,
) -> str:
    """The `sign` value: MD5 as lower-case hex, or HMAC-SHA256 keyed with signSecret, Base64."""
    text = sign_string(params, sign_secret=sign_secret).encode("utf-8")
    if sign_method == "MD5":
        return hashlib.md5(text).hexdigest()
    if sign_method == "HMAC_SHA256":
        digest = hmac.new(sign_secret.encode("utf-8"), text, hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")
    raise ValueError(f"unsupported signMethod {sign_method!r}: use 'MD5' or 'HMAC_SHA256'")
