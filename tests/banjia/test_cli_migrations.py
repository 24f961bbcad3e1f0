"""`banjia migrations check|list` and `banjia status`: the config is checked before a run.

Every failure is one line on stderr naming the path, migration, field or env var and the fix, with
a non-zero exit and no traceback; no secret value is ever printed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from banjia.cli import main
from banjia.online_check import check_migration
from connectors.platforms import Endpoints, EndpointsMode
from listings.migrations import parse_migrations
from pipeline.clients import Platforms
from sandbox.app import build_sandbox_app

DEMO = Path(__file__).resolve().parents[2] / "data" / "migrations.yaml"
SANDBOX_ENV = dict(
    line.split("=", 1)
    for line in (DEMO.parent / "sandbox.env").read_text().splitlines()
    if line and not line.startswith("#") and "=" in line
)


def run(args: list[str], *, migrations: Path, env: dict[str, str] | None = None) -> Result:
    """The command with only `env`'s secrets set (none of the sandbox's leak in from outside)."""
    unset: dict[str, str | None] = dict.fromkeys(SANDBOX_ENV)
    full = {**unset, "BANJIA_MIGRATIONS": str(migrations), **(env or {})}
    return CliRunner().invoke(main, args, env=full)


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_a_missing_migrations_file_is_one_line_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = run(["migrations", "check"], migrations=missing)
    no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"banjia: migrations file {missing} not found: create it (data/migrations.yaml shows the "
        "shape) or point BANJIA_MIGRATIONS at yours"
    ]


@pytest.mark.parametrize("command", [["migrations", "list"], ["status"]])
def test_every_command_reports_a_missing_file_the_same_way(
    tmp_path: Path, command: list[str]
) -> None:
    result = run(command, migrations=tmp_path / "nope.yaml")
    no_traceback(result)
    assert result.exit_code == 2
    assert "not found" in result.stderr


def test_a_directory_in_place_of_the_file_is_one_line(tmp_path: Path) -> None:
    result = run(["migrations", "list"], migrations=tmp_path)
    no_traceback(result)
    assert (result.exit_code, len(result.stderr.strip().splitlines())) == (2, 1)


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"migrations: \xff\xfe")
    result = run(["migrations", "check"], migrations=path)
    no_traceback(result)
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.stderr


def test_check_reports_every_unset_env_var_and_fails(tmp_path: Path) -> None:
    result = run(["migrations", "check", "--migration", "taobao-demo"], migrations=DEMO)
    no_traceback(result)
    assert result.exit_code == 1
    assert "source.session_env names BANJIA_TAOBAO_SESSION, which is not set" in result.stderr
    assert "target.sign_secret_env names BANJIA_KUAISHOU_SIGN_SECRET" in result.stderr


def test_check_passes_with_the_env_vars_set(tmp_path: Path) -> None:
    result = run(["migrations", "check"], migrations=DEMO, env=SANDBOX_ENV)
    no_traceback(result)
    assert result.exit_code == 0, result.stderr


def test_a_mistyped_migration_key_exits_non_zero_with_the_known_keys() -> None:
    result = run(["migrations", "check", "--migration", "taobao-dmeo"], migrations=DEMO)
    no_traceback(result)
    assert result.exit_code == 2
    assert "did you mean 'taobao-demo'? known keys: taobao-demo, pdd-demo" in result.stderr


def test_status_with_a_mistyped_key_exits_non_zero_with_the_known_keys() -> None:
    result = run(["status", "--migration", "nope"], migrations=DEMO)
    no_traceback(result)
    assert result.exit_code == 2
    assert "known keys: taobao-demo" in result.stderr


def test_a_pasted_secret_is_refused_by_check_and_never_printed(tmp_path: Path) -> None:
    secret = "A3F9C2D17B8E4F0A9C3D2E1F7A8B9C0D"
    path = tmp_path / "m.yaml"
    path.write_text(
        DEMO.read_text(encoding="utf-8").replace("BANJIA_TAOBAO_SESSION", secret, 1),
        encoding="utf-8",
    )
    result = run(["migrations", "check"], migrations=path, env=SANDBOX_ENV)
    no_traceback(result)
    assert result.exit_code == 1
    assert "source.session_env: looks like a secret" in result.stderr
    assert secret not in result.output


# --- --online: one signed call per platform, here against the in-process sandbox --------------


def online(key: str, env: dict[str, str]) -> list[str]:
    migration = parse_migrations(DEMO.read_text(encoding="utf-8")).get(key)
    platforms = Platforms(
        endpoints=Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url="http://127.0.0.1:8765"),
        transport=httpx.ASGITransport(app=build_sandbox_app()),
        env=env,
    )
    results = asyncio.run(check_migration(migration, platforms=platforms))
    return [str(result) for result in results]


@pytest.mark.parametrize("key", ["taobao-demo", "pdd-demo", "alibaba1688-demo"])
def test_online_check_proves_the_sandbox_credentials(key: str) -> None:
    lines = online(key, SANDBOX_ENV)
    assert len(lines) == 2
    assert all(": OK: " in line for line in lines), lines


def test_online_check_names_a_refused_session_without_printing_it() -> None:
    wrong = {**SANDBOX_ENV, "BANJIA_TAOBAO_SESSION": "a-session-that-expired-long-ago"}
    taobao, kuaishou = online("taobao-demo", wrong)
    assert taobao.startswith("taobao-demo: taobao: FAILED: ")
    assert "a-session-that-expired-long-ago" not in taobao
    assert ": OK: " in kuaishou


def test_online_check_names_a_wrong_kuaishou_sign_secret() -> None:
    wrong = {**SANDBOX_ENV, "BANJIA_KUAISHOU_SIGN_SECRET": "not-the-sign-secret"}
    _, kuaishou = online("taobao-demo", wrong)
    assert kuaishou.startswith("taobao-demo: kuaishou: FAILED: ")
    assert "验签失败" in kuaishou


# --- --secret-env of the sign commands -----------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["kuaishou", "sign", "--sign-method", "MD5"],
        ["sources", "sign", "--platform", "pinduoduo", "--sign-method", "md5"],
    ],
)
@pytest.mark.parametrize("pasted", ["A3F9C2D17B8E4F0A9C3D2E1F7A8B9C0D", "sk-live 51H8abc"])
def test_a_secret_pasted_as_secret_env_is_refused_without_echoing_it(
    command: list[str], pasted: str
) -> None:
    result = CliRunner().invoke(main, [*command, "--secret-env", pasted], input="{}")
    no_traceback(result)
    assert result.exit_code == 2
    assert "NAME of an env var" in result.output
    assert pasted not in result.output
