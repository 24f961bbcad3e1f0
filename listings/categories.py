"""Choosing the Kuaishou leaf category of a listing, with the layer that chose, why, and a confidence.

Layers, first match wins (docs/decisions.md §10, §23 and §38):

1. `override`: the migration's own overrides (inline and its overrides CSV, which the review
   import writes): an item key (`item:<source item id>`), a source category id or a source
   category path → a Kuaishou leaf id. Confidence 1.
2. `mapping`: a source-category → Kuaishou-*path* table (`CategoryMapping`). It names Kuaishou
   categories by their name path, not their ids, so it is resolved against whatever tree the
   platform returns today; a row whose path is not an open leaf there is skipped.
3. `text`: the leaf whose *product type* the title names (listings/title_match.py: a term of the
   leaf's name, no other product type in the title that the leaf disagrees with, the audience
   agreeing), ranked with a TF-IDF cosine between title + source path and every leaf's name path
   over character 1–3-grams. Its confidence is calibrated on real seller titles
   (tests/fixtures/category_dev_real.md): a leaf that fails a gate stays below the default
   `category.min_confidence` and goes to review with its candidates.
4. `suggested`: Kuaishou's own `open.item.category.suggested.get` answers, when the caller has them
   (they cost quota, so the asset asks only for what the text layer is unsure of, once per source
   category, through `store.suggestions`).

Before any layer, a title that sells no product (补差价, 邮费, 入会专拍: listings/non_product.py)
gets layer `not_a_product` and no leaf: it is never published.

Only leaves open to the shop are ever chosen (`open_leaf_ids`; the default is every leaf of the tree
as `open.item.category` returned it for this shop).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from listings.category_decision import Candidate, CategoryDecision, needs_review
from listings.char_tfidf import CharTfidfQueries
from listings.non_product import detect_non_product
from listings.publish_gate import (
    GateInput,
    PublishGate,
    default_gate,
    gate_vector,
    without_filler,
)
from listings.title_lexicon import HOME_WORDS, MARKER_NAMES, MATERIAL_WORDS, ROOM_WORDS
from listings.title_match import (
    APART,
    CATCH_ALL,
    HEAD,
    HEAD_STRENGTH,
    KIND,
    TERM,
    LeafTerms,
    TitleFacts,
    Verdict,
    WordClasses,
    WordIndex,
    catch_all_verdict,
    family_of,
    generic_stem,
    goods_use_words,
    holds_parent,
    implied_audience,
    index_leaves,
    judge,
    set_of,
    set_product,
    source_audience,
    split_term,
    stored_prefixes,
    title_facts,
    tree_segmenter,
    tree_vocabulary,
    variants,
    weak_evidence,
)

__all__ = [
    "Candidate",
    "CategoryDecision",
    "CategoryMapping",
    "CategoryMatcher",
    "CategoryNode",
    "CategoryTree",
    "DecisionRequest",
    "OverridesFileError",
    "decision_kind",
    "needs_review",
    "normalize_path",
    "override_key",
    "parse_overrides_csv",
    "source_category_key",
]

OVERRIDE_COLUMNS = ("source_category", "kuaishou_category_id")

_SEPARATORS = re.compile(r"[\W_]+")
_AGES_AND_CODES = re.compile(r"[a-z]*\d[a-z0-9.#*/×-]*")
"""A run holding a digit, with the letters and marks around it (0-16, 5m36, 183b0347, 9*6cm):
the n-gram cosine ignores it as the term matcher does (listings/title_match.py `_CODES`)."""
_MATERIALS = re.compile("|".join(MATERIAL_WORDS))
"""A material word in a title: left out of the cosine that ranks leaves (decision 144)."""
SUGGESTION_AGREES = 0.9  # a suggestion that is also a text candidate
SUGGESTION_ALONE = 0.6  # a suggestion the text matcher did not see
UNTRUSTED_CAP = 0.45
"""The highest confidence of a text decision that failed a gate of listings/title_match.py: below
the default threshold, so it is reviewed (docs: tests/fixtures/category_dev_real.md)."""
PASSING_BONUS = 0.5
HARD_CLASH_WEIGHT = 0.5
FIRST_NAMED_BONUS = 0.2
"""Ranking: a leaf that passes every gate of listings/title_match.py ranks above one that fails."""
MARKED_CATCH_ALL_PENALTY = 0.4
"""Ranking: a catch-all (其他收纳盒) whose title holds a specific sibling's word (桌面 … 收纳盒)
drops below that sibling, which its head names less strongly (decision 145; 0.2 until 152)."""
AUDIENCE_DOUBT_PENALTY = 0.4
"""Ranking: of leaves in the same doubt, one whose audience the title does not name comes second
(decision 107), even when named first: twice `FIRST_NAMED_BONUS` since decision 151 (0.05 let
娃娃 at a title's start outrank the 积木 it sells; doubled with it in 152)."""
AUDIENCE_NAMED_BONUS = 0.1
"""Ranking: of leaves that pass every gate, one made for an audience the title names (童装 > 帽子
for 小学生 … 学生帽) ranks above one for anybody (服饰配件 > 帽子): who it is for is said, and the
leaf for them is the narrower (decision 157). A tie-break the size of `ROOM_WEIGHT`."""
CONTEXT_NAMED_BONUS = AUDIENCE_NAMED_BONUS
"""Ranking: of leaves that pass every gate, one for a use the title names at every level of its
path (动漫 … 抱枕 for 卡通/动漫周边 > 动漫毛绒/抱枕/坐垫) ranks above one for no use at all
(居家布艺 > 靠垫/抱枕), as a leaf for a named audience does; nor is that leaf its rival
(decision 199)."""
SET_NAMED_BONUS = 0.25
"""Ranking: of leaves that pass every gate, a set of a product the title names (家居服套装 for a
children's 内衣 … 两件套) ranks above the bare set (童装 > 套装): the title says what the set is of,
and every labelled set accepts the narrower leaf (decision 212). Larger than the other tie-breaks:
the bare set's cosine gains from every 套装 a seller repeats."""
FAMILY_HEAD_LEAVES = 5
"""Ranking: a head that at least this many leaves share (玩具 heads 35 toy leaves, 收纳盒 ten
boxes) names a family of products. A title that names it beside a leaf's own term (积木玩具,
内衣 … 收纳盒) is that leaf's: a leaf named by the family's head alone gets no `PASSING_BONUS`
over it (decision 220). Three to ten make the same first candidates on every labelled set."""
COSINE_WEIGHT = 1.0
"""How much the n-gram cosine adds to the term strength when ranking leaves: 0.5 until decision
152, when it and the tie-breaks sized against it (`FIRST_NAMED_BONUS`, `MARKED_CATCH_ALL_PENALTY`,
`AUDIENCE_DOUBT_PENALTY`, `ROOM_WEIGHT`) were doubled together: the characters now count as much
as a term's strength (a passing term still gains `PASSING_BONUS` over a cosine alone)."""


class CategoryNode(BaseModel):
    """One category as `open.item.category` lists it."""

    model_config = ConfigDict(frozen=True)

    category_id: int
    name: str
    parent_id: int = 0


class DecisionRequest(BaseModel):
    """One listing to decide: what `CategoryMatcher.decide` takes, for a batch."""

    model_config = ConfigDict(frozen=True)

    title: str
    platform: str = ""
    source_item_id: str = ""
    source_category_ids: tuple[str, ...] = ()
    source_category_path: tuple[str, ...] = ()
    suggestions: tuple[int, ...] | None = None


def normalize_path(text: str) -> str:
    """A category path in one canonical spelling: NFKC, lower case, `>` between trimmed levels."""
    levels = unicodedata.normalize("NFKC", text).lower().split(">")
    return ">".join(level.strip() for level in levels if level.strip())


def decision_kind(decision: CategoryDecision, *, min_confidence: float) -> str:
    """`publish`, `review` or `not_a_product`: what happens to the item at this threshold."""
    if decision.layer == "not_a_product":
        return "not_a_product"
    return "review" if needs_review(decision, min_confidence=min_confidence) else "publish"


def override_key(key: str) -> str:
    """An override key in one spelling: `item:<id>` and ids as given, paths normalized."""
    key = key.strip()
    if key.startswith("item:") or ">" not in key:
        return key
    return normalize_path(key)


class OverridesFileError(ValueError):
    """A row of a migration's category overrides CSV is unusable; the message names the file,
    the line and the fix."""


def parse_overrides_csv(text: str, *, source: str) -> dict[str, int]:
    """The merchant's overrides: `source_category` (a source category id, a source path with
    levels joined by `>`, or `item:<source item id>`) → `kuaishou_category_id` (a leaf id).

    Other columns (a title, a note) are kept for the merchant and ignored here. A later row for
    the same key wins, so appending a correction is enough. Blank lines are skipped.

    Raises:
        OverridesFileError: a missing column, a blank key, or an id that is not a positive
            integer, naming `source` and the line.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in OVERRIDE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise OverridesFileError(
            f"{source}: line 1: the header lacks {', '.join(missing)}; the first line must be "
            f"{','.join(OVERRIDE_COLUMNS)} (more columns may follow)"
        )
    overrides: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        key = (row.get("source_category") or "").strip()
        value = (row.get("kuaishou_category_id") or "").strip()
        if not key and not value:
            continue
        if not key:
            raise OverridesFileError(
                f"{source}: line {line}: source_category is blank; give a source category id, "
                "a path such as 女装>连衣裙, or item:<source item id>"
            )
        if not value.isdigit() or int(value) <= 0:
            raise OverridesFileError(
                f"{source}: line {line}: kuaishou_category_id {value!r} for {key!r} is not a "
                "category id; give the Kuaishou leaf id (digits), e.g. from "
                "`banjia categories match`"
            )
        overrides[override_key(key)] = int(value)
    return overrides


def source_category_key(
    *, source_item_id: str, source_category_ids: Sequence[str], source_category_path: Sequence[str]
) -> str:
    """What listings of one source category share: its leaf id, else its path, else the item."""
    if source_category_ids:
        return source_category_ids[-1]
    if source_category_path:
        return ">".join(source_category_path)
    return f"item:{source_item_id}"


@dataclass(frozen=True)
class CategoryTree:
    """A flat category list turned into leaves with their full name paths."""

    nodes: Mapping[int, CategoryNode]
    leaves: Mapping[int, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_nodes(cls, nodes: Iterable[CategoryNode]) -> CategoryTree:
        by_id = {node.category_id: node for node in nodes}
        parents = {node.parent_id for node in by_id.values()}
        leaves: dict[int, tuple[str, ...]] = {}
        for node_id, node in by_id.items():
            if node_id in parents:
                continue
            path: list[str] = []
            current: CategoryNode | None = node
            seen: set[int] = set()
            while current is not None and current.category_id not in seen:
                seen.add(current.category_id)
                path.append(current.name)
                current = by_id.get(current.parent_id)
            leaves[node_id] = tuple(reversed(path))
        return cls(nodes=by_id, leaves=leaves)

    @classmethod
    def from_leaf_paths(cls, paths: Mapping[int, str]) -> CategoryTree:
        """A tree rebuilt from its leaves' ids and name paths (`path_text`, as the warehouse's
        `category_leaves` keeps them). The inner nodes get ids below zero, which no Kuaishou
        category has: only leaves are ever decided, labelled or published."""
        nodes: dict[int, CategoryNode] = {}
        inner: dict[tuple[str, ...], int] = {}
        for leaf, text in sorted(paths.items()):
            names = tuple(text.split(">"))
            parent = 0
            for depth in range(1, len(names)):
                prefix = names[:depth]
                if prefix not in inner:
                    inner[prefix] = -(len(inner) + 1)
                    nodes[inner[prefix]] = CategoryNode(
                        category_id=inner[prefix], name=prefix[-1], parent_id=parent
                    )
                parent = inner[prefix]
            nodes[leaf] = CategoryNode(category_id=leaf, name=names[-1], parent_id=parent)
        return cls.from_nodes(nodes.values())

    @classmethod
    def from_csv_text(cls, text: str) -> CategoryTree:
        """A tree from a CSV export with columns category_id, name, parent_id (0 = root)."""
        rows = csv.DictReader(io.StringIO(text))
        return cls.from_nodes(
            CategoryNode(
                category_id=int(row["category_id"]),
                name=row["name"],
                parent_id=int(row.get("parent_id") or 0),
            )
            for row in rows
        )

    def is_leaf(self, category_id: int) -> bool:
        return category_id in self.leaves

    def path_text(self, category_id: int) -> str:
        return ">".join(self.leaves[category_id])

    def leaves_under(self, category_ids: Iterable[int]) -> set[int]:
        """The leaves that are, or descend from, any of `category_ids` (a shop opens whole
        branches of the tree or single leaves; either way only leaves are ever chosen)."""
        wanted = set(category_ids)
        found: set[int] = set()
        for leaf in self.leaves:
            current: int | None = leaf
            seen: set[int] = set()
            while current is not None and current not in seen:
                if current in wanted:
                    found.add(leaf)
                    break
                seen.add(current)
                node = self.nodes.get(current)
                current = node.parent_id if node is not None and node.parent_id else None
        return found

    def leaf_by_path(self, path: str) -> int | None:
        """The leaf whose name path is `path` (compared after `normalize_path`), if any."""
        index = self.__dict__.get("_path_index")
        if index is None:
            index = {normalize_path(">".join(p)): leaf for leaf, p in self.leaves.items()}
            object.__setattr__(self, "_path_index", index)
        return index.get(normalize_path(path))


class CategoryMapping(BaseModel):
    """Source category (platform + id or path) → Kuaishou leaf *path* (layer 2).

    Rows come from a CSV with columns `platform, source_category, kuaishou_path` (the shipped
    one is built by scripts/build_category_mapping.py, docs/decisions.md §38; a `rule` column says
    why each row was written). `source_category` is a source leaf id or a source
    name path; `platform` may be `*` for a path that means the same on every source.
    """

    model_config = ConfigDict(frozen=True)

    rows: dict[tuple[str, str], str] = {}

    @classmethod
    def from_csv_text(cls, text: str) -> CategoryMapping:
        rows: dict[tuple[str, str], str] = {}
        for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            platform = (row.get("platform") or "").strip()
            source = (row.get("source_category") or "").strip()
            target = (row.get("kuaishou_path") or "").strip()
            if not (platform and source and target):
                raise ValueError(
                    f"mapping line {line}: platform, source_category and kuaishou_path are all "
                    "required"
                )
            key = source if ">" not in source else normalize_path(source)
            rows[(platform, key)] = target
        return cls(rows=rows)

    def lookup(
        self, *, platform: str, source_category_ids: Sequence[str], source_category_path: str
    ) -> tuple[str, str] | None:
        """(matched source key, Kuaishou path) for the most specific row, or None."""
        keys = [*reversed(source_category_ids)]
        if source_category_path:
            keys.append(normalize_path(source_category_path))
        scopes = (platform, "taobao", "*") if platform == "tmall" else (platform, "*")
        for key in keys:
            for scope in scopes:
                target = self.rows.get((scope, key))
                if target is not None:
                    return key, target
        return None


def _text(text: str) -> str:
    """Separators become spaces so that `char_wb` n-grams never straddle two category levels;
    numbers and codes go (an age range 0-1岁 shares no n-gram with a leaf named (0-16岁), a
    product code none with anything: decision 108)."""
    text = _AGES_AND_CODES.sub(" ", unicodedata.normalize("NFKC", text).lower())
    return _SEPARATORS.sub(" ", text).strip()


def _catch_all_homes(
    tree: CategoryTree, ids: Sequence[int], terms: Sequence[LeafTerms], *, branch: bool = False
) -> dict[str, tuple[int, ...]]:
    """For each family (the head character of a noun: 衣 of 毛衣), the catch-all columns whose
    specific siblings are named by words of that family (童装 > 其它 beside 连身衣, 罩衣, 防晒衣):
    where a product of that family that no leaf names belongs (decision 177). With `branch`,
    the families of every leaf under the catch-all's parent, not its siblings only (decision
    210: 童装 > 其它 for a girls' skirt, as 童装 > 裙子 > 连衣裙 is a skirt of the branch)."""
    under: dict[tuple[str, ...], list[int]] = {}
    for column, leaf in enumerate(ids):
        path = tuple(tree.leaves[leaf])
        for depth in range(len(path) - 1 if not branch else 1, len(path)):
            under.setdefault(path[:depth], []).append(column)
    homes: dict[str, list[int]] = {}
    for column, leaf in enumerate(ids):
        if not terms[column].generic:
            continue
        families = {
            family_of(term)
            for other in under[tuple(tree.leaves[leaf][:-1])]
            if other != column and not terms[other].generic
            for term in terms[other].terms
            if term
        }
        for family in families:
            homes.setdefault(family, []).append(column)
    return {family: tuple(columns) for family, columns in homes.items()}


