"""The publish gate of the text layer: what the matcher knows about its top leaf, as numbers, and a
small learned model of "this top leaf is right" over them (issue 14, docs/decisions.md §88).

Why learned: the hand rules of listings/title_match.py rank leaves well, but their confidence was
tuned on three splits and stopped meaning anything on sources nobody tuned on (precision ~0.91 on
blind4/5/6 at 0.75). A logistic regression over a few tree-agnostic facts of the top decision
(how the title names the leaf, where, how many other products it names, whether the leaf is a
catch-all…) is fitted across sources and judged only on sources it was not fitted on
(scripts/train_publish_gate.py). Its probability becomes the decision's confidence, so
`category.min_confidence` keeps its meaning: at or above, publish.

The features never name a leaf, a tree id or a word of the title: the tree comes from
`open.item.category` in production and differs per shop.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict

__all__ = [
    "FEATURES",
    "GATE_FILE",
    "REASON_CLASSES",
    "GateInput",
    "PublishGate",
    "default_gate",
    "gate_features",
    "gate_vector",
    "without_filler",
]

GATE_FILE = Path(__file__).parents[1] / "data" / "categories" / "publish_gate.json"

REASON_CLASSES = ("agrees", "cosine_only", "doubt", "clash", "weak", "apart", "rivals")
"""How `CategoryMatcher._confidence` judged the top leaf: every gate passed (`agrees`), the title
names no term of it (`cosine_only`), another product named (`doubt`), audience or use context
contradicted (`clash`), too weak a naming (`weak`), a narrower leaf named apart (`apart`), another
leaf fits as well (`rivals`)."""

HOWS = ("term", "apart", "kind", "head")

MAX_PROBABILITY = 0.9999
"""The most sure the gate says it is (`PublishGate._logistic`)."""

_BRACKETED = re.compile(r"【[^】]*】|\[[^\]]*\]")
_GIFT = re.compile(r"赠送|赠|送")
_SPACES = re.compile(r"\s+")
_CATCH_ALL_WORDS = ("其他", "其它", "其余")


class GateInput(NamedTuple):
    """What the matcher decided about one title's top leaf, before any gate. A named tuple,
    immutable and ~4× cheaper to make than a frozen dataclass: one per listing (decision 96)."""

    title: str
    """The seller's title as given."""
    text: str
    """The cleaned title (listings/title_match.py `clean_title`)."""
    nouns: frozenset[str]
    """The product nouns the title names (outermost)."""
    matched: str
    """The word of the leaf the title names, or "" (cosine only)."""
    how: str
    strength: float
    reason_class: str
    confidence: float
    """The hand rules' confidence (listings/categories.py `_confidence`)."""
    margin: float
    """The top leaf's ranking score minus the runner-up's (0 when alone)."""
    cosine: float
    leaf_path: tuple[str, ...]
    leaf_audience: frozenset[str]
    title_audience: frozenset[str]
    source_path: str = ""
    fits: bool = True
    """The top leaf's audience agrees with the title's (`Verdict.fits`): False when the title
    names another audience and a doubt was reported before the clash."""
    cosine_first: bool = False
    """The top leaf is also the one the character n-gram cosine alone ranks first: the two
    readings of the title, its product words and its characters, point at the same leaf."""
    orphans: int = 0
    """How many of the title's other product nouns name no leaf of the tree (decision 176)."""
    cosine_best: float = 0.0
    """The highest character n-gram cosine of any open leaf for this title."""


FEATURES = (
    "rule_confidence",
    "margin",
    "cosine",
    "strength",
    *(f"reason_{c}" for c in REASON_CLASSES),
    *(f"how_{h}" for h in HOWS),
    "last_noun",
    "nouns_after",
    "end_gap",
    "first_at",
    "noun_count",
    "occurrences",
    "only_in_brackets",
    "only_after_gift",
    "single_char",
    "term_length",
    "leaf_depth",
    "catch_all",
    "audience_agrees",
    "audience_leaf_only",
    "audience_misfit",
    "source_given",
    "source_agrees",
    *(f"agrees_how_{h}" for h in HOWS),
    "agrees_cosine",
    "agrees_strength",
    "agrees_end_gap",
    "cosine_first",
    "agrees_cosine_first",
    "orphan_nouns",
    "leaf_char_cover",
    "leaf_bigram_cover",
    "cosine_share",
    "agrees_cosine_share",
)
"""Every feature `gate_features` computes, in order; a model uses a subset (publish_gate.json).
The `agrees_*` features are `how`, `cosine`, `strength`, `end_gap` and `cosine_first` again, on
agreeing rows only (zero elsewhere): a line over the other features weighs cosine the same
whether it is a title's only evidence (cosine_only) or a side figure beside a term every gate
passed, and so held back the titles that name their leaf apart (居家 … 拖鞋 for 居家鞋) or by a
whole word in few characters (decisions 130, 136, 143). `cosine_share` is the chosen leaf's cosine
over the best cosine any leaf has (decision 206): `cosine_first` says only whether it is 1."""


