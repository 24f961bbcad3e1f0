"""`banjia kuaishou sign|validate`, through click's CliRunner.

The sign is recomputed here with hashlib/hmac from the expected string, independently of
`connectors.kuaishou.signing`, so a bug shared by the command and the signer would still show.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from banjia.cli_kuaishou import kuaishou

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "test-sign-secret-7f3a"
PARAM = '{"kwaiItemId":2004000000001}'
PARAMS = {
    "access_token": "ChFvYXV0aC5hY2Nlc3NUb2tlbhJg",
    "appkey": "ks_sandbox_app",
    "method": "open.item.get",
    "param": PARAM,
    "timestamp": "1700000000000",
    "version": "1",
}


def expected_prefix(method: str) -> str:
    """The signed string up to the secret: sorted keys, raw values (kuaishou-api.md §5.2)."""
    return (
        "access_token=ChFvYXV0aC5hY2Nlc3NUb2tlbhJg&appkey=ks_sandbox_app&method=open.item.get"
        f"&param={PARAM}&signMethod={method}&timestamp=1700000000000&version=1&signSecret="
    )


def run_sign(
    params: Mapping[str, object], method: str, env: dict[str, str] | None = None
) -> Result:
    return CliRunner().invoke(
        kuaishou,
        ["sign", "--sign-method", method, "--secret-env", "KS_SIGN_SECRET"],
        input=json.dumps(params, ensure_ascii=False),
        env={"KS_SIGN_SECRET": SECRET} if env is None else env,
    )


def expected_sign(text: str, method: str) -> str:
    if method == "MD5":
        return hashlib.md5(text.encode()).hexdigest()
    digest = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# --- sign ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["MD5", "HMAC_SHA256"])
def test_sign_prints_the_masked_string_then_the_sign(method: str) -> None:
    result = run_sign({**PARAMS, "signMethod": method}, method)
    assert result.exit_code == 0, result.output
    string, sign = result.stdout.splitlines()
    prefix = expected_prefix(method)
    assert string == prefix + "***"
    assert sign == expected_sign(prefix + SECRET, method)
    assert SECRET not in result.output


def test_null_params_are_not_sent_and_not_signed() -> None:
    params = {**PARAMS, "signMethod": "MD5", "access_token": None}
    result = run_sign(params, "MD5")
    assert result.exit_code == 0, result.output
    string, sign = result.stdout.splitlines()
    assert "access_token" not in string
    assert string.startswith("appkey=ks_sandbox_app&method=open.item.get&param=")
    assert sign == expected_sign(string.removesuffix("***") + SECRET, "MD5")


def test_a_param_object_is_serialized_as_banjia_sends_it() -> None:
    params = {**PARAMS, "signMethod": "MD5", "param": {"title": "纯棉T恤", "relItemId": 1}}
    result = run_sign(params, "MD5")
    assert result.exit_code == 0, result.output
    assert '&param={"title":"纯棉T恤","relItemId":1}&' in result.stdout.splitlines()[0]


@pytest.mark.parametrize("env", [{}, {"KS_SIGN_SECRET": ""}])
def test_a_missing_or_empty_secret_env_var_exits_2(env: dict[str, str]) -> None:
    result = run_sign({**PARAMS, "signMethod": "MD5"}, "MD5", env=env)
    assert result.exit_code == 2
    assert "KS_SIGN_SECRET" in result.output and "not set or empty" in result.output
    assert result.stdout == ""


def test_a_sign_method_contradicting_the_params_exits_2() -> None:
    result = run_sign({**PARAMS, "signMethod": "MD5"}, "HMAC_SHA256")
    assert result.exit_code == 2
    assert "signMethod=MD5" in result.output
    assert SECRET not in result.output


def test_stdin_must_be_a_json_object() -> None:
    result = CliRunner().invoke(
        kuaishou,
        ["sign", "--sign-method", "MD5", "--secret-env", "KS_SIGN_SECRET"],
        input="[1, 2]",
        env={"KS_SIGN_SECRET": SECRET},
    )
    assert result.exit_code == 2 and "JSON object" in result.output


# --- validate -----------------------------------------------------------------------------------


def run_validate(*args: str) -> Result:
    return CliRunner().invoke(kuaishou, ["validate", *args])


def test_a_valid_file_prints_ok_and_exits_0() -> None:
    path = str(FIXTURES / "item_ok.json")
    result = run_validate(path)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: OK\n"


def test_a_bad_file_prints_every_violation_and_exits_1() -> None:
    good, bad = str(FIXTURES / "item_ok.json"), str(FIXTURES / "item_bad.json")
    result = run_validate(good, bad)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{good}: OK"
    problems = lines[1:]
    assert all(line.startswith(f"{bad}: ") for line in problems)
    fields = [line.removeprefix(f"{bad}: ").split(": ", 1)[0] for line in problems]
    assert fields == ["shortTitle", "skuList[1].skuSalePrice", "skuList", "serviceRule"]
    assert "must be an integer ≥ 1 fen, got 0" in problems[1]


def test_the_category_config_adds_its_rules() -> None:
    path = str(FIXTURES / "item_ok.json")
    result = run_validate(path, "--category-config", str(FIXTURES / "category_config.json"))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}: itemPropValues: the category requires 产地 (propId 1002): add it once\n"
    )


def test_a_param_copied_as_a_json_string_is_read_too(tmp_path: Path) -> None:
    copied = tmp_path / "param-string.json"
    copied.write_text(json.dumps((FIXTURES / "item_ok.json").read_text(encoding="utf-8")))
    result = run_validate(str(copied))
    assert result.exit_code == 0 and result.stdout == f"{copied}: OK\n"


def test_invalid_json_is_reported_per_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run_validate(str(broken))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{broken}: param: not valid JSON")


def test_a_bad_category_config_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"propConfigs": [{"propName": "no id"}]}')
    result = run_validate(str(FIXTURES / "item_ok.json"), "--category-config", str(config))
    assert result.exit_code == 2 and "--category-config" in result.output
