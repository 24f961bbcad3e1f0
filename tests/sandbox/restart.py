"""A persistent sandbox that a test can restart: a new app instance over the same data directory,
reached at another origin, as `banjia sandbox serve --data-dir` is after a restart on a new port."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image

from connectors.kuaishou import KuaishouClient
from sandbox.app import Sandbox
from sandbox.credentials import KUAISHOU_ACCESS_TOKEN, KUAISHOU_APP_KEY, KUAISHOU_SIGN_SECRET
from sandbox.persistence import Persister, open_persistent_sandbox, persistent_app


class Running:
    """One life of the sandbox: its state, its ASGI transport and the origin it is reached at."""

    def __init__(self, persister: Persister, origin: str) -> None:
        self.persister = persister
        self.sandbox: Sandbox = persister.sandbox
        self.origin = origin
        self.transport = httpx.ASGITransport(app=persistent_app(persister))

    def kuaishou(self) -> KuaishouClient:
        return KuaishouClient(
            base_url=f"{self.origin}/kuaishou",
            app_key=KUAISHOU_APP_KEY,
            sign_secret=KUAISHOU_SIGN_SECRET,
            access_token=KUAISHOU_ACCESS_TOKEN,
            transport=self.transport,
        )

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url=self.origin)


@contextmanager
def running(data_dir: Path, *, port: int) -> Iterator[Running]:
    """The sandbox over `data_dir`, as served on `port`; stopped (the directory released) after."""
    _, persister = open_persistent_sandbox(data_dir)
    try:
        yield Running(persister, f"http://127.0.0.1:{port}")
    finally:
        persister.close()


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()
