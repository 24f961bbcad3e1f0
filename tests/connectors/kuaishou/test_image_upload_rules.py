"""`open.item.image.upload` on the strict sandbox refuses what Kuaishou's image rules forbid: white
borders on main, detail and SKU images, files over 2 MB, formats other than png/jpeg. What the media
stage makes of the same pictures (trimmed, re-encoded) is accepted."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from connectors.kuaishou import KuaishouClient, KuaishouValidationError
from listings.images import fit_for_kuaishou, prepare_main_image
from sandbox.kuaishou_open import KuaishouSandbox
from sandbox.taobao_images import render_image

anyio = pytest.mark.anyio

BORDERED = render_image("tee-600000000001-m0_wb.jpg")  # an 80 px white frame, as the catalogs serve
PLAIN = render_image("tee-600000000001-m1.jpg")
BIG = render_image("tee-600000000001-m1_big.jpg")  # a 2000×2000 noisy original, over 2 MB


def _jpeg(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", **options)
    return out.getvalue()


def _white_background_product() -> bytes:
    """A 白底图: the goods in the middle of a pure white 800×800 square."""
    image = Image.new("RGB", (800, 800), (255, 255, 255))
    ImageDraw.Draw(image).ellipse((250, 250, 550, 550), fill=(30, 90, 160))
    return _jpeg(image, quality=90)


@anyio
@pytest.mark.parametrize("upload_type", [1, 2, 3], ids=["main", "detail", "sku"])
async def test_an_image_with_a_white_border_is_refused_naming_the_border(
    client: KuaishouClient, sandbox: KuaishouSandbox, upload_type: int
) -> None:
    with pytest.raises(KuaishouValidationError) as refused:
        await client.upload_image(BORDERED, upload_type=upload_type, filename="m0.jpg")
    message = str(refused.value)
    assert "imgBytes: 图片存在白边" in message
    assert "80/80/80/80 px left/top/right/bottom of 800×800" in message
    assert "trim it and upload again" in message
    assert sandbox.uploads == {}


@anyio
async def test_a_white_border_on_one_side_only_is_refused_too(client: KuaishouClient) -> None:
    with Image.open(io.BytesIO(PLAIN)) as picture:
        framed = Image.new("RGB", (800, 800), (255, 255, 255))
        framed.paste(picture.resize((740, 800)), (60, 0))  # white bar on the left only
    with pytest.raises(KuaishouValidationError, match="白边"):
        await client.upload_image(_jpeg(framed, quality=85), filename="left.jpg")


@anyio
async def test_the_same_picture_trimmed_by_the_media_stage_is_accepted(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    prepared = prepare_main_image(BORDERED)
    assert prepared.trimmed and not prepared.white_border_left
    result = await client.upload_image(prepared.data, filename="m0.jpg")
    assert sandbox.is_kwai_image(result.kwai_img_url)


@anyio
async def test_a_white_background_image_is_exempt_from_the_border_rule(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    result = await client.upload_image(_white_background_product(), upload_type=5, filename="w.jpg")
    assert sandbox.uploads[result.kwai_img_url].upload_type == 5


@anyio
async def test_a_white_background_picture_is_refused_as_a_main_image(
    client: KuaishouClient,
) -> None:
    with pytest.raises(KuaishouValidationError, match="白边"):
        await client.upload_image(_white_background_product(), upload_type=1, filename="w.jpg")


@anyio
async def test_an_unresized_original_over_2_mb_is_refused_and_its_re_encoding_accepted(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    assert len(BIG) > 2 * 1024 * 1024
    with pytest.raises(KuaishouValidationError, match=r"imgBytes: \d+ bytes, at most 2097152"):
        await client.upload_image(BIG, filename="big.jpg")
    fitted = fit_for_kuaishou(BIG)
    assert len(fitted) <= 2 * 1024 * 1024
    result = await client.upload_image(fitted, filename="big.jpg")
    assert sandbox.uploads[result.kwai_img_url].size == len(fitted)


@anyio
@pytest.mark.parametrize("fmt", ["WEBP", "GIF", "BMP"])
async def test_a_format_other_than_png_or_jpeg_is_refused(client: KuaishouClient, fmt: str) -> None:
    with Image.open(io.BytesIO(PLAIN)) as picture:
        out = io.BytesIO()
        picture.save(out, format=fmt)
    with pytest.raises(KuaishouValidationError, match=f"imgBytes: {fmt} is not allowed"):
        await client.upload_image(out.getvalue(), filename=f"m1.{fmt.lower()}")


@anyio
async def test_an_ordinary_catalog_picture_is_accepted_as_it_comes(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    result = await client.upload_image(PLAIN, filename="m1.jpg")
    assert sandbox.uploads[result.kwai_img_url].format == "JPEG"