def _catch_all_markers(
    tree: CategoryTree, ids: Sequence[int], terms: Sequence[LeafTerms]
) -> dict[int, frozenset[str]]:
    """For each catch-all column (其他收纳盒), the words that say a title belongs to one of its
    specific siblings instead: their terms, and what those add to the catch-all's product or to
    its head character (桌面 of 桌面收纳盒, 压缩 of 压缩袋 beside 其他收纳袋)."""
    parents: dict[tuple[str, ...], list[int]] = {}
    for leaf, path in tree.leaves.items():
        parents.setdefault(tuple(path[:-1]), []).append(leaf)
    everyone = index_leaves(tree.leaves)
    out: dict[int, frozenset[str]] = {}
    for column, (leaf, own) in enumerate(zip(ids, terms, strict=True)):
        if not own.generic or not own.heads:
            continue
        markers: set[str] = set()
        for sibling in parents[tuple(tree.leaves[leaf][:-1])]:
            if sibling == leaf:
                continue
            for term in everyone[sibling].terms:
                markers.add(term)
                markers.update(
                    term[: -len(end)]
                    for head in own.heads
                    for end in (head, head[-1])
                    if term.endswith(end) and term != end
                )
        markers |= _elsewhere_markers(tree.leaves[leaf], own, everyone, tree.leaves)
        markers |= {name for m in markers for name in MARKER_NAMES.get(m, ())}
        out[column] = frozenset(m for m in markers if len(m) >= 2)
    return out


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _elsewhere_markers(
    path: Sequence[str],
    own: LeafTerms,
    everyone: Mapping[int, LeafTerms],
    paths: Mapping[int, Sequence[str]],
) -> set[str]:
    """Words that send a title to a leaf *outside* the catch-all's parent holding the same product
    (旅行 of 旅行收纳用具 > 衣物收纳袋 beside 家庭收纳用具 > 其他收纳袋): what that leaf's term adds to
    the product, and what its branch's name adds to the name of the catch-all's branch at the same
    level (旅行收纳用具 against 家庭收纳用具 adds 旅行)."""
    markers: set[str] = set()
    for other, terms in everyone.items():
        if tuple(paths[other][:-1]) == tuple(path[:-1]):
            continue
        ends = [t[: -len(h)] for t in terms.terms for h in own.heads if t.endswith(h) and t != h]
        if not ends:
            continue
        markers.update(ends)
        for mine, theirs in zip(path[:-1], paths[other][:-1], strict=False):
            if mine != theirs:
                common = _common_suffix(mine, theirs)
                if common >= 2 and len(theirs) - common >= 2:
                    markers.add(theirs[:-common])
    return markers


