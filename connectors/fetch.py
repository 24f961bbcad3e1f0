"""Fetching a source file (an image, a video) by URL: the one place the pipeline's media stages go
out to the network.

Read as a stream, so a file over the cap is cut off at the cap instead of being held whole; every
failure is a `FetchError` whose message says what went wrong and, where it helps, the fix.
"""

from __future__ import annotations

import httpx

__all__ = ["FetchError", "fetch_bytes"]


class FetchError(Exception):
    """The file could not be had: the message is the reason, shown to the merchant."""


async def fetch_bytes(client: httpx.AsyncClient, url: str, *, max_bytes: int, what: str) -> bytes:
    """The bytes at `url`, at most `max_bytes` of them (`what` names the file in the refusal)."""
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise FetchError(f"fetch failed: HTTP {response.status_code}")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{what} is over {max_bytes} bytes: compress it on the source")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FetchError(f"fetch failed: {type(exc).__name__}") from None
    return b"".join(chunks)
