"""PDD signing, as reference/signing.md specifies it.

Every expected value is computed here with hashlib directly, independently of the code under test:
MD5(client_secret + k1v1k2v2... + client_secret), keys sorted, upper-case hex, empty strings signed.
"""

from __future__ import annotations

import hashlib

import pytest

from connectors.pinduoduo.signing import sign, sign_string

SECRET = "s3cr3t-秘钥"
PARAMS = {
    "type": "pdd.goods.list.get",
    "client_id": "4b6e",
    "access_token": "tok",
    "timestamp": "1717214400",
    "data_type": "JSON",
    "version": "V1",
    "page": "1",
    "page_size": "100",
}
TEXT = (
    "access_tokentokclient_id4b6edata_typeJSONpage1page_size100timestamp1717214400"
    "typepdd.goods.list.getversionV1"
)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def test_the_string_to_sign_is_sorted_keys_and_values_without_separators() -> None:
    assert sign_string(PARAMS) == TEXT


def test_sign_is_md5_of_the_text_wrapped_in_the_client_secret() -> None:
    assert sign(PARAMS, client_secret=SECRET) == _md5(f"{SECRET}{TEXT}{SECRET}")


def test_a_known_vector() -> None:
    params = {"type": "pdd.goods.detail.get", "goods_id": "448181168436", "timestamp": "1"}
    text = "goods_id448181168436timestamp1typepdd.goods.detail.get"
    assert sign(params, client_secret="abc") == _md5(f"abc{text}abc")


def test_an_empty_string_that_is_sent_is_signed_unlike_top() -> None:
    with_blank = {**PARAMS, "goods_name": ""}
    assert sign_string(with_blank) == TEXT.replace("page1", "goods_namepage1")
    assert sign(with_blank, client_secret=SECRET) != sign(PARAMS, client_secret=SECRET)


def test_a_value_that_is_not_sent_is_not_signed() -> None:
    assert sign_string({**PARAMS, "is_onsale": None}) == TEXT


def test_whitespace_is_signed_as_sent() -> None:
    assert sign_string({"b": " x ", "a": "1"}) == "a1b x "


def test_the_sign_param_itself_is_never_signed() -> None:
    assert sign_string({**PARAMS, "sign": "ANYTHING"}) == TEXT


def test_keys_sort_by_code_point_so_prefixes_come_first() -> None:
    assert sign_string({"page_size": "2", "page": "1", "Z": "0"}) == "Z0page1page_size2"


def test_chinese_values_are_signed_as_utf8() -> None:
    params = {"goods_name": "狗狗零食"}
    assert sign(params, client_secret="k") == _md5("kgoods_name狗狗零食k")


@pytest.mark.parametrize("secret", ["a", "sandbox-pdd-client-secret"])
def test_signs_are_32_upper_case_hex_digits(secret: str) -> None:
    digest = sign(PARAMS, client_secret=secret)
    assert len(digest) == 32
    assert digest == digest.upper()
    int(digest, 16)
