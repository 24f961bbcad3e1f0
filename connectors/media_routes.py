"""Fetch media of named hosts from somewhere else: the sandbox's stand-in for DNS and a CDN.

Listings carry the platforms' CDN URLs (`https://img.alicdn.com/...`, `https://img.pddpic.com/...`,
`https://cbu01.alicdn.com/...`), and those URLs are stored with the listing. In production the media
fetcher downloads them from those hosts. In sandbox mode it must download them from the local
emulators, wherever they run today, without the stored URLs changing: `HostRoutingTransport` sends a
request for a routed host to that host's base URL, path and query unchanged (the host `img.alicdn.com`
routed to `http://127.0.0.1:8765` turns `https://img.alicdn.com/taobao/img/a.jpg` into
`http://127.0.0.1:8765/taobao/img/a.jpg`). Other hosts pass through untouched.

The routes are configuration (`connectors.platforms.Endpoints.media_routes`): none in production.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

__all__ = ["HostRoutingTransport"]


class HostRoutingTransport(httpx.AsyncBaseTransport):
    """Rewrite requests for routed hosts to their base URL, then hand them to `inner`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, routes: Iterable[tuple[str, str]]) -> None:
        self._inner = inner
        self._routes = {host.lower(): httpx.URL(base.rstrip("/")) for host, base in routes}

    def route(self, url: httpx.URL) -> httpx.URL:
        """Where `url` is fetched from: its routed base plus its own path and query, or itself."""
        base = self._routes.get(url.host.lower())
        if base is None:
            return url
        return base.copy_with(path=base.path.rstrip("/") + url.path, query=url.query or None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self.route(request.url)
        if target is not request.url:
            request.url = target
            request.headers["Host"] = target.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
