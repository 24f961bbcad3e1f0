"""Fitting the publish gate (listings/publish_gate.py) and judging it only on sources it was not
fitted on (issue 14, docs/decisions.md §88).

Why leave-one-source-out: titles of one scraped shop or dump look alike (same seller wording,
same product families), so a row-level split would let the gate learn a shop and call that
generalising. Every figure this module reports for a row comes from a gate fitted without that
row's source (its repository, or its code-search file). The threshold is chosen on those
out-of-source probabilities, pooled; `nested` also re-chooses it without each source, to show what
choosing it costs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from listings.categories import CategoryDecision, CategoryMatcher, CategoryTree, DecisionRequest
from listings.category_eval import EvalReport, LabelledRow, evaluate
from listings.publish_gate import FEATURES, PublishGate, gate_features

__all__ = [
    "GATE_FEATURES",
    "Collected",
    "Nested",
    "OutOfSource",
    "choose_threshold",
    "collect",
    "fit_gate",
    "gated",
    "nested",
    "out_of_source",
    "source_of",
]

GATE_FEATURES = FEATURES
"""What the shipped gate uses: every feature, chosen before fitting (a subset picked by the
fitted coefficients would be chosen on the rows it is judged on)."""

TARGET = 0.99
MIN_PUBLISHED = 50
GRID = tuple(round(0.5 + 0.005 * i, 3) for i in range(100))

_GITHUB = re.compile(r"github:([^@:\s]+)")
_FILE = re.compile(r"code-search index file (?:id )?(\d+)")


def source_of(provenance: str) -> str:
    """The source a row came from: a GitHub repository, or a code-search file id."""
    if found := _GITHUB.match(provenance):
        return found.group(1)
    if found := _FILE.search(provenance):
        return f"file {found.group(1)}"
    return provenance or "unknown"


@dataclass(frozen=True)
class Collected:
    """The matcher's ungated decisions on labelled rows, with the gate's features and targets.
    `gated_rows` are the rows the gate judges (a text-layer leaf); `right` says whether that top
    leaf is one of the labels (never for a NONE or NOT_A_PRODUCT row)."""

    rows: tuple[LabelledRow, ...]
    decisions: tuple[CategoryDecision, ...]
    gated_rows: tuple[int, ...]
    features: np.ndarray
    """One row per gated row, columns in `FEATURES` order."""
    right: np.ndarray
    sources: tuple[str, ...]
    """The source of each gated row."""

    def columns(self, names: Sequence[str]) -> np.ndarray:
        return self.features[:, [FEATURES.index(n) for n in names]]


def collect(rows: Sequence[LabelledRow], tree: CategoryTree) -> Collected:
    """Run the matcher without a gate on every row and keep what the gate would judge."""
    matcher = CategoryMatcher(tree, gate=None)
    explained = matcher.explain_many(
        [
            DecisionRequest(
                title=r.title, platform=r.platform, source_category_path=r.source_category_path
            )
            for r in rows
        ]
    )
    gated_rows, features, right, sources = [], [], [], []
    for i, (row, (decision, item)) in enumerate(zip(rows, explained, strict=True)):
        if item is None or decision.category_id is None:
            continue
        values = gate_features(item)
        gated_rows.append(i)
        features.append([values[n] for n in FEATURES])
        right.append(decision.category_id in row.leaf_ids)
        sources.append(source_of(row.provenance))
    return Collected(
        rows=tuple(rows),
        decisions=tuple(d for d, _ in explained),
        gated_rows=tuple(gated_rows),
        features=np.array(features, dtype=float).reshape(len(features), len(FEATURES)),
        right=np.array(right, dtype=bool),
        sources=tuple(sources),
    )


def _model(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((x - means) / scales, y)
    return means, scales, model


def fit_gate(
    collected: Collected,
    names: Sequence[str] = GATE_FEATURES,
    *,
    threshold: float,
    mask: np.ndarray | None = None,
    trained_on: str = "",
) -> PublishGate:
    """A logistic regression of "the top leaf is right" on `names`, on the gated rows in `mask`."""
    keep = np.ones(len(collected.right), dtype=bool) if mask is None else mask
    x = collected.columns(names)[keep]
    means, scales, model = _model(x, collected.right[keep])
    return PublishGate(
        version=1,
        features=tuple(names),
        means=tuple(round(float(v), 6) for v in means),
        scales=tuple(round(float(v), 6) for v in scales),
        coefficients=tuple(round(float(v), 6) for v in model.coef_[0]),
        intercept=round(float(model.intercept_[0]), 6),
        threshold=threshold,
        trained_on=trained_on,
    )


def gated(collected: Collected, probabilities: Sequence[float]) -> list[CategoryDecision]:
    """The decisions with each gated row's confidence replaced by its probability."""
    out = list(collected.decisions)
    for i, p in zip(collected.gated_rows, probabilities, strict=True):
        out[i] = out[i].model_copy(update={"confidence": round(float(p), 4)})
    return out


