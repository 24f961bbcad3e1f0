"""The transform of issue 19, listings → category decisions → drafts, against the naive baseline.

Issue 19's target: the transform at ≥ 0.6 of a naive plain-Python transform per core. The drafts
bench measures drafting alone; this one measures the whole transform, as the two stages run it
per batch, on listings whose titles are the 3,073 real seller titles of
tests/fixtures/category_dev_real.csv (with their source category paths), so the matcher does the
work it does on a real shop, matched against data/categories/marketplace_tree_subset.csv (the
tree those titles were labelled to).

Each title is used once per round; round k > 0 puts a seller's selling words before and after it
(`SELLING_WORDS`), so no two listings share a title and no per-title cache of the matcher is
warmer than on a real shop. Every listing has 4 colours × 4 sizes, 12 SKUs present.

Timed, per batch, under the stages' collector policy (decision 84), warehouse reads and writes
excluded on both sides (the stages' batches are given the listing rows as JSON, and drafting is
given the decisions as objects rather than read back from `category_decisions`):

- categories: `pipeline.categories.decide_batch` (a batch of CATEGORY_BATCH listings parsed,
  decided by `CategoryMatcher.decide_many` and turned into the stage's decision and review rows),
  against `NaiveCategories.choose` (one TF-IDF transform, one sparse product, argmax);
- drafts: `pipeline.draft_batches.draft_batch` with the stage's rules, in batches of
  DRAFT_BATCH_SIZE, against `naive_drafts`. The migration's threshold is 0 here, so every listing
  with a leaf is drafted (the drafts stage's most work), not quarantined as uncertain.

Both baselines are tests/bench/naive_transform.py (the drafts bench uses the same). Printed: each
part's speed and ratio, and the combined ratio (the naive parts' seconds over the stages'), with
whether it meets 0.6; then, for each size of PARALLEL_N, the stage's first pass
(`decided_batches`) in one process and in 2 spawned workers. Generation of the inputs is outside
every clock.

Asserted: behaviour only (every listing decided, every decided listing drafted or quarantined
with a reason), never a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from listings.categories import CategoryDecision, CategoryMatcher, CategoryTree
from listings.category_eval import LabelledRow, parse_labelled_csv
from listings.category_props import PropAliases
from listings.migrations import Migration
from listings.model import Listing, SourceCategory, SourcePlatform
from listings.titles import parse_word_list
from pipeline.categories import (
    CATEGORY_BATCH,
    PARALLEL_MIN_LISTINGS,
    MatcherSpec,
    decide_batch,
    decided_batches,
)
from pipeline.draft_batches import DraftRules, ListingToDraft, draft_batch
from pipeline.drafts import DRAFT_BATCH_SIZE, FORBIDDEN_WORDS_FILE, PROP_ALIASES_FILE
from pipeline.gc_policy import long_stage_collector
from tests.bench.naive_transform import NaiveCategories, naive_drafts
from tests.samples import sample_migration

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"
N = int(os.environ.get("BANJIA_BENCH_TRANSFORM_N", "20000"))
PARALLEL_N = [
    int(n) for n in os.environ.get("BANJIA_BENCH_TRANSFORM_PARALLEL_N", "20000").split(",") if n
]
"""Shop sizes (comma-separated; empty for none) whose first pass is timed in one process and in
two workers, to choose `pipeline.categories.PARALLEL_MIN_LISTINGS` by (decision 93)."""
TARGET = 0.6
SELLING_WORDS = ("", "新款", "包邮", "现货速发", "厂家直销", "热卖", "特价", "正品", "爆款")
COLOURS = ("奶油白", "黑色", "雾霾蓝", "燕麦色")
SIZES = ("S", "M", "L", "XL")
PLATFORMS = {"pdd": SourcePlatform.PINDUODUO, "1688": SourcePlatform.ALIBABA1688}


def _title(row: LabelledRow, round_: int) -> str:
    if round_ == 0:
        return row.title
    before = SELLING_WORDS[round_ % len(SELLING_WORDS)]
    after = SELLING_WORDS[(round_ // len(SELLING_WORDS) + 1) % len(SELLING_WORDS)]
    return f"{before}{row.title}{after}"


def _listing(i: int, row: LabelledRow, round_: int) -> str:
    """Listing `i` as the warehouse holds it: a real title, 4 colours × 4 sizes, 12 SKUs."""
    skus = [
        {
            "source_sku_id": f"{i}-{c}-{s}",
            "specs": [
                {"name": "颜色分类", "value": colour, "image_url": f"https://img.cdn/{i}/{c}.jpg"},
                {"name": "尺码", "value": size},
            ],
            "price_fen": 3900 + 100 * s,
            "stock": (i + c + s) % 50,
        }
        for c, colour in enumerate(COLOURS)
        for s, size in enumerate(SIZES)
        if (c + s + i) % 4 != 0
    ]
    return Listing.model_validate(
        {
            "platform": PLATFORMS.get(row.platform, SourcePlatform.TAOBAO),
            "shop_id": "bench-shop",
            "source_item_id": str(600_000_000_000 + i),
            "title": _title(row, round_),
            "category": SourceCategory(path=tuple(row.source_category_path)),
            "skus": skus,
            "main_images": [f"https://img.alicdn.com/{i}/main{k}.jpg" for k in range(5)],
            "origin_url": f"https://item.taobao.com/item.htm?id={600_000_000_000 + i}",
        }
    ).model_dump_json()


def _listings(n: int) -> list[str]:
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))
    return [_listing(i, rows[i % len(rows)], i // len(rows)) for i in range(n)]


def _batches(listings: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(listings), size):
        yield listings[start : start + size]


def _migration() -> Migration:
    """The sample migration with threshold 0: every listing with a leaf is drafted."""
    migration = sample_migration()
    category = migration.category.model_copy(update={"min_confidence": 0.0})
    return migration.model_copy(update={"category": category})


def _rules(migration: Migration) -> DraftRules:
    return DraftRules(
        migration=migration,
        forbidden_words=parse_word_list(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8")),
        aliases=PropAliases.from_csv_text(PROP_ALIASES_FILE.read_text(encoding="utf-8")),
    )


def _transform(listings: list[str], tree: CategoryTree) -> dict[str, float]:
    """Seconds per part and counts: both stages' batches and both baselines, in the same run."""
    clock = dict.fromkeys(
        ("categories", "naive_categories", "drafts", "naive_drafts", "decided", "drafted"), 0.0
    )
    decisions: list[CategoryDecision] = []
    with long_stage_collector():
        # built inside the collector's block, as the stages build theirs (decision 98)
        migration = _migration()
        rules = _rules(migration)
        matcher = CategoryMatcher(tree)
        naive = NaiveCategories(tree)
        for batch in _batches(listings, CATEGORY_BATCH):
            started = time.perf_counter()
            decided = decide_batch(matcher, migration, batch, overrides={})
            clock["categories"] += time.perf_counter() - started
            started = time.perf_counter()
            naive.choose(batch)
            clock["naive_categories"] += time.perf_counter() - started
            assert len(decided.rows) == len(batch)  # every listing decided, one row each
            decisions += decided.decisions
        clock["decided"] = len(decisions)
        for start in range(0, len(listings), DRAFT_BATCH_SIZE):
            batch = listings[start : start + DRAFT_BATCH_SIZE]
            items = [
                ListingToDraft(str(start + k), text, decisions[start + k])
                for k, text in enumerate(batch)
            ]
            started = time.perf_counter()
            drafted = draft_batch(rules, items)
            clock["drafts"] += time.perf_counter() - started
            started = time.perf_counter()
            naive_drafts(batch)
            clock["naive_drafts"] += time.perf_counter() - started
            # every listing drafted, or quarantined with a reason (no leaf, not a product)
            assert len(drafted.rows) + len(drafted.problems) == len(batch)
            assert len(drafted.rows) == sum(1 for item in items if item.decision.category_id)
            clock["drafted"] += len(drafted.rows)
    return clock


