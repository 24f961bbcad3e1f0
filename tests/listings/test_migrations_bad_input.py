"""A broken migrations file is refused with the field, the fix, and never a secret's value.

One behaviour per test, then a property: no text makes `parse_migrations` raise anything but
`MigrationsConfigError`.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listings.migrations import (
    MigrationsConfigError,
    looks_like_secret,
    missing_env_vars,
    parse_migrations,
)
from tests.samples import MIGRATION_YAML

UPPER_SECRET = "A3F9C2D17B8E4F0A9C3D2E1F7A8B9C0D"


def refused(text: str) -> str:
    with pytest.raises(MigrationsConfigError) as caught:
        parse_migrations(text)
    return str(caught.value)


def test_a_mistyped_field_names_the_closest_valid_one() -> None:
    message = refused(MIGRATION_YAML.replace("markup_percent: 10", "markup_pct: 10"))
    assert "'tb-test': pricing.markup_pct: unknown field: did you mean 'markup_percent'?" in message


def test_an_unknown_field_with_no_close_name_lists_the_known_ones() -> None:
    message = refused(MIGRATION_YAML.replace("add_fen: 0", "zzz: 0"))
    assert "pricing.zzz: unknown field: remove it; the known fields here are markup_percent" in (
        message
    )


def test_a_mistyped_top_level_migration_field_names_the_closest() -> None:
    message = refused(MIGRATION_YAML.replace("    mode: move", "    mdoe: move"))
    assert "'tb-test': mdoe: unknown field: did you mean 'mode'?" in message


def test_a_missing_required_field_says_to_add_it() -> None:
    message = refused(MIGRATION_YAML.replace("    mode: move\n", ""))
    assert "'tb-test': mode: required: add this field" in message


def test_an_upper_case_secret_where_an_env_var_name_belongs_is_refused_unprinted() -> None:
    message = refused(
        MIGRATION_YAML.replace("session_env: TB_SESSION", f"session_env: {UPPER_SECRET}")
    )
    assert "source.session_env: looks like a secret" in message
    assert UPPER_SECRET not in message


@pytest.mark.parametrize("value", ["sk-live-51H8abc", "tb session", "6201a8f9c0e"])
def test_a_value_that_is_no_env_var_name_is_refused_unprinted(value: str) -> None:
    message = refused(MIGRATION_YAML.replace("session_env: TB_SESSION", f"session_env: {value}"))
    assert "source.session_env:" in message
    assert value not in message


@pytest.mark.parametrize(
    "name", ["BANJIA_TAOBAO_SESSION", "TB_SECRET", "KS_SIGN", "BANJIA_PDD_CLIENT_SECRET_2024"]
)
def test_real_env_var_names_do_not_look_like_secrets(name: str) -> None:
    assert not looks_like_secret(name)


@pytest.mark.parametrize(
    "value", [UPPER_SECRET, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "BANJIA_7F3A9C2D17B8E4F0A9"]
)
def test_long_letter_and_digit_runs_look_like_secrets(value: str) -> None:
    assert looks_like_secret(value)


def test_a_duplicate_yaml_key_is_refused_with_both_lines() -> None:
    text = MIGRATION_YAML.replace(
        "    pricing: {markup_percent: 10, add_fen: 0}\n",
        "    pricing: {markup_percent: 10, add_fen: 0}\n    pricing: {markup_percent: 50}\n",
    )
    message = refused(text)
    assert "key 'pricing' appears twice in one mapping (lines 8 and 9)" in message


def test_a_yaml_syntax_error_does_not_quote_the_offending_line() -> None:
    message = refused(MIGRATION_YAML.replace("mode: move", f"mode: [move {UPPER_SECRET}"))
    assert "not valid YAML at line" in message
    assert UPPER_SECRET not in message


def test_missing_env_vars_are_named_with_the_field_and_the_fix() -> None:
    migration = parse_migrations(MIGRATION_YAML).migrations[0]
    env = {"TB_SECRET": "x", "KS_SIGN": "y", "KS_TOKEN": " "}
    assert missing_env_vars(migration, env) == [
        "migration 'tb-test': source.session_env names TB_SESSION, which is not set: export "
        "TB_SESSION (for the sandbox: `set -a; . data/sandbox.env`)",
        "migration 'tb-test': target.access_token_env names KS_TOKEN, which is not set: export "
        "KS_TOKEN (for the sandbox: `set -a; . data/sandbox.env`)",
    ]


def test_an_unknown_migration_key_names_the_closest_and_the_known_keys() -> None:
    config = parse_migrations(MIGRATION_YAML)
    with pytest.raises(MigrationsConfigError) as caught:
        config.get("tb-tset")
    assert "did you mean 'tb-test'? known keys: tb-test" in str(caught.value)


yaml_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
yaml_like = st.recursive(
    yaml_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300) | st.sampled_from(["[" * 5000, "a: &x [*x]", "? [a]\n: b"]))
def test_no_text_makes_the_loader_raise_anything_but_a_config_error(text: str) -> None:
    try:
        parse_migrations(text)
    except MigrationsConfigError as error:
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(
    line=st.sampled_from(MIGRATION_YAML.strip().splitlines()[1:]),
    value=yaml_like,
)
def test_a_line_of_a_valid_file_replaced_by_any_value_is_a_config_error_or_valid(
    line: str, value: object
) -> None:
    import json

    indent = line[: len(line) - len(line.lstrip())]
    key = line.strip().split(":", 1)[0].lstrip("- ")
    text = MIGRATION_YAML.replace(line, f"{indent}{key}: {json.dumps(value)}", 1)
    try:
        parse_migrations(text)
    except MigrationsConfigError as error:
        assert str(error)
