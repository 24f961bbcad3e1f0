"""`connectors.safe_json`: no text crashes it, deep nesting is refused, lone surrogates replaced."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.safe_json import MAX_DEPTH, UnsafeJsonError, depth_of, loads


def test_nesting_at_the_limit_is_read() -> None:
    assert depth_of(loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)) == MAX_DEPTH


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 200_000])
def test_nesting_beyond_the_limit_is_refused(depth: int) -> None:
    with pytest.raises(UnsafeJsonError, match=f"deeper than {MAX_DEPTH} levels"):
        loads('{"a":' + "[" * depth + "]" * depth + "}")


def test_a_lone_surrogate_escape_becomes_a_replacement_character() -> None:
    assert loads('{"nick": "a\\ud800b", "\\udc00": 1}') == {"nick": "a\ufffdb", "\ufffd": 1}


def test_a_raw_lone_surrogate_in_a_str_becomes_a_replacement_character() -> None:
    assert loads('["\ud800"]') == ["\ufffd"]


def test_a_surrogate_pair_stays_one_character() -> None:
    assert loads('"\\ud83d\\ude00"') == "\U0001f600"


def test_bytes_that_are_not_utf8_are_refused() -> None:
    with pytest.raises(UnsafeJsonError, match="not UTF-8"):
        loads(b'{"a": "\xff"}')


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200) | st.binary(max_size=200))
def test_no_input_raises_anything_but_unsafe_json_error(text: str | bytes) -> None:
    try:
        value = loads(text)
    except UnsafeJsonError:
        return
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # printable: no lone surrogate left
