"""Extract and parse a whole Taobao shop from the in-process TOP emulator: 10,000 and 100,000 items.

The path is the production one, over HTTP semantics (httpx.ASGITransport into the Starlette app
that mounts the emulator at /taobao, signed requests, no client rate limit): list with
`iter_onsale_split` (100,000 items are deeper than TOP's 20,000-row paging cap, so the crawl is
split by modified time), read details with `item_details` (≤20 ids a call, silent omissions
re-asked one by one), parse with `parse_item`.

Printed: items/s per phase, the emulator's own share of the HTTP phases, peak RSS (ru_maxrss) after
each phase, and the tracemalloc peak of parsing. tracemalloc slows allocation-heavy code about 4×,
so parsing is timed untraced over every item and traced once more over at most
`TRACED_PARSE_ITEMS` items, with the listings kept (as a stage holding its output would).
Asserted: behaviour only (everything listed, every listed item read or reported missing, every
read item parsed or reported as a ParseProblem), never a time.
"""

from __future__ import annotations

import asyncio
import math
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from connectors.taobao import ParseProblem, TaobaoClient, parse_item
from connectors.taobao.client import MAX_DEPTH
from listings.model import Listing
from sandbox.credentials import TAOBAO_APP_KEY, TAOBAO_APP_SECRET, TAOBAO_SESSIONS
from sandbox.taobao_top import TaobaoSandbox, build_taobao_app

BENCH_SHOP = "bench-shop"
BENCH_SESSION = "sandbox-taobao-session-bench"
ORIGIN = "http://sandbox"
ROUTER_URL = f"{ORIGIN}/taobao/router/rest"
TRACED_PARSE_ITEMS = 10_000

ONSALE = "taobao.items.onsale.get"
LIST_GET = "taobao.items.seller.list.get"
ITEM_GET = "taobao.item.seller.get"


def max_rss_mib() -> float:
    """This process's peak resident set so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass
class Phase:
    items: int
    seconds: float
    rss_mib: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else math.inf


@dataclass
class Run:
    """What one extraction saw and how long each phase took."""

    size: int
    phases: dict[str, Phase] = field(default_factory=dict)
    listed: list[int] = field(default_factory=list)
    read: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    parsed: int = 0
    problems: int = 0
    problem_fields: dict[str, int] = field(default_factory=dict)
    emulator_seconds: float = 0.0
    traced_items: int = 0
    traced_peak_mib: float = 0.0
    windows: int = 0


def _bench_sandbox(size: int) -> TaobaoSandbox:
    return TaobaoSandbox(
        sessions={**TAOBAO_SESSIONS, BENCH_SESSION: BENCH_SHOP},
        shop_sizes={BENCH_SHOP: size},
    )


def _client(sandbox: TaobaoSandbox) -> TaobaoClient:
    app = Starlette(routes=[Mount("/taobao", app=build_taobao_app(sandbox))])
    return TaobaoClient(
        base_url=ROUTER_URL,
        app_key=TAOBAO_APP_KEY,
        app_secret=TAOBAO_APP_SECRET,
        session=BENCH_SESSION,
        transport=httpx.ASGITransport(app=app),
        rate_per_second=None,
    )


def _timed(run: Run, handle: Callable[..., Any]) -> Callable[..., Any]:
    """The emulator's request handler, adding its own time (checks, lookups) to the run."""

    def timed(params: dict[str, str], *, base_url: str) -> Any:
        started = time.perf_counter()
        try:
            return handle(params, base_url=base_url)
        finally:
            run.emulator_seconds += time.perf_counter() - started

    return timed


def _parse_all(items: list[dict[str, Any]], run: Run, *, keep: list[Listing] | None) -> None:
    for item in items:
        try:
            listing = parse_item(item, shop_id=BENCH_SHOP)
        except ParseProblem as problem:
            if keep is None:
                run.problems += 1
                run.problem_fields[problem.field] = run.problem_fields.get(problem.field, 0) + 1
            continue
        if keep is None:
            run.parsed += 1
        else:
            keep.append(listing)


async def _extract(sandbox: TaobaoSandbox, run: Run) -> list[dict[str, Any]]:
    async with _client(sandbox) as client:
        started = time.perf_counter()
        rows = [
            row
            async for row in client.iter_onsale_split(
                start_modified=None, end_modified=None, fields="num_iid,modified"
            )
        ]
        run.listed = [int(row["num_iid"]) for row in rows]
        run.phases["listing"] = Phase(len(rows), time.perf_counter() - started, max_rss_mib())

        started = time.perf_counter()
        details = await client.item_details(run.listed)
        run.read = [int(item["num_iid"]) for item in details.items]
        run.missing = list(details.missing_ids)
        run.phases["detail"] = Phase(
            len(details.items), time.perf_counter() - started, max_rss_mib()
        )
    return details.items


