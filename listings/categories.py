"""Choosing the Kuaishou leaf category of a listing, with the reason and a confidence.

Layers, first match wins: (1) the migration's overrides (source category id or path → Kuaishou leaf);
(2) a text matcher over the Kuaishou leaf paths, scoring the listing's title and source category path by
TF-IDF cosine over character uni- and bigrams, which needs no Chinese word segmentation and nothing tuned
to one tree. The tree is whatever `open.item.category` returns: nothing here knows its names or ids.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Candidate",
    "CategoryDecision",
    "CategoryMatcher",
    "CategoryNode",
    "CategoryTree",
]

_SPLIT = re.compile(r"[/>、，,()（）\s]+")


class CategoryNode(BaseModel):
    """One category as `open.item.category` lists it."""

    model_config = ConfigDict(frozen=True)

    category_id: int
    name: str
    parent_id: int = 0


class Candidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    category_id: int
    path: str
    score: float


class CategoryDecision(BaseModel):
    """The chosen leaf (or none), why, how sure, and the runners-up for a human to review."""

    model_config = ConfigDict(frozen=True)

    category_id: int | None
    path: str | None
    confidence: float
    layer: str  # "override" | "text" | "none"
    candidates: tuple[Candidate, ...] = ()


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


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _grams(text: str) -> Counter[str]:
    """Character unigrams and bigrams within each term (never across a separator)."""
    grams: Counter[str] = Counter()
    for term in _SPLIT.split(_normalize(text)):
        if not term:
            continue
        grams.update(term)
        grams.update(term[i : i + 2] for i in range(len(term) - 1))
    return grams


class CategoryMatcher:
    """Scores listings against every leaf of a tree. Build once per tree, reuse for every listing."""

    def __init__(self, tree: CategoryTree, *, leaf_weight: float = 2.0) -> None:
        self._tree = tree
        docs: dict[int, dict[str, float]] = {}
        for leaf_id, path in tree.leaves.items():
            doc: dict[str, float] = {}
            for depth, name in enumerate(path):
                weight = leaf_weight if depth == len(path) - 1 else 1.0
                for gram, count in _grams(name).items():
                    doc[gram] = doc.get(gram, 0.0) + count * weight
            docs[leaf_id] = doc
        df: Counter[str] = Counter()
        for doc in docs.values():
            df.update(doc.keys())
        total = max(len(docs), 1)
        self._idf = {gram: math.log((1 + total) / (1 + n)) + 1.0 for gram, n in df.items()}
        self._vectors: dict[int, dict[str, float]] = {}
        self._postings: dict[str, list[int]] = {}
        for leaf_id, doc in docs.items():
            vector = {g: c * self._idf[g] for g, c in doc.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            self._vectors[leaf_id] = {g: v / norm for g, v in vector.items()}
            for gram in vector:
                self._postings.setdefault(gram, []).append(leaf_id)

    @property
    def tree(self) -> CategoryTree:
        return self._tree

    def rank(self, text: str, *, limit: int = 3) -> list[Candidate]:
        """The best `limit` leaves for a text, by cosine similarity."""
        query = {g: c * self._idf[g] for g, c in _grams(text).items() if g in self._idf}
        norm = math.sqrt(sum(v * v for v in query.values()))
        if not norm:
            return []
        scores: dict[int, float] = {}
        for gram, weight in query.items():
            for leaf_id in self._postings.get(gram, ()):
                scores[leaf_id] = scores.get(leaf_id, 0.0) + weight * self._vectors[leaf_id][gram]
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [
            Candidate(
                category_id=leaf_id,
                path=self._tree.path_text(leaf_id),
                score=round(score / norm, 4),
            )
            for leaf_id, score in best
        ]

    def decide(
        self,
        *,
        title: str,
        source_category_ids: Sequence[str] = (),
        source_category_path: Sequence[str] = (),
        overrides: Mapping[str, int] | None = None,
    ) -> CategoryDecision:
        """Choose a leaf: overrides first, then the text matcher. Never returns a non-leaf."""
        overrides = overrides or {}
        keys = [*reversed(source_category_ids), ">".join(source_category_path)]
        for key in keys:
            if key and key in overrides:
                leaf = overrides[key]
                if self._tree.is_leaf(leaf):
                    return CategoryDecision(
                        category_id=leaf,
                        path=self._tree.path_text(leaf),
                        confidence=1.0,
                        layer="override",
                    )
        text = " ".join([title, *source_category_path])
        candidates = tuple(self.rank(text))
        if not candidates:
            return CategoryDecision(category_id=None, path=None, confidence=0.0, layer="none")
        top = candidates[0]
        return CategoryDecision(
            category_id=top.category_id,
            path=top.path,
            confidence=top.score,
            layer="text",
            candidates=candidates,
        )
