"""The emulator's realistic review: what it sends back, what it rejects, when it takes an item
off the shelf (sandbox/kuaishou_review.py), seen through open.item.get as a client sees it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from connectors.kuaishou import AuditStatus, ItemEditParam, ItemInfo
from pipeline.migrations_file import load_migrations
from pipeline.settings import PROJECT_ROOT
from sandbox.app import Sandbox
from sandbox.inprocess import reset_in_process_sandbox
from sandbox.kuaishou_review import BRAND_REJECTION, IMAGE_REJECTION, TAKEDOWN_REASON
from tests.pipeline.review_sandbox import Clock, png_bytes, review_sandbox, sandbox_platforms
from tests.samples import tshirt_item_param


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Iterator[Sandbox]:
    yield review_sandbox(
        clock,
        delay=timedelta(minutes=5),
        image_reject_every=2,
        takedown_every=3,
        takedown_after=timedelta(minutes=30),
    )
    reset_in_process_sandbox()


def create_and_look(
    rel: int, *, title: str, at: list[float], clock: Clock, edit: dict[str, object] | None = None
) -> list[ItemInfo]:
    """Create an item, then read it at each minute of `at` (editing it first, if asked)."""

    async def go() -> list[ItemInfo]:
        demo = load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get("taobao-demo")
        async with sandbox_platforms().kuaishou(demo) as client:
            urls = [
                (
                    await client.upload_image(png_bytes((i * 40, 30, 30)), filename=f"{i}.png")
                ).kwai_img_url
                for i in range(4)
            ]
            param = tshirt_item_param(urls, rel_item_id=rel, title=title, image_urls=urls)
            kwai = (await client.create_item(param)).kwai_item_id
            seen = []
            for minute in at:
                clock.move_to(minute)
                seen.append(await client.get_item(kwai))
                if edit is not None and seen[-1].audit_status == AuditStatus.NEEDS_CHANGES:
                    changes = {k: (urls[1:] if v == "drop cover" else v) for k, v in edit.items()}
                    await client.edit_item(
                        ItemEditParam.model_validate({"item_id": kwai, **changes})
                    )
            return seen

    return asyncio.run(go())


def test_an_absolute_term_sends_the_item_back_to_be_edited(sandbox: Sandbox, clock: Clock) -> None:
    first, reviewed = create_and_look(7_000_017, title="最舒服的T恤", at=[0, 6], clock=clock)
    assert first.audit_status == AuditStatus.PENDING  # 5 minutes of review
    assert reviewed.audit_status == AuditStatus.NEEDS_CHANGES
    assert reviewed.audit_reason and "极限词“最”" in reviewed.audit_reason


def test_a_brand_without_qualification_is_rejected_for_good(sandbox: Sandbox, clock: Clock) -> None:
    (reviewed,) = create_and_look(7_000_023, title="耐克同款T恤", at=[6], clock=clock)
    assert reviewed.audit_status == AuditStatus.REJECTED
    assert reviewed.audit_reason == BRAND_REJECTION.format(keyword="耐克")


def test_an_edit_dropping_the_objected_image_passes_a_new_review_after_the_delay(
    sandbox: Sandbox, clock: Clock
) -> None:
    sent_back, too_soon, passed = create_and_look(
        7_000_014,
        title="纯棉T恤",
        at=[6, 10, 12],
        clock=clock,
        edit={"image_urls": "drop cover"},
    )
    assert (sent_back.audit_status, sent_back.audit_reason) == (1, IMAGE_REJECTION)
    assert too_soon.audit_status == AuditStatus.PENDING  # the delay counts from the edit
    assert passed.audit_status == AuditStatus.APPROVED


def test_the_patrol_takes_an_approved_item_off_the_shelf_later(
    sandbox: Sandbox, clock: Clock
) -> None:
    on, off = create_and_look(7_000_015, title="纯棉T恤", at=[6, 31], clock=clock)
    assert (on.audit_status, on.on_offline_status) == (AuditStatus.APPROVED, 1)
    assert (off.audit_status, off.on_offline_status) == (AuditStatus.APPROVED, 0)
    assert off.offline_reason == TAKEDOWN_REASON
