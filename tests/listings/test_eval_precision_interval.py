"""The precision `banjia categories eval` reports comes with its 95 % interval: a merchant who
labels a few dozen titles of a shop must see what that sample can and cannot show (issue 14:
"measure a mapping on their own shop"; docs/decisions.md §162)."""

from __future__ import annotations

from listings.category_eval import precision_interval


def test_fourteen_published_with_one_wrong_cannot_show_ninety_nine_percent() -> None:
    """blind19's figure at the default before it was read: 13 right of 14 (0.929)."""
    low, high = precision_interval(13, 14)
    assert low < 13 / 14 < high
    assert low < 0.70
    assert high < 0.99


def test_a_thousand_published_pin_precision_down() -> None:
    low, high = precision_interval(995, 1000)
    assert 0.98 < low < 0.995 < high < 0.999


def test_all_right_still_leaves_room_below() -> None:
    """48 of 48 (blind12 at the default) is not proof of 1.0: the interval's low end is ~0.93."""
    low, high = precision_interval(48, 48)
    assert high == 1.0
    assert 0.90 < low < 0.95


def test_nothing_published_shows_nothing() -> None:
    assert precision_interval(0, 0) == (0.0, 1.0)
