"""TF-IDF vectors of listing titles against a fitted character n-gram vocabulary, made fast.

Why not scikit-learn's own `transform`: for the matcher's vectorizer (`char_wb` n-grams, a
vocabulary of the tree's leaf names, a few thousand n-grams) its counting loop is generic Python
over every n-gram of every title and took ~13 % of the categories stage (decision 96). Here the
n-grams of a word are cut with one comprehension and looked up with `map(dict.get)`; the weighting
and the l2 norm are scikit-learn's own (`TfidfVectorizer`'s formula, `sklearn.preprocessing.normalize`),
so the vectors are the ones `TfidfVectorizer.transform` gives (tests/listings/test_char_tfidf.py
holds them equal on every real dev title).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

__all__ = ["CharTfidfQueries"]

SEPARATOR = "\x00"
"""Between two padded words: no vocabulary n-gram holds it, so no n-gram across words is found."""
_BETWEEN = f" {SEPARATOR} "


class CharTfidfQueries:
    """`transform` of a fitted `char_wb` TfidfVectorizer with sublinear tf and l2 norm."""

    def __init__(self, fitted: TfidfVectorizer) -> None:
        if fitted.analyzer != "char_wb" or fitted.norm != "l2" or not fitted.use_idf:
            raise ValueError(
                "CharTfidfQueries reproduces char_wb, l2-normed TF-IDF only; "
                f"got analyzer={fitted.analyzer!r}, norm={fitted.norm!r}, use_idf={fitted.use_idf}"
            )
        low, high = fitted.ngram_range
        if low < 1 or high > 3:
            raise ValueError(f"n-grams of 1 to 3 characters only; got {fitted.ngram_range}")
        self._idf = np.asarray(fitted.idf_, dtype=np.float64)
        self._preprocess = fitted.build_preprocessor()
        self._sublinear = fitted.sublinear_tf
        by_size: dict[int, list[tuple[int, int]]] = {n: [] for n in range(low, high + 1)}
        for gram, column in fitted.vocabulary_.items():
            by_size[len(gram)].append((_gram_code(gram), column))
        self._grams = {
            size: (
                pd.Index([code for code, _ in pairs], dtype=np.int64),
                np.array([column for _, column in pairs], dtype=np.int64),
            )
            for size, pairs in by_size.items()
        }
        """Per n-gram size: the n-grams' codes in a hash index (pandas' `get_indexer`, ~4× a
        `searchsorted`), and their columns."""

    def _laid_out(self, text: str) -> str:
        """scikit-learn's `char_wb` words of `text`, each padded with one space and followed by
        `SEPARATOR` (its fold of white space runs before `split()` changes nothing `split()`
        sees)."""
        words = self._preprocess(text).split()
        return f" {_BETWEEN.join(words)} {SEPARATOR}" if words else ""

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One row per text, the same values and sorted columns as `TfidfVectorizer.transform`.

        Every padded word of the batch is laid in one array of code points, words apart by a
        NUL no n-gram of the vocabulary holds; the n-grams of each size are coded as integers
        and looked up in one hash index for the batch (scikit-learn's `char_wb` takes
        every n-gram within a padded word, the whole word when it is shorter than n: with
        padding a word is at least 3 characters, so that never differs here)."""
        if not texts:
            return sparse.csr_matrix((0, len(self._idf)), dtype=np.float64)
        laid = [self._laid_out(text) for text in texts]
        points = np.frombuffer("".join(laid).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        lengths = [len(row) for row in laid]
        row_of = np.repeat(np.arange(len(texts)), lengths)
        rows: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        for size, (codes, column_of) in self._grams.items():
            if len(points) < size or not len(codes):
                continue
            grams = _code(np.stack([points[k : len(points) - size + 1 + k] for k in range(size)]))
            at = codes.get_indexer(grams)
            found = np.flatnonzero(at >= 0)
            rows.append(row_of[found])
            columns.append(column_of[at[found]])
        every_row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        every_column = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        counts = sparse.coo_matrix(
            (np.ones(len(every_row), dtype=np.int64), (every_row, every_column)),
            shape=(len(texts), len(self._idf)),
        ).tocsr()
        counts.sum_duplicates()
        data = counts.data.astype(np.float64)
        if self._sublinear:
            np.log(data, data)
            data += 1.0
        data *= self._idf[counts.indices]
        matrix = sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)
        return normalize(matrix, norm="l2", copy=False)


_BASE = 0x110000
"""One more than the highest code point: n-grams of up to 3 characters code into an int64."""


def _gram_code(gram: str) -> int:
    """The integer code of one n-gram, as `_code` gives it for the n-gram's code points."""
    code = 0
    for char in gram:
        code = code * _BASE + ord(char)
    return code


def _code(points: np.ndarray) -> np.ndarray:
    """The integer code of n-grams given as rows of code points (one row per position)."""
    code = np.zeros(points.shape[1:], dtype=np.int64)
    for row in points:
        code = code * _BASE + row
    return code
