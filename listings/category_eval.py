"""Measuring category decisions against hand labels: top-1, top-3, auto-published share and its
precision at a threshold, and the precision/coverage curve over thresholds.

Why these figures (issue 14): what a merchant must be able to trust is what is published without
a person looking. So the headline is the precision of the auto-published stream *as a whole*:
rows whose label is a leaf, rows the tree has no leaf for (`NONE`) and links that sell nothing
(`NOT_A_PRODUCT`) together. A `NONE` row published anywhere is wrong; a `NOT_A_PRODUCT` row is
right only when the decision says so. Coverage is measured on leaf-labelled rows: the share of
those a merchant never has to look at.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict
from scipy.stats import binomtest

from listings.categories import CategoryDecision, decision_kind

__all__ = [
    "NONE",
    "NOT_A_PRODUCT",
    "CurvePoint",
    "EvalReport",
    "LabelledFileError",
    "LabelledRow",
    "OutOfFold",
    "curve",
    "evaluate",
    "failure_class",
    "out_of_fold",
    "parse_labelled_csv",
    "precision_interval",
]

NONE = "NONE"
NOT_A_PRODUCT = "NOT_A_PRODUCT"
DEFAULT_CURVE = (0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9)


class LabelledFileError(ValueError):
    """A labelled CSV `banjia categories eval` cannot measure; the message names the line and the
    fix. A file without labels would otherwise read as every title "no fitting leaf"."""


class LabelledRow(BaseModel):
    """One labelled title: the acceptable leaves (several allowed), or NONE / NOT_A_PRODUCT."""

    model_config = ConfigDict(frozen=True)

    platform: str
    title: str
    source_category_path: tuple[str, ...] = ()
    labels: frozenset[str]
    split: str = ""
    provenance: str = ""
    """Where the title was found (tests/fixtures/PROVENANCE.md): groups rows by source."""

    @property
    def leaf_ids(self) -> frozenset[int]:
        return frozenset(int(x) for x in self.labels if x.isdigit())

    @property
    def kind(self) -> str:
        """`leaf`, `none` or `not_a_product`."""
        if NOT_A_PRODUCT in self.labels:
            return "not_a_product"
        return "leaf" if self.leaf_ids else "none"


def parse_labelled_csv(text: str) -> list[LabelledRow]:
    """Rows of a CSV with columns platform, title, source_category_path (levels joined by `>`),
    label (leaf ids separated by `;`, or NONE, or NOT_A_PRODUCT) and optionally split.

    Raises:
        LabelledFileError: no title or label column, or a row whose title or label is blank.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("title", "label") if c not in (reader.fieldnames or [])]
    if missing:
        raise LabelledFileError(
            f"line 1: the header lacks {', '.join(missing)}: a labelled file has the columns "
            "platform,title,source_category_path,label (label: leaf ids joined by ';', "
            f"{NONE} or {NOT_A_PRODUCT})"
        )
    rows = []
    for row in reader:
        labels = frozenset(x.strip() for x in (row.get("label") or "").split(";") if x.strip())
        path = tuple(x for x in (row.get("source_category_path") or "").split(">") if x.strip())
        title = (row.get("title") or "").strip()
        if not title:
            raise LabelledFileError(f"line {reader.line_num}: title is blank")
        if not labels:
            raise LabelledFileError(
                f"line {reader.line_num}: label is blank: write the leaf ids a category manager "
                f"would accept (joined by ';'), {NONE} (no leaf fits) or {NOT_A_PRODUCT}"
            )
        rows.append(
            LabelledRow(
                platform=(row.get("platform") or "").strip(),
                title=title,
                source_category_path=path,
                labels=labels,
                split=(row.get("split") or "").strip(),
                provenance=(row.get("provenance") or "").strip(),
            )
        )
    return rows


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    published: int
    precision: float
    coverage: float


