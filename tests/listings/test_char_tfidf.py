"""The matcher's fast TF-IDF of titles gives scikit-learn's vectors exactly (decision 96)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from listings.categories import CategoryMatcher, CategoryTree
from listings.category_eval import parse_labelled_csv
from listings.char_tfidf import CharTfidfQueries

ROOT = Path(__file__).parents[2]
DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
TREES = ("marketplace_tree_subset.csv", "kuaishou_sandbox_tree.csv")


def _same(left: object, right: object) -> None:
    a, b = np.asarray(left.toarray()), np.asarray(right.toarray())  # type: ignore[attr-defined]
    assert a.shape == b.shape
    assert np.array_equal(a, b)  # bit for bit: the cosines and so the ranking are unchanged


@pytest.mark.parametrize("tree_file", TREES)
def test_every_real_title_gets_the_vector_scikit_learn_gives(tree_file: str) -> None:
    tree = CategoryTree.from_csv_text((ROOT / "data" / "categories" / tree_file).read_text("utf-8"))
    vectorizer = CategoryMatcher(tree)._vectorizer
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))
    texts = [" ".join([r.title, *r.source_category_path]) for r in rows]
    texts += ["", "  ", "a", "Ｔ恤　女 夏", "\t帽\n子  鞋"]
    _same(CharTfidfQueries(vectorizer).transform(texts), vectorizer.transform(texts))


def test_a_word_shorter_than_the_longest_n_gram_counts_once_whole() -> None:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)
    vectorizer.fit(["a ab abc", "b bc"])
    texts = ["a", "b a ab", "abc abc abc", "zz"]
    _same(CharTfidfQueries(vectorizer).transform(texts), vectorizer.transform(texts))


def test_no_titles_give_an_empty_matrix_of_the_vocabulary_width() -> None:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(["帽子 鞋"])
    assert CharTfidfQueries(vectorizer).transform([]).shape == (0, len(vectorizer.vocabulary_))


def test_another_kind_of_vectorizer_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="char_wb"):
        CharTfidfQueries(TfidfVectorizer(analyzer="word").fit(["ab cd"]))
