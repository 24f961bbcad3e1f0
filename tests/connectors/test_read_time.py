"""`connectors.content.read_time` reads what `datetime.strptime` reads, quicker (issue 19).

The sources' time columns are read directly when they have the fixed-width shape the platforms
send; every other text goes to strptime. Either way the result (or the ValueError) must be
strptime's.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.content import read_time

TOP = "%Y-%m-%d %H:%M:%S"
AOP = "%Y%m%d%H%M%S%f%z"


def strptime_or_error(text: str, form: str) -> datetime | type[ValueError]:
    try:
        return datetime.strptime(text, form)
    except ValueError:
        return ValueError


def read_or_error(text: str, form: str) -> datetime | type[ValueError]:
    try:
        return read_time(text, form)
    except ValueError:
        return ValueError


def same(a: datetime | type[ValueError], b: datetime | type[ValueError]) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b and a.tzinfo == b.tzinfo and a.isoformat() == b.isoformat()
    return a is b


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("2025-05-16 16:08:58", TOP),
        ("2024-02-29 23:59:59", TOP),
        ("2023-02-29 00:00:00", TOP),
        ("2025-13-01 00:00:00", TOP),
        ("2025-1-5 3:04:05", TOP),
        ("2025-05-16 24:00:00", TOP),
        ("2025-05-16 16:08:60", TOP),
        ("2025-05-16T16:08:58", TOP),
        ("２０２５-05-16 16:08:58", TOP),
        ("20250516160858000+0800", AOP),
        ("20251316160858000+0800", AOP),
        ("20250230160858000+0800", AOP),
        ("20250516160858000+08:00", AOP),
        ("20250516160858000-0500", AOP),
        ("20250516160858+0800", AOP),
        ("2025051616085812+0800", AOP),
        ("20250516160858000Z", AOP),
    ],
)
def test_a_time_reads_as_strptime_reads_it(text: str, form: str) -> None:
    assert same(read_or_error(text, form), strptime_or_error(text, form))


def test_the_shapes_the_platforms_send_are_read_without_strptime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import connectors.content as content

    class NoStrptime(datetime):
        @classmethod
        def strptime(cls, text: str, form: str) -> datetime:  # type: ignore[override]
            raise AssertionError("strptime was called")

    monkeypatch.setattr(content, "datetime", NoStrptime)
    assert read_time("2025-05-16 16:08:58", TOP) == datetime(2025, 5, 16, 16, 8, 58)
    assert read_time("20250516160858123+0800", AOP).microsecond == 123000


_digit_runs = st.text(alphabet="0123456789", min_size=1, max_size=4)


@settings(max_examples=500, deadline=None)
@given(st.lists(_digit_runs, min_size=6, max_size=6))
def test_any_digits_in_the_top_shape_read_as_strptime_reads_them(parts: list[str]) -> None:
    year, month, day, hour, minute, second = parts
    text = f"{year}-{month}-{day} {hour}:{minute}:{second}"
    assert same(read_or_error(text, TOP), strptime_or_error(text, TOP))


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=10, max_size=20),
    st.sampled_from(["+0800", "+08:00", "-0800", "Z", ""]),
)
def test_any_digits_in_the_1688_shape_read_as_strptime_reads_them(digits: str, zone: str) -> None:
    text = digits + zone
    assert same(read_or_error(text, AOP), strptime_or_error(text, AOP))


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_every_real_time_in_the_platforms_shapes_reads_as_strptime_reads_it(when: datetime) -> None:
    top = when.strftime("%Y-%m-%d %H:%M:%S")
    aop = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}+0800"
    assert same(read_or_error(top, TOP), strptime_or_error(top, TOP))
    assert same(read_or_error(aop, AOP), strptime_or_error(aop, AOP))