@dataclass(frozen=True)
class EvalReport:
    rows: int
    leaf_rows: int
    top1: float
    top3: float
    threshold: float
    published: int
    published_share: float
    precision: float
    coverage: float
    wrong: tuple[tuple[str, str, str], ...]
    curve: tuple[CurvePoint, ...]
    failures: tuple[tuple[str, int], ...] = ()
    """Leaf rows not published to a right leaf, counted by class (see `failure_class`)."""
    precision_interval: tuple[float, float] = (0.0, 1.0)
    """The 95 % Wilson interval of `precision` (`precision_interval`): what a sample of a shop
    can and cannot show (14 published with one wrong does not rule out 0.69)."""

    def lines(self, name: str = "") -> list[str]:
        head = f"{name}: " if name else ""
        low, high = self.precision_interval
        out = [
            f"{head}{self.rows} rows ({self.leaf_rows} with a leaf label)",
            f"  top-1 {self.top1:.3f}  top-3 {self.top3:.3f}  (rows with a leaf label)",
            f"  at threshold {self.threshold:g}: published {self.published} "
            f"({self.published_share:.1%} of all rows), precision {self.precision:.3f} "
            f"(95 % interval {low:.3f}–{high:.3f}), "
            f"coverage {self.coverage:.3f} of leaf-labelled rows",
            "  curve: threshold  published  precision  coverage",
        ]
        out += [
            f"        {p.threshold:9g}  {p.published:9d}  {p.precision:9.3f}  {p.coverage:8.3f}"
            for p in self.curve
        ]
        if self.failures:
            out.append("  leaf rows not published right, by class:")
            out += [f"        {count:5d}  {name}" for name, count in self.failures]
        return out


_QUOTED = re.compile(r"'[^']*'|[\u3400-\u9fff][\u3400-\u9fff、/（）()]*")


def failure_class(row: LabelledRow, decision: CategoryDecision, *, threshold: float) -> str:
    """Why a leaf-labelled row was not published to a right leaf: whether the top leaf was right
    (then sent to review) or wrong, and the decision's reason with its words blanked (`*`), so
    that rows fail together for the same rule ("the title also names *, which this leaf does not").
    Empty when the row was published right."""
    right = decision.category_id is not None and decision.category_id in row.leaf_ids
    if right and decision_kind(decision, min_confidence=threshold) == "publish":
        return ""
    reason = _QUOTED.sub("*", decision.reason or decision.layer)
    return f"{'top-1 right, sent to review' if right else 'top-1 wrong'}: {reason}"


def _correct(row: LabelledRow, decision: CategoryDecision) -> bool:
    if row.kind == "not_a_product":
        return decision.layer == "not_a_product"
    return decision.category_id is not None and decision.category_id in row.leaf_ids


def _at(
    rows: Sequence[LabelledRow], decisions: Sequence[CategoryDecision], threshold: float
) -> tuple[int, float, float, list[int]]:
    """(published, precision, coverage, indices of wrong published) at one threshold. An item the
    detector calls not_a_product counts as 'published' for precision: it is decided without a
    person, so it must be right too."""
    auto, right, covered, wrong = 0, 0, 0, []
    for i, (row, decision) in enumerate(zip(rows, decisions, strict=True)):
        kind = decision_kind(decision, min_confidence=threshold)
        if kind == "review":
            continue
        auto += 1
        if _correct(row, decision):
            right += 1
            covered += row.kind == "leaf" and kind == "publish"
        else:
            wrong.append(i)
    leaf_rows = sum(r.kind == "leaf" for r in rows)
    precision = right / auto if auto else 1.0
    return auto, precision, covered / leaf_rows if leaf_rows else 0.0, wrong


