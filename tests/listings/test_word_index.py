"""The text layer's shortcuts find what the plain scans they replaced found (decision 90): which
words of a fixed set a title holds, and the order of the top leaves."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from listings.categories import _top
from listings.category_eval import parse_labelled_csv
from listings.title_lexicon import PRODUCT_NOUNS
from listings.title_match import WordIndex, clean_title

DEV = Path(__file__).parents[2] / "tests" / "fixtures" / "category_dev_real.csv"


def test_a_word_index_finds_exactly_the_words_a_scan_of_every_word_finds() -> None:
    words = {*PRODUCT_NOUNS, "收纳架", "鞋子收纳架", "架", "t恤", "a"}
    index = WordIndex(words)
    titles = [clean_title(r.title) for r in parse_labelled_csv(DEV.read_text(encoding="utf-8"))]
    titles += ["", "架", "鞋子收纳架", "收纳架收纳架t恤"]
    for text in titles:
        assert index.found_in(text) == {w for w in words if w in text}, text


def test_an_empty_word_is_in_every_text() -> None:
    assert WordIndex(["", "帽"]).found_in("帽子") == {"", "帽"}
    assert WordIndex(["", "帽"]).found_in("") == {""}


def test_the_top_columns_are_the_lexsort_order_ties_by_column() -> None:
    rng = np.random.default_rng(90)
    for size in (1, 2, 3, 5, 40):
        for _ in range(200):
            score = rng.integers(0, 4, size).astype(float) / 2  # many ties
            ids = np.arange(size)
            for k in (1, 3, size):
                assert list(_top(score, k)) == list(np.lexsort((ids, -score))[:k])
