"""The sandbox requires a brand where Kuaishou polices brands, says so in
open.item.category.config, rejects an item.new without it, and takes a draft whose attributes
were filled from the source's props."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.kuaishou import KuaishouClient
from connectors.kuaishou.convert import build_item_new_param
from connectors.kuaishou.errors import KuaishouValidationError
from listings.categories import CategoryDecision
from listings.category_props import PropAliases, with_category_props
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration
from listings.model import ItemProp
from pipeline.category_inputs import prop_specs_of
from sandbox.kuaishou_open import KuaishouSandbox
from tests.connectors.kuaishou.conftest import LEAF_CATEGORY, MakeParam
from tests.samples import tshirt

anyio = pytest.mark.anyio
LIPSTICK = 90022  # synthetic 美妆 > 口红
ALIASES = PropAliases.from_csv_text(
    (Path(__file__).parents[3] / "data" / "categories" / "prop_aliases.csv").read_text("utf-8")
)


@anyio
async def test_the_config_of_a_cosmetics_leaf_requires_a_brand(client: KuaishouClient) -> None:
    config = await client.category_config(LIPSTICK)
    required = [pc.prop_name for pc in config.prop_configs if pc.required]
    assert required == ["品牌"]


@anyio
async def test_a_menswear_leaf_requires_no_attribute(client: KuaishouClient) -> None:
    config = await client.category_config(LEAF_CATEGORY)
    assert not [pc for pc in config.prop_configs if pc.required]


@anyio
async def test_an_item_without_the_required_brand_is_rejected(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    with pytest.raises(KuaishouValidationError, match="requires 品牌"):
        await client.create_item(make_param(kwai_urls, category_id=LIPSTICK))


@anyio
async def test_a_draft_with_the_brand_filled_from_an_alias_is_created(
    client: KuaishouClient,
    sandbox: KuaishouSandbox,
    kwai_urls: list[str],
    migration: Migration,
) -> None:
    listing = tshirt(
        title="完美日记丝绒雾面哑光口红女学生款平价小众",
        props=(ItemProp(name="brand", value="完美日记"), ItemProp(name="净含量", value="3.5g")),
    )
    decision = CategoryDecision(
        category_id=LIPSTICK, path="美妆>口红", confidence=1, layer="override"
    )
    draft = build_draft(listing, decision=decision, migration=migration)
    assert isinstance(draft, KuaishouDraft)
    config = await client.category_config(LIPSTICK)
    specs = {LIPSTICK: prop_specs_of(config)}
    filled = with_category_props(draft, listing, specs=specs, aliases=ALIASES)
    assert isinstance(filled, KuaishouDraft)
    hosted = dict.fromkeys(filled.image_urls, kwai_urls[0])
    result = await client.create_item(build_item_new_param(filled, kwai_images=hosted))
    stored = sandbox.items[result.kwai_item_id].param["itemPropValues"]
    assert [(p["propName"], p["radioPropValue"]["propValue"]) for p in stored] == [
        ("品牌", "完美日记")
    ]
