"""Measure a matcher change on every labelled set at once (issue 14): the dev set out of source,
the held-out sets and the read sets, figures only.

    .venv/bin/python scripts/measure_category_sets.py [--thresholds 0.88,0.93,0.975,0.985]
        [--fresh blind41,blind42] [--markdown] [--decisions AFTER.jsonl [--compare BEFORE.jsonl]]

Why a script: every change to the lexicon or the gate is kept or dropped on three readings
(docs/decisions.md §209's table) — the dev set with each source scored by a gate fitted without
it, the held-out sets scored by a gate fitted on the whole dev set (what
`scripts/train_publish_gate.py --write` would ship), and the read sets blind26 on. Sessions kept
rewriting this in /tmp and losing it.

It never prints a title, a label or a leaf of the held-out sets: they stay held out only while
nobody reads them (tests/fixtures/category_dev_real.md). For the read sets it prints figures too;
their titles are in the fixtures for whoever wants them. `--fresh` names new sets to measure
before anyone reads them (decisions 199–204): they are reported on their own, figures only, and
left out of the read sets. `--markdown` prints the same figures as the two tables of
tests/fixtures/category_dev_real.md "Where it stands", so that page is pasted from a run, not
retyped (decision 211). `--decisions` writes each dev-set and read-set row's decision (never a
held-out or fresh row's) as JSON lines, and `--compare` lists the rows whose leaf or publication
at the default moved against such a file from before a change: what a change did, row by row,
which every session otherwise rewrote in /tmp (decision 214).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listings.categories import CategoryDecision, CategoryTree  # noqa: E402
from listings.category_eval import EvalReport, LabelledRow, evaluate, parse_labelled_csv  # noqa: E402
from listings.publish_gate import PublishGate  # noqa: E402
from listings.publish_gate_fit import (  # noqa: E402
    GATE_FEATURES,
    choose_threshold,
    collect,
    fit_gate,
    gated,
    out_of_source,
)

FIXTURES = ROOT / "tests" / "fixtures"
DEV = FIXTURES / "category_dev_real.csv"
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"
HELD_OUT = ("blind9", "blind12", "blind15", "blind22", "blind24", "blind25")
"""As tests/listings/test_category_dev_real.py `HELD_OUT`: never read."""
FIRST_READ = 26
"""The read sets are blind26 and on (decisions 198–204)."""
DEFAULT = 0.985


def _read_sets(fresh: Sequence[str] = ()) -> list[str]:
    numbers = sorted(
        int(p.stem.removeprefix("category_blind")) for p in FIXTURES.glob("category_blind*.csv")
    )
    return [f"blind{n}" for n in numbers if n >= FIRST_READ and f"blind{n}" not in fresh]


def _wrong(report: EvalReport) -> int:
    """How many of what was published are wrong (the report keeps the precision, not the count)."""
    return report.published - round(report.precision * report.published)


def _figures(rows: Sequence[LabelledRow], decisions: Sequence[CategoryDecision], t: float) -> str:
    r = evaluate(list(rows), list(decisions), threshold=t, thresholds=())
    return (
        f"published {r.published:4d}, wrong {_wrong(r):3d}, precision {r.precision:.3f}, "
        f"coverage {r.coverage:.3f}"
    )


def _report(rows: Sequence[LabelledRow], decisions: Sequence[CategoryDecision]) -> EvalReport:
    return evaluate(list(rows), list(decisions), threshold=DEFAULT, thresholds=())


def _scored(
    names: Sequence[str], tree: CategoryTree, gate: PublishGate
) -> list[tuple[str, list[LabelledRow], list[CategoryDecision]]]:
    """Each set's rows and decisions, the gate's probability as each text decision's confidence."""
    out = []
    for name in names:
        rows = parse_labelled_csv((FIXTURES / f"category_{name}.csv").read_text(encoding="utf-8"))
        collected = collect(rows, tree)
        probabilities = gate.probabilities_of(collected.columns(GATE_FEATURES).tolist())
        out.append((name, rows, gated(collected, probabilities)))
    return out


def _print_sets(
    label: str,
    sets: list[tuple[str, list[LabelledRow], list[CategoryDecision]]],
    thresholds: Sequence[float],
) -> None:
    rows, decisions = _pooled(sets)
    print(f"\n{label} ({len(sets)} sets, {len(rows)} rows):")
    for t in thresholds:
        print(f"  at {t:.3f}: {_figures(rows, decisions, t)}")
    pooled = _report(rows, decisions)
    right = round(pooled.top1 * pooled.leaf_rows)
    print(f"  first candidate right: {right} of {pooled.leaf_rows} ({pooled.top1:.3f})")
    reports = [(name, _report(rs, ds)) for name, rs, ds in sets]
    per_set = ", ".join(f"{name} {r.coverage:.2f}/{r.top1:.2f}" for name, r in reports)
    print(f"  per set, coverage at {DEFAULT} / top-1: {per_set}")


