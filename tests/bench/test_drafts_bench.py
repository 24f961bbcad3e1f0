"""Canonical listings → Kuaishou drafts: 100,000 listings of about 12 SKUs each (BANJIA_BENCH_N).

The loop is the `kuaishou_drafts` asset's: listings arrive as JSON in batches of DRAFT_BATCH_SIZE,
each is parsed, drafted and serialized, and only the batch is held. It runs at N and at 2N and prints
listings/s and the tracemalloc peak of each, so a growing shop that grows the peak shows at once.
Asserted: behaviour only (every listing drafted or quarantined, and the peak at 2N within 1.5× the
peak at N: flat, not proportional), never a time.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Iterator

from listings.categories import CategoryDecision
from listings.drafting import build_draft
from listings.migrations import Migration
from listings.model import Listing, Sku, SourcePlatform, SpecValue
from listings.quarantine import Problem
from pipeline.drafts import DRAFT_BATCH_SIZE
from tests.samples import sample_migration

N = int(os.environ.get("BANJIA_BENCH_N", "100000"))
DECIDED = CategoryDecision(category_id=23001, path="女装>T恤", confidence=0.8, layer="text")
COLOURS = ("奶油白", "黑色", "雾霾蓝", "燕麦色")
SIZES = ("S", "M", "L", "XL")


def _listing(i: int) -> Listing:
    """A Taobao T-shirt of 4 colours × 4 sizes with 12 SKUs present (4 combinations missing)."""
    skus = [
        Sku(
            source_sku_id=f"{i}-{c}-{s}",
            specs=(
                SpecValue(
                    name="颜色分类", value=colour, image_url=f"https://img.alicdn.com/{i}/{c}.jpg"
                ),
                SpecValue(name="尺码", value=size),
            ),
            price_fen=3900 + 100 * s,
            stock=(i + c + s) % 50,
        )
        for c, colour in enumerate(COLOURS)
        for s, size in enumerate(SIZES)
        if (c + s + i) % 4 != 0
    ]
    return Listing(
        platform=SourcePlatform.TAOBAO,
        shop_id="bench-shop",
        source_item_id=str(600_000_000_000 + i),
        title=f"纯棉短袖T恤女2024夏季新款宽松百搭上衣 {i}",
        skus=tuple(skus),
        main_images=tuple(f"https://img.alicdn.com/{i}/main{k}.jpg" for k in range(5)),
        origin_url=f"https://item.taobao.com/item.htm?id={600_000_000_000 + i}",
    )


def _batches(n: int) -> Iterator[list[str]]:
    """Listings as the warehouse holds them (JSON), one batch at a time."""
    for start in range(0, n, DRAFT_BATCH_SIZE):
        yield [
            _listing(i).model_dump_json() for i in range(start, min(n, start + DRAFT_BATCH_SIZE))
        ]


def _run(n: int, migration: Migration) -> tuple[int, int, float, int]:
    drafted = quarantined = 0
    tracemalloc.start()
    started = time.perf_counter()
    for batch in _batches(n):
        out = []
        for text in batch:
            draft = build_draft(
                Listing.model_validate_json(text), decision=DECIDED, migration=migration
            )
            if isinstance(draft, Problem):
                quarantined += 1
            else:
                out.append(draft.model_dump_json())
        drafted += len(out)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return drafted, quarantined, elapsed, peak


def test_drafting_throughput_and_flat_memory() -> None:
    migration = sample_migration()
    figures = {}
    for n in (N, 2 * N):
        drafted, quarantined, elapsed, peak = _run(n, migration)
        assert drafted + quarantined == n
        figures[n] = peak
        print(
            f"\ndrafts N={n}: {drafted} drafted, {quarantined} quarantined, "
            f"{n / elapsed:,.0f} listings/s (traced), peak {peak / 2**20:.1f} MiB"
        )
    assert figures[2 * N] <= 1.5 * figures[N]
