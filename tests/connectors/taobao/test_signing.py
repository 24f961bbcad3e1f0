"""TOP signing, as reference/signing.md specifies it.

The documented example (secret `helloworld`, taobao.item.seller.get → 66987CB1...) gives only the
secret and the result in the reference; its parameters come from the official doc (open.taobao.com
docId=101617), as quoted identically by several independent SDKs' tests. The other vectors are
computed here with hashlib/hmac directly, independently of the code under test.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from connectors.taobao.signing import sign, sign_string

DOCUMENTED_PARAMS = {
    "method": "taobao.item.seller.get",
    "app_key": "12345678",
    "session": "test",
    "timestamp": "2016-01-01 12:00:00",
    "format": "json",
    "v": "2.0",
    "sign_method": "md5",
    "fields": "num_iid,title,nick,price,num",
    "num_iid": "11223344",
}
DOCUMENTED_TEXT = (
    "app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.get"
    "num_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0"
)

PARAMS = {"v": "2.0", "method": "taobao.items.onsale.get", "app_key": "k1", "q": "连衣裙"}
TEXT = "app_keyk1methodtaobao.items.onsale.getq连衣裙v2.0"
SECRET = "s3cr3t-秘钥"


def test_documented_md5_example_gives_the_documented_sign() -> None:
    assert (
        sign(DOCUMENTED_PARAMS, secret="helloworld", sign_method="md5")
        == "66987CB115214E59E6EC978214934FB8"
    )


def test_documented_example_string_to_sign_is_sorted_keys_and_values_without_separators() -> None:
    assert sign_string(DOCUMENTED_PARAMS) == DOCUMENTED_TEXT


def test_the_sign_param_itself_is_never_signed() -> None:
    with_sign = {**DOCUMENTED_PARAMS, "sign": "ANYTHING"}
    assert sign_string(with_sign) == DOCUMENTED_TEXT


@pytest.mark.parametrize("blank", [None, "", "   ", "\t"])
def test_null_empty_and_whitespace_values_are_skipped(blank: str | None) -> None:
    assert sign_string({**PARAMS, "start_modified": blank}) == TEXT


def test_values_are_signed_as_sent_not_trimmed() -> None:
    assert sign_string({"b": " x ", "a": "1"}) == "a1b x "


def test_md5_wraps_the_text_in_the_secret_at_both_ends() -> None:
    expected = hashlib.md5(f"{SECRET}{TEXT}{SECRET}".encode()).hexdigest().upper()
    assert sign(PARAMS, secret=SECRET, sign_method="md5") == expected


def test_hmac_is_hmac_md5_keyed_with_the_secret_over_the_bare_text() -> None:
    expected = hmac.new(SECRET.encode(), TEXT.encode(), hashlib.md5).hexdigest().upper()
    assert sign(PARAMS, secret=SECRET, sign_method="hmac") == expected


def test_hmac_sha256_is_hmac_sha256_keyed_with_the_secret_over_the_bare_text() -> None:
    expected = hmac.new(SECRET.encode(), TEXT.encode(), hashlib.sha256).hexdigest().upper()
    assert sign(PARAMS, secret=SECRET, sign_method="hmac-sha256") == expected


@pytest.mark.parametrize("method", ["md5", "hmac", "hmac-sha256"])
def test_signs_are_upper_case_hex(method: str) -> None:
    digest = sign(PARAMS, secret=SECRET, sign_method=method)  # type: ignore[arg-type]
    assert digest == digest.upper()
    int(digest, 16)


def test_an_unknown_sign_method_is_refused() -> None:
    with pytest.raises(ValueError, match="sign_method"):
        sign(PARAMS, secret=SECRET, sign_method="sha1")  # type: ignore[arg-type]
