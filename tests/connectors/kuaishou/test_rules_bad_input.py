"""The validator names wrongly typed fields instead of letting them through, and never raises.

Each test breaks one field of a valid wire param (tests.samples' 2×2 T-shirt) with a wrong type or
an oversize value; the property test feeds it arbitrary JSON and mutations of the valid param.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings

from connectors.kuaishou.rules import Violation, kuaishou_hosted, violations
from tests.connectors.kuaishou.conftest import item_param
from tests.connectors.test_parsers_fuzz import json_values, mutated

VALID: dict[str, Any] = item_param().model_dump(by_alias=True, exclude_none=True, mode="json")


def broken(**changes: Any) -> dict[str, Any]:
    param = copy.deepcopy(VALID)
    param.update(changes)
    return param


def fields(found: list[Violation]) -> list[str]:
    return [v.field for v in found]


def test_the_valid_param_has_no_violation() -> None:
    assert violations(VALID) == []


@pytest.mark.parametrize("nick", [12345, ["a"], {"a": 1}, True])
def test_a_sku_nick_that_is_not_a_string_is_named(nick: object) -> None:
    param = copy.deepcopy(VALID)
    param["skuList"][0]["skuNick"] = nick
    assert "skuList[0].skuNick" in fields(violations(param))


def test_a_sku_nick_over_30_characters_is_named() -> None:
    param = copy.deepcopy(VALID)
    param["skuList"][1]["skuNick"] = "X" * 31
    assert "skuList[1].skuNick" in fields(violations(param))


@pytest.mark.parametrize("promise", ["yes", 1, ["freshRotRefund"]])
def test_a_service_promise_that_is_not_an_object_is_named(promise: object) -> None:
    param = copy.deepcopy(VALID)
    param["serviceRule"]["servicePromise"] = promise
    assert "serviceRule.servicePromise" in fields(violations(param))


def test_a_service_promise_value_that_is_not_a_boolean_is_named() -> None:
    param = copy.deepcopy(VALID)
    param["serviceRule"]["servicePromise"] = {"brokenRefund": "1"}
    assert "serviceRule.servicePromise.brokenRefund" in fields(violations(param))


@pytest.mark.parametrize("pay_way", ["2", 1, 2.0, True])
def test_a_pay_way_other_than_the_integer_2_is_named(pay_way: object) -> None:
    assert "payWay" in fields(violations(broken(payWay=pay_way)))


def test_pay_way_2_is_accepted() -> None:
    assert violations(broken(payWay=2)) == []


def test_an_image_url_over_2000_characters_is_named() -> None:
    long_url = "https://p1.sandbox-kwaixiaodian.local/ufile/" + "a" * 10_000 + ".jpg"
    param = broken(imageUrls=[long_url, VALID["imageUrls"][1]])
    (violation,) = [v for v in violations(param) if v.field == "imageUrls[0]"]
    assert "at most 2000" in violation.message


@pytest.mark.parametrize(
    ("url", "hosted"),
    [
        ("https://p1.sandbox-kwaixiaodian.local/ufile/a.jpg", True),
        ("https://p2.kwimgs.com/ufile/a.jpg", True),
        ("https://img.alicdn.com/a.jpg", False),
        ("https://kwimgs.com.evil.test/a.jpg", False),
        ("ftp://p2.kwimgs.com/a.jpg", False),
        ("https://[::1/a.jpg", False),
    ],
)
def test_kuaishou_hosted_accepts_only_kuaishou_image_hosts(url: str, hosted: bool) -> None:
    assert kuaishou_hosted(url) is hosted


@settings(max_examples=300, deadline=None)
@given(param=mutated(VALID) | json_values)
def test_no_param_makes_the_validator_raise(param: Any) -> None:
    found = violations(param, is_kwai_image=kuaishou_hosted)
    assert all(isinstance(v, Violation) and v.field for v in found)
