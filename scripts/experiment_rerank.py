"""Experiment: a learned re-ranker of the matcher's top-K leaves, and the publish gate refitted on
its decisions, judged only leave-one-source-out (issue 14, decision 91).

    .venv/bin/python scripts/experiment_rerank.py [--k 15] [--nested]

Prints the recall@K ceiling, then out-of-source top-1/top-3, the precision/coverage curve and the
figures at the default threshold for (a) today's ranking with the shipped gate's recipe and (b)
the re-ranked top with a gate refitted on re-ranked decisions. Nothing is written.

Out of source means: each source's rows are re-ranked by a model fitted without that source, and
gated by a gate fitted without that source. Without --nested, the gate's training rows carry
re-ranker scores that are themselves out of *their* source, but that re-ranker saw the held-out
source (a small leak); with --nested, the re-ranker scores of the gate's training rows come from
re-rankers fitted without both sources (29 × 30 fits).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.linear_model import LogisticRegression  # noqa: E402

from listings.categories import (  # noqa: E402
    CategoryDecision,
    CategoryMatcher,
    CategoryTree,
)
from listings.category_eval import evaluate, parse_labelled_csv  # noqa: E402
from listings.category_rerank import PAIR_FEATURES, candidates_of, with_top  # noqa: E402
from listings.publish_gate import FEATURES as GATE_FEATURES  # noqa: E402
from listings.publish_gate_fit import (  # noqa: E402
    Collected,
    choose_threshold,
    collect,
    nested,
    out_of_source,
    source_of,
)

DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"
CURVE = (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99)
DEFAULT = 0.98


def _fit(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> Callable[[np.ndarray], np.ndarray]:
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit((x - means) / scales, y)

    def scores(z: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict_proba((z - means) / scales)[:, 1])

    return scores


def _report(name: str, c: Collected, decisions: list[CategoryDecision]) -> None:
    t = choose_threshold(c, decisions)
    rows = list(c.rows)
    print(f"\n== {name}")
    for th in (DEFAULT, t):
        r = evaluate(rows, decisions, threshold=th, thresholds=())
        print(
            f"  at {th}: top-1 {r.top1:.3f} top-3 {r.top3:.3f} published {r.published} "
            f"precision {r.precision:.3f} coverage {r.coverage:.3f}"
        )
    print("  threshold re-chosen without each source: " + nested(c, decisions).line())
    print(
        "  curve: "
        + "; ".join(
            f"{th}: {r.published}/{r.precision:.3f}/{r.coverage:.3f}"
            for th in CURVE
            for r in [evaluate(rows, decisions, threshold=th, thresholds=())]
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=15)
    parser.add_argument("--nested", action="store_true")
    parser.add_argument(
        "--relative", action="store_true", help="add each feature minus its best over the title"
    )
    parser.add_argument(
        "--gate-basic",
        action="store_true",
        help="gate on the shipped gate's features of the new top and the re-ranker's score only",
    )
    parser.add_argument(
        "--no-gate",
        action="store_true",
        help="the re-ranker's own out-of-source probability of the top pair as the confidence",
    )
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation")
    args = parser.parse_args()
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    c = collect(rows, tree)
    base = list(out_of_source(c).decisions)
    _report("today: hand ranking, gate refitted out of source", c, base)

    matcher = CategoryMatcher(tree, gate=None)
    gated = list(c.gated_rows)
    cands = candidates_of(
        matcher,
        [rows[i].title for i in gated],
        [" ".join(rows[i].source_category_path) for i in gated],
        k=args.k,
    )
    labelled = [i for i, r in enumerate(rows) if r.kind == "leaf"]
    pos = {i: n for n, i in enumerate(gated)}
    for k in (1, 3, 5, 10, args.k):
        hit = sum(
            1 for i in labelled if i in pos and set(cands[pos[i]].leaves[:k]) & rows[i].leaf_ids
        )
        print(f"recall@{k}: {hit / len(labelled):.3f} ({hit} of {len(labelled)} labelled rows)")

    # pairs
    x = np.vstack([cd.features for cd in cands])
    owner = np.concatenate([np.full(len(cd.leaves), n) for n, cd in enumerate(cands)])
    y = np.array(
        [leaf in rows[gated[n]].leaf_ids for n, cd in enumerate(cands) for leaf in cd.leaves]
    )
    if args.relative:
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        best = np.maximum.reduceat(x, starts, axis=0)[owner]
        x = np.hstack([x, x - best])
    src = np.array([source_of(rows[i].provenance) for i in gated])
    pair_src = src[owner]
    sources = sorted(set(src))

    def rerank_scores(train: np.ndarray) -> np.ndarray:
        """Pair scores from a re-ranker fitted on pairs of the rows in `train` (a mask over
        gated rows), for every pair."""
        keep = train[owner]
        return _fit(x[keep], y[keep], args.c)(x)

    oos = np.zeros(len(y))
    for s in sources:
        oos[pair_src == s] = rerank_scores(src != s)[pair_src == s]

    def top_features(scores: np.ndarray) -> tuple[np.ndarray, list[int], list[list[int]]]:
        feats, tops, orders = [], [], []
        start = 0
        for cd in cands:
            n = len(cd.leaves)
            sc = scores[start : start + n]
            order = list(np.argsort(-sc, kind="stable"))
            best = order[0]
            second = sc[order[1]] if n > 1 else 0.0
            own = cd.features[best][: len(GATE_FEATURES)] if args.gate_basic else cd.features[best]
            feats.append([*own, sc[best], sc[best] - second])
            tops.append(best)
            orders.append(order)
            start += n
        return np.array(feats), tops, orders

    gate_x, tops, orders = top_features(oos)
    right = np.array(
        [cands[n].leaves[tops[n]] in rows[gated[n]].leaf_ids for n in range(len(cands))]
    )
    probs = np.zeros(len(cands))
    for s in sources:
        held = src == s
        if args.nested:
            inner = np.zeros(len(y))
            for s2 in sources:
                if s2 == s:
                    continue
                inner[pair_src == s2] = rerank_scores((src != s) & (src != s2))[pair_src == s2]
            train_x, _, _ = top_features(inner)
            train_right = np.array(
                [
                    cands[n].leaves[int(np.argmax(inner[owner == n]))] in rows[gated[n]].leaf_ids
                    for n in range(len(cands))
                ]
            )
            probs[held] = _fit(train_x[~held], train_right[~held])(gate_x[held])
        else:
            probs[held] = _fit(gate_x[~held], right[~held])(gate_x[held])

    if args.no_gate:
        probs = gate_x[:, -2]
    reranked = list(c.decisions)
    for n, i in enumerate(gated):
        cd = cands[n]
        reranked[i] = with_top(
            c.decisions[i],
            [cd.leaves[j] for j in orders[n]],
            tree,
            confidence=round(float(probs[n]), 4),
        )
    _report(f"re-ranked top-{args.k}, gate refitted on re-ranked decisions", c, reranked)
    model = LogisticRegression(C=1.0, max_iter=3000)
    m, s_ = x.mean(axis=0), x.std(axis=0)
    s_[s_ == 0] = 1
    model.fit((x - m) / s_, y)
    names = (
        [*PAIR_FEATURES, *(f"rel_{n}" for n in PAIR_FEATURES)] if args.relative else PAIR_FEATURES
    )
    weights = sorted(zip(names, model.coef_[0], strict=True), key=lambda t: -abs(t[1]))
    print(
        "\nre-ranker weights (all rows, per sd): "
        + ", ".join(f"{n} {w:+.2f}" for n, w in weights[:14])
    )


if __name__ == "__main__":
    main()
