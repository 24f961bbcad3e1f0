"""Word boundaries of a Chinese title (rjieba, the Rust port of jieba), for checking substring hits.

Why: the text layer matches leaf terms as substrings, and Chinese has no spaces, so a term can
straddle two words: 画笔 inside 笔画|笔顺 (a copybook, not a paintbrush). A hit counts only when
it starts or ends on a word boundary: 大衣 in 军|大衣 ends on one (the head-final noun), 画笔 in
笔画|笔顺 does neither. Segmentation is a dictionary lookup on text passed in; no I/O.
"""

from __future__ import annotations

from functools import lru_cache

import rjieba

__all__ = ["aligned", "boundaries"]


@lru_cache(maxsize=4096)
def boundaries(text: str) -> frozenset[int]:
    """Character offsets where a word starts or ends (0 and len(text) included)."""
    edges = {0}
    position = 0
    for word in rjieba.cut(text):
        position += len(word)
        edges.add(position)
    return frozenset(edges)


def aligned(text: str, word: str, *, whole: bool = False) -> bool:
    """`word` occurs in `text` at least once starting or ending on a word boundary (both, when
    `whole`: a one-character noun such as 碗 must be a word of its own, not the end of 洗碗)."""
    edges = boundaries(text)
    start = text.find(word)
    while start >= 0:
        first, last = start in edges, start + len(word) in edges
        if (first and last) if whole else (first or last):
            return True
        start = text.find(word, start + 1)
    return False
