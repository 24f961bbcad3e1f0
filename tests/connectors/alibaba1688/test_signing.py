"""1688 AOP signing, as reference/signing.md specifies it.

The documented example (urlPath `param2/1/system/currentTime/1000000`, params b=2&a=1, secret
`test123`) is checked against its documented signature; the other vectors are computed here with
hmac directly, independently of the code under test.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from connectors.alibaba1688.signing import aop_signature, prepare_params, sign_string, url_path

DOC_PATH = "param2/1/system/currentTime/1000000"
DOC_PARAMS = {"b": "2", "a": "1"}
PATH = "param2/1/com.alibaba.product/alibaba.product.get/8868001"
SECRET = "s3cr3t-秘钥"


def _hmac_sha1(text: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest().upper()


def test_documented_example_gives_the_documented_signature() -> None:
    assert (
        aop_signature(DOC_PATH, DOC_PARAMS, secret="test123")
        == "33E54F4F7B989E3E0E912D3FBD2F1A03CA7CCE88"
    )


def test_documented_example_string_to_sign_is_path_then_sorted_key_values() -> None:
    assert sign_string(DOC_PATH, DOC_PARAMS) == "param2/1/system/currentTime/1000000a1b2"


def test_key_value_strings_are_sorted_not_keys_when_one_key_prefixes_another() -> None:
    params = {"orderId": "1", "order": "desc"}
    # As strings "orderId1" < "orderdesc" ('I' < 'd'); sorting by key would put "order" first.
    assert sign_string(PATH, params) == f"{PATH}orderId1orderdesc"
    by_key = f"{PATH}orderdescorderId1"
    assert aop_signature(PATH, params, secret=SECRET) == _hmac_sha1(f"{PATH}orderId1orderdesc")
    assert aop_signature(PATH, params, secret=SECRET) != _hmac_sha1(by_key)


def test_access_token_and_timestamp_are_signed_like_any_param() -> None:
    params = {"productID": "1", "access_token": "tok", "_aop_timestamp": "1700000000000"}
    assert (
        sign_string(PATH, params) == f"{PATH}_aop_timestamp1700000000000access_tokentokproductID1"
    )
    without_token = {"productID": "1", "_aop_timestamp": "1700000000000"}
    assert aop_signature(PATH, params, secret=SECRET) != aop_signature(
        PATH, without_token, secret=SECRET
    )


def test_the_signature_param_itself_is_never_signed() -> None:
    with_signature = {**DOC_PARAMS, "_aop_signature": "ANYTHING"}
    assert sign_string(DOC_PATH, with_signature) == sign_string(DOC_PATH, DOC_PARAMS)


def test_none_is_not_signed_but_an_empty_string_that_is_sent_is() -> None:
    assert sign_string(DOC_PATH, {**DOC_PARAMS, "c": None}) == f"{DOC_PATH}a1b2"
    assert sign_string(DOC_PATH, {**DOC_PARAMS, "c": ""}) == f"{DOC_PATH}a1b2c"


def test_values_are_signed_raw_utf8_before_url_encoding() -> None:
    params = {"subjectKey": "女鞋 单鞋&38"}
    assert aop_signature(PATH, params, secret=SECRET) == _hmac_sha1(f"{PATH}subjectKey女鞋 单鞋&38")


def test_signatures_are_40_upper_case_hex_digits() -> None:
    digest = aop_signature(PATH, {"productID": "1"}, secret=SECRET)
    assert len(digest) == 40 and digest == digest.upper()
    int(digest, 16)


def test_url_path_has_no_leading_slash_and_no_openapi_prefix() -> None:
    assert url_path("com.alibaba.product", "alibaba.product.get", "8868001") == PATH


@pytest.mark.parametrize("falsy", [None, "", 0, False, []])
def test_prepare_params_drops_falsy_business_values_like_the_official_sdk(falsy: object) -> None:
    assert prepare_params({"productID": 1, "scene": falsy}) == {"productID": "1"}


def test_prepare_params_keeps_a_zero_string_and_writes_bools_and_lists_as_json() -> None:
    assert prepare_params({"a": "0", "b": True, "c": ["published", "expired"], "d": 2.5}) == {
        "a": "0",
        "b": "true",
        "c": '["published","expired"]',
        "d": "2.5",
    }
