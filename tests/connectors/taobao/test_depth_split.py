"""Listing a shop deeper than TOP's paging cap by splitting on modified time, and the emulator's
changes between runs (edits, delistings) that an incremental extraction reads.

The cap is lowered to 150 rows on both sides (emulator and client take it as a constructor
argument) so an 800-item shop needs several windows and the tests stay fast; the logic is the
one that splits a 100,000-item shop under TOP's real 20,000.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from connectors.taobao import TaobaoArgumentError, TaobaoClient, TaobaoDepthLimitError
from connectors.taobao.client import ONSALE_FLOOR
from listings.china_time import CHINA_TZ
from listings.cursor import ExtractCursor
from sandbox.credentials import TAOBAO_APP_KEY, TAOBAO_APP_SECRET, TAOBAO_SESSIONS
from sandbox.taobao_top import TaobaoSandbox, build_taobao_app

from .conftest import DEMO_SHOP, ORIGIN, ROUTER_URL, MakeClient

pytestmark = pytest.mark.anyio

ONSALE = "taobao.items.onsale.get"
DEEP_SHOP = "deep-taobao-shop"
DEEP_SESSION = "sandbox-taobao-session-deep"
DEEP_SIZE = 800
CAP = 150
TOP_TIME = "%Y-%m-%d %H:%M:%S"


@pytest.fixture
def deep_sandbox() -> TaobaoSandbox:
    return TaobaoSandbox(
        sessions={**TAOBAO_SESSIONS, DEEP_SESSION: DEEP_SHOP},
        shop_sizes={DEEP_SHOP: DEEP_SIZE},
        max_depth=CAP,
    )


@pytest.fixture
def deep_client(deep_sandbox: TaobaoSandbox) -> TaobaoClient:
    app = Starlette(routes=[Mount("/taobao", app=build_taobao_app(deep_sandbox))])
    return TaobaoClient(
        base_url=ROUTER_URL,
        app_key=TAOBAO_APP_KEY,
        app_secret=TAOBAO_APP_SECRET,
        session=DEEP_SESSION,
        transport=httpx.ASGITransport(app=app),
        max_depth=CAP,
    )


def _onsale(sandbox: TaobaoSandbox, shop_id: str = DEEP_SHOP) -> dict[int, dict[str, Any]]:
    return {
        item["num_iid"]: item
        for item in sandbox.catalog(shop_id, base_url=ORIGIN)
        if item["approve_status"] == "onsale"
    }


def _top_time(text: str) -> datetime:
    return datetime.strptime(text, TOP_TIME).replace(tzinfo=CHINA_TZ)


async def _split(client: TaobaoClient, **kwargs: Any) -> list[dict[str, Any]]:
    window: dict[str, Any] = {"start_modified": None, "end_modified": None, **kwargs}
    return [row async for row in client.iter_onsale_split(**window)]


# -- splitting ---------------------------------------------------------------------------------


async def test_a_shop_deeper_than_the_cap_is_read_completely_with_no_duplicates(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    async with deep_client as client:
        rows = await _split(client, fields="num_iid,title")
    ids = [int(row["num_iid"]) for row in rows]
    expected = _onsale(deep_sandbox)
    assert len(expected) > 4 * CAP
    assert len(ids) == len(set(ids))
    assert set(ids) == set(expected)
    assert all(set(row) == {"num_iid", "title", "modified"} for row in rows)
    calls = deep_sandbox.calls_to(ONSALE)
    assert all(call.error_code is None for call in calls)
    windows = {(call.params["start_modified"], call.params["end_modified"]) for call in calls}
    assert len(windows) > 4
    assert len(windows) > len(expected) // CAP
    assert len(calls) < 40  # halving is logarithmic in the range: 23 years → 25 calls here


async def test_windows_are_read_newest_first_from_taobaos_founding_to_now(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    async with deep_client as client:
        await _split(client, fields="num_iid")
    calls = [call.params for call in deep_sandbox.calls_to(ONSALE)]
    assert calls[0]["start_modified"] == ONSALE_FLOOR.strftime(TOP_TIME) == "2003-01-01 00:00:00"
    now = _top_time(calls[0]["end_modified"])
    assert abs(now - datetime.now(CHINA_TZ)) < timedelta(minutes=1)
    # The whole range was too deep: its newer half is asked next, then the older one.
    assert calls[1]["end_modified"] == calls[0]["end_modified"]
    assert calls[1]["start_modified"] > calls[0]["start_modified"]
    firsts = [call for call in calls if call["page_no"] == "1"]
    assert firsts[-1]["start_modified"] == calls[0]["start_modified"]


async def test_the_page_size_sets_how_much_a_window_may_hold(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    async with deep_client as client:
        rows = await _split(client, fields="num_iid", page_size=40)
    assert {int(row["num_iid"]) for row in rows} == set(_onsale(deep_sandbox))
    calls = deep_sandbox.calls_to(ONSALE)
    assert all(call.error_code is None for call in calls)
    assert {call.params["page_size"] for call in calls} == {"40"}
    assert max(int(call.params["page_no"]) for call in calls) == CAP // 40  # 3 pages: 120 rows


async def test_a_bounded_window_reads_only_its_items(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    stamps = sorted(item["modified"] for item in _onsale(deep_sandbox).values())
    start, end = _top_time(stamps[100]), _top_time(stamps[-100])
    async with deep_client as client:
        rows = await _split(client, start_modified=start, end_modified=end, fields="num_iid")
    expected = {
        num_iid
        for num_iid, item in _onsale(deep_sandbox).items()
        if stamps[100] <= item["modified"] <= stamps[-100]
    }
    assert {int(row["num_iid"]) for row in rows} == expected


async def test_plain_iter_onsale_still_refuses_the_deep_shop_up_front(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    async with deep_client as client:
        with pytest.raises(TaobaoDepthLimitError, match="iter_onsale_split"):
            _ = [row async for row in client.iter_onsale(page_size=100)]
    assert len(deep_sandbox.calls_to(ONSALE)) == 1


async def test_more_items_in_one_second_than_the_cap_raise_naming_that_second(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    crowded = list(_onsale(deep_sandbox))[: CAP + 1]
    stamp = deep_sandbox.edit_items(DEEP_SHOP, crowded, at=datetime(2025, 7, 1, 10, 0, 0))
    assert stamp == "2025-07-01 10:00:00"
    async with deep_client as client:
        with pytest.raises(TaobaoDepthLimitError, match="2025-07-01 10:00:00") as caught:
            await _split(client, fields="num_iid")
    assert "cannot be listed through taobao.items.onsale.get" in str(caught.value)
    assert all(call.error_code is None for call in deep_sandbox.calls_to(ONSALE))


async def test_exactly_the_cap_in_one_second_is_still_read(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    crowded = list(_onsale(deep_sandbox))[:CAP]
    deep_sandbox.edit_items(DEEP_SHOP, crowded, at=datetime(2025, 7, 1, 10, 0, 0))
    async with deep_client as client:
        rows = await _split(client, fields="num_iid", page_size=50)  # 3 pages of 50 reach 150
    assert {int(row["num_iid"]) for row in rows} == set(_onsale(deep_sandbox))


async def test_a_row_that_leaves_the_window_mid_paging_pushes_no_other_row_out(
    client_for: MakeClient, sandbox: TaobaoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Page 1 is served, then its first item is edited (moved past `end`): every row below it
    moves up one place, and without a second pass the first row of page 2 would never be seen."""
    before = _onsale(sandbox, DEMO_SHOP)
    newest_listed = max(before.values(), key=lambda item: (item["list_time"], item["num_iid"]))
    dispatch = sandbox.dispatch
    edited: list[str] = []

    def edit_after_page_one(method: str, params: dict[str, str], **kwargs: Any) -> dict[str, Any]:
        if method == ONSALE and params.get("page_no") == "2" and not edited:
            edited.append(
                sandbox.edit_items(DEMO_SHOP, [newest_listed["num_iid"]], at=datetime(2031, 1, 1))
            )
        return dispatch(method, params, **kwargs)

    monkeypatch.setattr(sandbox, "dispatch", edit_after_page_one)
    async with client_for() as client:
        rows = await _split(client, fields="num_iid", page_size=50)
    ids = [int(row["num_iid"]) for row in rows]
    assert edited
    assert sorted(ids) == sorted(before)  # the moved item too, as it was when listed
    assert len(sandbox.calls_to(ONSALE)) > math.ceil(len(before) / 50)


