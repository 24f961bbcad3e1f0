"""The `urlsplit`-free way of `normalize_image_url` gives what the `urlsplit` way gives.

Plain http(s) URLs (an ASCII host, a path, no query) skip `urlsplit` (issue 19, decision 72);
every URL must come out as `_split_url` makes it, whichever way it took.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listings import description, images
from listings.images import HTTPS_IMAGE_HOSTS, normalize_image_url, strip_image_suffix
from sandbox import alibaba_catalog, pdd_catalog, taobao_catalog

ALICDN = ("alicdn.com",)

TRICKY = [
    "http://img.alicdn.com/imgextra/i1/2200/O1CN01abc_!!2200.jpg_430x430q90.jpg",
    "HTTP://IMG.ALICDN.COM/a.JPG_.webp",
    "http://gw.alicdn.com:8080/a.310x310.jpg",
    "https://cbu01.alicdn.com/img/ibank/2019/a.jpg.a.jpeg",
    "http://sandbox/img/ibank/a.jpg_.webp",
    "http://sandbox/taobao/img/a.jpg_.webp",
    "http://evilalicdn.com/a.jpg_.webp",
    "http://alicdn.com.evil.test/a.jpg_.webp",
    "http://img.alicdn.com./a.jpg",
    "http://img.alicdn.com",
    "http://img.alicdn.com/",
    "http://img.alicdn.com//a.jpg",
    "http://img.alicdn.com/a b.jpg",
    "http://img.alicdn.com/a.jpg?__r__=1",
    "http://sandbox/img/ibank/2021/a.jpg?__r__=1617395809069",
    "http://sandbox/img/ibank/2021/a.jpg_.webp?__r__=",
    "http://sandbox/img/ibank/2021/a.jpg?__r__=1&x=2",
    "http://sandbox/img/ibank/2021/a.jpg?__r__=1;x=2",
    "http://sandbox/img/ibank/2021/a.jpg?__r__=a%20b",
    "http://sandbox/img/ibank/2021/a.jpg?x=1&__r__=1",
    "http://sandbox/img/ibank/2021/a.jpg?__r__",
    "http://img.alicdn.com/a.jpg?",
    "http://img.alicdn.com/a.jpg#x",
    "http://user@img.alicdn.com/a.jpg",
    "http://img.alicdn.com:/a.jpg",
    "http://[::1]/a.jpg",
    "http://img.alicdn.com/a\t.jpg",
    "http://img.alicdn.com/图片.jpg",
    "http://img.alicdn.com/(1)<2>.jpg",
    "https://img.pddpic.com/a.jpg.a.jpeg",
    "ftp://img.alicdn.com/a.jpg",
    "httpx://img.alicdn.com/a.jpg",
    "http:/img.alicdn.com/a.jpg",
    "http:img.alicdn.com/a.jpg",
]


def slow(url: str, domains: tuple[str, ...]) -> str:
    return images._split_url(url, domains)


@pytest.mark.parametrize("url", TRICKY)
@pytest.mark.parametrize("domains", [ALICDN, HTTPS_IMAGE_HOSTS])
def test_a_tricky_url_comes_out_as_urlsplit_reads_it(url: str, domains: tuple[str, ...]) -> None:
    assert normalize_image_url(url, https_domains=domains) == slow(url, domains)


def test_the_shortcut_is_taken_for_the_sandbox_and_cdn_urls_it_is_for() -> None:
    assert images._PLAIN_URL.fullmatch("http://sandbox/taobao/img/hoodie-1-m0.jpg")
    assert images._PLAIN_URL.fullmatch(TRICKY[0])
    assert images._PLAIN_URL.fullmatch("http://sandbox/img/ibank/a.jpg?__r__=1617395809069")
    assert not images._PLAIN_URL.fullmatch("http://img.alicdn.com/a.jpg?__r__=1&x=2")


def test_every_sandbox_image_url_comes_out_as_urlsplit_reads_it() -> None:
    base = "http://sandbox"
    urls: list[str] = []
    for item in taobao_catalog.generate_catalog(shop_id="url-shop", size=100, base_url=base):
        urls += [img["url"] for img in item.get("item_imgs", {}).get("item_img", [])]
        urls += [img["url"] for img in item.get("prop_imgs", {}).get("prop_img", [])]
    for goods in pdd_catalog.generate_catalog(shop_id="url-shop", size=100, base_url=base):
        urls += list(goods.detail.get("carousel_gallery_list") or [])
    for offer in alibaba_catalog.generate_catalog(
        shop_id="url-supplier", size=100, image_base=base
    ):
        urls += [f"https://cbu01.alicdn.com/{path}" for path in offer["image"]["images"]]
        urls += description.img_sources(offer.get("description"))
    assert len(urls) > 500
    assert sum("?__r__=" in url for url in urls) > 100
    for url in urls:
        for domains in (ALICDN, HTTPS_IMAGE_HOSTS):
            assert normalize_image_url(url, https_domains=domains) == slow(url, domains), url


_pieces = st.sampled_from(
    ["http", "HTTPS", "://", "/", ".", ":", "8080", "alicdn.com", "img.", "a", "_", "-", "!!",
     ".jpg", ".JPG", "_.webp", "_430x430q90.jpg", ".310x310.jpg", ".a.jpeg", "/img/ibank/",
     "?", "?__r__=", "__r__", "1", "#", "@", " ", "\t", "%20", "图", "[", "]", "(", "<", "~", "&", "="]
)  # fmt: skip
_paths = st.lists(_pieces, max_size=8).map("".join)
_urls = st.one_of(
    st.lists(_pieces, min_size=1, max_size=14).map("".join),
    st.tuples(
        st.sampled_from(["http://", "https://", "HTTP://", "Https://"]),
        st.sampled_from(["img.alicdn.com", "CBU01.ALICDN.COM", "sandbox", "a.pddpic.com", "x-y_z"]),
        st.sampled_from(["", ":80", ":8080"]),
        _paths.map(lambda path: f"/{path}"),
        st.sampled_from(["", "?__r__=1617395809069", "?__r__=", "?__r__=1&a=2", "?a=1"]),
    ).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(_urls)
def test_a_url_the_shortcut_takes_comes_out_as_urlsplit_reads_it(url: str) -> None:
    plain = images._PLAIN_URL.fullmatch(url)
    if plain is None:
        return  # not taken: normalize_image_url reads it with urlsplit itself
    for domains in (ALICDN, HTTPS_IMAGE_HOSTS):
        assert images._plain_url(plain, domains) == slow(url, domains)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, min_size=1, max_size=10).map("".join))
def test_a_path_without_a_suffix_the_rules_cut_is_left_as_it_is(path: str) -> None:
    previous = None
    slow_path = path
    while previous != slow_path:
        previous = slow_path
        for rule in (images._FORMAT_SUFFIX, images._THUMB_SUFFIX, images._PDD_A_SUFFIX):
            slow_path = rule.sub(r"\1", slow_path)
    assert strip_image_suffix(path) == slow_path
