"""Peak RSS and seconds of the migration report (`write_migration_report`) against the shop's size.

Issue 19: every stage streams a shop in batches and stays under ~600 MiB at 100,000 items; the
report peaked at ~3.2 GB there (decision 87). This bench fills a DuckDB warehouse with N items as
the stages would leave them (the drafts bench's listings, drafted by the stage's own rules,
category decisions, quarantine at extraction and drafting, the publish ledger, supply outbox,
review and shelf rows, trimmed and 3:4-framed images, two fill-rate runs), then writes the report
in a spawned child process per size, so each peak (ru_maxrss) is the report's alone.

Sizes come from BANJIA_BENCH_REPORT_SIZES (default 1000,4000 so `make bench` stays minutes;
10000,100000 for the issue's figures). Printed per size: items, seconds, peak RSS, report bytes,
and the per-item RSS slope between consecutive sizes. Asserted: behaviour only (the report
accounts for every item, in the same states the bench wrote), never a time or a memory figure.
"""

from __future__ import annotations

import csv
import itertools
import multiprocessing as mp
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.draft_batches import ListingToDraft, draft_batch
from pipeline.normalize import listing_row
from store.warehouse import Warehouse
from tests.bench.test_drafts_bench import DECIDED, _listing, _rules
from tests.samples import sample_migration

SIZES = [int(s) for s in os.environ.get("BANJIA_BENCH_REPORT_SIZES", "1000,4000").split(",")]
FILL_BATCH = 2000
# One item in 50 listed but never fetched (quarantined at extraction), one in 10 quarantined at
# drafting, and of the drafted: one in 5 still pending, the rest published.
MISSING_EVERY, QUARANTINED_EVERY, PENDING_EVERY = 50, 10, 5


def _peak_mib() -> float:
    """This process's peak resident set so far (ru_maxrss: KiB on Linux, bytes on macOS).

    On Linux a spawned child's ru_maxrss starts from its parent's RSS when it was forked (the
    peak survives the exec), which is why the warehouse is filled in a process of its own and
    the parent stays small; `_own_peak_mib` is the child's own peak beside it."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _own_peak_mib() -> float | None:
    """The peak of this process's own memory since its exec (Linux's VmHWM), if known."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def expected_state(i: int) -> str:
    """The state the bench gives item `i` (and the report must find)."""
    if i % MISSING_EVERY == 1 or i % QUARANTINED_EVERY == 3:
        return "quarantined"
    return "pending" if i % PENDING_EVERY == 0 else "published"