# -- the emulator's edits, delistings and order --------------------------------------------------


async def test_edits_after_a_read_are_exactly_the_window_after_its_newest_modified(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    async with deep_client as client:
        first = await _split(client, fields="num_iid,modified,price")
        newest = max(_top_time(row["modified"]) for row in first)
        chosen = [int(row["num_iid"]) for row in first[::150]]
        stamp = deep_sandbox.edit_items(DEEP_SHOP, chosen)
        again = await _split(client, start_modified=newest + timedelta(seconds=1))
        details = await client.item_details(chosen)
    assert {int(row["num_iid"]) for row in again} == set(chosen)
    assert {row["modified"] for row in again} == {stamp}
    assert abs(_top_time(stamp) - datetime.now(CHINA_TZ)) < timedelta(minutes=1)
    old_price = {int(row["num_iid"]): float(row["price"]) for row in first}
    for item in details.items:
        assert float(item["price"]) == pytest.approx(old_price[item["num_iid"]] + 1)
        assert item["modified"] == stamp


async def test_the_extract_cursor_window_with_its_lookback_re_reads_only_the_edited(
    deep_client: TaobaoClient, deep_sandbox: TaobaoSandbox
) -> None:
    """The incremental run: list from `window_start` (newest modified minus the lookback), then
    read details only where `needs_read` says so. The lookback's overlap is listed, not read."""
    async with deep_client as client:
        first = await _split(client, fields="num_iid,modified")
        known = {str(row["num_iid"]): _top_time(row["modified"]) for row in first}
        cursor = ExtractCursor(lookback=timedelta(days=2)).advance(known.items())
        chosen = [int(row["num_iid"]) for row in first[5::300]]
        deep_sandbox.edit_items(DEEP_SHOP, chosen)
        listed = await _split(client, start_modified=cursor.window_start, fields="num_iid")
    overlap = [row for row in listed if int(row["num_iid"]) not in chosen]
    assert overlap, "a two-day lookback should list some unchanged items again"
    to_read = {
        int(row["num_iid"])
        for row in listed
        if cursor.needs_read(
            item_id=str(row["num_iid"]),
            modified=_top_time(row["modified"]),
            known_modified=known.get(str(row["num_iid"])),
        )
    }
    assert to_read == set(chosen)


async def test_delisted_items_leave_onsale_get_but_keep_their_details(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    before = _onsale(sandbox, DEMO_SHOP)
    gone = list(before)[:5]
    async with client_for() as client:
        total_before = (await client.onsale_page(page_no=1, page_size=1)).total_results
        sandbox.delist(DEMO_SHOP, gone)
        rows = await _split(client, fields="num_iid")
        total_after = (await client.onsale_page(page_no=1, page_size=1)).total_results
        details = await client.item_details(gone)
    assert total_after == total_before - 5
    assert {int(row["num_iid"]) for row in rows} == set(before) - set(gone)
    assert [item["approve_status"] for item in details.items] == ["instock"] * 5


def test_changes_replay_on_a_view_generated_later_and_unknown_ids_are_refused() -> None:
    sandbox = TaobaoSandbox()
    ids = [item["num_iid"] for item in sandbox.catalog(DEMO_SHOP, base_url=ORIGIN)[:3]]
    fresh = TaobaoSandbox()
    fresh.edit_items(DEMO_SHOP, ids[:2], at=datetime(2030, 1, 1, 8, 0, 0))
    fresh.delist(DEMO_SHOP, ids[2:], at=datetime(2030, 1, 2, 8, 0, 0))
    for base in (ORIGIN, "http://127.0.0.1:8765"):
        by_id = {item["num_iid"]: item for item in fresh.catalog(DEMO_SHOP, base_url=base)}
        assert [by_id[num_iid]["modified"] for num_iid in ids] == [
            "2030-01-01 08:00:00",
            "2030-01-01 08:00:00",
            "2030-01-02 08:00:00",
        ]
        assert by_id[ids[2]]["approve_status"] == "instock"
    with pytest.raises(ValueError, match="111111111111"):
        fresh.edit_items(DEMO_SHOP, [111111111111])
    assert sandbox.catalog(DEMO_SHOP, base_url=ORIGIN)[0]["modified"] < "2030"


async def test_order_by_modified_and_a_bad_order_by(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    async with client_for() as client:
        asc = await client.call(
            ONSALE, {"fields": "num_iid,modified", "page_size": 200, "order_by": "modified:asc"}
        )
        desc = await client.call(
            ONSALE, {"fields": "num_iid,modified", "page_no": 2, "page_size": 7,
                     "order_by": "modified:desc"}
        )  # fmt: skip
        with pytest.raises(TaobaoArgumentError):
            await client.call(ONSALE, {"fields": "num_iid", "order_by": "title:asc"})
    rows = asc["items"]["item"]
    keys = [(row["modified"], row["num_iid"]) for row in rows]
    assert keys == sorted(keys) and len(rows) == len(_onsale(sandbox, DEMO_SHOP))
    assert [row["num_iid"] for row in desc["items"]["item"]] == [
        num_iid for _, num_iid in sorted(keys, reverse=True)[7:14]
    ]


async def test_window_bounds_are_inclusive_and_accept_unpadded_dates(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    stamps = Counter(item["modified"] for item in _onsale(sandbox, DEMO_SHOP).values())
    stamp = min(stamps)
    moment = _top_time(stamp)
    unpadded = f"{moment.year}-{moment.month}-{moment.day} {moment:%H:%M:%S}"
    async with client_for() as client:
        page = await client.call(
            ONSALE,
            {"fields": "num_iid", "start_modified": unpadded, "end_modified": stamp},
        )
    assert page["total_results"] == stamps[stamp]
