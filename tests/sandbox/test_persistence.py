"""A sandbox with memory: what the emulated platforms were told before a restart, they still know after
it, served anew over the same data directory and reached on another port, as the real platforms
never forget a shop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from connectors.kuaishou import (
    KuaishouDuplicateItemError,
    KuaishouQuotaExceededError,
    SupplyItem,
    SupplyItemSeller,
)
from connectors.vvtool import VvtoolClient
from sandbox.persistence import DataDirLocked, open_persistent_sandbox
from sandbox.vvtool_credentials import VVTOOL_CLIENT_ID, VVTOOL_CLIENT_SECRET, VVTOOL_SHOP_ID
from tests.connectors.vvtool.conftest import item_request as vvtool_item_request
from tests.samples import tshirt_item_param
from tests.sandbox.restart import Running, png, running

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


async def _publish(life: Running, rel_item_id: int) -> tuple[int, list[str]]:
    async with life.kuaishou() as client:
        red = await client.upload_image(png((200, 30, 30)), filename="red.png")
        blue = await client.upload_image(png((30, 30, 200)), filename="blue.png")
        urls = [red.kwai_img_url, blue.kwai_img_url]
        created = await client.create_item(tshirt_item_param(urls, rel_item_id=rel_item_id))
    return created.kwai_item_id, urls


def _report(kwai_item_id: int, title: str = "纯棉圆领T恤") -> SupplyItem:
    return SupplyItem(
        scene=2,
        item_id="6731",
        kwai_item_id=kwai_item_id,
        origin_item_url="https://item.taobao.com/item.htm?id=6731",
        seller=SupplyItemSeller(platform=3, platform_name="淘宝"),
        title=title,
    )


def test_an_item_created_before_a_restart_is_found_after_it(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        kwai_item_id, _ = run(_publish(life, 7_100_001))
    with running(tmp_path, port=41002) as life:

        async def look_up() -> tuple[int, int | None]:
            async with life.kuaishou() as client:
                item = await client.get_item(kwai_item_id)
                found = await client.find_item_by_rel_item_id(7_100_001)
            return item.rel_item_id, None if found is None else found.kwai_item_id

        assert run(look_up()) == (7_100_001, kwai_item_id)


def test_a_relitemid_created_before_a_restart_is_still_refused_after_it(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        _, urls = run(_publish(life, 7_100_002))
    with running(tmp_path, port=41002) as life:

        async def again() -> None:
            async with life.kuaishou() as client:
                await client.create_item(tshirt_item_param(urls, rel_item_id=7_100_002))

        with pytest.raises(KuaishouDuplicateItemError):
            run(again())


def test_new_items_after_a_restart_get_new_ids_and_may_use_images_uploaded_before(
    tmp_path: Path,
) -> None:
    with running(tmp_path, port=41001) as life:
        first, urls = run(_publish(life, 7_100_003))
        first_skus = {k for k, _, _ in life.sandbox.kuaishou.items[first].sku_ids}
    with running(tmp_path, port=41002) as life:

        async def create() -> int:
            async with life.kuaishou() as client:
                param = tshirt_item_param(urls, rel_item_id=7_100_004)
                return (await client.create_item(param)).kwai_item_id

        second = run(create())
        second_skus = {k for k, _, _ in life.sandbox.kuaishou.items[second].sku_ids}
    assert second > first
    assert not first_skus & second_skus


def test_the_review_outcome_survives_a_restart(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        kwai_item_id, _ = run(_publish(life, 7_100_005))
        life.sandbox.kuaishou.set_audit(kwai_item_id, 3, "标题含违禁词: 最")
        life.persister.flush()  # a test switch is not a request: flush by hand
    with running(tmp_path, port=41002) as life:

        async def status() -> tuple[int, str]:
            async with life.kuaishou() as client:
                item = await client.get_item(kwai_item_id)
            return item.audit_status, item.audit_reason or ""

        assert run(status()) == (3, "标题含违禁词: 最")


def test_an_edit_that_sent_an_item_back_to_review_is_remembered_after_a_restart(
    tmp_path: Path,
) -> None:
    edited_at = datetime(2026, 3, 2, 10, 6, tzinfo=UTC)
    with running(tmp_path, port=41001) as life:
        kwai_item_id, _ = run(_publish(life, 7_100_009))
        life.sandbox.kuaishou.items[kwai_item_id].submitted_at = edited_at
        life.persister.flush()  # a test switch is not a request: flush by hand
    with running(tmp_path, port=41002) as life:
        assert life.sandbox.kuaishou.items[kwai_item_id].submitted_at == edited_at


def test_the_daily_quota_counts_the_items_created_before_a_restart(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        _, urls = run(_publish(life, 7_100_006))
    with running(tmp_path, port=41002) as life:
        life.sandbox.kuaishou.daily_quota = 1  # one a day, and today's one is already made

        async def one_more() -> None:
            async with life.kuaishou() as client:
                await client.create_item(tshirt_item_param(urls, rel_item_id=7_100_007))

        with pytest.raises(KuaishouQuotaExceededError):
            run(one_more())


def test_supply_reports_survive_a_restart(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        kwai_item_id, _ = run(_publish(life, 7_100_008))

        async def report() -> None:
            async with life.kuaishou() as client:
                await client.sync_supply_item(_report(kwai_item_id))

        run(report())
        before = [(r.item, r.received_at) for r in life.sandbox.kuaishou.reports]
    with running(tmp_path, port=41002) as life:
        after = [(r.item, r.received_at) for r in life.sandbox.kuaishou.reports]
    assert after == before and len(after) == 1


def test_oauth_tokens_issued_before_a_restart_still_authorize_after_it(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        code = life.sandbox.kuaishou.issue_code()
        life.persister.flush()

        async def exchange() -> dict[str, object]:
            async with life.http() as http:
                response = await http.get(
                    "/kuaishou/oauth2/access_token",
                    params={
                        "app_id": life.sandbox.kuaishou.app_key,
                        "app_secret": life.sandbox.kuaishou.oauth.app_secret,
                        "grant_type": "code",
                        "code": code,
                    },
                )
            body: dict[str, object] = response.json()
            return body

        tokens = run(exchange())
    with running(tmp_path, port=41002) as life:
        oauth = life.sandbox.kuaishou.oauth
        assert oauth.access_token_status(str(tokens["access_token"]))[1:] == ("ok",)  # type: ignore[index]
        assert str(tokens["refresh_token"]) in oauth.refresh_tokens
        assert oauth.codes[code].used  # a code is single-use, also across a restart
        assert oauth.exchanges == 1


def test_a_vvtool_item_created_before_a_restart_is_found_after_it(tmp_path: Path) -> None:
    def client(life: Running) -> VvtoolClient:
        return VvtoolClient(
            base_url=f"{life.origin}/vvtool",
            token_url="/api/proxy/oauth/token",
            client_id=VVTOOL_CLIENT_ID,
            client_secret=VVTOOL_CLIENT_SECRET,
            shop_id=VVTOOL_SHOP_ID,
            transport=life.transport,
            rate_per_second=None,
        )

    with running(tmp_path, port=41001) as life:

        async def create() -> int:
            async with client(life) as vvtool:
                return (
                    await vvtool.create_item(vvtool_item_request(rel_item_id=7_200_001))
                ).kwai_item_id

        kwai_item_id = run(create())
    with running(tmp_path, port=41002) as life:

        async def find() -> int | None:
            async with client(life) as vvtool:
                found = await vvtool.find_item_by_rel_item_id(7_200_001)
            return None if found is None else found.item_id

        assert run(find()) == kwai_item_id


def test_a_sellers_taobao_edit_survives_a_restart(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        taobao = life.sandbox.taobao
        shop = next(iter(taobao.shop_sizes))
        num_iid, price = (lambda i: (i["num_iid"], i["price"]))(
            taobao.catalog(shop, base_url="")[0]
        )
        stamp = taobao.edit_items(shop, [num_iid], at=datetime(2026, 1, 2, 3, 4, 5))
        life.persister.flush()  # a test switch is not a request: flush by hand
    with running(tmp_path, port=41002) as life:
        again = next(
            i for i in life.sandbox.taobao.catalog(shop, base_url="") if i["num_iid"] == num_iid
        )
    assert (again["modified"], again["price"]) == (stamp, f"{float(price) + 1:.2f}")


def test_a_second_sandbox_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    with running(tmp_path, port=41001), pytest.raises(DataDirLocked):
        open_persistent_sandbox(tmp_path)


def test_an_image_uploaded_after_a_restart_is_kept_by_the_next_restart(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        run(_publish(life, 7_100_009))

    async def upload(life: Running) -> str:
        async with life.kuaishou() as client:
            return (await client.upload_image(png((10, 160, 40)), filename="g.png")).kwai_img_url

    with running(tmp_path, port=41002) as life:
        url = run(upload(life))
    with running(tmp_path, port=41003) as life:
        assert life.sandbox.kuaishou.is_kwai_image(url)


def test_a_request_that_changes_nothing_writes_nothing(tmp_path: Path) -> None:
    with running(tmp_path, port=41001) as life:
        kwai_item_id, _ = run(_publish(life, 7_100_010))
        writes = life.persister.flushes

        async def read() -> None:
            async with life.kuaishou() as client:
                await client.category_config(
                    life.sandbox.kuaishou.items[kwai_item_id].param["categoryId"]
                )

        run(read())
        assert life.persister.flushes == writes


def test_an_item_taken_off_the_shelf_stays_off_and_its_relitemid_spent_after_a_restart(
    tmp_path: Path,
) -> None:
    with running(tmp_path, port=41001) as life:
        kwai_item_id, urls = run(_publish(life, 7_100_018))
        life.sandbox.kuaishou.set_audit(kwai_item_id, 2)

        async def take_down() -> None:
            async with life.kuaishou() as client:
                await client.set_shelf_status(kwai_item_id, on_shelf=False)

        run(take_down())
    with running(tmp_path, port=41002) as life:

        async def look() -> tuple[int | None, int | None]:
            async with life.kuaishou() as client:
                item = await client.get_item(kwai_item_id)
                found = await client.find_item_by_rel_item_id(7_100_018)
            return item.on_offline_status, None if found is None else found.kwai_item_id

        assert run(look()) == (0, kwai_item_id)

        async def again() -> None:
            async with life.kuaishou() as client:
                await client.create_item(tshirt_item_param(urls, rel_item_id=7_100_018))

        with pytest.raises(KuaishouDuplicateItemError):
            run(again())