ROOM_WEIGHT = 0.1
"""What a leaf made for a room the title names gains in the ranking, and one made for a room the
title does not name loses (`_room_fit`): a tie-break between leaves named alike, no more."""


_ROOM_CLASSES = WordClasses(ROOM_WORDS)


def _rooms_of(levels: Sequence[str]) -> frozenset[str]:
    """The rooms (title_lexicon `ROOM_WORDS`) any of `levels` names: a leaf's path below its root
    (a root such as 厨房/烹饪用具 names a domain, not the room its every leaf is for), or a title."""
    return frozenset(_ROOM_CLASSES.named_in(">".join(levels)))


def _room_fit(leaf: frozenset[str], title: frozenset[str]) -> int:
    """1 when the title names a room the leaf is made for, -1 when the leaf is made for rooms the
    title does not name, 0 for a leaf made for anywhere."""
    if not leaf:
        return 0
    return 1 if leaf & title else -1


def _passes(verdict: Verdict) -> bool:
    """The leaf passes every gate, or fails only for being a catch-all."""
    return not verdict.problem or verdict.problem == CATCH_ALL


def _for_whom_named(leaf: LeafTerms, facts: TitleFacts) -> bool:
    """The leaf is for an audience (童装, 女装) and the title names it."""
    return bool(leaf.audience) and leaf.audience <= facts.audience