def choose_threshold(
    collected: Collected,
    decisions: Sequence[CategoryDecision],
    *,
    target: float = TARGET,
    index: Sequence[int] | None = None,
) -> float:
    """The lowest threshold of `GRID` at and above which every grid point keeps the precision of
    what is published (evaluate's definition, NONE and junk rows included) at `target`, over the
    rows `index` (all by default). Points publishing fewer than `MIN_PUBLISHED` rows are not
    judged: one wrong row among ten says nothing about the threshold."""
    chosen = GRID[-1]
    rows = range(len(collected.rows)) if index is None else index
    sub = Collected(
        rows=tuple(collected.rows[i] for i in rows),
        decisions=tuple(decisions[i] for i in rows),
        gated_rows=(),
        features=collected.features[:0],
        right=collected.right[:0],
        sources=(),
    )
    for t in reversed(GRID):
        report = evaluate(sub.rows, sub.decisions, threshold=t, thresholds=())
        if report.published >= MIN_PUBLISHED and report.precision < target:
            break
        chosen = t
    return chosen


@dataclass(frozen=True)
class OutOfSource:
    """Each gated row's probability from a gate fitted without its source."""

    probabilities: np.ndarray
    decisions: tuple[CategoryDecision, ...]

    def report(
        self, collected: Collected, *, threshold: float, split: str = "", source: str = ""
    ) -> EvalReport:
        index = [
            i
            for i, r in enumerate(collected.rows)
            if (not split or r.split == split) and (not source or source_of(r.provenance) == source)
        ]
        return evaluate(
            [collected.rows[i] for i in index],
            [self.decisions[i] for i in index],
            threshold=threshold,
            thresholds=(0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95),
        )


def out_of_source(collected: Collected, names: Sequence[str] = GATE_FEATURES) -> OutOfSource:
    """Leave one source out: every gated row scored by a gate fitted on the other sources."""
    sources = np.array(collected.sources)
    probabilities = np.zeros(len(collected.right))
    x = collected.columns(names)
    for source in sorted(set(collected.sources)):
        held = sources == source
        if held.all():
            raise ValueError("one source only: nothing to judge the gate out of source")
        means, scales, model = _model(x[~held], collected.right[~held])
        probabilities[held] = model.predict_proba((x[held] - means) / scales)[:, 1]
    return OutOfSource(probabilities, tuple(gated(collected, probabilities.tolist())))


@dataclass(frozen=True)
class Nested:
    """What is published when each source is decided at the threshold the *other* sources'
    out-of-source scores choose (choosing the threshold is fitting too)."""

    published: int
    right: int
    covered: int
    """Labelled rows published into one of their leaves."""
    leaf_rows: int

    @property
    def precision(self) -> float:
        return self.right / max(1, self.published)

    @property
    def coverage(self) -> float:
        return self.covered / max(1, self.leaf_rows)

    def line(self) -> str:
        return (
            f"published {self.published}, precision {self.precision:.3f}, "
            f"coverage {self.coverage:.3f}"
        )


def nested(collected: Collected, decisions: Sequence[CategoryDecision]) -> Nested:
    """Each source decided at the threshold chosen on the other sources' rows (`choose_threshold`
    over `decisions`, normally the out-of-source ones), the sources' figures added up."""
    published = right = covered = 0
    sources = [source_of(r.provenance) for r in collected.rows]
    for source in sorted(set(sources)):
        mine = [i for i, s in enumerate(sources) if s == source]
        others = [i for i, s in enumerate(sources) if s != source]
        t = choose_threshold(collected, decisions, index=others)
        report = evaluate(
            [collected.rows[i] for i in mine], [decisions[i] for i in mine], threshold=t
        )
        published += report.published
        right += round(report.precision * report.published)
        covered += round(report.coverage * report.leaf_rows)
    leaf_rows = sum(r.kind == "leaf" for r in collected.rows)
    return Nested(published=published, right=right, covered=covered, leaf_rows=leaf_rows)