def _ends(text: str, word: str) -> list[int]:
    """Where each occurrence of `word` ends in `text`."""
    out, start = [], text.find(word) if word else -1
    while start >= 0:
        out.append(start + len(word))
        start = text.find(word, start + 1)
    return out


def _only_inside(title: str, word: str, pattern: re.Pattern[str]) -> bool:
    """`word` occurs in `title`, and every occurrence lies inside what `pattern` marks."""
    if not word or word not in title:
        return False
    return word not in pattern.sub(" ", title)


def _only_after_gift(title: str, word: str) -> bool:
    """Every occurrence of `word` comes after a gift word (赠/送): the gift, not the product."""
    if not word or word not in title:
        return False
    gift = _GIFT.search(title)
    return gift is not None and word not in title[: gift.start()]


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> frozenset[str]:
    """Cached: asked of leaf paths and source paths, which repeat across a shop's titles."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1) if not text[i : i + 2].isspace())


@lru_cache(maxsize=4096)
def _is_catch_all(leaf_path: tuple[str, ...]) -> bool:
    """The leaf's own name is a catch-all's (其它, 其他): cached per leaf."""
    return bool(leaf_path) and any(w in leaf_path[-1] for w in _CATCH_ALL_WORDS)


@lru_cache(maxsize=8192)
def _source_agrees(source_path: str, leaf_path: tuple[str, ...]) -> bool:
    """The source category and the leaf's path share a bigram: cached, a shop's listings share a
    few source categories and leaves."""
    return bool(_bigrams(source_path) & _bigrams("".join(leaf_path)))


def _leaf_name_cover(text: str, name: str) -> tuple[float, float]:
    """How much of the leaf's own name the title holds (decision 185): the share of its
    characters, and the best share of one of its names' character bigrams (鞋子收纳架 of
    鞋架 … 收纳架: a title that names the leaf in its own words is likelier right than one the
    leaf is matched to through a kind or a head alone)."""
    chars, names = _leaf_name_parts(without_filler(name))
    if not chars:
        return 0.0, 0.0
    char_cover = sum(1 for ch in chars if ch in text) / len(chars)
    bigram_cover = max(sum(1 for g in grams if g in text) / len(grams) for grams in names)
    return char_cover, bigram_cover


_FILLER = re.compile(r"其它|其他|其余|类$|类(?=/)")


def without_filler(name: str) -> str:
    """A leaf's name without the words that say it is a catch-all (其它材质类墙纸 → 材质类墙纸):
    no title says them, so in the character cosine (listings/categories.py) and in how much of
    the name a title holds (`_leaf_name_cover`) they only count against a catch-all
    (decision 208)."""
    return _FILLER.sub("", name) or name


@lru_cache(maxsize=4096)
def _leaf_name_parts(name: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """A leaf name's characters (no separators) and, for each of its names (split at /), its
    character bigrams (the name itself when one character long)."""
    chars = tuple(ch for ch in name if ch not in _NAME_SEPARATORS and not ch.isspace())
    names = tuple(tuple(_bigrams(part) or {part}) for part in name.split("/") if part)
    return chars, names


_NAME_SEPARATORS = frozenset("/()（）-、")


def gate_features(item: GateInput) -> dict[str, float]:
    """The numbers of `FEATURES` for one top decision: tree-agnostic, title-word-agnostic."""
    return dict(zip(FEATURES, gate_vector(item), strict=True))


def gate_vector(item: GateInput) -> list[float]:
    """`gate_features` as a list in `FEATURES` order: what the matcher's hot path scores
    (`PublishGate.probability_of`), one per listing, without a dict of 40 keys (decision 105)."""
    compact = _SPACES.sub("", item.text)
    title = unicodedata.normalize("NFKC", item.title).lower()
    word = item.matched
    ends = _ends(compact, word)
    last = max(ends, default=0)
    others = [n for n in item.nouns if n and word not in n and n not in word]
    after = sum(1 for n in others if max(_ends(compact, n), default=0) > last)
    size = max(1, len(compact))
    leaf_path = item.leaf_path
    agrees = item.reason_class == "agrees"
    end_gap = (len(compact) - last) / size if ends else 1.0
    share = min(1.0, item.cosine / item.cosine_best) if item.cosine_best > 0 else 0.0
    return [
        item.confidence,
        item.margin,
        item.cosine,
        item.strength,
        *_REASON_ONE_HOT.get(item.reason_class, _NO_REASON),
        *_HOW_ONE_HOT.get(item.how, _NO_HOW),
        float(bool(ends) and after == 0),  # last_noun
        float(after),  # nouns_after
        end_gap,  # end_gap
        min(ends, default=len(compact)) / size,  # first_at
        float(len(item.nouns)),  # noun_count
        float(len(ends)),  # occurrences
        float(_only_inside(title, word, _BRACKETED)),  # only_in_brackets
        float(_only_after_gift(title, word)),  # only_after_gift
        float(len(word) == 1),  # single_char
        float(len(word)),  # term_length
        float(len(leaf_path)),  # leaf_depth
        float(_is_catch_all(leaf_path)),  # catch_all
        float(bool(item.leaf_audience & item.title_audience)),  # audience_agrees
        float(bool(item.leaf_audience) and not item.title_audience),  # audience_leaf_only
        float(not item.fits),  # audience_misfit
        float(bool(item.source_path.strip())),  # source_given
        float(_source_agrees(item.source_path, leaf_path)),  # source_agrees
        *(_HOW_ONE_HOT.get(item.how, _NO_HOW) if agrees else _NO_HOW),  # agrees_how_*
        item.cosine if agrees else 0.0,  # agrees_cosine
        item.strength if agrees else 0.0,  # agrees_strength
        end_gap if agrees else 0.0,  # agrees_end_gap
        float(item.cosine_first),  # cosine_first
        float(agrees and item.cosine_first),  # agrees_cosine_first
        float(item.orphans),  # orphan_nouns
        *_leaf_name_cover(compact, leaf_path[-1] if leaf_path else ""),  # leaf_*_cover
        share,  # cosine_share
        share if agrees else 0.0,  # agrees_cosine_share
    ]


def _one_hot(names: Sequence[str]) -> dict[str, tuple[float, ...]]:
    return {name: tuple(float(other == name) for other in names) for name in names}


_REASON_ONE_HOT = _one_hot(REASON_CLASSES)
_NO_REASON = (0.0,) * len(REASON_CLASSES)
_HOW_ONE_HOT = _one_hot(HOWS)
_NO_HOW = (0.0,) * len(HOWS)


class PublishGate(BaseModel):
    """A logistic regression over standardised features: P(the top leaf is right)."""

    model_config = ConfigDict(frozen=True)

    version: int
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float
    """The default `category.min_confidence` the out-of-source curve chose (≥ 0.99 precision)."""
    trained_on: str = ""

    def probability(self, features: Mapping[str, float]) -> float:
        """The calibrated chance that the top leaf is right, rounded to 4 places."""
        return self._probabilities(np.array([[features[name] for name in self.features]]))[0]

    def probability_of(self, vector: Sequence[float]) -> float:
        """`probability` of `gate_vector`'s list."""
        return self.probabilities_of([vector])[0]

    def probabilities(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        """`probability` of each row of features."""
        if not rows:
            return []
        return self._probabilities(
            np.array([[row[name] for name in self.features] for row in rows])
        )

    def probabilities_of(self, vectors: Sequence[Sequence[float]]) -> list[float]:
        """`probability_of` of each of a batch's `gate_vector` lists, in one array operation (the
        matcher's hot path: decision 179)."""
        if not vectors:
            return []
        return self._probabilities(np.array(vectors, dtype=np.float64)[:, self._positions])

    def _probabilities(self, values: np.ndarray) -> list[float]:
        """Rows of feature values in `features` order, each to its probability. Every public
        method goes through here, and a row's sum does not depend on the rows beside it, so the
        one-row, dict and batch forms give the same float (decisions 105, 179)."""
        terms = self._coefficient_array * (values - self._mean_array) / self._scale_array
        return [self._logistic(total) for total in terms.sum(axis=1).tolist()]

    def _logistic(self, total: float) -> float:
        """The weighted sum of standardised features as a probability, rounded to 4 places and
        never 1.0: a model fitted on a few thousand titles is never certain, and
        `min_confidence: 1.0` must keep meaning "publish nothing on the text layer's word"."""
        return min(MAX_PROBABILITY, round(1.0 / (1.0 + math.exp(-(self.intercept + total))), 4))

    @cached_property
    def _positions(self) -> np.ndarray:
        """Each of `features`' position in `FEATURES` (the order of `gate_vector`)."""
        return np.array([FEATURES.index(name) for name in self.features], dtype=np.intp)

    @cached_property
    def _mean_array(self) -> np.ndarray:
        return np.array(self.means, dtype=np.float64)

    @cached_property
    def _scale_array(self) -> np.ndarray:
        return np.array(self.scales, dtype=np.float64)

    @cached_property
    def _coefficient_array(self) -> np.ndarray:
        return np.array(self.coefficients, dtype=np.float64)

    @classmethod
    def from_json_text(cls, text: str) -> PublishGate:
        return cls.model_validate(json.loads(text))


@lru_cache(maxsize=1)
def default_gate() -> PublishGate | None:
    """The gate of data/categories/publish_gate.json, or None when the file is absent."""
    if not GATE_FILE.exists():
        return None
    return PublishGate.from_json_text(GATE_FILE.read_text(encoding="utf-8"))