def _use_named(leaf: LeafTerms, contexts: frozenset[str]) -> bool:
    """The leaf is for a use (汽车用品, 卡通/动漫周边) and the title names it at every level of
    the leaf's path that names one."""
    return bool(leaf.context_levels) and all(level & contexts for level in leaf.context_levels)


def _also_named(doc: str, leaf: LeafTerms) -> str:
    """A leaf's document for the ranking cosine: its path, and the other names of its terms
    (their synonyms and kinds, `variants`: 连体衣 of 连身衣, 锅铲 of 烹饪勺铲). A title that names
    the leaf by another name is as like it as one that uses the leaf's own (decision 201)."""
    pieces = {doc[i : i + 2] for i in range(len(doc) - 1)}
    others = sorted(
        w
        for w in {v for term in leaf.terms for v in variants(term)} - set(leaf.terms)
        if not any(w[i : i + 2] in pieces for i in range(len(w) - 1))
    )
    return " ".join([doc, *others]) if others else doc


def _names_specifically(verdict: Verdict) -> bool:
    """The title names the leaf by one of its own terms (its name, a kind, the name apart), not
    by a head alone, and nothing the title says rules the leaf out."""
    return verdict.how in (TERM, KIND, APART) and not verdict.hard


def _rank_weight(verdict: Verdict) -> float:
    """What a leaf's verdict adds to its cosine in the ranking: a leaf that passes every gate, or
    fails only for being a catch-all, comes first; a leaf the title contradicts (audience, use
    context) counts half its term strength, below one that is only in doubt."""
    if _passes(verdict):
        return verdict.strength + PASSING_BONUS
    if verdict.hard:
        return verdict.strength * HARD_CLASH_WEIGHT
    misfit = 0.0 if verdict.fits else AUDIENCE_DOUBT_PENALTY
    return verdict.strength + FIRST_NAMED_BONUS * (1.0 - verdict.at) - misfit


def _top(score: np.ndarray, k: int) -> np.ndarray:
    """The columns of the `k` highest scores, highest first, ties by column: the first `k` of a
    stable sort by descending score, which is the order of `np.lexsort((ids, -score))` since
    columns are in leaf id order. For the few a decision keeps, the highest is taken `k` times
    (`argmax` gives the first column of a tie; ~3× faster than partitioning a tree's ~500
    scores: decision 96); otherwise only the scores at or above the k-th highest are sorted."""
    if k >= len(score):
        return np.argsort(-score, kind="stable")[:k]
    if k <= _FEW:
        rest = np.array(score, dtype=np.float64)
        picked = []
        for _ in range(k):
            column = int(rest.argmax())
            if rest[column] == -np.inf:  # only taken or -inf scores left: ties need the sort
                break
            picked.append(column)
            rest[column] = -np.inf
        else:
            return np.array(picked, dtype=np.intp)
    kth = np.partition(score, len(score) - k)[len(score) - k]
    picked_all = np.flatnonzero(score >= kth)
    return picked_all[np.argsort(-score[picked_all], kind="stable")][:k]


_FEW = 8
"""Up to this many top columns are taken one `argmax` at a time (`_top`)."""


def _top_rows(scores: np.ndarray, k: int) -> list[np.ndarray]:
    """`_top` of each row of `scores`, the `argmax` passes made over the whole batch at once
    (one call per pass, not per row: decision 179). A row that runs out of scores (a −inf
    taken) is left to `_top`, which sorts it."""
    rows, columns = scores.shape
    if rows == 0 or k >= columns or k > _FEW:
        return [_top(row, k) for row in scores]
    rest = np.array(scores, dtype=np.float64)
    picked = np.empty((rows, k), dtype=np.intp)
    every = np.arange(rows)
    ran_out = np.zeros(rows, dtype=bool)
    for j in range(k):
        column = rest.argmax(axis=1)
        ran_out |= rest[every, column] == -np.inf
        picked[:, j] = column
        rest[every, column] = -np.inf
    return [_top(scores[row], k) if ran_out[row] else picked[row] for row in range(rows)]


class _Chosen(NamedTuple):
    """The text layer's leaf for one title before the publish gate has scored it (`_gated`)."""

    category_id: int
    candidates: tuple[Candidate, ...]
    confidence: float
    """The hand rules' (`CategoryMatcher._confidence`)."""
    reason: str


