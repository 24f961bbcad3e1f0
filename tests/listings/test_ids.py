"""relItemId / relSkuId: deterministic positive 63-bit ids, the idempotency key of publishing."""

from listings.ids import rel_item_id, rel_sku_id


def test_rel_item_id_is_stable_across_calls() -> None:
    a = rel_item_id(platform="taobao", shop_id="s", source_item_id="1")
    assert a == rel_item_id(platform="taobao", shop_id="s", source_item_id="1")


def test_rel_item_id_is_a_positive_63_bit_long() -> None:
    for n in range(500):
        value = rel_item_id(platform="taobao", shop_id="s", source_item_id=str(n))
        assert 0 < value < 2**63


def test_a_new_generation_gets_a_new_rel_item_id() -> None:
    first = rel_item_id(platform="taobao", shop_id="s", source_item_id="1", generation=0)
    assert first != rel_item_id(platform="taobao", shop_id="s", source_item_id="1", generation=1)


def test_the_same_item_id_in_two_shops_gets_two_ids() -> None:
    assert rel_item_id(platform="taobao", shop_id="a", source_item_id="1") != rel_item_id(
        platform="taobao", shop_id="b", source_item_id="1"
    )


def test_rel_sku_id_depends_on_the_spec_values() -> None:
    assert rel_sku_id(item_rel_id=7, spec_values=("红", "S")) != rel_sku_id(
        item_rel_id=7, spec_values=("红", "M")
    )
