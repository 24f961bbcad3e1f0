"""The text layer's shortcuts find what the plain scans they replaced found (decisions 90 and 96):
which words of a fixed set a title holds (on word boundaries too), which of them no other holds,
and the order of the top leaves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from listings.categories import _top, _top_rows
from listings.category_eval import parse_labelled_csv
from listings.segment import aligned, boundaries
from listings.title_lexicon import AUDIENCE_WORDS, CONTEXT_WORDS, PRODUCT_NOUNS
from listings.title_match import WordClasses, WordIndex, _outermost, clean_title

DEV = Path(__file__).parents[2] / "tests" / "fixtures" / "category_dev_real.csv"


def test_a_word_index_finds_exactly_the_words_a_scan_of_every_word_finds() -> None:
    words = {*PRODUCT_NOUNS, "收纳架", "鞋子收纳架", "架", "t恤", "a"}
    index = WordIndex(words)
    titles = [clean_title(r.title) for r in parse_labelled_csv(DEV.read_text(encoding="utf-8"))]
    titles += ["", "架", "鞋子收纳架", "收纳架收纳架t恤"]
    for text in titles:
        assert index.found_in(text) == {w for w in words if w in text}, text


def test_words_on_word_boundaries_are_those_aligned_finds_among_every_word_found() -> None:
    words = {*PRODUCT_NOUNS, "收纳架", "鞋子收纳架", "架", "t恤", "a", "笔", "画笔"}
    index = WordIndex(words)
    titles = [clean_title(r.title) for r in parse_labelled_csv(DEV.read_text(encoding="utf-8"))]
    titles += ["", "架", "笔画笔顺练字帖", "收纳架收纳架t恤"]
    for text in titles:
        expected = {
            w for w in index.found_in(text) if aligned(text, w, whole=len(w) == 1, loose=True)
        }
        assert index.found_aligned(text, boundaries(text)) == expected, text


@given(st.sets(st.text(alphabet="帽子鞋袜", max_size=4), max_size=8))
def test_the_outermost_words_are_those_no_other_word_holds(words: set[str]) -> None:
    assert _outermost(words) == {w for w in words if not any(w != o and w in o for o in words)}


@pytest.mark.parametrize("classes", [AUDIENCE_WORDS, CONTEXT_WORDS], ids=["audience", "context"])
def test_the_classes_a_title_names_are_those_any_of_whose_words_it_holds(
    classes: dict[str, tuple[str, ...]],
) -> None:
    named = WordClasses(classes)
    titles = [clean_title(r.title) for r in parse_labelled_csv(DEV.read_text(encoding="utf-8"))]
    hits = 0
    for text in titles:
        expected = {c for c, words in classes.items() if any(w in text for w in words)}
        assert named.named_in(text) == expected, text
        hits += bool(expected)
    assert hits > 50  # the real titles do name audiences and contexts


def test_an_empty_word_is_in_every_text() -> None:
    assert WordIndex(["", "帽"]).found_in("帽子") == {"", "帽"}
    assert WordIndex(["", "帽"]).found_in("") == {""}


def test_the_top_columns_are_the_lexsort_order_ties_by_column() -> None:
    rng = np.random.default_rng(90)
    for size in (1, 2, 3, 5, 40):
        for _ in range(200):
            score = rng.integers(0, 4, size).astype(float) / 2  # many ties
            score[rng.random(size) < 0.1] = -np.inf  # what no taken column may be mistaken for
            ids = np.arange(size)
            for k in (1, 3, 8, 9, size):
                assert list(_top(score, k)) == list(np.lexsort((ids, -score))[:k])


def test_a_batchs_top_columns_are_each_rows_own() -> None:
    """The batch's argmax passes pick, row by row, what `_top` picks, rows that run out of
    scores (−inf) included."""
    rng = np.random.default_rng(179)
    for size in (1, 2, 3, 5, 40):
        scores = rng.integers(0, 4, (60, size)).astype(float) / 2  # many ties
        scores[rng.random((60, size)) < 0.1] = -np.inf
        for k in (1, 3, 8, 9, size):
            assert [list(row) for row in _top_rows(scores, k)] == [
                list(_top(row, k)) for row in scores
            ]
    assert _top_rows(np.zeros((0, 5)), 3) == []
