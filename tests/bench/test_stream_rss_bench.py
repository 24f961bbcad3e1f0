"""Peak RSS of a whole run, extract → normalize → categories → drafts, against the shop's size;
then the migration report of the same warehouse.

Issue 19's target: a 100,000-item shop through extract → drafts in one run stays under 1.5 GB of
peak RSS, flat from 10,000 to 100,000 items. The emulator (the whole sandbox app, its Pinduoduo
shop sized per run) serves on loopback in a process of its own, so its catalog is not counted; the
four stages run in a second child process per size, so each peak (ru_maxrss) is that run's alone.
Categories and drafts of a large shop run in worker processes of their own (decision 93): their
peak is printed beside each stage as the largest ended child process's so far.

Sizes come from BANJIA_BENCH_RSS_SIZES (default 1000,4000 so `make bench` stays minutes;
10000,100000 for the issue's figures). Printed per size: items, seconds, items/s, peak RSS after
each stage, each stage's own peak (Linux: VmHWM reset at its start, so a stage is told apart from
the ones before it) with the RSS it started from, and the per-item RSS slope between consecutive
sizes. Asserted: behaviour only (every
listing drafted or quarantined, the report accounting for every item), never a time or a memory
figure. The report runs after the drafts; the target line is the drafts' peak (the run through
drafts), and the report's own line says whether reading the report raised the peak.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import resource
import socket
import sys
import time
from pathlib import Path
from typing import Any

from tests.chaos.harness import wait_for_health

SIZES = [int(s) for s in os.environ.get("BANJIA_BENCH_RSS_SIZES", "1000,4000").split(",")]
SHOP = "demo-pdd-shop"
TARGET_MIB = 1536  # issue 19: a 100,000-item shop's run under 1.5 GB of peak RSS
MIGRATION = "pdd-demo"


def _peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    """This process's peak resident set so far, or (RUSAGE_CHILDREN) the largest of its ended
    worker processes' (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _status_mib(field: str) -> float | None:
    """A figure of this process's /proc status (Linux: VmRSS now, VmHWM its peak since the last
    reset), in MiB; None elsewhere."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return None


def _reset_own_peak() -> bool:
    """Start this process's VmHWM again from its current RSS (Linux 4.0+: `5` into clear_refs),
    so a stage's own peak is told apart from an earlier stage's; False where that is refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(port: int, size: int) -> None:
    """The emulator process: the whole sandbox app, the Pinduoduo demo shop `size` goods large."""
    import uvicorn

    from sandbox.app import Sandbox, build_sandbox_app
    from sandbox.pdd_open import PinduoduoSandbox

    state = Sandbox(pinduoduo=PinduoduoSandbox(shop_sizes={SHOP: size}))
    state.kuaishou.app_qps = None  # the run's clients keep no rate limit
    state.kuaishou.user_qps = None
    uvicorn.run(build_sandbox_app(state), host="127.0.0.1", port=port, log_level="warning")


def _run(url: str, workdir: str, out: Any) -> None:
    """The run process: the four stages as their assets call them, peak RSS after each."""
    from connectors.platforms import Endpoints, EndpointsMode
    from pipeline.categories import decide_categories
    from pipeline.clients import Platforms
    from pipeline.drafts import draft_listings
    from pipeline.extract import extract
    from pipeline.migration_report import build_report
    from pipeline.migrations_file import load_migrations
    from pipeline.normalize import normalize
    from pipeline.settings import PROJECT_ROOT
    from store import DuckDBLedger, Warehouse
    from tests.assets.conftest import sandbox_env_vars

    migration = load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get(MIGRATION)
    platforms = Platforms(
        endpoints=Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url=url),
        rate_limited=False,
        env=sandbox_env_vars(),
    )
    warehouse = Warehouse(Path(workdir) / "w.duckdb")
    stages: list[tuple[str, float, float]] = []
    children: list[float] = []
    own: list[tuple[float, float]] = []  # per stage: RSS at its start, its own peak (MiB)
    # The run's peak so far is kept here: the highest of the stages' own peaks. Where VmHWM can be
    # reset, ru_maxrss is not read at all: a spawned process starts with the ru_maxrss of the
    # process it was forked from (under `make bench`, pytest's after the in-process Taobao
    # emulator of the extract bench: 7.7 GB printed as this run's peak), and VmHWM is its own.
    measured_here = _reset_own_peak()
    high = (_status_mib("VmHWM") or 0.0) if measured_here else _peak_mib()
    started = time.perf_counter()
    ledger = DuckDBLedger(warehouse)
    for name, stage in (
        ("extract", lambda: extract(migration, warehouse=warehouse, platforms=platforms)),
        ("normalize", lambda: normalize(migration, warehouse=warehouse, platforms=platforms)),
        (
            "categories",
            lambda: decide_categories(migration, warehouse=warehouse, platforms=platforms),
        ),
        (
            "drafts",
            lambda: draft_listings(
                migration, warehouse=warehouse, platforms=platforms, ledger=ledger
            ),
        ),
    ):
        start_rss = _status_mib("VmRSS") or 0.0
        reset = _reset_own_peak()
        begun = time.perf_counter()
        result = stage()
        seconds = time.perf_counter() - begun
        stage_peak = (_status_mib("VmHWM") or 0.0) if reset else _peak_mib()
        high = max(high, stage_peak if measured_here else _peak_mib())
        stages.append((name, seconds, high))
        children.append(_peak_mib(resource.RUSAGE_CHILDREN))
        own.append((start_rss, stage_peak))
    seconds = time.perf_counter() - started
    reset = _reset_own_peak()
    begun = time.perf_counter()
    report = build_report(migration, warehouse=warehouse, ledger=ledger, run_id="bench")
    report_seconds = time.perf_counter() - begun
    report_peak = (_status_mib("VmHWM") or 0.0) if reset else _peak_mib()
    report_figures = (
        report_seconds,
        max(high, report_peak if measured_here else _peak_mib()),
        report.item_count,
        report.status["source_items"],
    )
    listings = int(
        warehouse.scalar("SELECT count(*) FROM listings WHERE migration = ?", [migration.key])
    )
    out.put(
        {
            "children": children,
            "own": own,
            "stages": stages,
            "seconds": seconds,
            "listings": listings,
            "drafts": result.figures["drafts"],
            "quarantined": result.figures["quarantined"],
            "report": report_figures,
        }
    )


