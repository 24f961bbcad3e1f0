"""`banjia sources parse|sign`, through click's CliRunner.

Fixtures under fixtures/sources are whole response envelopes, shaped like the connectors' own test
fixtures (the TOP reference example, the PDD detail example and single-SKU sample, the 1688 zkibe
sample). Signs other than the documented vectors are recomputed here with hashlib/hmac, independently
of the connectors' signing modules, so a bug shared by the command and the signer would still show.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from banjia.cli import main
from banjia.cli_sources import SIGN_METHODS, sources
from tests.connectors.taobao.test_signing import DOCUMENTED_PARAMS as TOP_DOCUMENTED
from tests.connectors.taobao.test_signing import DOCUMENTED_TEXT as TOP_TEXT

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
SECRET_ENV = "SOURCE_APP_SECRET"


def run_parse(platform: str, *args: str) -> Result:
    return CliRunner().invoke(sources, ["parse", "--platform", platform, *args])


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def prices(listing: Mapping[str, Any]) -> list[int]:
    return [sku["price_fen"] for sku in listing["skus"]]


# --- parse: one platform at a time ---------------------------------------------------------------


def test_taobao_item_seller_get_envelope_parses_to_one_listing_line() -> None:
    result = run_parse("taobao", fixture("taobao_item_seller_get.json"))
    assert result.exit_code == 0, result.output
    [listing] = lines(result)
    assert listing["platform"] == "taobao"
    assert listing["shop_id"] == "cli"
    assert listing["source_item_id"] == "623917802188"
    assert prices(listing) == [3900, 3900, 4200]
    assert listing["origin_url"] == "https://item.taobao.com/item.htm?id=623917802188"
    assert listing["skus"][0]["specs"][0]["value"] == "奶油白"
    assert "raw" not in listing


def test_tmall_and_shop_id_are_passed_to_the_parser() -> None:
    result = run_parse(
        "taobao", "--tmall", "--shop-id", "tm-1", fixture("taobao_item_seller_get.json")
    )
    assert result.exit_code == 0, result.output
    [listing] = lines(result)
    assert (listing["platform"], listing["shop_id"]) == ("tmall", "tm-1")
    assert listing["origin_url"] == "https://detail.tmall.com/item.htm?id=623917802188"


def test_items_seller_list_get_gives_one_line_per_item() -> None:
    result = run_parse("taobao", fixture("taobao_items_seller_list_get.json"))
    assert result.exit_code == 0, result.output
    first, second = lines(result)
    assert (first["source_item_id"], second["source_item_id"]) == ("698765432109", "698765432110")
    assert (prices(first), prices(second)) == ([2990], [1990])
    assert first["skus"][0]["stock"] == 116  # num 120 - with_hold_quantity 4
    assert first["main_images"] == ["https://img.alicdn.com/imgextra/i3/2200/O1CN01bone_!!2200.jpg"]
    assert second["status"] == "offshelf"


def test_with_raw_keeps_the_inner_payload_verbatim() -> None:
    path = FIXTURES / "taobao_item_seller_get.json"
    result = run_parse("taobao", "--with-raw", str(path))
    assert result.exit_code == 0, result.output
    [listing] = lines(result)
    envelope = json.loads(path.read_text(encoding="utf-8"))
    assert listing["raw"] == envelope["item_seller_get_response"]["item"]


def test_pdd_detail_prices_are_fen_single_by_default_group_on_request() -> None:
    path = fixture("pdd_goods_detail_get.json")
    single = run_parse("pinduoduo", path)
    group = run_parse("pinduoduo", "--pdd-price", "group", path)
    assert single.exit_code == group.exit_code == 0, single.output + group.output
    [listing] = lines(single)
    assert prices(listing) == [1590, 2590]
    assert prices(lines(group)[0]) == [1290, 2190]
    assert listing["origin_url"] == "https://mobile.yangkeduo.com/goods.html?goods_id=448181168436"
    assert listing["skus"][0]["specs"][0]["image_url"] == "https://img.pddpic.com/s1.jpeg"


def test_pdd_single_sku_sample_is_one_sku_without_specs() -> None:
    result = run_parse("pinduoduo", fixture("pdd_goods_detail_get_single_sku.json"))
    assert result.exit_code == 0, result.output
    [listing] = lines(result)
    [sku] = listing["skus"]
    assert (sku["price_fen"], sku["specs"], sku["stock"]) == (8800, [], 22)
    assert listing["main_images"] == ["https://img.pddpic.com/goods/images/2024-03-02/zjht.jpeg"]


def test_1688_zkibe_sample_moves_at_its_tier_price() -> None:
    result = run_parse("alibaba1688", fixture("alibaba1688_product_get.json"))
    assert result.exit_code == 0, result.output
    [listing] = lines(result)
    assert listing["platform"] == "alibaba1688"
    assert prices(listing) == [25800, 25800]
    assert listing["origin_url"] == "https://detail.1688.com/offer/557235167116.html"
    assert listing["seller_name"] == "huizumei2017"
    assert listing["main_images"] == [
        "https://cbu01.alicdn.com/img/ibank/2017/992/417/3971714299_420783022.jpg"
    ]


def test_1688_distribute_takes_the_consign_price_and_the_supplier_name() -> None:
    result = run_parse(
        "alibaba1688",
        "--mode",
        "distribute",
        "--supplier-name",
        "汇族美鞋业",
        fixture("alibaba1688_product_get.json"),
    )
    assert result.exit_code == 0, result.output
    [listing] = lines(result)
    assert prices(listing) == [17800, 17800]
    assert listing["seller_name"] == "汇族美鞋业"


def test_1688_result_wrapper_and_image_base_are_accepted(tmp_path: Path) -> None:
    envelope = json.loads((FIXTURES / "alibaba1688_product_get.json").read_text(encoding="utf-8"))
    wrapped = tmp_path / "cross.json"
    wrapped.write_text(json.dumps({"result": {"success": True, **envelope}}), encoding="utf-8")
    result = run_parse("alibaba1688", "--image-base", "http://sandbox/alibaba1688/", str(wrapped))
    assert result.exit_code == 0, result.output
    [listing] = lines(result)
    assert listing["main_images"] == [
        "http://sandbox/alibaba1688/img/ibank/2017/992/417/3971714299_420783022.jpg"
    ]


# --- parse: problems -----------------------------------------------------------------------------


def test_a_bad_price_is_a_quarantine_line_naming_the_field_and_exits_1() -> None:
    good, bad = fixture("taobao_item_seller_get.json"), fixture("taobao_bad_price.json")
    result = run_parse("taobao", good, bad)
    assert result.exit_code == 1
    listing, quarantined = lines(result)
    assert listing["source_item_id"] == "623917802188"
    record = quarantined["quarantine"]
    assert record == {
        "file": bad,
        "item_id": "623917802199",
        "field": "skus.sku[1].price",
        "reason": record["reason"],
    }
    assert "'39元' is not a yuan amount" in record["reason"]


def test_1688_distribute_without_a_supplier_name_is_quarantined() -> None:
    result = run_parse(
        "alibaba1688", "--mode", "distribute", fixture("alibaba1688_product_get.json")
    )
    assert result.exit_code == 1
    [line] = lines(result)
    assert (line["quarantine"]["item_id"], line["quarantine"]["field"]) == (
        "557235167116",
        "seller_name",
    )


@pytest.mark.parametrize(
    ("platform", "name", "field", "words"),
    [
        ("taobao", "taobao_error_response.json", "error_response", ["27", "Invalid session"]),
        ("pinduoduo", "pdd_error_response.json", "error_response", ["10019", "access_token已过期"]),
        ("alibaba1688", "alibaba1688_acl_error.json", "error_code", ["gw.APIACLDecline"]),
        ("alibaba1688", "alibaba1688_cross_no_relation.json", "result.success", ["没有该商品"]),
    ],
)
def test_an_error_envelope_is_quarantined_with_the_platforms_code_and_message(
    platform: str, name: str, field: str, words: list[str]
) -> None:
    result = run_parse(platform, fixture(name))
    assert result.exit_code == 1
    [line] = lines(result)
    record = line["quarantine"]
    assert (record["file"], record["item_id"], record["field"]) == (fixture(name), None, field)
    assert all(word in record["reason"] for word in words), record["reason"]


def test_another_platforms_payload_is_quarantined_not_misread() -> None:
    result = run_parse("pinduoduo", fixture("taobao_item_seller_get.json"))
    assert result.exit_code == 1
    [line] = lines(result)
    assert line["quarantine"]["field"] == "goods_detail_get_response"
    assert "pdd.goods.detail.get" in line["quarantine"]["reason"]


def test_unreadable_files_are_reported_on_stderr_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    listed = tmp_path / "list.json"
    listed.write_text("[]", encoding="utf-8")
    missing = tmp_path / "missing.json"
    good = fixture("pdd_goods_detail_get.json")
    result = run_parse("pinduoduo", str(broken), good, str(missing), str(listed))
    assert result.exit_code == 2
    assert [line["source_item_id"] for line in lines(result)] == ["448181168436"]
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{broken}: not valid JSON")
    assert errors[1].startswith(f"{missing}: cannot read the file")
    assert errors[2].startswith(f"{listed}: not a JSON object")


@pytest.mark.parametrize(
    ("platform", "option"),
    [
        ("pinduoduo", ["--tmall"]),
        ("taobao", ["--pdd-price", "group"]),
        ("taobao", ["--mode", "distribute"]),
        ("pinduoduo", ["--supplier-name", "x"]),
    ],
)
def test_an_option_of_another_platform_is_a_usage_error(platform: str, option: list[str]) -> None:
    result = run_parse(platform, *option, fixture("taobao_item_seller_get.json"))
    assert result.exit_code == 2
    assert option[0] in result.stderr and "only applies to" in result.stderr
    assert result.stdout == ""


# --- sign ----------------------------------------------------------------------------------------

AOP_PATH = "param2/1/system/currentTime/1000000"
PDD_PARAMS = {
    "type": "pdd.goods.detail.get",
    "client_id": "pdd-client-1",
    "timestamp": 1700000000,
    "data_type": "JSON",
    "goods_id": "448181168436",
}
PDD_TEXT = (
    "client_idpdd-client-1data_typeJSONgoods_id448181168436timestamp1700000000"
    "typepdd.goods.detail.get"
)
SECRET = "s3cr3t-秘钥"


def run_sign(
    platform: str,
    method: str,
    params: Mapping[str, object],
    *,
    secret: str | None = SECRET,
    extra: tuple[str, ...] = (),
) -> Result:
    return CliRunner().invoke(
        sources,
        [
            "sign",
            "--platform",
            platform,
            "--sign-method",
            method,
            "--secret-env",
            SECRET_ENV,
            *extra,
        ],
        input=json.dumps(params, ensure_ascii=False),
        env={} if secret is None else {SECRET_ENV: secret},
    )


def test_top_documented_vector_is_reproduced_with_the_secret_masked() -> None:
    result = run_sign("taobao", "md5", TOP_DOCUMENTED, secret="helloworld")
    assert result.exit_code == 0, result.output
    shown, sign = result.stdout.splitlines()
    assert shown == f"***{TOP_TEXT}***"
    assert sign == "66987CB115214E59E6EC978214934FB8"
    assert "helloworld" not in result.output


@pytest.mark.parametrize(
    ("method", "digest"), [("hmac", hashlib.md5), ("hmac-sha256", hashlib.sha256)]
)
def test_top_hmac_methods_key_the_hash_and_show_the_bare_text(method: str, digest: Any) -> None:
    params = {**TOP_DOCUMENTED, "sign_method": method}
    text = TOP_TEXT.replace("sign_methodmd5", f"sign_method{method}")
    result = run_sign("taobao", method, params)
    assert result.exit_code == 0, result.output
    shown, sign = result.stdout.splitlines()
    assert shown == text
    assert sign == hmac.new(SECRET.encode(), text.encode(), digest).hexdigest().upper()


def test_1688_documented_vector_is_reproduced() -> None:
    result = run_sign(
        "alibaba1688",
        "hmac-sha1",
        {"b": "2", "a": 1},
        secret="test123",
        extra=("--url-path", AOP_PATH),
    )
    assert result.exit_code == 0, result.output
    shown, sign = result.stdout.splitlines()
    assert shown == f"{AOP_PATH}a1b2"
    assert sign == "33E54F4F7B989E3E0E912D3FBD2F1A03CA7CCE88"
    assert "test123" not in result.output


def test_pdd_md5_wraps_the_text_in_the_secret_and_signs_sent_empty_values() -> None:
    result = run_sign("pinduoduo", "md5", {**PDD_PARAMS, "access_token": ""})
    assert result.exit_code == 0, result.output
    shown, sign = result.stdout.splitlines()
    text = "access_token" + PDD_TEXT
    assert shown == f"***{text}***"
    assert sign == hashlib.md5(f"{SECRET}{text}{SECRET}".encode()).hexdigest().upper()
    assert SECRET not in result.output


@pytest.mark.parametrize(
    ("platform", "method", "params", "extra"),
    [
        ("taobao", "md5", {**TOP_DOCUMENTED, "session": None}, ()),
        ("pinduoduo", "md5", {**PDD_PARAMS, "access_token": None}, ()),
        ("alibaba1688", "hmac-sha1", {"a": "1", "access_token": None}, ("--url-path", AOP_PATH)),
    ],
)
def test_null_params_are_not_sent_and_not_signed(
    platform: str, method: str, params: dict[str, Any], extra: tuple[str, ...]
) -> None:
    result = run_sign(platform, method, params, extra=extra)
    assert result.exit_code == 0, result.output
    shown = result.stdout.splitlines()[0]
    assert "session" not in shown and "access_token" not in shown


def test_params_the_platform_does_not_sign_are_named_on_stderr() -> None:
    params = {**TOP_DOCUMENTED, "sign": "ANY", "start_modified": " "}
    result = run_sign("taobao", "md5", params, secret="helloworld")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "66987CB115214E59E6EC978214934FB8"
    assert "not signed: sign, start_modified" in result.stderr


def test_1688_notes_the_empty_values_its_sdk_would_not_send() -> None:
    result = run_sign(
        "alibaba1688", "hmac-sha1", {"a": "1", "b": ""}, extra=("--url-path", AOP_PATH)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{AOP_PATH}a1b"
    assert "would not send these empty values: b" in result.stderr


def test_the_secret_is_masked_even_inside_a_param_value() -> None:
    result = run_sign("pinduoduo", "md5", {**PDD_PARAMS, "client_secret": SECRET})
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert "client_secret***" in result.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("platform", "method", "extra", "message"),
    [
        ("pinduoduo", "hmac", (), "pinduoduo has no sign method 'hmac'"),
        ("taobao", "hmac-sha1", (), "taobao has no sign method 'hmac-sha1'"),
        ("alibaba1688", "md5", ("--url-path", AOP_PATH), "alibaba1688 has no sign method"),
        ("alibaba1688", "hmac-sha1", (), "pass --url-path param2/1/"),
        ("alibaba1688", "hmac-sha1", ("--url-path", f"/openapi/{AOP_PATH}"), "starts at param2"),
        ("taobao", "md5", ("--url-path", AOP_PATH), "--url-path only applies to"),
    ],
)
def test_usage_errors_exit_2_without_output(
    platform: str, method: str, extra: tuple[str, ...], message: str
) -> None:
    result = run_sign(platform, method, {"a": "1"}, extra=extra)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_missing_secret_env_var_exits_2() -> None:
    result = run_sign("taobao", "md5", TOP_DOCUMENTED, secret=None)
    assert result.exit_code == 2
    assert SECRET_ENV in result.stderr and "not set or empty" in result.stderr
    assert result.stdout == ""


def test_a_top_sign_method_param_contradicting_the_option_exits_2() -> None:
    result = run_sign("taobao", "hmac", TOP_DOCUMENTED)
    assert result.exit_code == 2
    assert "sign_method=md5" in result.stderr
    assert SECRET not in result.output


@pytest.mark.parametrize("stdin", ["[1, 2]", "{not json", '{"a": true}', '{"a": {"b": 1}}'])
def test_stdin_must_be_an_object_of_strings_numbers_or_nulls(stdin: str) -> None:
    result = CliRunner().invoke(
        sources,
        ["sign", "--platform", "pinduoduo", "--sign-method", "md5", "--secret-env", SECRET_ENV],
        input=stdin,
        env={SECRET_ENV: SECRET},
    )
    assert result.exit_code == 2
    assert result.stdout == ""


def test_the_taobao_method_names_are_the_connectors() -> None:
    from connectors.taobao.signing import SIGN_METHODS as TOP_METHODS

    assert SIGN_METHODS["taobao"] == TOP_METHODS


def test_sources_is_registered_on_the_banjia_command() -> None:
    result = CliRunner().invoke(main, ["sources", "--help"])
    assert result.exit_code == 0
    assert "parse" in result.stdout and "sign" in result.stdout