def _categories_spread(listings: list[str], tree: CategoryTree, workers: int) -> float:
    """Seconds to decide `listings` as the stage's first pass does (`decided_batches`): by
    `workers` spawned processes (their start, imports and matchers included), or with 1 here
    (the matcher's build included, as a worker's start is)."""
    started = time.perf_counter()
    spec = MatcherSpec(tree=tree, migration=_migration())
    decided = 0
    with long_stage_collector():
        for batch in decided_batches(spec, _batches(listings, CATEGORY_BATCH), workers=workers):
            decided += len(batch.rows)
    assert decided == len(listings)
    return time.perf_counter() - started


def test_transform_per_core_against_the_naive_baseline() -> None:
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    listings = _listings(N)
    clock = _transform(listings, tree)
    assert clock["decided"] == N
    for key in ("categories", "drafts"):
        stage, naive = clock[key], clock[f"naive_{key}"]
        print(
            f"\ntransform {key}, N={N:,}: stage {N / stage:,.0f} listings/s, naive "
            f"{N / naive:,.0f}/s, ratio {naive / stage:.2f}",
            end="",
        )
    stage = clock["categories"] + clock["drafts"]
    naive = clock["naive_categories"] + clock["naive_drafts"]
    ratio = naive / stage
    print(
        f"\ntransform listings → decisions → drafts, N={N:,} ({clock['drafted']:,.0f} drafted, "
        f"the rest quarantined): stage {N / stage:,.0f} listings/s, naive {N / naive:,.0f}/s, "
        f"combined ratio {ratio:.2f} per core: {'meets' if ratio >= TARGET else 'below'} the "
        f"target {TARGET}"
    )
    for size in PARALLEL_N:
        listings = _listings(size)
        alone = _categories_spread(listings, tree, 1)
        spread = _categories_spread(listings, tree, 2)
        print(
            f"categories of {size:,} listings: one process {size / alone:,.0f} listings/s, "
            f"2 worker processes {size / spread:,.0f}/s ({alone / spread:.2f}×, the matcher's "
            f"build and the workers' start included; the stage spreads shops of "
            f"{PARALLEL_MIN_LISTINGS:,} or more)"
        )
