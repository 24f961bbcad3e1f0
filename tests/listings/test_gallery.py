"""At least 3 main images: the source's own first, then SKU images, then detail images, no repeats."""

from listings.gallery import fill_main_images, too_few_main_images
from listings.model import Sku, SkuStatus, SpecValue
from tests.samples import tshirt

CDN = "https://img.alicdn.com/imgextra/i1/2206/"


def _colour_skus(*colours: tuple[str, str | None]) -> tuple[Sku, ...]:
    return tuple(
        Sku(
            source_sku_id=str(4470000000001 + i),
            specs=(
                SpecValue(name="颜色分类", value=name, image_url=image),
                SpecValue(name="尺码", value="M"),
            ),
            price_fen=3900,
            stock=10,
        )
        for i, (name, image) in enumerate(colours)
    )


def test_sku_images_are_borrowed_before_detail_images() -> None:
    listing = tshirt(
        main_images=(f"{CDN}main.jpg",),
        skus=_colour_skus(("奶油白", f"{CDN}white.jpg"), ("黑色", f"{CDN}black.jpg")),
        detail_images=(f"{CDN}d1.jpg",),
    )
    gallery = fill_main_images(listing)
    assert gallery.urls == (f"{CDN}main.jpg", f"{CDN}white.jpg", f"{CDN}black.jpg")
    assert (gallery.from_source, gallery.from_sku, gallery.from_detail) == (1, 2, 0)


def test_only_as_many_are_borrowed_as_it_takes_to_reach_three() -> None:
    listing = tshirt(
        main_images=(f"{CDN}m1.jpg", f"{CDN}m2.jpg"),
        skus=_colour_skus(("奶油白", f"{CDN}white.jpg"), ("黑色", f"{CDN}black.jpg")),
    )
    assert fill_main_images(listing).urls == (f"{CDN}m1.jpg", f"{CDN}m2.jpg", f"{CDN}white.jpg")


def test_a_picture_already_in_the_gallery_is_not_borrowed_twice() -> None:
    listing = tshirt(
        main_images=(f"{CDN}main.jpg", f"{CDN}main.jpg"),
        skus=_colour_skus(("奶油白", f"{CDN}main.jpg"), ("黑色", f"{CDN}main.jpg")),
        detail_images=(f"{CDN}main.jpg", f"{CDN}d1.jpg", f"{CDN}d2.jpg"),
    )
    gallery = fill_main_images(listing)
    assert gallery.urls == (f"{CDN}main.jpg", f"{CDN}d1.jpg", f"{CDN}d2.jpg")
    assert gallery.from_detail == 2


def test_images_of_deleted_skus_are_not_borrowed() -> None:
    skus = _colour_skus(("奶油白", f"{CDN}white.jpg"), ("黑色", f"{CDN}black.jpg"))
    skus = (skus[0].model_copy(update={"status": SkuStatus.DELETED}), skus[1])
    listing = tshirt(main_images=(f"{CDN}main.jpg",), skus=skus, detail_images=(f"{CDN}d1.jpg",))
    assert fill_main_images(listing).urls == (f"{CDN}main.jpg", f"{CDN}black.jpg", f"{CDN}d1.jpg")


def test_a_long_source_gallery_keeps_kuaishous_nine_and_is_never_padded() -> None:
    mains = tuple(f"{CDN}m{i}.jpg" for i in range(12))
    gallery = fill_main_images(tshirt(main_images=mains))
    assert gallery.urls == mains[:9]
    assert gallery.borrowed == 0


def test_an_item_without_any_main_image_can_still_borrow_three() -> None:
    listing = tshirt(
        main_images=(),
        skus=_colour_skus(("奶油白", f"{CDN}white.jpg"), ("黑色", f"{CDN}black.jpg")),
        detail_images=(f"{CDN}d1.jpg",),
    )
    gallery = fill_main_images(listing)
    assert gallery.urls == (f"{CDN}white.jpg", f"{CDN}black.jpg", f"{CDN}d1.jpg")
    assert too_few_main_images(gallery) is None


def test_two_pictures_in_all_is_a_problem_that_says_what_was_found_and_what_to_add() -> None:
    listing = tshirt(
        main_images=(f"{CDN}main.jpg",),
        skus=_colour_skus(("奶油白", f"{CDN}white.jpg")),
        detail_images=(),
    )
    problem = too_few_main_images(fill_main_images(listing))
    assert problem is not None and problem.reason_code == "too_few_main_images"
    assert "2 distinct picture(s) (1 main, 1 SKU and 0 detail)" in problem.detail
    assert "add 1 more main image(s) on the source" in problem.detail


def test_an_item_without_pictures_says_so() -> None:
    listing = tshirt(main_images=(), skus=_colour_skus(("奶油白", None)), detail_images=())
    problem = too_few_main_images(fill_main_images(listing))
    assert problem is not None and "no main, SKU or detail images" in problem.detail
