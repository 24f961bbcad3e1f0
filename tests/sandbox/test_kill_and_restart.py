"""What the served sandbox acknowledged survives a `kill -9`: the real platform never loses an item it
answered for, so neither does `banjia sandbox serve --data-dir` (killed, then started on another
port over the same directory)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from connectors.kuaishou import KuaishouClient, SupplyItem, SupplyItemSeller
from sandbox.credentials import KUAISHOU_ACCESS_TOKEN, KUAISHOU_APP_KEY, KUAISHOU_SIGN_SECRET
from tests.chaos.harness import wait_for_health
from tests.samples import tshirt_item_param
from tests.sandbox.restart import png

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`banjia sandbox serve` on a free port over `data_dir`; killed (SIGKILL) if still alive after."""
    port = _free_port()
    command = [sys.executable, "-c", "from banjia.cli import main; main()", "sandbox", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--data-dir", str(data_dir)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process=process)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _client(url: str) -> KuaishouClient:
    return KuaishouClient(
        base_url=f"{url}/kuaishou",
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        rate_per_second=None,
    )


async def _publish_and_report(url: str) -> int:
    async with _client(url) as client:
        red = await client.upload_image(png((200, 30, 30)), filename="red.png")
        blue = await client.upload_image(png((30, 30, 200)), filename="blue.png")
        param = tshirt_item_param([red.kwai_img_url, blue.kwai_img_url], rel_item_id=7_300_001)
        kwai_item_id = (await client.create_item(param)).kwai_item_id
        await client.sync_supply_item(
            SupplyItem(
                scene=2,
                item_id="6731",
                kwai_item_id=kwai_item_id,
                origin_item_url="https://item.taobao.com/item.htm?id=6731",
                seller=SupplyItemSeller(platform=3, platform_name="淘宝"),
            )
        )
    return kwai_item_id


async def _rel_item_id_of(url: str, kwai_item_id: int) -> int:
    async with _client(url) as client:
        return (await client.get_item(kwai_item_id)).rel_item_id


@pytest.mark.slow
def test_an_item_acknowledged_just_before_a_kill_9_is_there_after_a_restart(
    tmp_path: Path,
) -> None:
    with served(tmp_path) as (process, url):
        kwai_item_id = asyncio.run(_publish_and_report(url))
        os.kill(process.pid, signal.SIGKILL)  # at once: no shutdown hook runs
        process.wait(timeout=30)
    with served(tmp_path) as (_, other_url):
        assert other_url != url
        assert asyncio.run(_rel_item_id_of(other_url, kwai_item_id)) == 7_300_001
