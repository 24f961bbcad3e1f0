"""Word boundaries of titles (listings/segment.py): one segmentation serves the boundaries and
the parts of speech, and it is jieba's cut."""

from __future__ import annotations

from pathlib import Path

import rjieba

from listings.category_eval import parse_labelled_csv
from listings.segment import Segmenter, aligned, boundaries, segmenter_for, tagged
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


def test_a_segmenter_cuts_the_product_words_it_is_given_whole() -> None:
    """jieba's own dictionary cuts 钢丝|球刷锅: 钢丝球 ends mid-word (decision 139)."""
    text = "大号钢丝球刷锅洗碗带柄清洗球"
    assert not aligned(text, "钢丝球")
    assert aligned(text, "钢丝球", edges=Segmenter({"钢丝球"}).boundaries(text))


def test_a_segmenter_leaves_jiebas_shared_dictionary_as_it_was() -> None:
    """What a title's words are must not depend on which tree the process met first."""
    Segmenter({"脏衣篮"}).boundaries("越南藤编脏衣篮脏衣服收纳筐")
    assert boundaries("藤编脏衣篮脏衣服收纳筐") == _cut_edges("藤编脏衣篮脏衣服收纳筐")
    assert not aligned("藤编脏衣篮脏衣服收纳筐", "脏衣篮")


def test_one_segmenter_serves_each_vocabulary() -> None:
    assert segmenter_for(frozenset({"钢丝球"})) is segmenter_for(frozenset({"钢丝球"}))
