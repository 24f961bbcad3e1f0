"""Build the mapping table (layer 2 of the category matcher) from a source path list and a tree.

    .venv/bin/python scripts/build_category_mapping.py \
        [--sources data/categories/source_category_paths.csv] \
        [--tree data/categories/kuaishou_sandbox_tree.csv] \
        [--out data/categories/source_to_kuaishou.csv]

The rule is deliberately narrow, so that the table only says what the names already say
(docs/decisions.md §38); everything else is left to the text layer and to review:

1. A Kuaishou leaf is a candidate when its name equals the source leaf's name, or one of them is a
   `/`-part of the other (唇膏/口红 ~ 口红), after NFKC and case folding.
2. One candidate: the row is written (the name means one thing in that tree).
3. Several: the one sharing the most `/`-parts with the source's upper levels wins (女装 >
   T恤 picks 女装 > T恤, not 童装/婴儿装/亲子装 > T恤); a tie or no shared part writes nothing.

The table names Kuaishou categories by path, never by id, and the matcher resolves each path
against the tree the platform returns at run time (a path missing there is skipped), so the
table survives id changes. Re-run the script when either input changes; it is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listings.categories import CategoryTree  # noqa: E402

DATA = ROOT / "data" / "categories"


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _parts(name: str) -> set[str]:
    return {_norm(part) for part in name.split("/") if part.strip()}


def _names_agree(source: str, target: str) -> bool:
    if _norm(source) == _norm(target):
        return True
    return _norm(source) in _parts(target) or _norm(target) in _parts(source)


def map_path(levels: list[str], tree: CategoryTree) -> tuple[str, str] | None:
    """(Kuaishou path, rule) for a source path, or None when the names do not decide."""
    leaf = levels[-1]
    candidates = [p for p in tree.leaves.values() if _names_agree(leaf, p[-1])]
    if len(candidates) == 1:
        return ">".join(candidates[0]), "unique leaf name"
    if not candidates:
        return None
    upper = set().union(*(_parts(level) for level in levels[:-1])) if levels[:-1] else set()

    def shared(path: tuple[str, ...]) -> int:
        return len(upper & set().union(*(_parts(level) for level in path[:-1])))

    scored = sorted(((shared(p), p) for p in candidates), reverse=True)
    if scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return ">".join(scored[0][1]), f"leaf name, {scored[0][0]} shared upper-level name(s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=DATA / "source_category_paths.csv")
    parser.add_argument("--tree", type=Path, default=DATA / "kuaishou_sandbox_tree.csv")
    parser.add_argument("--out", type=Path, default=DATA / "source_to_kuaishou.csv")
    args = parser.parse_args(argv)
    tree = CategoryTree.from_csv_text(args.tree.read_text(encoding="utf-8"))
    with args.sources.open(encoding="utf-8", newline="") as handle:
        sources = list(csv.DictReader(handle))
    written = 0
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["platform", "source_category", "kuaishou_path", "rule"])
        for row in sources:
            levels = [level.strip() for level in row["source_category_path"].split(">")]
            found = map_path(levels, tree)
            if found is not None:
                out.writerow([row["platform"], ">".join(levels), *found])
                written += 1
    print(f"{written} of {len(sources)} source paths mapped → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
