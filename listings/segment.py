"""Word boundaries of a Chinese title (rjieba, the Rust port of jieba), for checking substring hits.

Why: the text layer matches leaf terms as substrings, and Chinese has no spaces, so a term can
straddle two words: 画笔 inside 笔画|笔顺 (a copybook, not a paintbrush). A hit counts only when
it ends on a word boundary: 大衣 in 军|大衣 ends on one (the head-final noun), 画笔 in 笔画|笔顺
and 橡皮 in 橡皮筋 do not. Segmentation is a dictionary lookup on text passed in; no I/O.
"""

from __future__ import annotations

from functools import lru_cache

import rjieba

__all__ = ["aligned", "boundaries", "cut_words", "tagged"]


@lru_cache(maxsize=4096)
def boundaries(text: str) -> frozenset[int]:
    """Character offsets where a word starts or ends (0 and len(text) included).

    From the words `cut_words` gives (jieba-rs tags exactly these words: `tagged` is the same
    cut, then a dictionary look-up per word, ~1.7× dearer; decision 96)."""
    edges = {0}
    position = 0
    for word in cut_words(text):
        position += len(word)
        edges.add(position)
    return frozenset(edges)


def aligned(text: str, word: str, *, whole: bool = False, loose: bool = False) -> bool:
    """`word` occurs in `text` at least once ending on a word boundary (Chinese compounds are
    head-final: 大衣 ends 军|大衣, while 橡皮 inside 橡皮筋 and 画笔 inside 笔画|笔顺 end mid-word);
    with `whole`, starting on one too (a one-character noun such as 碗 must be a word of its own,
    not the end of 洗碗); with `loose`, starting or ending on one (enough to *notice* a noun)."""
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
