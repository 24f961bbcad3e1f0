"""The canonical listing: one model for every source, fen prices, consistent SKU dimensions."""

import pytest
from pydantic import ValidationError

from listings.model import Sku, SkuStatus, SpecValue
from tests.samples import tshirt


def test_price_range_and_stock_are_computed_over_active_skus() -> None:
    listing = tshirt()
    assert (listing.price_min_fen, listing.price_max_fen, listing.total_stock) == (3900, 4200, 150)


def test_deleted_skus_are_not_active() -> None:
    listing = tshirt()
    deleted = listing.skus[2].model_copy(update={"status": SkuStatus.DELETED})
    listing = tshirt(skus=(*listing.skus[:2], deleted))
    assert len(listing.active_skus) == 2
    assert listing.price_max_fen == 3900


def test_skus_with_different_dimensions_are_rejected_naming_the_field() -> None:
    odd = Sku(
        source_sku_id="9", specs=(SpecValue(name="颜色分类", value="红"),), price_fen=1, stock=1
    )
    with pytest.raises(ValidationError, match="skus disagree on their spec dimensions"):
        tshirt(skus=(*tshirt().skus, odd))


def test_a_blank_title_is_rejected() -> None:
    with pytest.raises(ValidationError, match="title is blank"):
        tshirt(title="   ")


def test_prices_are_integer_fen_and_never_negative() -> None:
    with pytest.raises(ValidationError):
        Sku(source_sku_id="1", price_fen=-1, stock=0)
    with pytest.raises(ValidationError):
        Sku(source_sku_id="1", price_fen=39.5, stock=0)  # type: ignore[arg-type]


def test_a_listing_round_trips_through_json() -> None:
    listing = tshirt()
    assert type(listing).model_validate_json(listing.model_dump_json()) == listing
