"""Kuaishou signing, checked against vectors computed once, independently of `signing.py`.

Each expected string below was written by hand from the rule in reference/signing.md. Its digests
were computed once with hashlib/hmac outside this module, and are re-derived here so the vectors
explain themselves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from connectors.kuaishou import ServiceRule, dump_param, sign, sign_string

SECRET = "sandbox-kuaishou-sign-secret"
BASE = {
    "access_token": "tok-123",
    "appkey": "ks_sandbox_app",
    "timestamp": "1583271919000",
    "version": "1",
}
CATEGORY_MD5 = {**BASE, "method": "open.item.category", "param": "{}", "signMethod": "MD5"}
CATEGORY_STRING = (
    "access_token=tok-123&appkey=ks_sandbox_app&method=open.item.category&param={}"
    "&signMethod=MD5&timestamp=1583271919000&version=1&signSecret=sandbox-kuaishou-sign-secret"
)
SUPPLY_PARAM = (
    '{"item":{"scene":2,"itemId":"6731","seller":{"platform":3,"platformName":"淘宝"},'
    '"title":"纯棉T恤 男款&女款=同价"}}'
)


def supply_params(sign_method: str) -> dict[str, str]:
    return {
        **BASE,
        "method": "open.supply.item.sync",
        "param": SUPPLY_PARAM,
        "signMethod": sign_method,
    }


def supply_string(sign_method: str) -> str:
    return (
        "access_token=tok-123&appkey=ks_sandbox_app&method=open.supply.item.sync"
        f"&param={SUPPLY_PARAM}&signMethod={sign_method}&timestamp=1583271919000&version=1"
        "&signSecret=sandbox-kuaishou-sign-secret"
    )


def test_sign_string_sorts_params_by_key_and_appends_the_secret() -> None:
    shuffled = dict(reversed(list(CATEGORY_MD5.items())))
    assert sign_string(shuffled, sign_secret=SECRET) == CATEGORY_STRING


def test_sign_string_leaves_out_params_that_are_not_sent() -> None:
    params = {**CATEGORY_MD5, "param": None}
    assert "param=" not in sign_string(params, sign_secret=SECRET)
    assert "None" not in sign_string(params, sign_secret=SECRET)


def test_sign_string_ignores_sign_and_non_system_params() -> None:
    params = {**CATEGORY_MD5, "sign": "abc", "imgBytes": "raw", "uploadType": "1"}
    assert sign_string(params, sign_secret=SECRET) == CATEGORY_STRING


def test_sign_string_uses_raw_values_not_url_encoded() -> None:
    text = sign_string(supply_params("MD5"), sign_secret=SECRET)
    assert text == supply_string("MD5")
    assert "纯棉T恤 男款&女款=同价" in text


def test_md5_is_the_lowercase_hex_digest_of_the_sign_string() -> None:
    assert hashlib.md5(CATEGORY_STRING.encode()).hexdigest() == "5a00c1ea492d8dafde930b4aac92374b"
    assert sign(CATEGORY_MD5, sign_secret=SECRET, sign_method="MD5") == (
        "5a00c1ea492d8dafde930b4aac92374b"
    )


def test_hmac_sha256_is_base64_of_hmac_keyed_with_the_sign_secret() -> None:
    params = {**CATEGORY_MD5, "signMethod": "HMAC_SHA256"}
    text = CATEGORY_STRING.replace("MD5", "HMAC_SHA256")
    digest = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).digest()
    assert base64.b64encode(digest).decode() == "yQRmQDyE0CTrxn8pbqRlBmmBUkf1XygY6z6PtCwBgLs="
    assert sign(params, sign_secret=SECRET, sign_method="HMAC_SHA256") == (
        "yQRmQDyE0CTrxn8pbqRlBmmBUkf1XygY6z6PtCwBgLs="
    )


def test_md5_over_chinese_text_and_nested_json_param() -> None:
    assert hashlib.md5(supply_string("MD5").encode()).hexdigest() == (
        "ff047d4bc5171893f88a158e91bb0798"
    )
    assert sign(supply_params("MD5"), sign_secret=SECRET, sign_method="MD5") == (
        "ff047d4bc5171893f88a158e91bb0798"
    )


def test_hmac_sha256_over_chinese_text_and_nested_json_param() -> None:
    expected = "tnzHEtSfttfw+WVRc5WX8czswZzHlryKp0JqLyNKQyQ="
    params = supply_params("HMAC_SHA256")
    assert sign(params, sign_secret=SECRET, sign_method="HMAC_SHA256") == expected


def test_dump_param_is_compact_and_keeps_chinese_unescaped() -> None:
    item = {
        "item": {
            "scene": 2,
            "itemId": "6731",
            "seller": {"platform": 3, "platformName": "淘宝"},
            "title": "纯棉T恤 男款&女款=同价",
        }
    }
    assert dump_param(item) == SUPPLY_PARAM


def test_dump_param_of_a_model_uses_wire_names_and_omits_unset_fields() -> None:
    rule = ServiceRule(refund_rule="1", promise_delivery_time=172_800)
    assert dump_param(rule) == '{"refundRule":"1","promiseDeliveryTime":172800}'


def test_a_param_serialized_with_other_separators_signs_differently() -> None:
    spaced = {**CATEGORY_MD5, "param": '{"categoryId": 1}'}
    compact = {**CATEGORY_MD5, "param": dump_param({"categoryId": 1})}
    assert sign(spaced, sign_secret=SECRET, sign_method="MD5") != sign(
        compact, sign_secret=SECRET, sign_method="MD5"
    )


def test_an_unknown_sign_method_is_refused() -> None:
    with pytest.raises(ValueError, match="signMethod"):
        sign(CATEGORY_MD5, sign_secret=SECRET, sign_method="SHA1")  # type: ignore[arg-type]
