"""One canonical, fetchable URL per source picture, and the detail images of a description."""

from __future__ import annotations

import pytest

from listings.description import DETAIL_IMAGE_LIMIT, detail_images, img_sources
from listings.images import normalize_image_url

CBU = "https://cbu01.alicdn.com/"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Taobao: protocol-relative main images, http:// in desc, thumbnail variants
        (
            "//img.alicdn.com/imgextra/i1/O1CN01a.jpg",
            "https://img.alicdn.com/imgextra/i1/O1CN01a.jpg",
        ),
        (
            "http://img.alicdn.com/imgextra/i3/O1CN01d.jpg",
            "https://img.alicdn.com/imgextra/i3/O1CN01d.jpg",
        ),
        ("https://img.alicdn.com/bao/a.jpg_400x400q90.jpg", "https://img.alicdn.com/bao/a.jpg"),
        ("https://gw.alicdn.com/bao/a.jpg_.webp", "https://gw.alicdn.com/bao/a.jpg"),
        # PDD: the .jpg.a.jpeg rendition is the .jpg picture
        ("http://img.pddpic.com/goods/sn-m0.jpg.a.jpeg", "https://img.pddpic.com/goods/sn-m0.jpg"),
        ("https://t00img.yangkeduo.com/goods/a.jpeg", "https://t00img.yangkeduo.com/goods/a.jpeg"),
        # 1688: cache-buster dropped, other query kept
        (f"{CBU}img/ibank/O1CN01a.jpg?__r__=1661332241887", f"{CBU}img/ibank/O1CN01a.jpg"),
        (f"{CBU}img/ibank/a.jpg?__r__=1&x=2", f"{CBU}img/ibank/a.jpg?x=2"),
        # hosts whose https is unknown keep http; a protocol-relative URL still takes https
        ("http://127.0.0.1:8765/taobao/img/a.jpg", "http://127.0.0.1:8765/taobao/img/a.jpg"),
        ("//sandbox.local/taobao/img/a.jpg", "https://sandbox.local/taobao/img/a.jpg"),
        ("http://notalicdn.com/a.jpg_.webp", "http://notalicdn.com/a.jpg_.webp"),
        ("  https://img.alicdn.com/a.png \n", "https://img.alicdn.com/a.png"),
        ("", None),
        ("   ", None),
        (None, None),
        ("data:image/png;base64,iVBORw0KGgo=", None),
    ],
)
def test_source_image_urls_are_made_canonical(raw: str | None, expected: str | None) -> None:
    assert normalize_image_url(raw) == expected


def test_relative_1688_paths_are_joined_to_the_image_host() -> None:
    assert normalize_image_url("img/ibank/2017/992/417/3971714299_420783022.jpg", base=CBU) == (
        f"{CBU}img/ibank/2017/992/417/3971714299_420783022.jpg"
    )
    assert normalize_image_url("/img/ibank/a.jpg", base=CBU) == f"{CBU}img/ibank/a.jpg"


def test_a_relative_path_without_a_base_is_left_for_the_caller() -> None:
    assert normalize_image_url("img/ibank/a.jpg") == "img/ibank/a.jpg"


# -- description HTML --------------------------------------------------------------------------------


def test_detail_images_come_from_img_tags_in_order_normalised() -> None:
    html = (
        '<p><img src="http://img.alicdn.com/imgextra/i3/2206/O1CN01d_!!2206.jpg" '
        'align="absmiddle"/></p><p>尺码表</p>'
        "<div><IMG SRC='//img.alicdn.com/imgextra/i1/O1CN01e.jpg' ALT=x></div>"
    )
    assert detail_images(html) == (
        "https://img.alicdn.com/imgextra/i3/2206/O1CN01d_!!2206.jpg",
        "https://img.alicdn.com/imgextra/i1/O1CN01e.jpg",
    )


def test_links_and_image_maps_contribute_no_images_and_the_mapped_picture_stays() -> None:
    html = (
        '<a href="https://detail.1688.com/offer/9.html">看更多</a>'
        f'<img src="{CBU}img/ibank/O1CN01a.jpg?__r__=1661332241887" usemap="#_sdmap_0"/>'
        '<map name="_sdmap_0"><area shape="rect" coords="0,0,790,260" '
        'href="https://detail.1688.com/offer/10.html"></map>'
    )
    assert detail_images(html) == (f"{CBU}img/ibank/O1CN01a.jpg",)


def test_the_same_picture_in_two_spellings_is_one_detail_image() -> None:
    html = (
        '<img src="http://img.alicdn.com/a.jpg"><img src="//img.alicdn.com/a.jpg">'
        '<img src="https://img.alicdn.com/a.jpg_.webp">'
    )
    assert detail_images(html) == ("https://img.alicdn.com/a.jpg",)


def test_lazy_loaded_pictures_use_their_real_address_and_spacers_are_dropped() -> None:
    html = (
        '<img src="https://img.alicdn.com/tps/i3/spaceball.gif" '
        'data-ks-lazyload="https://img.alicdn.com/imgextra/i1/real.jpg">'
        '<img src="https://img.alicdn.com/tps/i3/spaceball.gif">'
        '<img src="https://img.alicdn.com/track.png" width="1" height="1">'
        '<img src="data:image/gif;base64,R0lGOD">'
    )
    assert detail_images(html) == ("https://img.alicdn.com/imgextra/i1/real.jpg",)


def test_relative_description_images_join_the_base() -> None:
    assert detail_images('<img src="img/ibank/d1.jpg">', base=CBU) == (f"{CBU}img/ibank/d1.jpg",)


def test_detail_images_stop_at_kuaishous_limit_of_fifty() -> None:
    html = "".join(f'<img src="https://img.alicdn.com/d{i}.jpg">' for i in range(70))
    images = detail_images(html)
    assert len(images) == DETAIL_IMAGE_LIMIT == 50
    assert images[-1] == "https://img.alicdn.com/d49.jpg"


def test_unclosed_tags_and_entities_in_urls_are_read_like_a_browser_would() -> None:
    html = '<div><p><img src="https://img.alicdn.com/a.jpg?x=1&amp;y=2"><p>没闭合'
    assert img_sources(html) == ["https://img.alicdn.com/a.jpg?x=1&y=2"]


@pytest.mark.parametrize("html", [None, "", "<p>纯文字描述</p>"])
def test_a_description_without_pictures_has_no_detail_images(html: str | None) -> None:
    assert detail_images(html) == ()