def _measure(size: int, workdir: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    emulator = ctx.Process(target=_serve, args=(port, size), daemon=True)
    emulator.start()
    try:
        wait_for_health(url)
        out = ctx.Queue()
        run = ctx.Process(target=_run, args=(url, str(workdir), out))
        run.start()
        figures: dict[str, Any] = out.get()
        run.join()
        return figures
    finally:
        emulator.terminate()
        emulator.join()


def test_a_whole_run_accounts_for_every_item_and_prints_its_peak_rss(tmp_path: Path) -> None:
    measured: list[tuple[int, dict[str, Any]]] = []
    for size in SIZES:
        workdir = tmp_path / str(size)
        workdir.mkdir()
        figures = _measure(size, workdir)
        measured.append((size, figures))
        peak = figures["stages"][-1][2]
        rate = size / figures["seconds"] if figures["seconds"] else 0.0
        print(
            f"\n{size:>7} items  {figures['seconds']:8.1f} s  {rate:7.0f} items/s  "
            f"peak RSS {peak:7.1f} MiB  (listings {figures['listings']}, drafts "
            f"{figures['drafts']}, quarantined {figures['quarantined']})"
        )
        for (name, seconds, rss), child, (start, own) in zip(
            figures["stages"], figures["children"], figures["own"], strict=True
        ):
            print(
                f"          {name:<11} {seconds:8.1f} s  peak so far {rss:7.1f} MiB"
                f"  (own peak {own:7.1f} MiB from {start:7.1f} at its start; largest ended child"
                f" process so far {child:7.1f} MiB)"
            )
        report_seconds, report_peak, report_items, source_items = figures["report"]
        print(
            f"          {'report':<11} {report_seconds:8.1f} s  peak so far {report_peak:7.1f} MiB "
            f"({report_items} items of {source_items})"
        )
        assert figures["drafts"] + figures["quarantined"] == figures["listings"] > 0
        assert report_items == source_items > 0
    for (small, low), (large, high) in itertools.pairwise(measured):
        slope = (high["stages"][-1][2] - low["stages"][-1][2]) * 1024 / (large - small)
        print(f"slope {small} → {large}: {slope:+.2f} KiB of peak RSS per item")
        for (name, _, before), (_, _, after), (_, own_before), (_, own_after) in zip(
            low["stages"], high["stages"], low["own"], high["own"], strict=True
        ):
            print(
                f"          {name:<11} peak so far {before:7.1f} → {after:7.1f} MiB, own peak "
                f"{own_before:7.1f} → {own_after:7.1f} MiB ({own_after - own_before:+.1f})"
            )
    (small, low), (large, high) = measured[0], measured[-1]
    first, last = low["stages"][-1][2], high["stages"][-1][2]
    print(
        f"issue 19 target: peak RSS {first:.1f} MiB at {small} items, {last:.1f} MiB at {large} "
        f"(< {TARGET_MIB} MiB: {'yes' if last < TARGET_MIB else 'no'}), "
        f"{(last - first) * 1024 / max(large - small, 1):+.2f} KiB per item"
    )
