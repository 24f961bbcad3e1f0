"""Several workers, several Kuaishou shops, one limit per shop (issue 17, decision 75).

The emulator (tests/chaos/emulator.py `--shops K --qps R`) serves K shops, each a merchant of its
own limited to R requests in any sliding second, and counts per shop what it accepted and refused.
Each worker is a process of its own (tests/bench/shop_worker.py) sending `open.item.new` through
`KuaishouClient`, with `concurrency` creates in flight, through either

- `shared`: each shop's gate in PostgreSQL (`store.rate_window`, what `pipeline.clients` builds
  when `BANJIA_LEDGER_URL` is set), or
- `local`: each process its own limiter at the shop's rate (the embedded default; decision 42).

Two benchmarks (BANJIA_BENCH_WORKERS_RATE, _ITEMS, _SHOPS, _WORKERS change the sizes):

- across shops: 1, 2 and 4 workers take the K shops' runs (one shop per run, as a Dagster run
  worker takes partitions): throughput grows with the workers while each shop stays at its limit;
- one shop: 1, 2 and 4 workers publish into the same shop at once, shared and local gates:
  together they must stay at the shop's limit (local gates: each paces itself, they are refused).

Printed: items/s overall and per shop, each shop's most requests in one second against its
limit, throttled requests. Asserted (behaviour, never a time): each item created once; with the
shared gates no request throttled and no shop above its limit in any second.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from store.warehouse import Warehouse
from tests.chaos.emulator import BENCH_SELLER_BASE
from tests.chaos.harness import emulator_state, serve_emulator, spawn, stage
from tests.chaos.publisher import build_jobs
from tests.samples import sample_migration

RATE = int(os.environ.get("BANJIA_BENCH_WORKERS_RATE", "10"))
ITEMS = int(os.environ.get("BANJIA_BENCH_WORKERS_ITEMS", "30"))  # per shop and run
SHOPS = int(os.environ.get("BANJIA_BENCH_WORKERS_SHOPS", "4"))
WORKERS = [int(w) for w in os.environ.get("BANJIA_BENCH_WORKERS_WORKERS", "1,2,4").split(",")]
CONCURRENCY = 4  # creates in flight per worker, `target.publish_concurrency`'s default
EMULATOR_WINDOW_S = 1.1


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Any]]]:
    """The emulator with SHOPS shops at RATE each, and the params of staged drafts to send."""
    tmp = tmp_path_factory.mktemp("workers")
    with serve_emulator("--qps", str(RATE), "--shops", str(SHOPS), log=tmp / "e.log") as url:
        store = Warehouse(tmp / "w.duckdb")
        stage(store, sample_migration(), url, 10)
        params = [
            job.param.model_dump(mode="json") for job in build_jobs(store, sample_migration().key)
        ]
        time.sleep(EMULATOR_WINDOW_S)  # staging's uploads leave the QPS window
        yield url, params


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    name = f"banjia_bench_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def _run_workers(
    plans: list[dict[str, Any]], *, tmp: Path
) -> tuple[list[list[dict[str, Any]]], float]:
    """Start one process per plan, release them at once; their figures and the wall seconds."""
    processes: list[subprocess.Popen[str]] = []
    for w, plan in enumerate(plans):
        path = tmp / f"plan-{w}.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        processes.append(
            spawn(
                "tests.bench.shop_worker",
                str(path),
                log=tmp / f"worker-{w}.log",
                stdin=subprocess.PIPE,
            )
        )
    time.sleep(3.0)  # imports and the PostgreSQL connection, before the clock starts
    started = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    figures = []
    for w, process in enumerate(processes):
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, (tmp / f"worker-{w}.log").read_text(encoding="utf-8")
        figures.append(json.loads(out.strip().splitlines()[-1]))
    return figures, time.perf_counter() - started


def _plan(
    url: str, params: list[Any], *, shared: bool, postgres_url: str, schema: str
) -> dict[str, Any]:
    return {
        "url": url,
        "params": params,
        "rate": RATE,
        "shared": shared,
        "postgres_url": postgres_url,
        "schema": schema,
        "concurrency": CONCURRENCY,
        "runs": [],
    }


def _shop_line(state: dict[str, Any], shop: int, items_per_s: float) -> str:
    figures = state["shops"].get(str(BENCH_SELLER_BASE + shop), {})
    return (
        f"  shop {shop}: {items_per_s:.2f} items/s, most in one second {figures.get('peak_1s', 0)}"
        f" (limit {RATE}), throttled {figures.get('throttled', 0)}"
    )


def _check(before: dict[str, Any], after: dict[str, Any], *, expected: int, shared: bool) -> None:
    created = [rel for rel, _ in after["items"]][len(before["items"]) :]
    assert after["duplicate_creates"] == [] and len(set(created)) == len(created) == expected
    if shared:
        assert after["throttled"] == before["throttled"]
        assert all(f["peak_1s"] <= RATE for f in after["shops"].values())


_next_rel = iter(range(9_100_000_000, 9_200_000_000, 1_000_000))


@pytest.mark.parametrize("workers", WORKERS)
def test_throughput_grows_with_workers_across_shops(
    workers: int,
    emulator: tuple[str, list[Any]],
    postgres_url: str,
    schema: str,
    tmp_path: Path,
) -> None:
    url, params = emulator
    base = next(_next_rel)
    plans = [
        _plan(url, params, shared=True, postgres_url=postgres_url, schema=schema)
        for _ in range(workers)
    ]
    for shop in range(1, SHOPS + 1):  # shop k's run goes to worker (k - 1) mod workers
        rels = [base + shop * 1_000 + i for i in range(ITEMS)]
        plans[(shop - 1) % workers]["runs"].append({"shop": shop, "rel_item_ids": rels})
    before = emulator_state(url)
    figures, wall = _run_workers(plans, tmp=tmp_path)
    after = emulator_state(url)
    runs = [run for worker in figures for run in worker]
    busy = max(sum(run["seconds"] for run in worker) for worker in figures)
    total = sum(run["created"] for run in runs)
    print(
        f"\nworkers bench [across {SHOPS} shops, shared gates] workers={workers}: {total} items "
        f"in {busy:.1f} s = {total / busy:.2f} items/s (limit {RATE}/s a shop; wall {wall:.1f} s), "
        f"throttled {after['throttled'] - before['throttled']}"
    )
    for run in sorted(runs, key=lambda r: r["shop"]):
        print(_shop_line(after, run["shop"], run["created"] / run["seconds"]))
    _check(before, after, expected=SHOPS * ITEMS, shared=True)


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "local"])
@pytest.mark.parametrize("workers", WORKERS)
def test_workers_on_one_shop_keep_to_its_limit(
    workers: int,
    shared: bool,
    postgres_url: str,
    schema: str,
    tmp_path: Path,
) -> None:
    shop = 1  # an emulator of its own: the shop's window and counts start empty
    with serve_emulator("--qps", str(RATE), "--shops", "1", log=tmp_path / "e.log") as url:
        store = Warehouse(tmp_path / "w.duckdb")
        stage(store, sample_migration(), url, 10)
        params = [
            job.param.model_dump(mode="json") for job in build_jobs(store, sample_migration().key)
        ]
        time.sleep(EMULATOR_WINDOW_S)
        base = next(_next_rel)
        plans = [
            _plan(url, params, shared=shared, postgres_url=postgres_url, schema=schema)
            for _ in range(workers)
        ]
        items = ITEMS * 2
        for w, plan in enumerate(plans):
            rels = [base + i for i in range(items) if i % workers == w]
            plan["runs"].append({"shop": shop, "rel_item_ids": rels})
        before = emulator_state(url)
        figures, wall = _run_workers(plans, tmp=tmp_path)
        after = emulator_state(url)
    busy = max(run["seconds"] for worker in figures for run in worker)
    how = "shared" if shared else "local"
    print(
        f"\nworkers bench [one shop, {how} gates] workers={workers}: {items} items in "
        f"{busy:.1f} s = {items / busy:.2f} items/s (limit {RATE}/s; wall {wall:.1f} s), "
        f"throttled {after['throttled'] - before['throttled']}"
    )
    print(_shop_line(after, shop, items / busy))
    _check(before, after, expected=items, shared=shared)
