"""relItemId / relSkuId: deterministic positive 63-bit ids, the idempotency key of publishing."""

import itertools

from listings.ids import (
    legacy_rel_item_id,
    rel_item_id,
    rel_sku_id,
    rel_sku_ids,
    rel_sku_ids_of_product,
)


def _id(**overrides: object) -> int:
    fields: dict[str, object] = {
        "target_shop": "ks-shop-1",
        "platform": "taobao",
        "shop_id": "s",
        "source_item_id": "1",
    }
    fields.update(overrides)
    return rel_item_id(**fields)  # type: ignore[arg-type]


def test_rel_item_id_is_stable_across_calls() -> None:
    assert _id() == _id()


def test_rel_item_id_is_a_positive_63_bit_long() -> None:
    for n in range(500):
        assert 0 < _id(source_item_id=str(n)) < 2**63


def test_a_new_generation_gets_a_new_rel_item_id() -> None:
    assert _id(generation=0) != _id(generation=1)


def test_the_same_item_id_in_two_source_shops_gets_two_ids() -> None:
    assert _id(shop_id="a") != _id(shop_id="b")


def test_one_suppliers_item_distributed_into_two_kuaishou_shops_gets_two_ids() -> None:
    assert _id(target_shop="shop-a") != _id(target_shop="shop-b")


def test_the_legacy_id_is_the_one_derived_without_the_target_shop() -> None:
    legacy = legacy_rel_item_id(platform="taobao", shop_id="s", source_item_id="1")
    assert legacy != _id() and 0 < legacy < 2**63


def test_rel_sku_id_depends_on_the_spec_values() -> None:
    assert rel_sku_id(item_rel_id=7, spec_values=("红", "S")) != rel_sku_id(
        item_rel_id=7, spec_values=("红", "M")
    )


def test_the_ids_of_a_whole_matrix_are_each_cells_own_in_product_order() -> None:
    levels = [["奶油白", "黑色", "雾霾蓝"], ["S", "M", "XL"], ["套餐一", "套餐二"]]
    cells = list(itertools.product(*levels))
    expected = [rel_sku_id(item_rel_id=912_345_678_901, spec_values=cell) for cell in cells]
    assert rel_sku_ids_of_product(item_rel_id=912_345_678_901, levels=levels) == expected
    assert rel_sku_ids(item_rel_id=912_345_678_901, cells=cells) == expected


def test_a_matrix_of_one_level_or_of_none_gets_the_ids_of_its_cells() -> None:
    assert rel_sku_ids_of_product(item_rel_id=7, levels=[["标准款"]]) == [
        rel_sku_id(item_rel_id=7, spec_values=("标准款",))
    ]
    assert rel_sku_ids_of_product(item_rel_id=7, levels=[]) == [
        rel_sku_id(item_rel_id=7, spec_values=())
    ]
