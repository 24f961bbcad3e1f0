"""The fast `<img>` scan of `listings.description` reads what the HTML parser reads.

`img_sources` scans plain markup with a regular expression and hands anything trickier to the
standard library's parser; both must find the same pictures, in the same order.
"""

from __future__ import annotations

import pytest

from listings import description
from sandbox import alibaba_catalog, pdd_catalog, taobao_catalog

TRICKY = [
    '<p><IMG SRC="https://a.test/1.jpg" width=750><img src=//a.test/2.jpg></p>',
    "<img data-ks-lazyload='https://a.test/3.jpg' src=\"https://a.test/spaceball.gif\">",
    '<img alt="a > b" src="https://a.test/4.jpg?x=1&amp;y=2">',
    '<img src="https://a.test/5.jpg" src="https://a.test/6.jpg"><img/src="https://a.test/7.jpg">',
    '<img src="https://a.test/8.jpg" height="1px"><img src="data:image/png;base64,AAAA">',
    '<a href="https://shop.test"><img src=" https://a.test/9.jpg "></a><map><area href=x></map>',
    '<img src="https://a.test/10.jpg"',
    "<imgx src='https://a.test/11.jpg'><img\tsrc='https://a.test/12.jpg'/>",
    '<img src="https://a.test/13.jpg&#x3F;a=1" data-src="">',
]


@pytest.mark.parametrize("html", TRICKY)
def test_the_scan_finds_what_the_parser_finds_in_tricky_markup(html: str) -> None:
    assert description.img_sources(html) == description.parsed_img_sources(html)


def test_the_scan_finds_what_the_parser_finds_in_every_sandbox_description() -> None:
    base = "http://sandbox"
    htmls = [
        item["desc"]
        for item in taobao_catalog.generate_catalog(shop_id="scan-shop", size=200, base_url=base)
    ]
    htmls += [
        g.detail.get("goods_desc", "")
        for g in pdd_catalog.generate_catalog(shop_id="scan-shop", size=200, base_url=base)
    ]
    htmls += [
        offer.get("description", "")
        for offer in alibaba_catalog.generate_catalog(
            shop_id="scan-supplier", size=200, image_base=base
        )
    ]
    scanned = [description.img_sources(html) for html in htmls if html]
    assert any(scanned)
    assert scanned == [description.parsed_img_sources(html) for html in htmls if html]


def test_markup_with_a_comment_or_script_is_read_by_the_parser() -> None:
    html = '<!-- <img src="https://a.test/old.jpg"> --><script>"<img src=x>"</script>'
    assert description.img_sources(html + '<img src="https://a.test/new.jpg">') == [
        "https://a.test/new.jpg"
    ]
