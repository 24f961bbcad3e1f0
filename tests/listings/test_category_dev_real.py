"""The category matcher on REAL seller titles (issue 14): what is published unseen must be right.

The set is tests/fixtures/category_dev_real.csv (how it was gathered and labelled:
tests/fixtures/category_dev_real.md): titles sellers wrote on Taobao, Pinduoduo and 1688, each
labelled by hand to leaves of data/categories/marketplace_tree_subset.csv, or NONE (the tree has no
leaf for it) or NOT_A_PRODUCT (a payment link).

The learned publish gate (listings/publish_gate.py, docs/decisions.md §88) is fitted on every row
of this set, so figures on these rows in-sample mean nothing: every figure asserted here is OUT OF
SOURCE, each row scored by a gate fitted without the source (repository or dump) it came from
(listings/publish_gate_fit.py, what scripts/train_publish_gate.py runs). The gate is measured
here, not yet the matcher's default (§88 says why); the hand rules' figures are printed beside.

Run with `-s` to see the figures per split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from listings.categories import (
    CategoryDecision,
    CategoryMatcher,
    CategoryTree,
    DecisionRequest,
)
from listings.category_eval import (
    EvalReport,
    LabelledRow,
    evaluate,
    parse_labelled_csv,
)
from listings.migrations import CategoryRules
from listings.publish_gate import default_gate
from listings.publish_gate_fit import (
    Collected,
    OutOfSource,
    choose_threshold,
    collect,
    fit_gate,
    nested,
    out_of_source,
    source_of,
)

ROOT = Path(__file__).parents[2]
DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
BLIND9 = ROOT / "tests" / "fixtures" / "category_blind9.csv"
"""Held out: no gate is fitted on it (tests/fixtures/category_dev_real.md, section blind9)."""
BLIND12 = ROOT / "tests" / "fixtures" / "category_blind12.csv"
"""Held out too, since decision 122 (section blind12): its titles have not been read."""
BLIND15 = ROOT / "tests" / "fixtures" / "category_blind15.csv"
"""Held out too, since decision 131 (section blind15): its titles have not been read."""
BLIND22 = ROOT / "tests" / "fixtures" / "category_blind22.csv"
"""Held out too, since decision 170 (section blind22): measured before it was read, never read."""
BLIND24 = ROOT / "tests" / "fixtures" / "category_blind24.csv"
"""Held out too, since decision 175 (section blind24): its titles have not been read."""
BLIND25 = ROOT / "tests" / "fixtures" / "category_blind25.csv"
"""Held out too, since decision 178 (section blind25): its titles have not been read."""
HELD_OUT = {
    "blind9": BLIND9,
    "blind12": BLIND12,
    "blind15": BLIND15,
    "blind22": BLIND22,
    "blind24": BLIND24,
    "blind25": BLIND25,
}
MEASURED = sorted(
    (ROOT / "tests" / "fixtures").glob("category_blind*.csv"),
    key=lambda path: int(path.stem.removeprefix("category_blind")),
)[len(HELD_OUT) :]
"""The sets measured once before reading and read since (blind26 on, decisions 198-204): in
neither the dev set nor the held-out sets, reported in tests/fixtures/category_dev_real.md."""
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"
SHIPPED = default_gate()
assert SHIPPED is not None, "data/categories/publish_gate.json: scripts/train_publish_gate.py"
THRESHOLD = CategoryRules().min_confidence
"""What merchants publish at: the migrations' default, 0.985 since decision 193. Never below the
threshold the gate's fit chooses on the pooled out-of-source curve (0.86 at decisions 221 and 222): every set
measured before reading fell below the pooled estimate, so the default stays where the held-out and
read sets keep about 0.99 (tests/fixtures/category_dev_real.md, "Where it stands"; the fit's
choices decision by decision are in its history section)."""

PRECISION = 0.99
"""Issue 14: of what is published automatically (leaf, NONE and junk rows together)."""
COVERAGE = 0.63
"""A floor a point under the figure, not issue 14's 0.70, which is unmet: out of source, pooled, at
the default, 0.645 of leaf-labelled rows are published right (990 of 1,534; 1,015 published, 0.998
right) at decision 222. A point under, as a row's probability may move in the last digits on another
machine's BLAS; the floor was 0.50 from decision 153 to 210, far under the figure.
tests/fixtures/category_dev_real.md has the curve, why the default is not lower, and the figure
decision by decision."""
TOP1 = 0.90
"""Issue 14's figure: the first candidate is a right leaf for 0.90 of leaf-labelled rows. 0.932
(1,429 of 1,534) at decisions 221 and 222. The ranking is the hand rules', fitted on nothing and
deterministic, so no BLAS digit moves it. A new set that pulls this under 0.90 is a finding, not a
reason to leave the set out: sets measured before reading are right for less (0.724 for blind41–46
at decision 210, 0.790 for blind47–52 at 211, 15 of 15 for blind53–54 at 212);
tests/fixtures/category_dev_real.md has the figure decision by decision."""
NESTED_PRECISION = 0.985
"""With the threshold too chosen without each source: 0.989 at decisions 221 and 222 (1,179
published, coverage 0.745; 0.990, 1,182 and 0.748 at 220; 0.989, 1,171 and 0.740 at 215);
tests/fixtures/category_dev_real.md has the figure decision by decision."""
TUNED = ("calibrate", "holdout", "fresh")


@pytest.fixture(scope="module")
def every_row() -> list[LabelledRow]:
    return parse_labelled_csv(DEV.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tree() -> CategoryTree:
    return CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def collected(every_row: list[LabelledRow], tree: CategoryTree) -> Collected:
    return collect(every_row, tree)


@pytest.fixture(scope="module")
def unseen(collected: Collected) -> OutOfSource:
    return out_of_source(collected)


@pytest.fixture(scope="module")
def every_decision(every_row: list[LabelledRow], tree: CategoryTree) -> list[CategoryDecision]:
    """The matcher as shipped (hand-rule confidence; the gate does not move these rows)."""
    return CategoryMatcher(tree).decide_many(
        [
            DecisionRequest(
                title=r.title, platform=r.platform, source_category_path=r.source_category_path
            )
            for r in every_row
        ]
    )


def _report(name: str, collected: Collected, unseen: OutOfSource, split: str = "") -> EvalReport:
    report = unseen.report(collected, threshold=THRESHOLD, split=split)
    print("\n" + "\n".join(report.lines(name)))
    return report


def test_the_dev_set_is_real_titles_of_every_source_labelled_to_leaves(
    every_row: list[LabelledRow], tree: CategoryTree
) -> None:
    rows = every_row
    text = DEV.read_text(encoding="utf-8")
    assert len(rows) >= 600
    assert len({r.title for r in rows}) == len(rows)
    for platform in ("taobao", "pdd", "1688"):
        assert sum(r.platform == platform for r in rows) >= 50, platform
    assert all(tree.is_leaf(leaf) for r in rows for leaf in r.leaf_ids)
    assert {r.kind for r in rows} == {"leaf", "none", "not_a_product"}
    assert {r.split for r in rows} == {
        "calibrate",
        "holdout",
        "fresh",
        "blind",
        "stream",
        "blind3",
        "blind4",
        "blind5",
        "blind6",
        "blind7",
        "blind8",
        "blind10",
        "blind11",
        "blind13",
        "blind14",
        "blind16",
        "blind17",
        "blind18",
        "blind19",
        "blind20",
        "blind21",
        "blind23",
    }
    assert text.count("\n") - 1 == len(rows)
    assert ",provenance" in text.splitlines()[0]


@pytest.mark.parametrize("path", MEASURED, ids=lambda path: path.stem.removeprefix("category_"))
def test_a_set_measured_before_reading_is_real_titles_each_with_its_source(
    path: Path, every_row: list[LabelledRow], tree: CategoryTree
) -> None:
    """Every row names where it was copied from, its split is its file's, its labels are leaves,
    a provenance file says how it was gathered and labelled, and none of its titles or sources is
    in the dev set or a held-out set (the figures of a set that shares them would not be a new
    shop's), nor any of its titles in another set."""
    rows = parse_labelled_csv(path.read_text(encoding="utf-8"))
    name = path.stem.removeprefix("category_")
    assert rows and {r.split for r in rows} == {name}
    assert all(r.provenance.strip() for r in rows)
    assert all(tree.is_leaf(leaf) for r in rows for leaf in r.leaf_ids)
    assert path.with_name(f"{path.stem}_provenance.md").exists()
    titles = {r.title for r in rows}
    assert len(titles) == len(rows)
    others = {r.title for r in every_row}
    for other in (*HELD_OUT.values(), *MEASURED):
        if other != path:
            others |= {r.title for r in parse_labelled_csv(other.read_text(encoding="utf-8"))}
    assert not titles & others
    sources = {source_of(r.provenance) for r in rows}
    for other in (DEV, *HELD_OUT.values()):
        other_rows = parse_labelled_csv(other.read_text(encoding="utf-8"))
        assert not sources & {source_of(r.provenance) for r in other_rows}


def test_out_of_source_what_is_published_is_right_99_percent_of_the_time(
    collected: Collected, unseen: OutOfSource
) -> None:
    """Pooled over every source, each row scored by a gate that never saw its source; the splits
    are printed (a blind split's wrong titles are never shown: who reads them tunes on them)."""
    for split in dict.fromkeys(r.split for r in collected.rows):
        _report(f"{split} split, out of source", collected, unseen, split)
    pooled = _report("every row, out of source", collected, unseen)
    assert pooled.precision >= PRECISION
    assert pooled.coverage >= COVERAGE


def test_the_first_candidate_is_right_for_nine_titles_in_ten(
    collected: Collected, unseen: OutOfSource
) -> None:
    assert unseen.report(collected, threshold=THRESHOLD).top1 >= TOP1


def test_the_default_threshold_is_no_lower_than_the_one_the_fit_chooses() -> None:
    assert SHIPPED.threshold <= THRESHOLD


def test_the_gate_at_the_default_covers_more_at_the_target_than_the_hand_rules_can(
    collected: Collected, unseen: OutOfSource
) -> None:
    """The hand rules' own confidence at their old default (0.75) published more, wrongly; from the
    lowest threshold at which they keep the most precision they can (`choose_threshold`) they
    publish far less than the gate at the default. (From decision 118 to 127 they covered more
    there, 0.432 against 0.344 at 127; at 129, 0.358 against 0.356; at 130, 0.358 against 0.456;
    at 138, 0.318 against 0.485; at 143, 0.322 against 0.519. Since blind16 joined at decision
    154 no threshold of theirs publishing 50 or more keeps 0.99; since decision 166 the point
    they stop at publishes 49, all right, against the gate's 704 at 0.994: so this compares what
    each covers at the target, no longer the precision of 49 rows; since blind23 joined at
    decision 173 they stop at 50, all right, against the gate's 809 at 0.996; 819 at 174, 827 at
    176, 819 at 177, 822 at 180, 834 at 181 and 182, 839 at 183, 841 at 184, 851 at 185, 864 at 186.)"""
    rules = list(collected.decisions)
    before = evaluate(collected.rows, rules, threshold=0.75, thresholds=())
    rules_best = evaluate(
        collected.rows, rules, threshold=choose_threshold(collected, rules), thresholds=()
    )
    after = unseen.report(collected, threshold=THRESHOLD)
    assert before.precision < PRECISION <= after.precision
    assert rules_best.published * 4 < after.published
    assert rules_best.coverage * 4 < after.coverage


def test_a_threshold_chosen_without_a_source_keeps_its_precision_on_that_source(
    collected: Collected, unseen: OutOfSource
) -> None:
    """Choosing the threshold is fitting too: here each source is decided at the threshold the
    other sources' out-of-source scores choose."""
    figures = nested(collected, list(unseen.decisions))
    print(f"\nthreshold chosen without each source: {figures.line()}")
    assert figures.precision >= NESTED_PRECISION


def test_the_shipped_gate_is_what_the_training_script_fits(
    collected: Collected, unseen: OutOfSource
) -> None:
    """data/categories/publish_gate.json is reproducible from the dev set, threshold included
    (scripts/train_publish_gate.py --write)."""
    shipped = SHIPPED
    refitted = fit_gate(collected, threshold=choose_threshold(collected, list(unseen.decisions)))
    assert refitted.features == shipped.features
    assert np.allclose(refitted.coefficients, shipped.coefficients, atol=1e-4)
    assert refitted.threshold == shipped.threshold


def test_payment_links_are_never_published(
    every_row: list[LabelledRow], every_decision: list[CategoryDecision]
) -> None:
    """On the splits the detector was tuned on (blind ones miss some: not asserted there)."""
    for r, d in zip(every_row, every_decision, strict=True):
        if r.split not in TUNED:
            continue
        if r.kind == "not_a_product":
            assert d.layer == "not_a_product", r.title
        else:
            assert d.layer != "not_a_product", r.title


def test_no_product_of_any_split_is_taken_for_a_payment_link(
    every_row: list[LabelledRow], every_decision: list[CategoryDecision]
) -> None:
    """Every real product title of the set, blind splits too: the detector's words and fillers
    never empty a title that names goods (a false `not_a_product` loses the listing)."""
    taken = [
        r.title
        for r, d in zip(every_row, every_decision, strict=True)
        if r.kind != "not_a_product" and d.layer == "not_a_product"
    ]
    assert taken == []


def test_every_leaf_row_not_published_right_is_counted_in_one_failure_class(
    collected: Collected, unseen: OutOfSource
) -> None:
    """Classes name the rule, not the words of one title, so titles failing alike add up."""
    report = unseen.report(collected, threshold=THRESHOLD)
    missed = round(report.leaf_rows * (1 - report.coverage))
    assert sum(count for _, count in report.failures) == missed
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in name) for name, _ in report.failures)


@pytest.mark.parametrize(("split", "path"), HELD_OUT.items())
def test_a_held_out_split_is_apart_from_the_dev_set_and_labels_real_leaves(
    every_row: list[LabelledRow], tree: CategoryTree, split: str, path: Path
) -> None:
    """A held-out set measures what the gate never saw: none of its titles may leak into the dev
    set or into the other held-out sets, nor may its sources (a shop's titles look alike)."""
    held_out = parse_labelled_csv(path.read_text(encoding="utf-8"))
    others = [
        r for p in HELD_OUT.values() if p != path for r in parse_labelled_csv(p.read_text("utf-8"))
    ]
    assert len(held_out) >= 150  # blind22: 182 rows, 79 with a leaf (blind9: 218, 71)
    assert {r.split for r in held_out} == {split}
    assert len({r.title for r in held_out}) == len(held_out)
    assert not {r.title for r in held_out} & {r.title for r in [*every_row, *others]}
    assert not {source_of(r.provenance) for r in held_out} & {
        source_of(r.provenance) for r in [*every_row, *others]
    }
    assert all(tree.is_leaf(leaf) for r in held_out for leaf in r.leaf_ids)
    assert all(r.provenance for r in held_out)
