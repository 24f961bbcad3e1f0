"""What the review tests share: the in-process emulator with a realistic review on a clock the
test moves, the platforms talking to it, and items created on it and marked published."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image

from connectors.platforms import Endpoints, EndpointsMode
from listings.china_time import CHINA_TZ
from listings.migrations import Migration
from pipeline.clients import Platforms
from sandbox.app import Sandbox
from sandbox.inprocess import in_process_transport, reset_in_process_sandbox
from sandbox.kuaishou_review import realistic_review
from store import DuckDBLedger
from tests.assets.conftest import sandbox_env_vars
from tests.inprocess import IN_PROCESS_URL
from tests.samples import tshirt_item_param

START = datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TZ)


@dataclass
class Clock:
    """The emulator's clock, which a test moves (`sandbox.kuaishou.now` reads it)."""

    now: datetime = START

    def move_to(self, minutes: float) -> datetime:
        self.now = START + timedelta(minutes=minutes)
        return self.now


def review_sandbox(clock: Clock, **review: object) -> Sandbox:
    """A fresh in-process sandbox whose Kuaishou review is `realistic_review(**review)`."""
    state = reset_in_process_sandbox()
    state.kuaishou.now = lambda: clock.now
    realistic_review(state.kuaishou, **review)  # type: ignore[arg-type]
    return state


def sandbox_platforms() -> Platforms:
    return Platforms(
        endpoints=Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url=IN_PROCESS_URL),
        transport=in_process_transport(),
        rate_limited=False,
        env=sandbox_env_vars(),
    )


def png_bytes(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Planned:
    """An item to create: its relItemId, title and how many main images."""

    rel: int
    title: str = "纯棉圆领T恤"
    images: int = 2


def publish(
    migration: Migration, platforms: Platforms, ledger: DuckDBLedger, items: Sequence[Planned]
) -> dict[int, int]:
    """Create `items` on the emulator and mark them published in the ledger: rel → kwai id."""

    async def create() -> dict[int, int]:
        async with platforms.kuaishou(migration) as client:
            colours = [(200, 30, 30), (30, 30, 200), (30, 200, 30), (200, 200, 30), (90, 0, 90)]
            urls = [
                (await client.upload_image(png_bytes(c), filename=f"{i}.png")).kwai_img_url
                for i, c in enumerate(colours)
            ]
            created = {}
            for item in items:
                param = tshirt_item_param(
                    urls, rel_item_id=item.rel, title=item.title, image_urls=urls[: item.images]
                )
                created[item.rel] = (await client.create_item(param)).kwai_item_id
            return created

    created = asyncio.run(create())
    ledger.ledger_ensure_pending(
        migration=migration.key, items=[(rel, f"src-{rel}") for rel in created]
    )
    for rel, kwai in created.items():
        ledger.ledger_transition(rel_item_id=rel, state="published", kwai_item_id=kwai)
    return created


def calls(sandbox: Sandbox, method: str) -> int:
    return sum(1 for name, _ in sandbox.kuaishou.calls if name == method)
