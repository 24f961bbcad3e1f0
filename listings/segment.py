"""Word boundaries of a Chinese title (rjieba, the Rust port of jieba), for checking substring hits.

Why: the text layer matches leaf terms as substrings, and Chinese has no spaces, so a term can
straddle two words: 画笔 inside 笔画|笔顺 (a copybook, not a paintbrush). A hit counts only when
it ends on a word boundary: 大衣 in 军|大衣 ends on one (the head-final noun), 画笔 in 笔画|笔顺
and 橡皮 in 橡皮筋 do not. Segmentation is a dictionary lookup on text passed in; no I/O.

jieba's dictionary is general Chinese and knows few product names: it cuts 钢丝|球刷锅 and
脏衣|篮脏, so 钢丝球 and 脏衣篮 end mid-word and a title naming them names nothing. A `Segmenter`
is jieba's dictionary plus the product words the matcher looks for (the lexicon's nouns and a
tree's leaf terms: `segmenter_for`), one per vocabulary, never the shared default changed in place
(what a title's words are must not depend on which tree the process met first; decision 139).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate

import rjieba

__all__ = ["Segmenter", "aligned", "boundaries", "cut_words", "segmenter_for", "tagged"]


@lru_cache(maxsize=4096)
def boundaries(text: str) -> frozenset[int]:
    """Character offsets where a word starts or ends (0 and len(text) included).

    From the words `cut_words` gives (jieba-rs tags exactly these words: `tagged` is the same
    cut, then a dictionary look-up per word, ~1.7× dearer; decision 96)."""
    return _edges(cut_words(text))


def aligned(
    text: str,
    word: str,
    *,
    whole: bool = False,
    loose: bool = False,
    edges: frozenset[int] | None = None,
) -> bool:
    """`word` occurs in `text` at least once ending on a word boundary (Chinese compounds are
    head-final: 大衣 ends 军|大衣, while 橡皮 inside 橡皮筋 and 画笔 inside 笔画|笔顺 end mid-word);
    with `whole`, starting on one too (a one-character noun such as 碗 must be a word of its own,
    not the end of 洗碗); with `loose`, starting or ending on one (enough to *notice* a noun).
    `edges`: the text's boundaries as a `Segmenter` cut it (default: jieba's own dictionary)."""
    if edges is None:
        edges = boundaries(text)
    start = text.find(word)
    while start >= 0:
        first, last = start in edges, start + len(word) in edges
        if (first and last) if whole else (first or last) if loose else last:
            return True
        start = text.find(word, start + 1)
    return False


@lru_cache(maxsize=4096)
def cut_words(text: str) -> tuple[str, ...]:
    """The words of `text`, as `tagged` cuts them, without their parts of speech."""
    return tuple(rjieba.cut(text))


@lru_cache(maxsize=4096)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """The words of `text` with their part of speech (jieba's tags: `n…` nouns, `v` verbs)."""
    return tuple(rjieba.tag(text))  # already (word, tag) pairs


class Segmenter:
    """jieba's dictionary plus `words`, each added as a noun so that it is cut whole (jieba's
    suggested frequency): a private rjieba instance, ~0.1 s and ~25 MB to build, so built once per
    vocabulary (`segmenter_for`)."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._jieba = rjieba.Jieba()
        for word in sorted(set(words)):
            if len(word) >= 2 and not word.isascii():
                self._jieba.add_word(word, None, "n")
        self._words: dict[str, tuple[str, ...]] = {}
        self._edges: dict[str, frozenset[int]] = {}

    def cut_words(self, text: str) -> tuple[str, ...]:
        """`cut_words` with this dictionary (cached: a title is cut once per decision, for its
        boundaries and its device words)."""
        words = self._words.get(text)
        if words is None:
            if len(self._words) >= _CACHE_SIZE:
                self._words.clear()
            words = self._words[text] = tuple(self._jieba.cut(text))
        return words

    def boundaries(self, text: str) -> frozenset[int]:
        """`boundaries` of `text` with this dictionary (cached)."""
        edges = self._edges.get(text)
        if edges is None:
            if len(self._edges) >= _CACHE_SIZE:
                self._edges.clear()
            edges = self._edges[text] = _edges(self.cut_words(text))
        return edges

    def tagged(self, text: str) -> tuple[tuple[str, str], ...]:
        """`tagged` with this dictionary: the words it was given are tagged `n` (nouns)."""
        return tuple(self._jieba.tag(text))


_CACHE_SIZE = 4096


def _edges(words: Iterable[str]) -> frozenset[int]:
    """Where each word ends, and 0: the running sum of their lengths."""
    return frozenset(accumulate(map(len, words), initial=0))


@lru_cache(maxsize=4)
def segmenter_for(words: frozenset[str]) -> Segmenter:
    """One `Segmenter` per vocabulary (a tree's, with the lexicon's nouns): a process decides
    for one tree at a time, tests for a few."""
    return Segmenter(words)
