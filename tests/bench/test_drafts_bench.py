"""Canonical listings → Kuaishou drafts: 100,000 listings of about 12 SKUs each (BANJIA_BENCH_N).

The loop is the `kuaishou_drafts` stage's, with its rules (the shipped forbidden words and prop
aliases): listings arrive as JSON in batches of DRAFT_BATCH_SIZE, each is read, drafted and
serialized, and only the batch is held. The naive baseline is kept as issue 19 measured it, and it
does less than the stage (tests/bench/naive_transform.py): no relItemId/relSkuId hashing, price
rule, gallery or title rules, and it writes only the title and the matrix (decision 86).
Two passes at N and at 2N:

- speed, without tracemalloc, timing only the drafting (the bench's own listing generation is
  outside the clock), beside a naive plain-Python transform of the same JSON (stdlib json, dicts,
  the same SKU matrix arithmetic) measured in the same run: the ratio is printed (issue 19's target
  is 0.6 per core); then both again under the collector policy the stage runs under
  (`long_stage_collector`, decision 84), the ratio of the two printed on its own line;
- memory, under tracemalloc: the peak at 2N must stay within 1.5× the peak at N (flat);
- across processes: PARALLEL_N listings (BANJIA_BENCH_PARALLEL_N) drafted by `drafted_batches`
  in one process and in one worker process per core (their start included). The batches alone:
  the stage's reads and writes, which only its own process can do, are not in it; with them the
  workers paid nothing, so the stage drafts in one process (decision 102).

- the write of each batch's draft rows, as `Warehouse.append_rows` does it (one bulk statement),
  beside the per-row `executemany` it replaced, into the same table in the same run.

Asserted: behaviour only (every bench listing drafted; the flat peak), never a time.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from listings.categories import CategoryDecision
from listings.category_props import PropAliases
from listings.migrations import Migration
from listings.model import Listing, Sku, SourcePlatform, SpecValue
from listings.titles import parse_word_list
from pipeline import worker_pool
from pipeline.draft_batches import (
    DraftRules,
    ListingToDraft,
    draft_batch,
    drafted_batches,
)
from pipeline.drafts import DRAFT_BATCH_SIZE, FORBIDDEN_WORDS_FILE, PROP_ALIASES_FILE
from pipeline.gc_policy import long_stage_collector
from store.warehouse import Warehouse
from tests.bench.naive_transform import naive_drafts
from tests.samples import sample_migration

N = int(os.environ.get("BANJIA_BENCH_N", "100000"))
PARALLEL_N = int(os.environ.get("BANJIA_BENCH_PARALLEL_N", "20000"))
DECIDED = CategoryDecision(category_id=23001, path="女装>T恤", confidence=0.99, layer="text")
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


def _to_draft(batch: list[str]) -> list[ListingToDraft]:
    return [ListingToDraft(str(i), text, DECIDED) for i, text in enumerate(batch)]


def _rules(migration: Migration) -> DraftRules:
    """The rules `draft_listings` drafts with: the shipped forbidden words and prop aliases."""
    return DraftRules(
        migration=migration,
        forbidden_words=parse_word_list(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8")),
        aliases=PropAliases.from_csv_text(PROP_ALIASES_FILE.read_text(encoding="utf-8")),
    )


def _draft_batch(batch: list[str], rules: DraftRules) -> list[dict[str, Any]]:
    """The stage's rows for a batch (`pipeline.draft_batches.draft_batch`)."""
    return draft_batch(rules, _to_draft(batch)).rows


def _executemany(warehouse: Warehouse, rows: list[dict[str, Any]]) -> None:
    """The write as it was before issue 19: one bound INSERT per row (the reference)."""
    columns = list(rows[0])
    with warehouse.connect() as con:
        con.execute("BEGIN")
        con.executemany(
            f"INSERT INTO kuaishou_drafts ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [[row[c] for c in columns] for row in rows],
        )
        con.execute("COMMIT")


def _speed(n: int, migration: Migration, warehouse: Warehouse) -> dict[str, float]:
    """Counts and seconds per part, generation outside every clock."""
    clock = dict.fromkeys(("stage", "naive", "bulk", "executemany", "drafted"), 0.0)
    with warehouse.held():  # as in the stage, whose batch reader keeps the database open
        _time_batches(n, migration, clock, warehouse=warehouse)
    return clock


