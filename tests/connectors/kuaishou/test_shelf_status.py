"""`open.item.shelf.status.update` on the emulator: what `banjia batch undo` relies on (issue 18)."""

from __future__ import annotations

import pytest

from connectors.kuaishou import KuaishouClient, KuaishouDuplicateItemError, KuaishouError
from sandbox.kuaishou_open import KuaishouSandbox
from tests.connectors.kuaishou.conftest import item_param

anyio = pytest.mark.anyio


@anyio
async def test_taking_an_item_off_the_shelf_keeps_it_findable_and_its_relitemid_spent(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str]
) -> None:
    param = item_param(kwai_urls, rel_item_id=1_800_001)
    created = await client.create_item(param)
    sandbox.set_audit(created.kwai_item_id, 2)
    assert (await client.get_item(created.kwai_item_id)).on_offline_status == 1

    await client.set_shelf_status(created.kwai_item_id, on_shelf=False)
    await client.set_shelf_status(created.kwai_item_id, on_shelf=False)  # idempotent

    item = await client.get_item(created.kwai_item_id)
    assert (item.on_offline_status, item.offline_reason) == (0, "商家下架")
    found = await client.find_item_by_rel_item_id(1_800_001)
    assert found is not None and found.kwai_item_id == created.kwai_item_id
    with pytest.raises(KuaishouDuplicateItemError):
        await client.create_item(param)

    await client.set_shelf_status(created.kwai_item_id, on_shelf=True)
    assert (await client.get_item(created.kwai_item_id)).on_offline_status == 1


@anyio
async def test_an_unknown_item_or_an_unreviewed_one_cannot_be_put_on_the_shelf(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str]
) -> None:
    with pytest.raises(KuaishouError):
        await client.set_shelf_status(999_999_999, on_shelf=False)
    sandbox.review_after_gets = 10**6  # keep it under review
    created = await client.create_item(item_param(kwai_urls, rel_item_id=1_800_002))
    with pytest.raises(KuaishouError):
        await client.set_shelf_status(created.kwai_item_id, on_shelf=True)
