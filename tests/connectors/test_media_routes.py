"""In sandbox mode the media fetcher fetches the platforms' CDN hosts from the sandbox; any other host,
and every host in production, is fetched from itself."""

from __future__ import annotations

import httpx
import pytest

from connectors.media_routes import HostRoutingTransport
from connectors.platforms import media_fetcher

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _echo() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, text=str(request.url)))


def test_a_routed_host_keeps_its_path_and_query() -> None:
    routes = HostRoutingTransport(_echo(), [("img.alicdn.com", "http://127.0.0.1:9/base/")])
    url = httpx.URL("https://img.alicdn.com/taobao/img/a.jpg?x=1")
    assert str(routes.route(url)) == "http://127.0.0.1:9/base/taobao/img/a.jpg?x=1"


def test_an_unrouted_host_is_left_as_it_is() -> None:
    routes = HostRoutingTransport(_echo(), [("img.alicdn.com", "http://127.0.0.1:9")])
    url = httpx.URL("https://gd1.alicdn.com/a.jpg")
    assert routes.route(url) is url


async def test_the_fetcher_sends_a_routed_request_to_the_base_with_its_host_header() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async with media_fetcher(
        transport=httpx.MockTransport(answer), routes=(("img.pddpic.com", "http://127.0.0.1:9"),)
    ) as fetcher:
        await fetcher.get("https://img.pddpic.com/pinduoduo/img/a.jpeg")
    (request,) = seen
    assert str(request.url) == "http://127.0.0.1:9/pinduoduo/img/a.jpeg"
    assert request.headers["host"] == "127.0.0.1:9"


async def test_without_routes_the_fetcher_fetches_every_url_from_its_own_host() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200)

    async with media_fetcher(transport=httpx.MockTransport(answer)) as fetcher:
        await fetcher.get("https://img.alicdn.com/imgextra/a.jpg")
    assert seen == ["https://img.alicdn.com/imgextra/a.jpg"]
