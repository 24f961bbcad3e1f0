"""JSON from outside, read so that no input can crash what reads it.

Two things in valid JSON break code downstream of `json.loads`:

- depth: `[[[[...]]]]` a few thousand levels deep raises RecursionError inside `json.loads`, and a
  few hundred levels pass it but crash any recursive walk after it (pydantic, our validators, the
  encoder that prints the result). Real payloads of every platform here nest fewer than 15 levels;
  `MAX_DEPTH` = 64 refuses only nonsense.
- lone surrogates: `"\\ud800"` decodes to a str that cannot be encoded as UTF-8, so printing it
  (UnicodeEncodeError) or dumping a model holding it (PydanticSerializationError) fails later, far
  from the input. They are replaced by U+FFFD here, once, where the text comes in.

Both the parsers (connectors/*, `banjia sources parse`, `banjia kuaishou validate`) and the sandbox
emulators read untrusted JSON through `loads`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "UnsafeJsonError",
    "depth_of",
    "load_file",
    "loads",
    "scrub_surrogates",
]

MAX_DEPTH = 64
MAX_FILE_BYTES = 64 * 1024 * 1024
"""A detail response of any platform is well under 1 MB; 64 MB leaves room for a whole page of
items and refuses what would only exhaust memory."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


class UnsafeJsonError(ValueError):
    """Not JSON, or JSON nested deeper than allowed; the message says which and how deep."""


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, refusing nesting deeper than `max_depth` and scrubbing lone surrogates.

    Raises:
        UnsafeJsonError (a ValueError): invalid JSON, bytes that are not UTF-8, or too deep.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeJsonError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise UnsafeJsonError(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise UnsafeJsonError(f"not valid JSON ({exc})") from None
    depth = depth_of(value, limit=max_depth)
    if depth > max_depth:
        raise UnsafeJsonError(f"JSON nested deeper than {max_depth} levels")
    if _ESCAPED_SURROGATE.search(text) or _SURROGATE.search(text):
        value = scrub_surrogates(value)
    return value


def load_file(path: Path, *, max_bytes: int | None = None) -> Any:
    """`loads` of a file, refusing one over `max_bytes` (default `MAX_FILE_BYTES`) before reading it.

    Raises:
        UnsafeJsonError: too large, invalid, or too deep. OSError: unreadable.
    """
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    size = path.stat().st_size
    if size > max_bytes:
        raise UnsafeJsonError(f"{size} bytes, more than the {max_bytes} a payload file may have")
    return loads(path.read_bytes())


def depth_of(value: Any, *, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and dicts nest in `value` (a scalar is 0), counted without recursion.

    Stops counting once `limit` is passed, so a huge value costs no more than needed.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


def scrub_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [scrub_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value
