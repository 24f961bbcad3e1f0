"""Pinduoduo open-platform request signing (MD5).

The gateway recomputes the sign over exactly the parameters it received, so the rule is to sign the
values as they are sent (raw UTF-8, before URL-encoding). PDD differs from TOP in one detail that
breaks ported code: an empty-string value that is sent IS signed (as its bare key), where TOP skips
it. A value that is not sent (None) is never signed. See reference/signing.md, "Pinduoduo".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

__all__ = ["sign", "sign_string"]


def sign_string(params: Mapping[str, str | None]) -> str:
    """The text between the two secrets: sent params sorted by key, as `key1value1key2value2...`.

    Exposed on its own because nine of ten signature errors are a difference in this string; print
    it (it holds the access token, so redact before logging) rather than guessing.
    """
    return "".join(
        f"{key}{params[key]}" for key in sorted(params) if key != "sign" and params[key] is not None
    )


def sign(params: Mapping[str, str | None], *, client_secret: str) -> str:
    """The `sign` of a PDD request: upper-case hex MD5(client_secret + text + client_secret)."""
    secret = client_secret.encode("utf-8")
    return hashlib.md5(secret + sign_string(params).encode("utf-8") + secret).hexdigest().upper()