class CategoryMatcher:
    """Scores listings against the open leaves of a tree. Build once per tree, reuse per listing."""

    def __init__(
        self,
        tree: CategoryTree,
        *,
        open_leaf_ids: Iterable[int] | None = None,
        mapping: CategoryMapping | None = None,
        leaf_weight: int = 2,
        gate: PublishGate | Literal["default"] | None = "default",
    ) -> None:
        """`gate`: the publish gate whose probability becomes a text decision's confidence
        (listings/publish_gate.py); "default" is data/categories/publish_gate.json, None keeps
        the hand rules' confidence (what the gate is fitted on: listings/publish_gate_fit.py)."""
        self._tree = tree
        self._gate = default_gate() if isinstance(gate, str) else gate
        allowed = set(tree.leaves) if open_leaf_ids is None else set(open_leaf_ids)
        self._open = frozenset(leaf for leaf in tree.leaves if leaf in allowed)
        self._mapping = mapping or CategoryMapping()
        self._ids = sorted(self._open)  # columns in leaf id order (`_top` relies on it)
        terms = index_leaves({leaf: self._tree.leaves[leaf] for leaf in self._ids})
        self._terms: list[LeafTerms] = [terms[leaf] for leaf in self._ids]
        docs = [
            " ".join(
                [
                    *self._tree.leaves[leaf][:-1],
                    *[without_filler(self._tree.leaves[leaf][-1])] * leaf_weight,
                ]
            )
            for leaf in self._ids
        ]
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, preprocessor=_text
        )
        self._matrix = self._rank_matrix = None
        if docs:
            named = [_also_named(doc, terms) for doc, terms in zip(docs, self._terms, strict=True)]
            self._rank_matrix = self._vectorizer.fit_transform(named)
            self._matrix = self._vectorizer.transform(docs)
        self._queries = CharTfidfQueries(self._vectorizer) if docs else None
        self._paths = [tree.path_text(leaf) for leaf in self._ids]
        """Each column's leaf path as candidates show it (joined once, not per listing)."""
        self._vocabulary = tree_vocabulary(self._terms)
        self._segmenter = tree_segmenter(self._terms, self._vocabulary)
        self._markers = _catch_all_markers(tree, self._ids, self._terms)
        self._names_a_leaf: dict[str, bool] = {}
        """`_noun_names_a_leaf` per product noun: bounded by the lexicon and the tree's words."""
        self._homes = _catch_all_homes(tree, self._ids, self._terms)
        self._branch_homes = _catch_all_homes(tree, self._ids, self._terms, branch=True)
        child_terms = [
            term for leaf in self._terms if "child" in leaf.audience for term in leaf.terms
        ]
        self._child_words = frozenset(word for term in child_terms for word in variants(term))
        """Every name of a children's leaf: a noun among them has a children's leaf."""
        self._child_stems = tuple(stem for term in child_terms if (stem := generic_stem(term)))
        """The heads of the children's bare generics (裤 of 童装 > 裤子): their kinds (打底裤) have
        a children's leaf too."""
        self._rooms = [_rooms_of(self._tree.leaves[leaf][1:]) for leaf in self._ids]
        self._containing: dict[str, list[tuple[int, str]]] = {}
        for column, leaf_terms in enumerate(self._terms):
            for term in leaf_terms.terms:
                for start in range(len(term)):
                    for end in range(start + 2, len(term) + (start > 0)):
                        self._containing.setdefault(term[start:end], []).append((column, term))
        self._term_index: dict[str, list[int]] = {}
        for column, leaf_terms in enumerate(self._terms):
            for term in {*leaf_terms.terms, *leaf_terms.heads}:
                for word in variants(term):
                    self._term_index.setdefault(word, []).append(column)
                # 仿真花 is named apart too (仿真玉兰花): its modifier puts the leaf in the running.
                parts = split_term(term)
                if parts is not None:
                    # 居家鞋 is named apart by 室内 … 拖鞋 too (title_lexicon HOME_WORDS).
                    for word in HOME_WORDS if parts[0] in HOME_WORDS else parts[:1]:
                        self._term_index.setdefault(word, []).append(column)
                # 家居服套装 is named by 睡衣 … 套装 too: its product puts the leaf in the running.
                if product := set_product(term):
                    for word in variants(product):
                        self._term_index.setdefault(word, []).append(column)
                # 防蚊用品 is named by 驱蚊液 too: the use it is for puts the leaf in the running.
                for word in goods_use_words(term):
                    self._term_index.setdefault(word, []).append(column)
                # 牙刷架 is named by 牙刷置物架 too: the thing and the holder word put it in.
                for word in stored_prefixes(term):
                    self._term_index.setdefault(word, []).append(column)
                # 帽子 is named by 雷锋帽 too: its head noun puts the leaf in the running.
                if stem := generic_stem(term):
                    self._term_index.setdefault(stem, []).append(column)
        self._term_words = WordIndex(self._term_index)
        heads = Counter(head for leaf_terms in self._terms for head in leaf_terms.heads)
        self._family_heads = frozenset(
            head for head, leaves in heads.items() if leaves >= FAMILY_HEAD_LEAVES
        )
        """Heads that many leaves share (玩具, 收纳盒): a title naming one names a family."""

    @property
    def tree(self) -> CategoryTree:
        return self._tree

    def is_open(self, category_id: int) -> bool:
        """A leaf this shop may publish to."""
        return category_id in self._open

    def rank(self, text: str, *, limit: int = 3) -> list[Candidate]:
        """The best `limit` open leaves for a text, by cosine similarity (vectors are L2-normed)."""
        if self._matrix is None or not _text(text):
            return []
        scores = self._cosines([text])[0]
        order = np.lexsort((np.array(self._ids), -scores))[:limit]
        return [
            Candidate(
                category_id=self._ids[i],
                path=self._tree.path_text(self._ids[i]),
                score=round(float(scores[i]), 4),
            )
            for i in order
            if scores[i] > 0
        ]

    def _cosines(self, texts: Sequence[str]) -> np.ndarray:
        """Cosine of every text against every open leaf's path: one sparse product for the whole
        batch."""
        queries = self._queries_of(texts)
        if queries is None or self._matrix is None:
            return np.zeros((len(texts), len(self._ids)))
        return np.asarray((queries @ self._matrix.T).toarray())

    def _cosine_pair(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's cosines against every open leaf's path (what the gate reads) and against
        its path with the other names of its terms (what ranks: `_also_named`), from one
        transform of the batch."""
        queries = self._queries_of(texts)
        if queries is None or self._matrix is None or self._rank_matrix is None:
            empty = np.zeros((len(texts), len(self._ids)))
            return empty, empty
        return (
            np.asarray((queries @ self._matrix.T).toarray()),
            np.asarray((queries @ self._rank_matrix.T).toarray()),
        )

    def _queries_of(self, texts: Sequence[str]) -> sparse.csr_matrix | None:
        """The batch's TF-IDF rows (a sparse matrix), or None when there is nothing to score."""
        if self._queries is None or not texts:
            return None
        return self._queries.transform(texts)

    def text_decisions(
        self, titles: Sequence[str], contexts: Sequence[str] | None = None, *, limit: int = 3
    ) -> list[CategoryDecision]:
        """Layer 3 for a batch (see `explained_text_decisions`), the decisions only."""
        return [d for d, _ in self.explained_text_decisions(titles, contexts, limit=limit)]

    def explained_text_decisions(
        self, titles: Sequence[str], contexts: Sequence[str] | None = None, *, limit: int = 3
    ) -> list[tuple[CategoryDecision, GateInput | None]]:
        """Layer 3 for a batch: each title's best leaf, its calibrated confidence and candidates,
        with what the publish gate judged it on (None when no leaf came up).

        `contexts` (the source category path, levels joined by spaces) join the title in the
        cosine only: a leaf is trusted for what the *title* names (a source root that matches a
        one-leaf root of the tree must not publish into that leaf).
        """
        contexts = contexts or [""] * len(titles)
        texts = [
            " ".join(part for part in (t, c) if part) for t, c in zip(titles, contexts, strict=True)
        ]
        cosines, ranking = self._cosine_pair(texts)
        # Whole-batch array work, once (decision 179): the ranking scores start as the weighted
        # cosines and each row gains its verdicts' weights in place; the best cosine per row.
        plain, named = self._ranking_cosines(texts, cosines, ranking)
        scores = COSINE_WEIGHT * plain
        named *= COSINE_WEIGHT
        best_cosines = cosines.max(axis=1, initial=0.0).tolist()
        judged = [
            self._judged_row(title, scores[row], named[row], source=contexts[row])
            for row, title in enumerate(titles)
        ]
        tops = _top_rows(scores, max(limit, 3))
        chosen = [
            self._text_decision(
                title,
                row_judged,
                scores[row],
                tops[row],
                cosine=cosines[row],
                best_cosine=best_cosines[row],
                limit=limit,
                source=contexts[row],
            )
            for row, (title, row_judged) in enumerate(zip(titles, judged, strict=True))
        ]
        return self._gated(chosen)

    def _gated(
        self, chosen: Sequence[tuple[CategoryDecision | _Chosen, GateInput | None]]
    ) -> list[tuple[CategoryDecision, GateInput | None]]:
        """The text layer's decisions, each chosen leaf's confidence the publish gate's
        probability (the hand rules' without a gate): the batch's gate vectors scored at once."""
        gate = self._gate
        items = [item for _, item in chosen if item is not None]
        probabilities = iter(gate.probabilities_of([gate_vector(i) for i in items]) if gate else ())
        decided: list[tuple[CategoryDecision, GateInput | None]] = []
        for found, item in chosen:
            if isinstance(found, _Chosen):
                found = CategoryDecision(
                    category_id=found.category_id,
                    path=found.candidates[0].path,
                    confidence=next(probabilities) if gate is not None else found.confidence,
                    layer="text",
                    candidates=found.candidates,
                    reason=found.reason,
                )
            decided.append((found, item))
        return decided

    def _ranking_cosines(
        self, texts: Sequence[str], paths: np.ndarray, named: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The cosines that rank leaves, against their paths and against their paths with the
        other names of their terms: those of the texts without their material words (decision
        144), computed again only for texts that hold one. The gate keeps reading the cosines of
        the whole text against the paths alone (what it was fitted on: how like any path the
        title is). Copies: the caller weighs them in place."""
        paths, named = paths.copy(), named.copy()
        holding = [row for row, text in enumerate(texts) if _MATERIALS.search(text)]
        if holding:
            paths[holding], named[holding] = self._cosine_pair(
                [_MATERIALS.sub(" ", texts[row]) for row in holding]
            )
        return paths, named

    def _hits(self, facts: TitleFacts) -> set[int]:
        """Column indices of the leaves one of whose terms or head nouns the title contains."""
        return {
            column
            for term in self._term_words.found_in(facts.text)
            for column in self._term_index[term]
        }

    def _judged_row(
        self, title: str, score: np.ndarray, named: np.ndarray, *, source: str = ""
    ) -> tuple[TitleFacts, dict[int, Verdict], frozenset[str]]:
        """A title's facts, the verdict of each leaf it names and the rooms it names; `score`
        (the title's row of the ranking scores, its weighted cosines against the leaves' paths)
        gains each verdict's weight in place. A leaf the title names and does not contradict
        ranks on its cosine against its path and the other names of its terms (`named`): those
        speak for a leaf only where the title may have it (an 电锅 is no 炒锅, the 打底 of a
        sweater no T恤; decision 201)."""
        facts = title_facts(title, self._vocabulary, segmenter=self._segmenter)
        if source and not facts.audience:
            # The source's category says who the product is for when the title does not (a
            # 女装 list): audience only, never the product type.
            facts = facts.with_audience(source_audience(source))
        if not facts.audience:
            # A dress says who it is for when neither the title nor its source does.
            facts = facts.with_audience(implied_audience(facts.text, cleaned=True))
        judged: dict[int, Verdict] = {
            column: judge(facts, self._terms[column]) for column in self._hits(facts)
        }
        self._judge_orphans(facts, judged)
        rooms = _rooms_of((facts.text,))
        named_specifically = any(map(_names_specifically, judged.values()))
        for column, verdict in judged.items():
            if verdict.strength > 0 and not verdict.hard:
                score[column] = named[column]
            score[column] += _rank_weight(verdict) + ROOM_WEIGHT * _room_fit(
                self._rooms[column], rooms
            )
            if (
                named_specifically
                and verdict.how == HEAD
                and verdict.matched in self._family_heads
                and _passes(verdict)
            ):
                # 积木玩具 names a 积木: the 玩具 that heads 35 toy leaves says only that
                # it is a toy, and does not pass it ahead of the leaf the title names.
                score[column] -= PASSING_BONUS
            if _passes(verdict) and _for_whom_named(self._terms[column], facts):
                score[column] += AUDIENCE_NAMED_BONUS
            if _passes(verdict) and _use_named(self._terms[column], facts.contexts):
                score[column] += CONTEXT_NAMED_BONUS
            if _passes(verdict) and verdict.how == APART and set_of(verdict.matched):
                score[column] += SET_NAMED_BONUS
            if column in self._markers and self._marked(column, facts.text):
                score[column] -= MARKED_CATCH_ALL_PENALTY
        return facts, judged, rooms

    def _text_decision(
        self,
        title: str,
        judged_row: tuple[TitleFacts, dict[int, Verdict], frozenset[str]],
        score: np.ndarray,
        picked: np.ndarray,
        *,
        cosine: np.ndarray,
        best_cosine: float,
        limit: int,
        source: str = "",
    ) -> tuple[CategoryDecision | _Chosen, GateInput | None]:
        """One title's leaf (or its decision when no leaf came up) from its `_judged_row`, its row
        of ranking scores and the columns of the highest (`_top_rows`), with what the gate is to
        judge it on (`_gated`). `cosine`: the title's character cosine against
        every open leaf, as the gate reads it, and `best_cosine` its highest."""
        facts, judged, rooms = judged_row
        ranked = [
            (column, value)
            for column, value in zip(picked.tolist(), score[picked].tolist(), strict=True)
            if value > 0
        ][:limit]
        order = [column for column, _ in ranked]
        if not order:
            return CategoryDecision(
                category_id=None,
                path=None,
                confidence=0.0,
                layer="none",
                reason="no open leaf shares a product word or character n-gram with the title",
            ), None
        candidates = tuple(
            Candidate(category_id=self._ids[i], path=self._paths[i], score=round(value, 4))
            for i, value in ranked
        )
        top = order[0]
        best = judged.get(top)
        confidence, reason, reason_class = self._confidence(
            top,
            best,
            judged,
            float(cosine[top]),
            text=facts.text,
            rooms=rooms,
            contexts=facts.contexts,
        )
        leaf_path = tuple(self._tree.leaves[self._ids[top]])
        item = GateInput(
            title=title,
            text=facts.text,
            nouns=facts.nouns,
            matched=best.matched if best is not None else "",
            how=best.how if best is not None else "",
            strength=best.strength if best is not None else 0.0,
            reason_class=reason_class,
            confidence=confidence,
            margin=ranked[0][1] - ranked[1][1] if len(ranked) > 1 else ranked[0][1],
            cosine=float(cosine[top]),
            cosine_first=bool(cosine[top] >= best_cosine),
            cosine_best=float(best_cosine),
            leaf_path=leaf_path,
            leaf_audience=self._terms[top].audience,
            title_audience=facts.audience,
            source_path=source,
            fits=best.fits if best is not None else True,
            orphans=self._orphans(facts.nouns, best.matched if best is not None else ""),
        )
        return _Chosen(self._ids[top], candidates, confidence, reason), item

    def _judge_orphans(self, facts: TitleFacts, judged: dict[int, Verdict]) -> None:
        """Put in `judged` the catch-alls a title's orphan products name (decision 177): when
        the title names no leaf's word at all, a noun no leaf is named by names each catch-all
        beside leaves of its family that is for an audience the title names (童装 > 其它 for a
        男童毛衣), or that is for everyone and whose own name is of the noun's family (其他收纳盒
        for a 药盒: decision 180). Other catch-alls for everyone are left to the cosine: with
        them, every orphan ending in 桌, 机 or 架 went to a kitchen or toy catch-all (measured in
        decision 177).

        A children's title whose every named leaf is for another audience (a girls' 半身裙:
        the tree's only skirt leaf is women's) puts its nouns in the children's catch-all too,
        found among the whole children's branch (童装 > 裙子 > 连衣裙 makes 裙 a family of 童装),
        unless a children's leaf is named by the noun or is the bare generic it is a kind of
        (打底裤 of 童装 > 裤子): decision 210."""
        named = [verdict for verdict in judged.values() if verdict.strength > 0.0]
        if any(not verdict.misfit for verdict in named) or (
            named and "child" not in facts.audience
        ):
            return
        for noun in sorted(facts.nouns):
            misfit = (
                bool(named)
                and noun not in self._child_words
                and not noun.endswith(self._child_stems)
            )
            homes = (self._branch_homes if misfit else self._homes).get(family_of(noun), ())
            if not homes or (not misfit and self._noun_names_a_leaf(noun)):
                continue
            for column in homes:
                leaf = self._terms[column]
                named_product = not leaf.audience and any(
                    family_of(head) == family_of(noun) for head in leaf.heads
                )
                if not leaf.audience & facts.audience and not named_product:
                    continue
                if column not in judged or judged[column].strength == 0.0:
                    judged[column] = catch_all_verdict(facts, noun)

    def _orphans(self, nouns: Iterable[str], matched: str) -> int:
        """How many of a title's product nouns, other than the matched word and words holding
        it, name no leaf of this tree (decision 176): a title that names a product the tree
        lacks (衣柜 beside 收纳架, 项链 beside 链) is likelier that product than the leaf."""
        return sum(
            1
            for noun in nouns
            if noun != matched
            and not (matched and (matched in noun or noun in matched))
            and not self._noun_names_a_leaf(noun)
        )

    def _noun_names_a_leaf(self, noun: str) -> bool:
        """Some leaf of the tree is named by `noun` alone as a title (a term or head hit, not a
        cosine): once per noun and matcher."""
        named = self._names_a_leaf.get(noun)
        if named is None:
            facts = title_facts(noun, self._vocabulary, segmenter=self._segmenter)
            named = self._names_a_leaf[noun] = any(
                judge(facts, self._terms[column]).strength > 0 for column in self._hits(facts)
            )
        return named

    def _confidence(
        self,
        top: int,
        verdict: Verdict | None,
        judged: Mapping[int, Verdict],
        cosine: float,
        *,
        text: str = "",
        rooms: frozenset[str] = frozenset(),
        contexts: frozenset[str] = frozenset(),
    ) -> tuple[float, str, str]:
        """The hand rules' confidence, its reason and the reason's class
        (listings/publish_gate.py `REASON_CLASSES`), as calibrated on the tuned splits
        (tests/fixtures/category_dev_real.md): a leaf that passes every gate of
        listings/title_match.py, unrivalled, scores 0.6–1.0; any failed gate or a rival leaf
        named as strongly caps it at UNTRUSTED_CAP (review)."""
        if verdict is None or verdict.strength == 0.0:
            return (
                round(min(UNTRUSTED_CAP, 0.5 * cosine), 4),
                "title names no product type of this leaf (n-gram cosine only)",
                "cosine_only",
            )
        # A catch-all named by the product its name holds (墙纸 of 其它材质类墙纸) may be chosen
        # alone; one named by a list word (配件 of 其他/配件/DIY/缝纫) never.
        # Not when the title says what one of its specific siblings is for (桌面 … 收纳盒 beside
        # 其他收纳盒 and 桌面收纳盒).
        catch_all = (
            verdict.problem == CATCH_ALL
            and any(
                verdict.matched in variants(head) and holds_parent(self._terms[top], head)
                for head in self._terms[top].heads
            )
            and not self._marked(top, text)
        )
        if verdict.problem and not catch_all:
            return (
                round(min(UNTRUSTED_CAP, 0.3 + 0.15 * cosine), 4),
                verdict.problem,
                "clash" if verdict.hard else "doubt",
            )
        if weak := weak_evidence(verdict, self._terms[top]):
            return round(min(UNTRUSTED_CAP, 0.3 + 0.15 * cosine), 4), weak, "weak"
        mine = self._terms[top].audience
        used = _use_named(self._terms[top], contexts)
        rivals = [
            column
            for column, other in judged.items()
            if column != top
            and (not other.problem or other.problem == CATCH_ALL)
            and (
                other.strength >= verdict.strength
                or (
                    other.matched in variants(verdict.matched)
                    and not catch_all
                    and (other.whole or other.strength > verdict.strength * HEAD_STRENGTH)
                )
            )
            and not (mine and not self._terms[column].audience)
            and not (used and not self._terms[column].contexts)
            and _room_fit(self._rooms[column], rooms) >= _room_fit(self._rooms[top], rooms)
        ]
        if apart := self._named_apart(top, verdict.matched, text, rooms=rooms):
            return round(min(UNTRUSTED_CAP, 0.35 + 0.1 * cosine), 4), apart, "apart"
        if rivals:
            names = "、".join(self._tree.leaves[self._ids[c]][-1] for c in rivals[:2])
            return (
                round(min(UNTRUSTED_CAP, 0.35 + 0.1 * cosine), 4),
                f"{verdict.matched!r} also names {names}: two leaves fit equally",
                "rivals",
            )
        confidence = 0.6 + 0.25 * verdict.strength + 0.15 * min(1.0, cosine / 0.5)
        return (
            round(min(1.0, confidence), 4),
            f"title names {verdict.matched!r}; type and audience agree",
            "agrees",
        )

    def _marked(self, column: int, text: str) -> bool:
        """The column is a catch-all (其他收纳盒) and the text holds a word of one of its specific
        siblings (桌面 of 桌面收纳盒): the title says which of them it is."""
        return any(marker in text for marker in self._markers.get(column, ()))

    def _named_apart(
        self, top: int, matched: str, text: str, *, rooms: frozenset[str] = frozenset()
    ) -> str:
        """Another leaf's term is the matched word plus words the title also names, apart (防晒 …
        袖套 for 防晒袖套 beside a plain 袖套; 水槽 … 过滤网 for 水槽过滤网 beside 水槽): the title may
        well be that narrower product, so the two are rivals (review). Why a reason string and
        not a rank: the title does not say whether the words belong together. Not when the words
        are only another room and the title names the top leaf's room too (浴室 … 厨房 … 置物架
        on 浴室角架/置物架): such a title lists the rooms the product serves (decision 207). A
        one-character head after the word (表 of 儿童玩具表) must follow it: it is what makes the
        other leaf another product, and 儿童 … 玩具 names no watch (decision 217)."""
        own_room = bool(self._rooms[top] & rooms)
        for word in variants(matched):
            for column, term in self._containing.get(word, ()):
                if column == top or term in variants(matched) or term in text:
                    continue
                at = term.find(word)
                head = term[at + len(word) :]
                if len(head) == 1 and word + head not in text:
                    continue
                rest = [part for part in (term[:at], head) if len(part) >= 2]
                if own_room and rest and all(_rooms_of((part,)) for part in rest):
                    continue
                if rest and all(part in text for part in rest):
                    return (
                        f"the title names {term!r} apart ({'、'.join(rest)} … {word}): "
                        f"{self._tree.leaves[self._ids[column]][-1]} may fit better"
                    )
        return ""

    def _leaf(self, leaf: int, *, confidence: float, layer: str, reason: str) -> CategoryDecision:
        return CategoryDecision(
            category_id=leaf,
            path=self._tree.path_text(leaf),
            confidence=confidence,
            layer=layer,
            reason=reason,
        )

    def decide(
        self,
        *,
        title: str,
        platform: str = "",
        source_item_id: str = "",
        source_category_ids: Sequence[str] = (),
        source_category_path: Sequence[str] = (),
        overrides: Mapping[str, int] | None = None,
        suggestions: Sequence[int] | None = None,
    ) -> CategoryDecision:
        """Choose an open leaf, layer by layer; never returns a non-leaf or a closed leaf.

        `suggestions` are Kuaishou's suggested leaf ids for this listing's source category, in the
        platform's order, when the caller asked for them.
        """
        request = DecisionRequest(
            title=title,
            platform=platform,
            source_item_id=source_item_id,
            source_category_ids=tuple(source_category_ids),
            source_category_path=tuple(source_category_path),
            suggestions=None if suggestions is None else tuple(suggestions),
        )
        return self.decide_many([request], overrides=overrides)[0]

    def decide_many(
        self, requests: Sequence[DecisionRequest], *, overrides: Mapping[str, int] | None = None
    ) -> list[CategoryDecision]:
        """`decide` for a batch: the tables first, then the text layer for the rest of the batch
        in one sparse matrix product (what a run or `banjia categories match` should call)."""
        return [d for d, _ in self.explain_many(requests, overrides=overrides)]

    def explain_many(
        self, requests: Sequence[DecisionRequest], *, overrides: Mapping[str, int] | None = None
    ) -> list[tuple[CategoryDecision, GateInput | None]]:
        """`decide_many`, each decision with what the publish gate judged it on: None unless the
        text layer chose (scripts/train_publish_gate.py fits the gate on these)."""
        overrides = overrides or {}
        decided: list[CategoryDecision | None] = []
        inputs: list[GateInput | None] = [None] * len(requests)
        notes: list[str] = []
        for request in requests:
            early, note = self._before_text(request, overrides)
            decided.append(early)
            notes.append(note)
        pending = [i for i, d in enumerate(decided) if d is None]
        texts = self.explained_text_decisions(
            [requests[i].title for i in pending],
            [" ".join(requests[i].source_category_path) for i in pending],
        )
        for i, (text, item) in zip(pending, texts, strict=True):
            after = self._after_text(text, requests[i].suggestions, notes[i])
            decided[i] = after
            inputs[i] = item if after.layer == "text" else None
        return [(d, item) for d, item in zip(decided, inputs, strict=True) if d is not None]

    def _before_text(
        self, request: DecisionRequest, overrides: Mapping[str, int]
    ) -> tuple[CategoryDecision | None, str]:
        """Layers before the text layer: not-a-product, overrides, the mapping table; or None and
        the notes on skipped rows."""
        non_product = detect_non_product(request.title)
        if non_product is not None:
            return CategoryDecision(
                category_id=None,
                path=None,
                confidence=0.0,
                layer="not_a_product",
                reason=non_product.reason,
            ), ""
        path_text = ">".join(request.source_category_path)
        skipped: list[str] = []
        item_key = f"item:{request.source_item_id}" if request.source_item_id else ""
        path_key = override_key(path_text) if path_text else ""
        for key in (item_key, *reversed(request.source_category_ids), path_text, path_key):
            if key and key in overrides:
                leaf = overrides[key]
                if self.is_open(leaf):
                    return self._leaf(
                        leaf, confidence=1.0, layer="override", reason=f"override for {key!r}"
                    ), ""
                skipped.append(f"override {key!r} → {leaf} is not an open leaf")
        found = self._mapping.lookup(
            platform=request.platform,
            source_category_ids=request.source_category_ids,
            source_category_path=path_text,
        )
        if found is not None:
            key, target = found
            mapped = self._tree.leaf_by_path(target)
            if mapped is not None and self.is_open(mapped):
                against = self._title_against(request.title, mapped)
                if not against:
                    return self._leaf(
                        mapped, confidence=1.0, layer="mapping", reason=f"mapping table: {key!r}"
                    ), ""
                skipped.append(f"mapping {key!r} → {target!r} set aside: {against}")
            else:
                skipped.append(f"mapping {key!r} → {target!r} is not an open leaf of this tree")
        return None, "; ".join(skipped)

    def _title_against(self, title: str, leaf: int) -> str:
        """Why the title contradicts a leaf the mapping table chose from the source category
        alone, or "": it names the leaf's product beside another product, an audience or a use
        the leaf is not for (a T恤 + 裙子 两件套 a seller filed under 连衣裙), or names products and
        none of the leaf's (a T恤 filed under 连衣裙). A title naming no product at all (a shop's
        item code) leaves the source category the only evidence, and the table is trusted
        (decision 173)."""
        facts = title_facts(title, self._vocabulary, segmenter=self._segmenter)
        verdict = judge(facts, self._terms[self._ids.index(leaf)])
        if verdict.strength > 0:
            return verdict.problem if verdict.problem != CATCH_ALL else ""
        if facts.nouns:
            return f"the title names {'、'.join(sorted(facts.nouns))}, none of this leaf's"
        return ""

    def _after_text(
        self, text: CategoryDecision, suggestions: Sequence[int] | None, note: str
    ) -> CategoryDecision:
        """The text decision, or Kuaishou's suggestion when the caller has one (layer 4)."""
        candidates = text.candidates
        open_suggestions = [s for s in suggestions or () if self.is_open(s)]
        if open_suggestions:
            best = open_suggestions[0]
            agrees = best in {c.category_id for c in candidates}
            confidence = SUGGESTION_AGREES if agrees else max(SUGGESTION_ALONE, text.confidence)
            runners = tuple(c for c in candidates if c.category_id != best)
            first = Candidate(category_id=best, path=self._tree.path_text(best), score=confidence)
            return CategoryDecision(
                category_id=best,
                path=first.path,
                confidence=confidence,
                layer="suggested",
                candidates=(first, *runners)[:3],
                reason="open.item.category.suggested.get"
                + (" (also the text matcher's candidate)" if agrees else "")
                + (f"; {note}" if note else ""),
            )
        if note:
            return text.model_copy(update={"reason": f"{text.reason}; {note}"})
        return text
