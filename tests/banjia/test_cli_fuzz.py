"""No file makes `banjia sources parse` or `banjia kuaishou validate` end in a traceback.

Property-based: mutated sample payloads and arbitrary JSON, written to a file and run through the
commands as a user would. Every run ends with exit status 0, 1 or 2 and no exception; every
stdout line of `sources parse` is JSON. Plus the three shapes a fuzzer found first: deep nesting,
lone surrogates, and a parser bug on one item of a batch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings

from banjia.cli_kuaishou import kuaishou
from banjia.cli_sources import sources
from tests.connectors.test_parsers_fuzz import json_values, load, mutated

FIXTURES = Path(__file__).parent / "fixtures"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SOURCE_FIXTURES = {
    "taobao": "taobao_items_seller_list_get.json",
    "pinduoduo": "pdd_goods_detail_get.json",
    "alibaba1688": "alibaba1688_product_get.json",
}


def ended_cleanly(result: Result) -> None:
    """Exit 0/1/2 through sys.exit, never an exception escaping the command."""
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def parse(platform: str, path: Path) -> Result:
    return CliRunner().invoke(sources, ["parse", "--platform", platform, str(path)])


def validate(path: Path) -> Result:
    return CliRunner().invoke(kuaishou, ["validate", str(path)])


@pytest.mark.parametrize("platform", sorted(SOURCE_FIXTURES))
def test_sources_parse_survives_mutated_payloads(platform: str, tmp_path: Path) -> None:
    base = load(SOURCE_FIXTURES[platform])

    @FUZZ
    @given(body=mutated(base))
    def check(body: Any) -> None:
        path = tmp_path / "payload.json"
        path.write_text(
            json.dumps(body, ensure_ascii=False), encoding="utf-8", errors="surrogatepass"
        )
        result = parse(platform, path)
        ended_cleanly(result)
        for line in result.stdout.split("\n")[:-1]:  # JSON Lines: \n only (not U+0085, U+2028)
            record = json.loads(line)
            # the crash net is a last resort: a fuzzed payload is a named problem, not a bug
            assert record.get("quarantine", {}).get("field") != "(item)", record

    check()


def test_kuaishou_validate_survives_mutated_params(tmp_path: Path) -> None:
    base = json.loads((FIXTURES / "item_ok.json").read_text(encoding="utf-8"))

    @FUZZ
    @given(param=mutated(base) | json_values)
    def check(param: Any) -> None:
        path = tmp_path / "param.json"
        path.write_text(json.dumps(param), encoding="utf-8")
        result = validate(path)
        ended_cleanly(result)
        assert "the validator failed" not in result.stdout  # the per-file net is a last resort

    check()


@pytest.mark.parametrize("platform", sorted(SOURCE_FIXTURES))
def test_deeply_nested_json_is_one_line_on_stderr(platform: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"a":' + "[" * 50_000 + "]" * 50_000 + "}")
    result = parse(platform, path)
    assert result.exit_code == 2
    assert "deeper than 64 levels" in result.stderr


def test_deeply_nested_param_is_a_validate_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 50_000 + "]" * 50_000)
    result = validate(path)
    assert result.exit_code == 1
    assert "deeper than 64 levels" in result.stdout


def test_a_lone_surrogate_in_a_nick_is_printed_as_a_replacement_character(
    tmp_path: Path,
) -> None:
    text = (FIXTURES / "sources" / "taobao_item_seller_get.json").read_text(encoding="utf-8")
    body = json.loads(text)
    body["item_seller_get_response"]["item"]["nick"] = "店\ud800铺"
    path = tmp_path / "nick.json"
    path.write_text(json.dumps(body))  # ASCII-escaped: "\\ud800" as the fuzzer sent it
    result = parse("taobao", path)
    ended_cleanly(result)
    assert "店\ufffd铺" in result.stdout


def test_a_lone_surrogate_in_an_error_message_is_a_quarantine_line(tmp_path: Path) -> None:
    path = tmp_path / "error.json"
    path.write_text(
        json.dumps({"error_response": {"code": 15, "msg": "bad \ud800", "sub_code": "isv.x"}})
    )
    result = parse("taobao", path)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["quarantine"]["field"] == "error_response"


def test_a_parser_bug_on_one_item_quarantines_it_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connectors.taobao.parse as taobao_parse

    real = taobao_parse.parse_item
    body = load("taobao_items_seller_list_get.json")
    first_id = body["items_seller_list_get_response"]["items"]["item"][0]["num_iid"]

    def flaky(payload: dict[str, Any], **kwargs: Any) -> Any:
        if payload.get("num_iid") == first_id:
            raise RuntimeError("a parser bug")
        return real(payload, **kwargs)

    monkeypatch.setattr(taobao_parse, "parse_item", flaky)
    result = parse("taobao", FIXTURES / "sources" / "taobao_items_seller_list_get.json")
    quarantine, listing = (json.loads(line) for line in result.stdout.splitlines())
    assert quarantine["quarantine"]["item_id"] == str(first_id)
    assert quarantine["quarantine"]["field"] == "(item)"
    assert "RuntimeError" in quarantine["quarantine"]["reason"]
    assert listing["source_item_id"] != str(first_id)
    assert result.exit_code == 1


def test_validate_refuses_a_main_image_hosted_outside_kuaishou(tmp_path: Path) -> None:
    param = json.loads((FIXTURES / "item_ok.json").read_text(encoding="utf-8"))
    param["imageUrls"][0] = "https://img.alicdn.com/imgextra/i1/a.jpg"
    path = tmp_path / "param.json"
    path.write_text(json.dumps(param, ensure_ascii=False), encoding="utf-8")
    result = validate(path)
    assert result.exit_code == 1
    assert (
        "imageUrls[0]: https://img.alicdn.com/imgextra/i1/a.jpg is not a Kuaishou" in result.stdout
    )


def test_validate_accepts_an_extra_image_host_given_on_the_command_line(tmp_path: Path) -> None:
    param = json.loads((FIXTURES / "item_ok.json").read_text(encoding="utf-8"))
    param["imageUrls"][0] = "https://img.example.test/a.jpg"
    path = tmp_path / "param.json"
    path.write_text(json.dumps(param, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(kuaishou, ["validate", "--image-host", "example.test", str(path)])
    assert result.exit_code == 0, result.output


def test_a_payload_file_over_the_size_cap_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import safe_json

    monkeypatch.setattr(safe_json, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"num_iid": 1, "title": "x" * 200}))
    result = parse("taobao", path)
    assert result.exit_code == 2
    assert "more than the 100 a payload file may have" in result.stderr


def test_a_validator_bug_on_one_file_is_a_line_for_it_and_the_others_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connectors.kuaishou.rules as rules

    real = rules.violations
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text('{"title": "boom"}', encoding="utf-8")
    second.write_bytes((FIXTURES / "item_ok.json").read_bytes())

    def flaky(param: Any, **kwargs: Any) -> Any:
        if isinstance(param, dict) and param.get("title") == "boom":
            raise RuntimeError("a validator bug")
        return real(param, **kwargs)

    monkeypatch.setattr(rules, "violations", flaky)
    result = CliRunner().invoke(kuaishou, ["validate", str(first), str(second)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{first}: param: the validator failed on this file (RuntimeError); please report it "
        "with the file",
        f"{second}: OK",
    ]
