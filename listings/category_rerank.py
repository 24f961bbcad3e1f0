"""A learned re-ranker of the text layer's top-K leaves, as an experiment (issue 14, decision 91).

Why: the hand rules' ranking (listings/categories.py) puts a right leaf first for ~0.80 of labelled
titles, and the publish gate can only trust or doubt that first leaf. The right leaf is often among
the next few. This module describes every (title, candidate leaf) pair of the matcher's top-K by
numbers that name no leaf, tree id or title word (the gate's features, 31 when this was written,
computed as if that candidate were the top, plus its rank, its distance to the best score and
cosine, and how much of its path the title covers), so that a small model can score candidates
against each other.
scripts/experiment_rerank.py fits and judges it leave-one-source-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from listings.categories import COSINE_WEIGHT, CategoryMatcher, CategoryTree, _rank_weight, _top
from listings.category_decision import Candidate, CategoryDecision
from listings.publish_gate import FEATURES as GATE_FEATURES
from listings.publish_gate import GateInput, gate_features
from listings.title_match import Verdict, implied_audience, judge, source_audience, title_facts

__all__ = ["PAIR_FEATURES", "Candidates", "candidates_of", "with_top"]

PAIR_FEATURES = (
    *GATE_FEATURES,
    "rank",
    "top_rank",
    "score",
    "score_gap",
    "cosine_gap",
    "judged",
    "whole",
    "hard",
    "at",
    "audience_clash",
    "leaf_name_in_title",
    "path_cover",
    "leaf_cover",
)


@dataclass(frozen=True)
class Candidates:
    """One title's top-K leaves (tree leaf ids, in the hand rules' order) and their features."""

    leaves: tuple[int, ...]
    features: np.ndarray
    """One row per candidate, columns in `PAIR_FEATURES` order."""


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if not text[i : i + 2].isspace()}


def _cover(part: str, text: str) -> float:
    grams = _bigrams(part)
    return len(grams & _bigrams(text)) / len(grams) if grams else 0.0


def candidates_of(
    matcher: CategoryMatcher,
    titles: Sequence[str],
    contexts: Sequence[str] | None = None,
    *,
    k: int = 15,
) -> list[Candidates]:
    """Each title's top-`k` leaves by the hand rules' ranking score, with their pair features."""
    m = matcher
    contexts = contexts or [""] * len(titles)
    texts = [" ".join(p for p in (t, c) if p) for t, c in zip(titles, contexts, strict=True)]
    cosines = m._cosines(texts)
    out = []
    for row, title in enumerate(titles):
        source = contexts[row]
        cosine = cosines[row]
        facts = title_facts(title, m._vocabulary, segmenter=m._segmenter)
        if source and not facts.audience:
            facts = replace(facts, audience=source_audience(source))
        if not facts.audience:
            facts = replace(facts, audience=implied_audience(facts.text, cleaned=True))
        judged: dict[int, Verdict] = {c: judge(facts, m._terms[c]) for c in m._hits(facts)}
        score = COSINE_WEIGHT * cosine
        for column, judged_verdict in judged.items():
            score[column] += _rank_weight(judged_verdict)
        order = [int(i) for i in _top(score, k + 1) if score[i] > 0]
        feats = []
        best_cos = float(max((cosine[i] for i in order), default=0.0))
        for rank, column in enumerate(order[:k]):
            verdict: Verdict | None = judged.get(column)
            conf, _, reason_class = m._confidence(
                column, verdict, judged, float(cosine[column]), text=facts.text
            )
            others = [score[i] for i in order if i != column]
            path = tuple(m._tree.leaves[m._ids[column]])
            item = GateInput(
                title=title,
                text=facts.text,
                nouns=facts.nouns,
                matched=verdict.matched if verdict is not None else "",
                how=verdict.how if verdict is not None else "",
                strength=verdict.strength if verdict is not None else 0.0,
                reason_class=reason_class,
                confidence=conf,
                margin=float(score[column] - max(others, default=0.0)),
                cosine=float(cosine[column]),
                cosine_first=bool(cosine[column] >= cosine.max()),
                leaf_path=path,
                leaf_audience=m._terms[column].audience,
                title_audience=facts.audience,
                source_path=source,
            )
            g = gate_features(item)
            leaf_aud = m._terms[column].audience
            feats.append(
                [
                    *(g[n] for n in GATE_FEATURES),
                    float(rank),
                    float(rank == 0),
                    float(score[column]),
                    float(score[order[0]] - score[column]),
                    best_cos - float(cosine[column]),
                    float(verdict is not None),
                    float(verdict.whole) if verdict is not None else 0.0,
                    float(verdict.hard) if verdict is not None else 0.0,
                    verdict.at if verdict is not None else 1.0,
                    float(bool(leaf_aud and facts.audience and not leaf_aud & facts.audience)),
                    float(bool(path) and path[-1] in facts.text),
                    _cover("".join(path), facts.text),
                    _cover(path[-1], facts.text) if path else 0.0,
                ]
            )
        out.append(
            Candidates(
                leaves=tuple(m._ids[c] for c in order[:k]),
                features=np.array(feats, dtype=float).reshape(len(feats), len(PAIR_FEATURES)),
            )
        )
    return out


def with_top(
    decision: CategoryDecision,
    leaves: Sequence[int],
    tree: CategoryTree,
    *,
    confidence: float | None = None,
) -> CategoryDecision:
    """`decision` re-ranked: `leaves` in their new order give its leaf and its three candidates
    (scores unknown after a re-rank: 0), and `confidence` its confidence when a gate was refitted."""
    update: dict[str, object] = {
        "category_id": leaves[0],
        "path": tree.path_text(leaves[0]),
        "candidates": tuple(
            Candidate(category_id=leaf, path=tree.path_text(leaf), score=0.0) for leaf in leaves[:3]
        ),
    }
    if confidence is not None:
        update["confidence"] = confidence
    return decision.model_copy(update=update)
