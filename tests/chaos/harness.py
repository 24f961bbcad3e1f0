"""What the chaos test and the rate benchmark share: the emulator on loopback, and a warehouse
staged as `published_items` finds it (drafts, images hosted on the emulator)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from connectors.kuaishou import KuaishouClient
from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration
from pipeline.drafts import draft_row
from sandbox.category_tree import CategoryTree
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from sandbox.taobao_images import render_image
from store.warehouse import Warehouse
from tests.samples import tshirt

PROJECT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(
    url: str,
    *,
    process: subprocess.Popen[Any] | None = None,
    log: Path | None = None,
    path: str = "/health",
    timeout: float = 60.0,
) -> None:
    """Until `url` + `path` answers 200; fails if `process` (the server) exits, with its `log`,
    or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}{path}", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process is not None and process.poll() is not None:
            told = log.read_text(encoding="utf-8") if log is not None else ""
            raise AssertionError(f"the server at {url} exited on start\n{told}")
        assert time.monotonic() < deadline, f"no server answered at {url}"
        time.sleep(0.1)


def spawn(module: str, *args: str, log: Path, stdin: int | None = None) -> subprocess.Popen[str]:
    """A child process (its own session); stderr goes to `log`, stdout is the `ready` line.

    Bytecode is cached outside the tree (PYTHONPYCACHEPREFIX) even where the environment says
    not to write it: a restart then imports in about a second instead of compiling 900 modules.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "banjia-pycache")
    with log.open("a", encoding="utf-8") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=PROJECT,
            env=env,
            stdin=stdin,
            stdout=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stderr=stderr,
            text=True,
            start_new_session=True,
        )


def drafts(migration: Migration, n: int) -> list[KuaishouDraft]:
    leaf = CategoryTree.load().leaves()[0].category_id
    decision = CategoryDecision(category_id=leaf, path="a>b", confidence=1.0, layer="override")
    drafts = []
    for i in range(n):
        draft = build_draft(
            tshirt(source_item_id=str(700_000_000 + i), short_title=None),
            decision=decision,
            migration=migration,
        )
        assert isinstance(draft, KuaishouDraft), draft
        drafts.append(draft)
    return drafts


async def upload(url: str, sources: list[str]) -> dict[str, str]:
    async with KuaishouClient(
        base_url=url,
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
    ) as client:
        return {
            src: (await client.upload_image(render_image(f"chaos-{k}"))).kwai_img_url
            for k, src in enumerate(sources)
        }


def bulk_insert(store: Warehouse, table: str, rows: list[dict[str, Any]]) -> None:
    """One INSERT over column lists (DuckDB's executemany costs ~10 ms a row: minutes here)."""
    columns = list(rows[0])
    with store.connect() as con:
        con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(f'unnest(?) AS {c}' for c in columns)}",
            [[row[c] for row in rows] for c in columns],
        )


def stage(store: Warehouse, migration: Migration, url: str, n: int) -> list[KuaishouDraft]:
    """What the pipeline holds before `published_items`: the drafts and their hosted images."""
    staged = drafts(migration, n)
    sources = sorted({u for d in staged for u in d.image_urls})
    hosted = asyncio.run(upload(url, sources))
    bulk_insert(store, "kuaishou_drafts", [draft_row(migration.key, d) for d in staged])
    bulk_insert(
        store,
        "media",
        [
            {
                "migration": migration.key,
                "source_item_id": d.source_item_id,
                "source_url": u,
                "kwai_url": hosted[u],
                "status": "hosted",
            }
            for d in staged
            for u in d.image_urls
        ],
    )
    return staged


@contextmanager
def serve_emulator(*args: str, log: Path) -> Iterator[str]:
    """tests/chaos/emulator.py on a free loopback port (with `args`); its URL. Stopped after."""
    port = free_port()
    process = spawn("tests.chaos.emulator", "--port", str(port), *args, log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process=process, log=log, path="/_chaos/state")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def emulator_state(url: str) -> dict[str, Any]:
    return dict(httpx.get(f"{url}/_chaos/state", timeout=10).json())
