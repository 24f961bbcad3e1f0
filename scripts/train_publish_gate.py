"""Train the category publish gate and print its out-of-source curve (issue 14, decisions §88).

    .venv/bin/python scripts/train_publish_gate.py [--write]

Reads tests/fixtures/category_dev_real.csv and data/categories/marketplace_tree_subset.csv, runs
the matcher without a gate, scores every row with a gate fitted WITHOUT that row's source
(leave-one-source-out), chooses the threshold at which what is published is ≥ 99 % right on those
pooled out-of-source scores, and prints the figures beside the hand rules' (confidence ≥ 0.75,
the default before this gate). With --write, fits the gate on every row and writes
data/categories/publish_gate.json.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listings.categories import CategoryDecision, CategoryTree  # noqa: E402
from listings.category_eval import LabelledRow, evaluate, parse_labelled_csv  # noqa: E402
from listings.publish_gate import GATE_FILE, REASON_CLASSES  # noqa: E402
from listings.publish_gate_fit import (  # noqa: E402
    Collected,
    choose_threshold,
    collect,
    fit_gate,
    nested,
    out_of_source,
    source_of,
)

DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"
RULES_THRESHOLD = 0.75
CURVE = (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99)


def _line(name: str, rows: list[LabelledRow], decisions: list[CategoryDecision], t: float) -> str:
    r = evaluate(rows, decisions, threshold=t, thresholds=())
    return (
        f"  {name:10s} rows {r.rows:4d} published {r.published:4d} precision {r.precision:.3f} "
        f"coverage {r.coverage:.3f} top-1 {r.top1:.3f}"
    )


def _per_split(c: Collected, decisions: list[CategoryDecision], t: float) -> None:
    print(_line("pooled", list(c.rows), decisions, t))
    for split in dict.fromkeys(r.split for r in c.rows):
        index = [i for i, r in enumerate(c.rows) if r.split == split]
        print(_line(split, [c.rows[i] for i in index], [decisions[i] for i in index], t))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {GATE_FILE}")
    args = parser.parse_args()
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    c = collect(rows, tree)
    sources = Counter(source_of(r.provenance) for r in rows)
    print(f"{len(rows)} rows, {len(c.gated_rows)} with a text leaf, {len(sources)} sources")

    rules = list(c.decisions)
    rules_t = choose_threshold(c, rules)
    oos = out_of_source(c)
    learned = list(oos.decisions)
    threshold = choose_threshold(c, learned)

    print(f"\nhand rules at {RULES_THRESHOLD} (the gate before this one):")
    _per_split(c, rules, RULES_THRESHOLD)
    print(f"\nhand rules at {rules_t} (lowest threshold with ≥ 0.99 pooled precision):")
    _per_split(c, rules, rules_t)
    print("  threshold re-chosen without each source: " + nested(c, rules).line())
    print(f"\nlearned gate, out of source, at {threshold} (chosen on the pooled curve below):")
    _per_split(c, learned, threshold)
    print("  threshold re-chosen without each source: " + nested(c, learned).line())
    classes = c.columns([f"reason_{k}" for k in REASON_CLASSES]).argmax(axis=1)
    published = Counter(
        REASON_CLASSES[k] for k, p in zip(classes, oos.probabilities, strict=True) if p >= threshold
    )
    print(f"  published, by the hand rules' judgement: {dict(published.most_common())}")
    print("\nout-of-source curve (pooled): threshold  published  precision  coverage")
    for t in CURVE:
        r = evaluate(list(c.rows), learned, threshold=t, thresholds=())
        print(f"  {t:9.3f}  {r.published:9d}  {r.precision:9.3f}  {r.coverage:8.3f}")

    if args.write:
        gate = fit_gate(
            c,
            threshold=threshold,
            trained_on=f"{DEV.relative_to(ROOT)} ({len(rows)} rows, {len(sources)} sources)",
        )
        GATE_FILE.write_text(gate.model_dump_json(indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {GATE_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