def _paged_windows(sandbox: TaobaoSandbox) -> int:
    """How many modified windows were paged: the ones asked for and not halved (no window asked
    for later lies inside them). TOP times are zero-padded, so their strings sort as times."""
    asked = {
        (call.params.get("start_modified", ""), call.params.get("end_modified", ""))
        for call in sandbox.calls_to(ONSALE)
    }
    return sum(
        not any(
            other != window and window[0] <= other[0] <= other[1] <= window[1] for other in asked
        )
        for window in asked
    )


def _bench(size: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Run, TaobaoSandbox]:
    run = Run(size=size)
    sandbox = _bench_sandbox(size)
    started = time.perf_counter()
    sandbox.catalog(BENCH_SHOP, base_url=ORIGIN)  # generated once, as the first request would
    run.phases["catalog"] = Phase(size, time.perf_counter() - started, max_rss_mib())
    monkeypatch.setattr(sandbox, "handle", _timed(run, sandbox.handle))

    items = asyncio.run(_extract(sandbox, run))
    run.windows = _paged_windows(sandbox)

    started = time.perf_counter()
    _parse_all(items, run, keep=None)
    run.phases["parse"] = Phase(len(items), time.perf_counter() - started, max_rss_mib())

    sample = items[:TRACED_PARSE_ITEMS]
    kept: list[Listing] = []
    tracemalloc.start()
    try:
        _parse_all(sample, run, keep=kept)
        run.traced_peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    run.traced_items = len(sample)
    return run, sandbox


def _report(run: Run, sandbox: TaobaoSandbox) -> str:
    phases = run.phases
    http = phases["listing"].seconds + phases["detail"].seconds
    calls = {m: len(sandbox.calls_to(m)) for m in (ONSALE, LIST_GET, ITEM_GET)}
    problems = ", ".join(f"{name} {count}" for name, count in sorted(run.problem_fields.items()))
    per_listing = run.traced_peak_mib * 1024 / max(1, run.traced_items)

    def line(label: str, phase: Phase, detail: str) -> str:
        return (
            f"  {label:<30} {phase.items:>8,} items {phase.seconds:>7.1f} s "
            f"{phase.rate:>9,.0f} items/s  {detail}"
        )

    title = f" Taobao extract bench: {run.size:,}-item shop, in-process TOP emulator "
    return "\n".join(
        [
            "",
            f"{title:=^100}",
            line("catalog generation (setup)", phases["catalog"], "not part of the extract"),
            line(
                "listing  iter_onsale_split",
                phases["listing"],
                f"{calls[ONSALE]:,} onsale.get calls, {run.windows} windows",
            ),
            line(
                "detail   item_details",
                phases["detail"],
                f"{calls[LIST_GET]:,} list.get + {calls[ITEM_GET]:,} item.get calls, "
                f"{len(run.missing)} missing",
            ),
            line(
                "parse    parse_item",
                phases["parse"],
                f"{run.parsed:,} listings, {run.problems:,} ParseProblems",
            ),
            f"  {'emulator share of HTTP phases':<30} {run.emulator_seconds:>22.1f} s "
            f"{100 * run.emulator_seconds / http if http else 0:>9.0f} %  "
            "(TaobaoSandbox.handle; JSON encoding and transport are outside)",
            f"  {'ParseProblems by field':<30} {problems or 'none'}",
            f"  {'ru_maxrss after each phase':<30} "
            + "  ".join(f"{name} {phase.rss_mib:,.0f} MiB" for name, phase in phases.items()),
            f"  {'tracemalloc peak, parse':<30} {run.traced_peak_mib:>8,.1f} MiB parsing "
            f"{run.traced_items:,} items with the listings kept ({per_listing:,.1f} KiB a listing)",
            "=" * 100,
        ]
    )


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("size", [10_000, 100_000], ids=["10k", "100k"])
def test_extract_and_parse_a_whole_taobao_shop(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    run, sandbox = _bench(size, monkeypatch)
    print(_report(run, sandbox))

    on_sale = {
        item["num_iid"]
        for item in sandbox.catalog(BENCH_SHOP, base_url=ORIGIN)
        if item["approve_status"] == "onsale"
    }
    assert len(run.listed) == len(set(run.listed)), "an item was listed twice"
    assert set(run.listed) == on_sale, "the listing missed or invented items"
    assert not set(run.read) & set(run.missing)
    assert sorted(run.read + run.missing) == sorted(run.listed), "a listed item went unaccounted"
    assert run.parsed + run.problems == len(run.read)
    assert run.traced_items == min(len(run.read), TRACED_PARSE_ITEMS)
    assert all(call.error_code is None for call in sandbox.calls_to(ONSALE))
    if len(on_sale) > MAX_DEPTH:
        assert run.windows >= math.ceil(len(on_sale) / MAX_DEPTH)
