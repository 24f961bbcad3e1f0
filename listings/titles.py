"""Titles Kuaishou accepts: advertising-law absolute terms removed or flagged, and a short title.

The word list is data (data/forbidden_words.txt, with its legal provenance), read by the asset and
passed in here, so this module stays pure. A migration chooses `remove` (cut the words out and tidy
the spaces) or `flag` (quarantine the item, naming the words, so the merchant rewrites the title).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from listings.quarantine import Problem, Stage

__all__ = ["clean_title", "derive_short_title", "parse_word_list"]

# shortTitle must be longer than 4 and shorter than 20 characters (kuaishou-api.md §1.1; the same
# bounds are enforced on the wire by connectors/kuaishou/rules.py SHORT_TITLE_EXCLUSIVE).
SHORT_TITLE_MIN_EXCLUSIVE = 4
SHORT_TITLE_MAX_EXCLUSIVE = 20
_SPACES = re.compile(r"\s+")


def parse_word_list(text: str) -> tuple[str, ...]:
    """The words of a word-list file: one per line, '#' comments and blank lines ignored."""
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(word for word in words if word)


def _ordered(words: Iterable[str]) -> tuple[str, ...]:
    # Longest first, so a word that contains another (最佳 ⊃ 最) is matched whole.
    return _ordered_once(tuple(words))


@functools.lru_cache(maxsize=64)
def _ordered_once(words: tuple[str, ...]) -> tuple[str, ...]:
    """`_ordered` once per word list: the drafts stage cleans two titles per listing with the
    same list (issue 19)."""
    return tuple(sorted({w for w in words if w}, key=len, reverse=True))


def clean_title(
    title: str, *, forbidden: Sequence[str], action: str, field: str = "title"
) -> str | Problem:
    """The title without forbidden words (`remove`), or a problem naming them (`flag`)."""
    words = _ordered(forbidden)
    found = [w for w in words if w in title]
    if not found:
        return title
    if action == "flag":
        return Problem(
            stage=Stage.DRAFT,
            reason_code="forbidden_words",
            detail=f"{field}: contains advertising-law absolute terms {'、'.join(found)}; "
            "rewrite the title on the source, or set titles.forbidden_words: remove",
        )
    cleaned = title
    for word in words:
        cleaned = cleaned.replace(word, " ")
    cleaned = _SPACES.sub(" ", cleaned).strip()
    if not cleaned:
        return Problem(
            stage=Stage.DRAFT,
            reason_code="title_empty_after_cleaning",
            detail=f"{field}: nothing is left once {'、'.join(found)} are removed; "
            "give the item a descriptive title on the source",
        )
    return cleaned


def _fits(text: str) -> bool:
    return SHORT_TITLE_MIN_EXCLUSIVE < len(text) < SHORT_TITLE_MAX_EXCLUSIVE


def derive_short_title(*, tiny_name: str | None, title: str) -> str | None:
    """The source's short name (PDD `tiny_name`) when it fits, else the title's head that fits.

    The title's head is cut at the last space before the limit when there is one, so words stay whole.
    """
    candidate = _SPACES.sub(" ", (tiny_name or "").strip())
    if _fits(candidate):
        return candidate
    text = _SPACES.sub(" ", title.strip())
    if _fits(text):
        return text
    head = text[: SHORT_TITLE_MAX_EXCLUSIVE - 1]
    if " " in head and _fits(head.rsplit(" ", 1)[0]):
        head = head.rsplit(" ", 1)[0]
    head = head.strip()
    return head if _fits(head) else None