def _speed_under_policy(n: int, migration: Migration) -> dict[str, float]:
    """The drafting and the naive baseline both under the stage's collector policy (decision
    84), as the stage runs: the ratio compares like with like."""
    clock = dict.fromkeys(("stage", "naive", "drafted"), 0.0)
    with long_stage_collector():
        _time_batches(n, migration, clock)
    return clock


def _time_batches(
    n: int, migration: Migration, clock: dict[str, float], *, warehouse: Warehouse | None = None
) -> None:
    """Drafting and the naive baseline per batch; with a warehouse, the two writes too."""
    rules = _rules(migration)
    for batch in _batches(n):
        started = time.perf_counter()
        rows = _draft_batch(batch, rules)
        clock["stage"] += time.perf_counter() - started
        started = time.perf_counter()
        naive_drafts(batch)
        clock["naive"] += time.perf_counter() - started
        clock["drafted"] += len(rows)
        if not rows or warehouse is None:
            continue
        warehouse.delete_partition("kuaishou_drafts", migration=migration.key)
        started = time.perf_counter()
        warehouse.append_rows("kuaishou_drafts", rows)
        clock["bulk"] += time.perf_counter() - started
        warehouse.delete_partition("kuaishou_drafts", migration=migration.key)
        started = time.perf_counter()
        _executemany(warehouse, rows)
        clock["executemany"] += time.perf_counter() - started


def _peak(n: int, migration: Migration) -> int:
    rules = _rules(migration)
    tracemalloc.start()
    for batch in _batches(n):
        _draft_batch(batch, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _across_processes(migration: Migration) -> tuple[int, float, float]:
    """Seconds for PARALLEL_N listings in one process and in one worker process per core (the
    workers' start included), from batches generated beforehand."""
    batches = [_to_draft(batch) for batch in _batches(PARALLEL_N)]
    rules = _rules(migration)
    workers = max(2, worker_pool.cores())
    seconds = []
    for count in (1, workers):
        started = time.perf_counter()
        drafted = sum(len(b.rows) for b in drafted_batches(rules, batches, workers=count))
        seconds.append(time.perf_counter() - started)
        assert drafted == PARALLEL_N
    return workers, seconds[0], seconds[1]


def test_drafting_throughput_and_flat_memory(tmp_path: Path) -> None:
    migration = sample_migration()
    warehouse = Warehouse(tmp_path / "bench.duckdb")
    peaks = {}
    for n in (N, 2 * N):
        clock = _speed(n, migration, warehouse)
        assert clock["drafted"] == n  # every bench listing is draftable
        peaks[n] = _peak(n, migration)
        stage, naive = clock["stage"], clock["naive"]
        print(
            f"\ndrafts N={n}: drafting {n / stage:,.0f} listings/s, naive baseline "
            f"{n / naive:,.0f}/s, ratio {naive / stage:.2f} (target 0.6); with the bulk write "
            f"{n / (stage + clock['bulk']):,.0f}/s, ratio {naive / (stage + clock['bulk']):.2f}; "
            f"write alone: bulk {n / clock['bulk']:,.0f} rows/s, executemany (before) "
            f"{n / clock['executemany']:,.0f} rows/s; peak {peaks[n] / 2**20:.1f} MiB"
        )
        staged = _speed_under_policy(n, migration)
        assert staged["drafted"] == n
        print(
            f"drafts N={n} under the stage's collector policy (decision 84), baseline too: "
            f"drafting {n / staged['stage']:,.0f} listings/s, naive baseline "
            f"{n / staged['naive']:,.0f}/s, ratio {staged['naive'] / staged['stage']:.2f} "
            "(target 0.6)"
        )
    assert peaks[2 * N] <= 1.5 * peaks[N]
    workers, alone, spread = _across_processes(migration)
    print(
        f"drafts of {PARALLEL_N:,} listings: one process {PARALLEL_N / alone:,.0f} listings/s, "
        f"{workers} worker processes {PARALLEL_N / spread:,.0f}/s ({alone / spread:.2f}×, their "
        "start included; batches alone, without the stage's reads and writes: the stage drafts in "
        "one process, decision 102)"
    )
