"""relItemId / relSkuId: deterministic positive 63-bit ids, the idempotency key of publishing."""

from listings.ids import legacy_rel_item_id, rel_item_id, rel_sku_id


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
