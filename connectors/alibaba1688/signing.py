"""1688 AOP (Alibaba Open Platform, "ocean" gateway) request signing.

`_aop_signature` is the upper-case hex HMAC-SHA1, keyed with the app secret, of the URL path
(`param2/1/{namespace}/{api}/{appKey}`: no leading slash, no `openapi/`) followed by every sent
parameter written as key+value, with those key+value STRINGS sorted, not the keys: the two orders
differ as soon as one key is a prefix of another (`order` + "9" sorts after `orderId` + "1" as a
string, before it as a key). `access_token` and `_aop_timestamp` are signed like any other parameter;
`_aop_signature` itself is not. See reference/signing.md, "1688 AOP".

The official SDK drops falsy business values (None, "", 0, False, empty lists) before it signs and
sends, so `prepare_params` does exactly that: a `0` we sent and signed while the SDK would not is a
parameter the gateway may read differently from what our callers meant, and "sign exactly what is
sent" is the one rule that keeps signatures valid.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

__all__ = [
    "SIGNATURE_PARAM",
    "TIMESTAMP_PARAM",
    "aop_signature",
    "prepare_params",
    "sign_string",
    "url_path",
]

SIGNATURE_PARAM = "_aop_signature"
TIMESTAMP_PARAM = "_aop_timestamp"


def url_path(namespace: str, api: str, app_key: str, *, version: int = 1) -> str:
    """The signed path of one API: `param2/{version}/{namespace}/{api}/{appKey}`."""
    return f"param2/{version}/{namespace}/{api}/{app_key}"


def _wire_value(value: object) -> str:
    """How a value is written on the wire: booleans as JSON, lists and dicts as compact JSON. [I]"""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def prepare_params(params: Mapping[str, object]) -> dict[str, str]:
    """Business params as they will be sent: falsy values dropped (as the official SDK does),
    the rest as strings.

    Dropping happens here, before signing, so what is signed and what is sent are one dict.
    """
    return {key: _wire_value(value) for key, value in params.items() if value}


def sign_string(path: str, params: Mapping[str, str | None]) -> str:
    """The text that gets hashed: `path` + the sorted key+value strings, concatenated.

    Exposed on its own because a signature error is nearly always a difference in this string; print
    it with the access token masked rather than guessing. None (not sent) is never signed; an empty
    string that is sent is (the gateway sees `key=`).
    """
    pieces = sorted(
        f"{key}{value}"
        for key, value in params.items()
        if key != SIGNATURE_PARAM and value is not None
    )
    return path + "".join(pieces)


def aop_signature(path: str, params: Mapping[str, str | None], *, secret: str) -> str:
    """The upper-case hex `_aop_signature` of a request to `path` with `params`."""
    digest = hmac.new(
        secret.encode("utf-8"), sign_string(path, params).encode("utf-8"), hashlib.sha1
    )
    return digest.hexdigest().upper()
