"""Warehouse (仓库中) items: `taobao.items.inventory.get`, read only when a migration asks for them."""

import asyncio

from connectors.taobao.source import TaobaoReader
from listings.cursor import ExtractCursor
from sandbox.taobao_top import TaobaoSandbox
from tests.connectors.taobao.conftest import MakeClient

SHOP = "demo-taobao-shop"


def test_inventory_lists_exactly_the_instock_items(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    async def run() -> list[int]:
        async with client_for() as client:
            return [int(row["num_iid"]) async for row in client.iter_inventory(page_size=2)]

    listed = asyncio.run(run())
    catalog = sandbox.catalog(SHOP, base_url="http://sandbox/taobao")
    instock = {item["num_iid"] for item in catalog if item["approve_status"] == "instock"}
    assert instock and sorted(listed) == sorted(instock)


def test_a_reader_lists_the_warehouse_only_when_asked(client_for: MakeClient) -> None:
    async def count(include: bool) -> int:
        async with client_for() as client:
            reader = TaobaoReader(client, include_inventory=include)
            return len([item async for item in reader.list_items(cursor=ExtractCursor())])

    on_sale, everything = asyncio.run(count(False)), asyncio.run(count(True))
    assert on_sale < everything == 200


def test_a_delisted_item_moves_to_the_inventory_list(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    async def ids(method: str) -> set[int]:
        async with client_for() as client:
            rows = (
                client.iter_inventory()
                if method == "inventory"
                else client.iter_onsale(fields="num_iid")
            )
            return {int(row["num_iid"]) async for row in rows}

    victim = sorted(asyncio.run(ids("onsale")))[0]
    sandbox.delist(SHOP, [victim])
    assert victim in asyncio.run(ids("inventory"))
    assert victim not in asyncio.run(ids("onsale"))
