"""`open.item.edit` and `open.item.autopass.edit` against the strict sandbox, in-process.

The item of every test is the 2×2 T-shirt of conftest (颜色 红色/蓝色 × 尺码 M/L), approved unless a
test says otherwise. Edits are only allowed in 审核待修改 or 审核通过, content changes go back to
review, the SKUs stay a full product, and neither edit is ever retried by the client.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connectors.kuaishou import (
    AuditStatus,
    AutopassSkuDTO,
    ItemAutopassEditParam,
    ItemEditParam,
    ItemNewParam,
    ItemNewResult,
    KuaishouCategoryError,
    KuaishouClient,
    KuaishouItemStateError,
    KuaishouNotFoundError,
    KuaishouServerError,
    KuaishouValidationError,
    SkuPropDTO,
    StockChangeType,
    UpdateSkuDTO,
)
from sandbox.kuaishou_open import KuaishouSandbox

anyio = pytest.mark.anyio

MakeClient = Callable[..., KuaishouClient]
MakeParam = Callable[..., ItemNewParam]

OTHER_LEAF = 90012  # synthetic 男装 > 衬衫
ROOT = 90001


def calls_of(sandbox: KuaishouSandbox, method: str) -> int:
    return sum(1 for called, _ in sandbox.calls if called == method)


async def approved_item(
    client: KuaishouClient, sandbox: KuaishouSandbox, param: ItemNewParam
) -> ItemNewResult:
    created = await client.create_item(param)
    sandbox.set_audit(created.kwai_item_id, AuditStatus.APPROVED)
    return created


def kwai_sku_id(created: ItemNewResult, rel_sku_id: int) -> int:
    return next(m.kwai_sku_id for m in created.sku_id_mapping if m.rel_sku_id == rel_sku_id)


def stock_of(sandbox: KuaishouSandbox, kwai_item_id: int, rel_sku_id: int) -> int:
    skus = sandbox.items[kwai_item_id].param["skuList"]
    return int(next(s["skuStock"] for s in skus if s["relSkuId"] == rel_sku_id))


@anyio
async def test_a_title_edit_sends_an_approved_item_back_to_review(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    result = await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, title="新款T恤"))
    item = await client.get_item(created.kwai_item_id)
    assert (item.title, item.audit_status) == ("新款T恤", AuditStatus.PENDING)
    assert {m.kwai_sku_id for m in result.sku_id_mapping} == {
        m.kwai_sku_id for m in created.sku_id_mapping
    }


@anyio
async def test_a_service_rule_edit_keeps_the_approval(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    param = make_param(kwai_urls)
    created = await approved_item(client, sandbox, param)
    rule = param.service_rule.model_copy(update={"promise_delivery_time": 86_400})
    await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, service_rule=rule))
    assert sandbox.items[created.kwai_item_id].audit_status == AuditStatus.APPROVED


@anyio
async def test_an_autopass_price_and_stock_edit_keeps_the_approval(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    sku = AutopassSkuDTO(
        sku_id=kwai_sku_id(created, 100),
        sku_sale_price=2590,
        sku_stock_change_type=StockChangeType.ADD,
        sku_change_stock=5,
    )
    await client.autopass_edit(ItemAutopassEditParam(item_id=created.kwai_item_id, sku_list=[sku]))
    item = await client.get_item(created.kwai_item_id)
    assert item.audit_status == AuditStatus.APPROVED
    price = next(s.sku_sale_price for s in item.sku_infos if s.rel_sku_id == 100)
    assert (price, stock_of(sandbox, created.kwai_item_id, 100)) == (2590, 15)


@anyio
async def test_an_autopass_edit_cannot_set_stock_outright(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    sku = AutopassSkuDTO(
        sku_id=kwai_sku_id(created, 100),
        sku_stock_change_type=StockChangeType.SET,
        sku_change_stock=5,
    )
    with pytest.raises(KuaishouValidationError, match=r"skuList\[0\]\.skuStockChangeType"):
        await client.autopass_edit(
            ItemAutopassEditParam(item_id=created.kwai_item_id, sku_list=[sku])
        )
    assert stock_of(sandbox, created.kwai_item_id, 100) == 10


@anyio
async def test_an_item_under_review_cannot_be_edited(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await client.create_item(make_param(kwai_urls))  # auditStatus 0 (待审核)
    with pytest.raises(KuaishouItemStateError, match="auditStatus 0") as caught:
        await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, title="新款T恤"))
    assert caught.value.retryable is False
    assert calls_of(sandbox, "open.item.edit") == 1
    assert sandbox.items[created.kwai_item_id].param["title"] == "纯棉圆领T恤"


@anyio
async def test_an_edit_that_breaks_the_cartesian_product_is_rejected_naming_sku_list(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    three_of_four = [UpdateSkuDTO(sku_id=kwai_sku_id(created, rel)) for rel in (100, 101, 102)]
    with pytest.raises(KuaishouValidationError, match=r"skuList: lacks 1 of 4") as caught:
        await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, sku_list=three_of_four))
    assert "颜色=蓝色/尺码=L" in str(caught.value)
    assert len(sandbox.items[created.kwai_item_id].sku_ids) == 4


@anyio
async def test_a_new_colour_with_every_size_gets_new_sku_ids(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    kept = [UpdateSkuDTO(sku_id=m.kwai_sku_id) for m in created.sku_id_mapping]
    added = [
        UpdateSkuDTO(
            rel_sku_id=200 + n,
            sku_sale_price=1990,
            sku_stock_change_type=StockChangeType.SET,
            sku_change_stock=3,
            sku_props=[
                SkuPropDTO(
                    prop_name="颜色", prop_value_name="绿色", is_main_prop=1, image_url=kwai_urls[0]
                ),
                SkuPropDTO(prop_name="尺码", prop_value_name=size),
            ],
        )
        for n, size in enumerate(["M", "L"])
    ]
    result = await client.edit_item(
        ItemEditParam(item_id=created.kwai_item_id, sku_list=[*kept, *added])
    )
    old = {m.kwai_sku_id for m in created.sku_id_mapping}
    new = {m.rel_sku_id: m.kwai_sku_id for m in result.sku_id_mapping}
    assert len(new) == 6
    assert new[200] not in old and new[201] not in old
    assert stock_of(sandbox, created.kwai_item_id, 201) == 3


@anyio
async def test_stock_changes_add_subtract_and_set(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    changes = {100: (StockChangeType.ADD, 5), 101: (StockChangeType.SUBTRACT, 4)}
    changes |= {102: (StockChangeType.SET, 0)}
    skus = [
        UpdateSkuDTO(
            sku_id=m.kwai_sku_id,
            sku_stock_change_type=changes[m.rel_sku_id][0] if m.rel_sku_id in changes else None,
            sku_change_stock=changes[m.rel_sku_id][1] if m.rel_sku_id in changes else None,
        )
        for m in created.sku_id_mapping
    ]
    await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, sku_list=skus))
    stocks = [stock_of(sandbox, created.kwai_item_id, rel) for rel in (100, 101, 102, 103)]
    assert stocks == [15, 6, 0, 10]


@anyio
async def test_subtracting_more_than_the_stock_is_rejected(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    skus = [UpdateSkuDTO(sku_id=m.kwai_sku_id) for m in created.sku_id_mapping]
    skus[0] = skus[0].model_copy(
        update={"sku_stock_change_type": StockChangeType.SUBTRACT, "sku_change_stock": 11}
    )
    with pytest.raises(KuaishouValidationError, match=r"skuList\[0\]\.skuChangeStock.*-1"):
        await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, sku_list=skus))


@anyio
async def test_a_category_change_needs_the_needs_changes_status(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    edit = ItemEditParam(item_id=created.kwai_item_id, category_id=OTHER_LEAF)
    with pytest.raises(KuaishouItemStateError, match="category change needs auditStatus 1"):
        await client.edit_item(edit)
    sandbox.set_audit(created.kwai_item_id, AuditStatus.NEEDS_CHANGES, "类目错放")
    await client.edit_item(edit)
    item = sandbox.items[created.kwai_item_id]
    assert (item.param["categoryId"], item.audit_status) == (OTHER_LEAF, AuditStatus.PENDING)


@anyio
async def test_a_category_change_to_a_non_leaf_is_a_category_error(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await client.create_item(make_param(kwai_urls))
    sandbox.set_audit(created.kwai_item_id, AuditStatus.NEEDS_CHANGES)
    with pytest.raises(KuaishouCategoryError, match="商品来源不可售卖"):
        await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, category_id=ROOT))


@anyio
async def test_detail_images_change_only_with_their_update_flag(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    without_flag = ItemEditParam(item_id=created.kwai_item_id, detail_image_urls=kwai_urls)
    with pytest.raises(KuaishouValidationError, match="updateDetailImageUrls=true"):
        await client.edit_item(without_flag)
    with_flag = without_flag.model_copy(update={"update_detail_image_urls": True})
    await client.edit_item(with_flag)
    assert sandbox.items[created.kwai_item_id].param["detailImageUrls"] == kwai_urls


@anyio
async def test_clearing_the_required_detail_images_is_rejected(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    clear = ItemEditParam(
        item_id=created.kwai_item_id, detail_image_urls=[], update_detail_image_urls=True
    )
    with pytest.raises(KuaishouValidationError, match="detailImageUrls: has 0 images"):
        await client.edit_item(clear)


@anyio
async def test_an_unknown_item_cannot_be_edited(client: KuaishouClient) -> None:
    with pytest.raises(KuaishouNotFoundError, match="商品不存在"):
        await client.edit_item(ItemEditParam(item_id=123, title="新款T恤"))


@anyio
async def test_another_merchants_item_cannot_be_edited(
    client: KuaishouClient,
    client_for: MakeClient,
    sandbox: KuaishouSandbox,
    kwai_urls: list[str],
    make_param: MakeParam,
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    sandbox.tokens["sandbox-kuaishou-access-token-other"] = 880_002
    async with client_for(access_token="sandbox-kuaishou-access-token-other") as other:
        with pytest.raises(KuaishouNotFoundError):
            await other.edit_item(ItemEditParam(item_id=created.kwai_item_id, title="抢来的"))
        with pytest.raises(KuaishouNotFoundError):
            await other.autopass_edit(ItemAutopassEditParam(item_id=created.kwai_item_id))
    assert sandbox.items[created.kwai_item_id].param["title"] == "纯棉圆领T恤"


@anyio
async def test_an_edit_is_not_retried_after_a_5xx(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    sandbox.fail_next("open.item.edit", "5xx")
    with pytest.raises(KuaishouServerError):
        await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, title="新款T恤"))
    assert calls_of(sandbox, "open.item.edit") == 1


@anyio
async def test_an_autopass_edit_is_not_retried_after_a_5xx(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await approved_item(client, sandbox, make_param(kwai_urls))
    sandbox.fail_next("open.item.autopass.edit", "lose_response")
    sku = AutopassSkuDTO(
        sku_id=kwai_sku_id(created, 100),
        sku_stock_change_type=StockChangeType.ADD,
        sku_change_stock=1,
    )
    with pytest.raises(KuaishouServerError):
        await client.autopass_edit(
            ItemAutopassEditParam(item_id=created.kwai_item_id, sku_list=[sku])
        )
    assert calls_of(sandbox, "open.item.autopass.edit") == 1
    assert stock_of(sandbox, created.kwai_item_id, 100) == 11  # applied once, never twice