def precision_interval(right: int, published: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of right / published (scipy's `binomtest`): honest at the
    sizes a merchant labels (tens of titles) and at 0 or all wrong, where the normal one is not.
    Nothing published shows nothing: (0, 1)."""
    if published == 0:
        return 0.0, 1.0
    ci = binomtest(right, published).proportion_ci(confidence_level=0.95, method="wilson")
    return round(float(ci.low), 4), round(float(ci.high), 4)


def curve(
    rows: Sequence[LabelledRow],
    decisions: Sequence[CategoryDecision],
    thresholds: Iterable[float] = DEFAULT_CURVE,
) -> tuple[CurvePoint, ...]:
    points = []
    for threshold in thresholds:
        published, precision, coverage, _ = _at(rows, decisions, threshold)
        points.append(CurvePoint(threshold, published, round(precision, 4), round(coverage, 4)))
    return tuple(points)


def evaluate(
    rows: Sequence[LabelledRow],
    decisions: Sequence[CategoryDecision],
    *,
    threshold: float,
    thresholds: Iterable[float] = DEFAULT_CURVE,
) -> EvalReport:
    """The figures of `decisions` (one per row, in order) against the labels."""
    leaf = [(r, d) for r, d in zip(rows, decisions, strict=True) if r.kind == "leaf"]
    top1 = sum(d.category_id in r.leaf_ids for r, d in leaf) / len(leaf) if leaf else 0.0
    top3 = (
        sum(
            bool({c.category_id for c in d.candidates[:3]} & r.leaf_ids)
            or d.category_id in r.leaf_ids
            for r, d in leaf
        )
        / len(leaf)
        if leaf
        else 0.0
    )
    published, precision, coverage, wrong = _at(rows, decisions, threshold)
    failures = Counter(name for r, d in leaf if (name := failure_class(r, d, threshold=threshold)))
    return EvalReport(
        rows=len(rows),
        leaf_rows=len(leaf),
        top1=round(top1, 4),
        top3=round(top3, 4),
        threshold=threshold,
        published=published,
        published_share=published / len(rows) if rows else 0.0,
        precision=round(precision, 4),
        coverage=round(coverage, 4),
        wrong=tuple(
            (
                rows[i].title,
                ";".join(sorted(rows[i].labels)),
                decisions[i].path or decisions[i].layer,
            )
            for i in wrong
        ),
        curve=curve(rows, decisions, sorted({*thresholds, threshold})),
        failures=tuple(sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))),
        precision_interval=precision_interval(published - len(wrong), published),
    )


FINE_GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))
"""Thresholds a cross-validated calibration chooses from (0.50 … 0.95)."""


@dataclass(frozen=True)
class OutOfFold:
    """Cross-validated calibration: the threshold each fold's complement chose, and the figures of
    the rows each fold held out, decided at the threshold chosen without them."""

    thresholds: tuple[float, ...]
    published: int
    precision: float
    coverage: float

    def line(self) -> str:
        chosen = ", ".join(f"{t:.2f}" for t in self.thresholds)
        return (
            f"  out-of-fold ({len(self.thresholds)} folds, thresholds chosen {chosen}): "
            f"published {self.published}, precision {self.precision:.3f}, "
            f"coverage {self.coverage:.3f}"
        )


def _fold(title: str, folds: int) -> int:
    return zlib.crc32(title.encode("utf-8")) % folds


def out_of_fold(
    rows: Sequence[LabelledRow],
    decisions: Sequence[CategoryDecision],
    *,
    folds: int = 5,
    thresholds: Sequence[float] = FINE_GRID,
) -> OutOfFold:
    """How the threshold rule "the lowest threshold with no wrong automatic decision" does on rows
    it was not chosen on: each fold (a fixed hash of the title) is decided at the threshold chosen
    on the other folds. A threshold read off the same rows it is judged on flatters itself; this
    is the figure to expect of new rows, as far as these rows resemble them."""
    chosen: list[float] = []
    published = right = covered = leaf_rows = 0
    for k in range(folds):
        train = [i for i, r in enumerate(rows) if _fold(r.title, folds) != k]
        test = [i for i, r in enumerate(rows) if _fold(r.title, folds) == k]
        threshold = max(thresholds)
        for t in sorted(thresholds):
            _, _, _, wrong = _at([rows[i] for i in train], [decisions[i] for i in train], t)
            if not wrong:
                threshold = t
                break
        chosen.append(threshold)
        held = [rows[i] for i in test]
        auto, _, coverage, wrong = _at(held, [decisions[i] for i in test], threshold)
        leaves = sum(r.kind == "leaf" for r in held)
        published += auto
        right += auto - len(wrong)
        covered += round(coverage * leaves)
        leaf_rows += leaves
    return OutOfFold(
        thresholds=tuple(chosen),
        published=published,
        precision=round(right / published, 4) if published else 1.0,
        coverage=round(covered / leaf_rows, 4) if leaf_rows else 0.0,
    )
