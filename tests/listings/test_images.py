"""The image rules on real pixels: white borders, trimming, 3:4, format and the 2 MB limit.

Every fixture is a Pillow-drawn product photo (a coloured product on a light, slightly noisy studio
background) that goes through a real JPEG/PNG/WebP encoder, so compression artefacts are the ones a
source CDN produces.
"""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw, ImageFilter

from listings.images import (
    ImageRejected,
    fit_for_kuaishou,
    has_white_border,
    is_three_four,
    prepare_detail_image,
    prepare_main_image,
    to_three_four,
    trim_white_border,
    white_border,
)

STUDIO = (214, 208, 200)  # a light-grey backdrop: light, but not near-white
RED = (200, 40, 50)


def encode(image: Image.Image, fmt: str = "JPEG", **options: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}) | options)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def photo(
    size: tuple[int, int] = (800, 800),
    *,
    background: tuple[int, int, int] = STUDIO,
    product: tuple[int, int, int] = RED,
    box: tuple[int, int, int, int] | None = None,
) -> Image.Image:
    """A product (rounded block with a darker band) on a backdrop with mild sensor noise."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = box or (width // 4, height // 4, width * 3 // 4, height * 3 // 4)
    draw.rounded_rectangle((left, top, right, bottom), radius=30, fill=product)
    band = tuple(max(0, c - 60) for c in product)
    draw.rectangle((left, (top + bottom) // 2 - 20, right, (top + bottom) // 2 + 20), fill=band)
    noise = Image.effect_noise(size, 6).convert("RGB")
    return Image.blend(image, noise, 0.04).filter(ImageFilter.SMOOTH)


def framed(
    image: Image.Image,
    *,
    left: int,
    top: int,
    right: int,
    bottom: int,
    colour: tuple[int, int, int] = (255, 255, 255),
) -> Image.Image:
    canvas = Image.new("RGB", (image.width + left + right, image.height + top + bottom), colour)
    canvas.paste(image, (left, top))
    return canvas


def jpeg(image: Image.Image, quality: int = 85) -> Image.Image:
    return decode(encode(image, quality=quality))


# -- detection ---------------------------------------------------------------------------------------


def test_a_photo_that_fills_the_frame_has_no_white_border() -> None:
    assert white_border(jpeg(photo())) is None


@pytest.mark.parametrize("width", [6, 24, 80, 160])
def test_white_frames_of_several_widths_are_found_with_their_content_box(width: int) -> None:
    inner = photo((800 - 2 * width, 800 - 2 * width))
    box = white_border(jpeg(framed(inner, left=width, top=width, right=width, bottom=width)))
    assert box is not None
    # JPEG ringing may eat a pixel or two of the frame, never more.
    assert all(
        abs(a - b) <= 2 for a, b in zip(box, (width, width, 800 - width, 800 - width), strict=True)
    )


def test_white_bars_on_two_sides_only_are_a_border() -> None:
    letterboxed = framed(photo((600, 800)), left=100, top=0, right=100, bottom=0)
    box = white_border(jpeg(letterboxed))
    assert box is not None
    assert abs(box[0] - 100) <= 2 and abs(box[2] - 700) <= 2
    assert box[1] == 0 and box[3] == 800


def test_a_single_white_pixel_line_at_the_edge_is_not_a_border() -> None:
    assert not has_white_border(framed(photo((798, 798)), left=1, top=1, right=0, bottom=0))


def test_a_light_grey_studio_backdrop_is_not_a_white_border() -> None:
    assert not has_white_border(jpeg(photo(background=(232, 232, 230))))


def test_a_noisy_near_white_frame_with_dust_specks_is_still_a_border() -> None:
    image = framed(photo((640, 640)), left=80, top=80, right=80, bottom=80)
    rng = random.Random(8)
    pixels = image.load()
    assert pixels is not None
    for x in range(800):
        for y in [*range(80), *range(720, 800)]:
            if rng.random() < 0.001:  # a speck or so a row, smeared by JPEG
                pixels[x, y] = (90, 90, 90)  # dust
            else:
                pixels[x, y] = tuple(rng.randint(241, 255) for _ in range(3))
    box = white_border(jpeg(image))
    assert box is not None
    assert abs(box[1] - 80) <= 2 and abs(box[3] - 720) <= 2


def test_a_frame_under_heavy_jpeg_compression_is_found_and_trimmed_away() -> None:
    bordered = jpeg(framed(photo((700, 700)), left=50, top=50, right=50, bottom=50), quality=40)
    assert has_white_border(bordered)
    prepared = prepare_detail_image(encode(bordered, quality=40))
    assert prepared.trimmed
    assert not prepared.white_border_left
    assert not has_white_border(decode(prepared.data))


# -- trimming ----------------------------------------------------------------------------------------


def test_trimming_cuts_the_frame_and_keeps_the_product() -> None:
    trimmed = trim_white_border(
        jpeg(framed(photo((640, 640)), left=80, top=80, right=80, bottom=80))
    )
    assert abs(trimmed.width - 640) <= 4 and abs(trimmed.height - 640) <= 4
    assert not has_white_border(trimmed)


def test_an_image_without_border_is_returned_untouched() -> None:
    image = jpeg(photo())
    assert trim_white_border(image) is image


def test_a_white_product_on_white_is_not_trimmed_into_nothing() -> None:
    # A white tee (248, shaded to 243) on a white sweep: every pixel is near-white, no frame to cut.
    image = Image.new("RGB", (800, 800), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((150, 100, 650, 700), radius=40, fill=(248, 248, 246))
    draw.rectangle((150, 380, 650, 420), fill=(243, 243, 241))
    image = jpeg(image)
    assert trim_white_border(image).size == image.size
    prepared = prepare_main_image(encode(image))
    assert not prepared.trimmed
    assert prepared.note is not None and "near-white all over" in prepared.note


def test_a_speck_of_product_on_a_white_sheet_is_kept_untrimmed_and_flagged() -> None:
    image = jpeg(photo(background=(255, 255, 255), box=(380, 380, 420, 420)))
    assert trim_white_border(image).size == (800, 800)
    prepared = prepare_main_image(encode(image))
    assert not prepared.trimmed
    assert prepared.white_border_left
    assert prepared.note is not None and "kept untrimmed" in prepared.note


def test_a_white_product_with_a_visible_outline_is_trimmed_to_the_product_not_past_it() -> None:
    image = Image.new("RGB", (800, 800), (255, 255, 255))
    ImageDraw.Draw(image).rounded_rectangle(
        (200, 150, 600, 650), radius=40, fill=(250, 250, 250), outline=(150, 150, 150), width=4
    )
    trimmed = trim_white_border(jpeg(image))
    assert 398 <= trimmed.width <= 406 and 498 <= trimmed.height <= 506


# -- 3:4 ---------------------------------------------------------------------------------------------


def test_a_square_photo_is_cropped_to_three_four_around_its_subject() -> None:
    # The subject sits right of centre; the window must follow it, not the image centre.
    image = jpeg(photo(box=(420, 200, 760, 600)))
    result = to_three_four(image)
    assert result.size == (600, 800)
    assert not has_white_border(result)
    red_before = sum(1 for p in image.get_flattened_data() if p[0] > 150 and p[1] < 90)
    red_after = sum(1 for p in result.get_flattened_data() if p[0] > 150 and p[1] < 90)
    assert red_after >= red_before * 0.99


def test_goods_that_fill_the_width_are_extended_with_the_backdrop_colour_not_white() -> None:
    image = jpeg(photo(box=(10, 150, 790, 650)))
    result = to_three_four(image)
    assert is_three_four(*result.size) and result.width == 800
    assert not has_white_border(result)
    top_pixel = result.getpixel((400, 2))
    assert isinstance(top_pixel, tuple)
    assert all(abs(a - b) <= 8 for a, b in zip(top_pixel, STUDIO, strict=True))


def test_a_tall_detail_style_image_is_cut_to_three_four_around_its_subject() -> None:
    result = to_three_four(jpeg(photo((600, 1200), box=(100, 500, 500, 900))))
    assert result.size == (600, 800)
    assert not has_white_border(result)


def test_goods_on_white_that_fill_the_frame_get_no_white_padding_and_no_three_four() -> None:
    image = Image.new("RGB", (800, 800), (255, 255, 255))
    ImageDraw.Draw(image).ellipse((0, 100, 799, 700), fill=RED)
    prepared = prepare_main_image(encode(image))
    assert not prepared.ratio_34
    assert not prepared.white_border_left
    assert prepared.note is not None and "no 3:4" in prepared.note


def test_a_bordered_square_main_image_becomes_a_borderless_three_four_image() -> None:
    data = encode(framed(photo((640, 640)), left=80, top=80, right=80, bottom=80))
    prepared = prepare_main_image(data)
    assert prepared.trimmed and prepared.ratio_34 and prepared.reencoded
    assert not prepared.white_border_left
    assert (prepared.width, prepared.height) == (decode(prepared.data).size)


def test_a_clean_three_four_jpeg_is_passed_through_byte_for_byte() -> None:
    data = encode(photo((600, 800)))
    prepared = prepare_main_image(data)
    assert prepared.data == data
    assert not prepared.reencoded and not prepared.trimmed and prepared.ratio_34


def test_detail_images_keep_their_ratio() -> None:
    prepared = prepare_detail_image(encode(photo((750, 1400))))
    assert (prepared.width, prepared.height) == (750, 1400)
    assert not prepared.ratio_34


# -- format and size ---------------------------------------------------------------------------------


def noisy(size: tuple[int, int]) -> Image.Image:
    """Pixels a JPEG encoder cannot squeeze: each channel independent sensor-like noise."""
    bands = [Image.effect_noise(size, 90).convert("L") for _ in range(3)]
    return Image.merge("RGB", bands)


def test_a_jpeg_over_two_megabytes_is_re_encoded_under_the_limit() -> None:
    data = encode(noisy((1600, 1600)), quality=98)
    assert len(data) > 2 * 1024 * 1024
    fitted = fit_for_kuaishou(data)
    assert len(fitted) <= 2 * 1024 * 1024
    assert decode(fitted).format == "JPEG"


def test_a_small_limit_makes_the_pixels_smaller_when_quality_alone_is_not_enough() -> None:
    data = encode(noisy((800, 800)), quality=95)
    fitted = fit_for_kuaishou(data, max_bytes=60_000)
    assert len(fitted) <= 60_000
    assert decode(fitted).width < 800


def test_prepare_brings_an_oversize_main_image_under_two_megabytes() -> None:
    prepared = prepare_main_image(encode(noisy((1500, 2000)), quality=98))
    assert len(prepared.data) <= 2 * 1024 * 1024
    assert prepared.reencoded and prepared.ratio_34


def test_webp_becomes_jpeg() -> None:
    fitted = fit_for_kuaishou(encode(photo(), "WEBP"))
    assert decode(fitted).format == "JPEG"


def test_gif_becomes_jpeg() -> None:
    fitted = fit_for_kuaishou(encode(photo().convert("P"), "GIF"))
    assert decode(fitted).format == "JPEG"


def test_a_transparent_webp_becomes_png_so_the_cut_out_keeps_its_transparency() -> None:
    cut_out = Image.new("RGBA", (600, 800), (0, 0, 0, 0))
    ImageDraw.Draw(cut_out).ellipse((50, 50, 550, 750), fill=(*RED, 255))
    fitted = decode(fit_for_kuaishou(encode(cut_out, "WEBP", lossless=True)))
    assert fitted.format == "PNG" and fitted.mode == "RGBA"


def test_a_png_within_the_limit_is_kept_as_it_is() -> None:
    data = encode(photo(), "PNG")
    assert fit_for_kuaishou(data) == data


@pytest.mark.parametrize(
    "data",
    [b"", b"<html>404 Not Found</html>", encode(photo())[:2000]],
    ids=["empty", "html error page", "truncated jpeg"],
)
def test_bytes_that_are_not_an_image_are_rejected_with_a_reason(data: bytes) -> None:
    with pytest.raises(ImageRejected, match="not a readable image"):
        prepare_main_image(data)


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation() -> None:
    sideways = photo((800, 600))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    out = io.BytesIO()
    sideways.save(out, format="JPEG", quality=85, exif=exif)
    prepared = prepare_detail_image(out.getvalue())
    assert (prepared.width, prepared.height) == (600, 800)
    assert prepared.reencoded
