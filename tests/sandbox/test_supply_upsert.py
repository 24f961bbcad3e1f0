"""`open.supply.item.sync` in the emulator is an upsert per (merchant, kwaiItemId) [I]: a second report
of an item replaces the first, so a report sent again after a lost answer leaves one report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from listings.china_time import CHINA_TZ
from sandbox.credentials import KUAISHOU_SELLER_ID
from sandbox.kuaishou_open import KuaishouSandbox, StoredItem, SupplyReportRecord


@pytest.fixture
def kuaishou() -> KuaishouSandbox:
    sandbox = KuaishouSandbox(now=lambda: datetime(2026, 1, 5, 10, 0, tzinfo=CHINA_TZ))
    for kwai_item_id in (101, 102):
        sandbox.items[kwai_item_id] = StoredItem(
            kwai_item_id=kwai_item_id,
            rel_item_id=kwai_item_id + 9000,
            seller=KUAISHOU_SELLER_ID,
            param={"categoryId": 1},
            sku_ids=[],
            created_at=sandbox.now(),
        )
    return sandbox


def report(kwai_item_id: int, *, title: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {
        "scene": 2,
        "itemId": f"src-{kwai_item_id}",
        "kwaiItemId": kwai_item_id,
        "originItemUrl": f"https://item.taobao.com/item.htm?id={kwai_item_id}",
        "seller": {"platform": 3, "platformName": "淘宝"},
    }
    if title:
        item["title"] = title
    return {"item": item}


def sync(kuaishou: KuaishouSandbox, param: dict[str, Any]) -> None:
    kuaishou.handle("open.supply.item.sync", seller=KUAISHOU_SELLER_ID, param=param, files={})


def test_a_second_report_of_an_item_replaces_the_first(kuaishou: KuaishouSandbox) -> None:
    sync(kuaishou, report(101, title="first"))
    sync(kuaishou, report(101, title="second"))
    (kept,) = kuaishou.reports
    assert (kept.item["title"], kept.versions) == ("second", 2)


def test_the_replacing_report_keeps_when_the_first_one_arrived(kuaishou: KuaishouSandbox) -> None:
    sync(kuaishou, report(101))
    first_at = kuaishou.reports[0].received_at
    kuaishou.advance(timedelta(hours=30))
    sync(kuaishou, report(101))
    (kept,) = kuaishou.reports
    assert kept.first_received_at == first_at
    assert kept.received_at == first_at + timedelta(hours=30)


def test_reports_of_different_items_are_kept_side_by_side(kuaishou: KuaishouSandbox) -> None:
    sync(kuaishou, report(101))
    sync(kuaishou, report(102))
    sync(kuaishou, report(101))
    assert sorted((r.item["kwaiItemId"], r.versions) for r in kuaishou.reports) == [
        (101, 2),
        (102, 1),
    ]


def test_a_refused_report_leaves_the_accepted_one_untouched(kuaishou: KuaishouSandbox) -> None:
    sync(kuaishou, report(101, title="kept"))
    bad = report(101)
    bad["item"]["seller"]["platform"] = 1  # scene 2 must report platform 3
    with pytest.raises(Exception, match="platform"):
        sync(kuaishou, bad)
    assert [(r.item.get("title"), r.versions) for r in kuaishou.reports] == [("kept", 1)]


def test_a_first_report_is_a_plain_record() -> None:
    record = SupplyReportRecord(seller=1, item={}, received_at=KuaishouSandbox().now())
    assert (record.versions, record.first_received_at) == (1, None)
