"""TOP (Taobao Open Platform) request signing.

The gateway recomputes the signature over exactly the parameters it received, so the one rule that
matters is to sign the values as they are sent (raw UTF-8, before URL-encoding) and to skip exactly
what the official SDK skips: `sign` itself and any null, empty or whitespace-only value (two PyPI
SDKs sign empty values and get "Invalid signature" for it). See reference/signing.md, "Taobao TOP".
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Literal, get_args

__all__ = ["SIGN_METHODS", "SignMethod", "sign", "sign_string"]

SignMethod = Literal["md5", "hmac", "hmac-sha256"]
SIGN_METHODS: tuple[str, ...] = get_args(SignMethod)


def _signed(key: str, value: str | None) -> bool:
    return key != "sign" and value is not None and value.strip() != ""


def sign_string(params: Mapping[str, str | None]) -> str:
    """The text that gets hashed: signed params sorted by key, as `key1value1key2value2...`.

    Exposed on its own because nine of ten signature errors are a difference in this string; print
    it (it holds the session key, so redact before logging) rather than guessing.
    """
    return "".join(f"{key}{params[key]}" for key in sorted(params) if _signed(key, params[key]))


def sign(params: Mapping[str, str | None], *, secret: str, sign_method: SignMethod) -> str:
    """The upper-case hex `sign` of a TOP request.

    md5 wraps the text in the secret (`MD5(secret + text + secret)`); the two HMAC methods key the
    hash with the secret and do not wrap.
    """
    text = sign_string(params).encode("utf-8")
    key = secret.encode("utf-8")
    if sign_method == "md5":
        digest = hashlib.md5(key + text + key).hexdigest()
    elif sign_method == "hmac":
        digest = hmac.new(key, text, hashlib.md5).hexdigest()
    elif sign_method == "hmac-sha256":
        digest = hmac.new(key, text, hashlib.sha256).hexdigest()
    else:
        raise ValueError(f"unknown TOP sign_method {sign_method!r}: use one of {SIGN_METHODS}")
    return digest.upper()