def _published_rows(
    key: str, draft: dict[str, Any], i: int, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """The ledger, outbox, review and media rows of a published item."""
    item, rel = draft["source_item_id"], int(draft["rel_item_id"])
    kwai = 90_000_000_000 + i
    rejected, off_shelf = i % 37 == 0, i % 23 == 0
    return {
        "publish_ledger": [
            {
                "rel_item_id": rel,
                "migration": key,
                "source_item_id": item,
                "state": "published",
                "kwai_item_id": kwai,
                "reason": None,
                "attempts": 1,
                "created_at": now,
                "updated_at": now,
                "published_at": now,
                "target_shop": "bench-kwai-shop",
            }
        ],
        "supply_outbox": [
            {
                "rel_item_id": rel,
                "migration": key,
                "source_item_id": item,
                "kwai_item_id": kwai,
                "payload": '{"scene": 2}',
                "scene": 2,
                "published_at": now,
                "due_at": now + timedelta(hours=24),
                "state": "sent" if i % 19 else "pending",
                "attempts": 1,
                "last_error": None,
                "sent_at": now if i % 19 else None,
            }
        ],
        "review_status": [
            {
                "migration": key,
                "rel_item_id": rel,
                "source_item_id": item,
                "kwai_item_id": kwai,
                "audit_status": 3 if rejected else 2,
                "audit_reason": "商品主图存在牛皮癣（文字、水印或二维码遮挡）"
                if rejected
                else None,
                "reason_code": "image_quality" if rejected else None,
                "fix": "Replace the main images on the source, then re-run." if rejected else None,
                "first_checked_at": now,
                "checked_at": now,
                "decided_at": now,
                "checks": 1,
                "last_error": None,
                "on_shelf": not (rejected or off_shelf),
                "offline_reason": "审核未通过" if rejected else ("商家下架" if off_shelf else None),
                "shelf_changed_at": now,
            }
        ],
        "media": [
            {
                "migration": key,
                "source_item_id": item,
                "source_url": f"https://img.alicdn.com/{i}/main{k}.jpg",
                "sha256": f"{i:032x}{k:032x}",
                "kwai_url": f"https://p1.kwai-sandbox.example/ufile/{i}-{k}.jpg",
                "status": "hosted",
                "detail": None,
                "role": "main",
                "ratio_34": k < 2,
                "white_border_left": False,
                "trimmed": k == 0,
            }
            for k in range(5)
        ],
    }


def _fill_batch(key: str, start: int, stop: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows for items start..stop-1."""
    tables: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "raw_listings",
            "listings",
            "category_decisions",
            "kuaishou_drafts",
            "quarantine",
            "publish_ledger",
            "supply_outbox",
            "review_status",
            "media",
        )
    }
    to_draft = []
    for i in range(start, stop):
        listing = _listing(i)
        item = listing.source_item_id
        if i % MISSING_EVERY == 1:
            tables["quarantine"].append(
                {
                    "migration": key,
                    "source_item_id": item,
                    "stage": "extract",
                    "reason_code": "detail_missing",
                    "detail": "detail: listed on sale but the detail API did not return it",
                    "recorded_at": now,
                }
            )
            continue
        text = listing.model_dump_json()
        tables["raw_listings"].append(
            {
                "migration": key,
                "platform": "taobao",
                "shop_id": "bench-shop",
                "source_item_id": item,
                "payload": text,
                "fetched_at": now,
                "version": "1",
                "source_state": "listed",
            }
        )
        tables["listings"].append(listing_row(key, listing))
        tables["category_decisions"].append(
            {
                "migration": key,
                "source_item_id": item,
                "category_id": DECIDED.category_id,
                "category_path": DECIDED.path,
                "confidence": DECIDED.confidence,
                "layer": DECIDED.layer,
                "candidates": "[]",
            }
        )
        if i % QUARANTINED_EVERY == 3:
            tables["quarantine"].append(
                {
                    "migration": key,
                    "source_item_id": item,
                    "stage": "draft",
                    "reason_code": "forbidden_words",
                    "detail": "title: contains advertising-law absolute terms 最好",
                    "recorded_at": now,
                }
            )
            continue
        to_draft.append((i, ListingToDraft(item, text, DECIDED)))
    drafted = draft_batch(_RULES, [item for _, item in to_draft])
    assert not drafted.problems, drafted.problems[:1]
    tables["kuaishou_drafts"] = drafted.rows
    for (i, _), row in zip(to_draft, drafted.rows, strict=True):
        if expected_state(i) == "pending":
            continue
        for table, rows in _published_rows(key, row, i, now).items():
            tables[table].extend(rows)
    return tables


_RULES = _rules(sample_migration())


def fill_warehouse(warehouse: Warehouse, key: str, size: int) -> None:
    """The warehouse of a `size`-item shop, written a batch at a time. The bench's own writes
    run under a 1 GB DuckDB cap (the stages' 64 MB refuses a 2,000-draft append late in a large
    fill); the report's child process starts after it with the default cap."""
    before = os.environ.get("BANJIA_DUCKDB_MEMORY_LIMIT")
    os.environ["BANJIA_DUCKDB_MEMORY_LIMIT"] = "1GB"
    try:
        _fill(warehouse, key, size)
    finally:
        if before is None:
            del os.environ["BANJIA_DUCKDB_MEMORY_LIMIT"]
        else:
            os.environ["BANJIA_DUCKDB_MEMORY_LIMIT"] = before


def _fill(warehouse: Warehouse, key: str, size: int) -> None:
    now = datetime.now(UTC)
    for start in range(0, size, FILL_BATCH):
        for table, rows in _fill_batch(key, start, min(size, start + FILL_BATCH), now).items():
            if rows:
                warehouse.append_rows(table, rows)
    for i, rate in enumerate((0.8, 0.9)):
        warehouse.record_fill_rates(
            {
                "migration": key,
                "run_id": f"run-{i}",
                "computed_at": now - timedelta(days=1 - i),
                "items": size,
                "rate_main_images_3": rate,
                "rate_ratio_34": rate / 2,
                "rate_video": 0.0,
                "rate_short_title": 1.0,
                "white_border_images_left": 0,
            }
        )


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as rows:
        return sum(1 for _ in csv.DictReader(rows))


def _report(workdir: str, out: Any) -> None:
    """The child process: the report as the asset writes it, its peak RSS and seconds."""
    from pipeline.migration_report import write_migration_report
    from store import DuckDBLedger

    warehouse = Warehouse(Path(workdir) / "w.duckdb")
    started = time.perf_counter()
    result = write_migration_report(
        sample_migration(),
        warehouse=warehouse,
        ledger=DuckDBLedger(warehouse),
        out_dir=Path(workdir) / "reports",
        run_id="bench",
    )
    out.put(
        {
            "seconds": time.perf_counter() - started,
            "peak_mib": _peak_mib(),
            "own_peak_mib": _own_peak_mib(),
            "figures": result.figures,
            "by_state": dict(result.breakdowns["items_by_state"].counts),
            "checks": {check.name: check.passed for check in result.checks},
            "row_count": result.row_count,
            "csv_rows": _csv_rows(Path(str(result.figures["items_csv_path"]))),
        }
    )


def _fill_process(workdir: str, size: int) -> None:
    fill_warehouse(Warehouse(Path(workdir) / "w.duckdb"), sample_migration().key, size)


def _spawned(target: Any, *args: Any) -> None:
    child = mp.get_context("spawn").Process(target=target, args=args)
    child.start()
    child.join()
    assert child.exitcode == 0, f"{target.__name__} exited with {child.exitcode}"


def _measure(workdir: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_report, args=(str(workdir), out))
    child.start()
    figures: dict[str, Any] = out.get()
    child.join()
    return figures


def _expected(size: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i in range(size):
        counts[expected_state(i)] = counts.get(expected_state(i), 0) + 1
    return counts


def test_the_report_accounts_for_every_item_and_prints_its_peak_rss(tmp_path: Path) -> None:
    measured: list[tuple[int, dict[str, Any]]] = []
    for size in SIZES:
        workdir = tmp_path / str(size)
        workdir.mkdir()
        started = time.perf_counter()
        _spawned(_fill_process, str(workdir), size)  # the parent stays small (`_peak_mib`)
        filled = time.perf_counter() - started
        figures = _measure(workdir)
        measured.append((size, figures))
        print(
            f"\nreport of {size:,} items: {figures['seconds']:.1f} s, peak RSS "
            f"{figures['peak_mib']:.1f} MiB (ru_maxrss; own VmHWM {figures['own_peak_mib'] or 0:.1f} MiB), "
            f"{figures['figures']['report_bytes']:,} bytes of HTML "
            f"(warehouse filled in {filled:.1f} s)"
        )
        expected = _expected(size)
        assert figures["figures"]["source_items"] == size
        assert figures["by_state"] == expected
        assert figures["row_count"] == size
        assert figures["checks"] == {"report_counts_add_up": True}
        assert figures["csv_rows"] == size  # the HTML lists some, the CSV every item
    for (small, a), (large, b) in itertools.pairwise(measured):
        slope = (b["peak_mib"] - a["peak_mib"]) * 1024 / (large - small)
        print(f"peak RSS slope {small:,} → {large:,} items: {slope:+.2f} KiB per item")
