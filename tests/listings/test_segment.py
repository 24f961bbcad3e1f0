"""Word boundaries of titles (listings/segment.py): one segmentation serves the boundaries and
the parts of speech, and it is jieba's cut."""

from __future__ import annotations

from pathlib import Path

import rjieba

from listings.category_eval import parse_labelled_csv
from listings.segment import aligned, boundaries, tagged
from listings.title_match import clean_title

DEV = Path(__file__).parents[2] / "tests" / "fixtures" / "category_dev_real.csv"


def _cut_edges(text: str) -> frozenset[int]:
    """The boundaries as jieba's `cut` puts them (what `boundaries` computed before decision 93)."""
    edges, position = {0}, 0
    for word in rjieba.cut(text):
        position += len(word)
        edges.add(position)
    return frozenset(edges)


def test_the_boundaries_of_every_dev_title_are_where_jiebas_cut_puts_them() -> None:
    for row in parse_labelled_csv(DEV.read_text(encoding="utf-8")):
        for text in (row.title, clean_title(row.title)):
            assert boundaries(text) == _cut_edges(text), text
            assert [word for word, _ in tagged(text)] == rjieba.cut(text), text


def test_a_word_counts_where_it_ends_on_a_boundary() -> None:
    assert aligned("军大衣", "大衣")
    assert not aligned("橡皮筋", "橡皮")
    assert not aligned("洗碗", "碗", whole=True)