def _markdown(
    readings: Sequence[tuple[str, Sequence[LabelledRow], Sequence[CategoryDecision]]],
    thresholds: Sequence[float],
) -> None:
    """The figures as markdown: each reading at the default, then the curve across readings."""
    print(
        f"| reading | rows | leaf rows | published at {DEFAULT} | wrong | precision | coverage "
        "| first candidate |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, rows, decisions in readings:
        r = _report(rows, decisions)
        right = round(r.top1 * r.leaf_rows)
        print(
            f"| {label} | {r.rows:,} | {r.leaf_rows:,} | {r.published:,} | {_wrong(r)} "
            f"| {r.precision:.3f} | {r.coverage:.3f} | {r.top1:.3f} ({right:,}) |"
        )
    print()
    print("| threshold | " + " | ".join(label for label, _, _ in readings) + " |")
    print("|---|" + "---|" * len(readings))
    for t in thresholds:
        cells = []
        for _, rows, decisions in readings:
            r = evaluate(list(rows), list(decisions), threshold=t, thresholds=())
            cells.append(f"{r.published:,} / {_wrong(r)} / {r.precision:.3f} / {r.coverage:.3f}")
        mark = "**" if t == DEFAULT else ""
        print(f"| {mark}{t:g}{mark} | " + " | ".join(cells) + " |")


def _decision_rows(
    readings: Sequence[tuple[str, Sequence[LabelledRow], Sequence[CategoryDecision]]],
) -> list[dict[str, object]]:
    """One JSON-able row per labelled title: where it is from, what was decided, whether right."""
    return [
        {
            "set": name,
            "title": row.title,
            "path": decision.path,
            "confidence": round(decision.confidence, 4),
            "right": decision.category_id is not None and decision.category_id in row.leaf_ids,
            "reason": decision.reason,
        }
        for name, rows, decisions in readings
        for row, decision in zip(rows, decisions, strict=True)
    ]


def _published(row: dict[str, object]) -> bool:
    return row["path"] is not None and float(str(row["confidence"])) >= DEFAULT


def _moved(before: Sequence[dict[str, object]], after: Sequence[dict[str, object]]) -> list[str]:
    """The rows whose publication at the default, or whose published leaf, differs: `+R` now
    published right, `-W` no longer published wrong, and so on."""
    earlier = {(str(r["set"]), str(r["title"])): r for r in before}
    lines = []
    for row in after:
        old = earlier.get((str(row["set"]), str(row["title"])))
        if old is None:
            continue
        was, now = _published(old), _published(row)
        if was == now and (not now or old["path"] == row["path"]):
            continue
        shown = row if now else old
        sign = ("+" if now else "-") + ("R" if shown["right"] else "W")
        lines.append(
            f"{sign} {row['set']:8} {float(str(old['confidence'])):.3f} -> "
            f"{float(str(row['confidence'])):.3f} {row['title']} | {row['path']} | {row['reason']}"
        )
    return lines


def _pooled(
    sets: list[tuple[str, list[LabelledRow], list[CategoryDecision]]],
) -> tuple[list[LabelledRow], list[CategoryDecision]]:
    return [r for _, rs, _ in sets for r in rs], [d for _, _, ds in sets for d in ds]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--thresholds",
        default="0.88,0.93,0.975,0.985",
        help="comma-separated thresholds to report (default: %(default)s)",
    )
    parser.add_argument(
        "--fresh",
        default="",
        help="comma-separated new sets (blind41,…) to report apart, before anyone reads them",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the figures as the markdown tables of tests/fixtures/category_dev_real.md",
    )
    parser.add_argument(
        "--decisions",
        type=Path,
        help="write every dev-set and read-set row's decision to this file (JSON lines)",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        help="with --decisions: list the rows that moved against this earlier --decisions file",
    )
    args = parser.parse_args()
    if args.compare and not args.decisions:
        parser.error("--compare needs --decisions (the file this run writes)")
    thresholds = [float(t) for t in args.thresholds.split(",")]
    fresh = [name for name in args.fresh.split(",") if name]
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    dev = parse_labelled_csv(DEV.read_text(encoding="utf-8"))
    collected = collect(dev, tree)
    unseen = list(out_of_source(collected).decisions)
    fit = choose_threshold(collected, unseen)
    gate = fit_gate(collected, threshold=DEFAULT)
    if args.markdown:
        readings = [("dev set, out of source", dev, unseen)]
        held = _scored(HELD_OUT, tree, gate)
        readings.append((f"held out ({len(held)} sets, never read)", *_pooled(held)))
        if fresh:
            readings.append(
                (f"fresh ({', '.join(fresh)}), not yet read", *_pooled(_scored(fresh, tree, gate)))
            )
        read = _scored(_read_sets(fresh), tree, gate)
        readings.append((f"read sets ({len(read)}: blind{FIRST_READ} on)", *_pooled(read)))
        _markdown(readings, sorted({fit, *thresholds}))
        return
    if args.decisions:
        rows = _decision_rows([("dev", dev, unseen), *_scored(_read_sets(fresh), tree, gate)])
        args.decisions.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        if args.compare:
            before = [
                json.loads(line)
                for line in args.compare.read_text(encoding="utf-8").splitlines()
                if line
            ]
            moved = _moved(before, rows)
            print(f"rows moved at {DEFAULT} against {args.compare}: {len(moved)}")
            print("\n".join(moved))
    print(f"dev set, out of source ({len(dev)} rows):")
    for t in sorted({fit, *thresholds}):
        note = " (the fit's choice)" if t == fit else ""
        print(f"  at {t:.3f}: {_figures(dev, unseen, t)}{note}")
    print(f"  first candidate right: {_report(dev, unseen).top1:.3f}")
    _print_sets("held out, never read", _scored(HELD_OUT, tree, gate), thresholds)
    if fresh:
        _print_sets("fresh, not yet read", _scored(fresh, tree, gate), thresholds)
    _print_sets("read sets", _scored(_read_sets(fresh), tree, gate), thresholds)


if __name__ == "__main__":
    main()
