# ruff: noqa: F811 (fixtures imported from another test module are the parameters of the tests)
"""The progress protocol (`pipeline.progress`): what a sink receives from a stage, batch by batch,
and the console bar that draws it."""

from __future__ import annotations

import io
from itertools import pairwise
from pathlib import Path

import pytest
from rich.console import Console

from pipeline import categories, drafts, extract, normalize
from pipeline.clients import Platforms
from pipeline.console_progress import ConsoleProgressSink
from pipeline.migrations_file import load_migrations
from pipeline.progress import Progress, ProgressUpdate, batches_of
from pipeline.settings import PROJECT_ROOT
from store import DuckDBLedger, Warehouse
from tests.pipeline.test_stages import platforms  # noqa: F401 (the in-process sandbox fixture)


class FakeSink:
    def __init__(self) -> None:
        self.updates: list[ProgressUpdate] = []

    def __call__(self, update: ProgressUpdate) -> None:
        self.updates.append(update)


def test_a_sink_gets_one_update_per_batch_with_done_growing_to_the_total() -> None:
    sink = FakeSink()
    progress = Progress("drafts", "pdd-demo", sinks=[sink])
    progress.start(10)
    for batch in batches_of(list(range(10)), 4):
        progress.advance(done=len(batch) - 1, failed=1)
    progress.finish()
    done = [u.done for u in sink.updates]
    assert done == [0, 3, 6, 7, 7]
    last = sink.updates[-1]
    assert last.finished and last.done + last.failed == last.total == 10 and last.left == 0
    assert [u.left for u in sink.updates] == [10, 6, 2, 0, 0]


def test_the_line_says_done_failed_and_left() -> None:
    update = ProgressUpdate("media", "pdd-demo", total=1200, done=400, failed=3)
    assert update.line() == "media pdd-demo: 400/1,200 done, 3 failed, 797 left"


def test_off_a_terminal_the_console_bar_prints_one_final_line_per_stage() -> None:
    out = io.StringIO()
    sink = ConsoleProgressSink(Console(file=out, width=120))
    progress = Progress("normalize", "pdd-demo", sinks=[sink])
    progress.start(3)
    progress.advance(done=2)
    progress.advance(failed=1)
    assert out.getvalue() == ""  # nothing drawn into a file while the stage runs
    progress.finish()
    (line,) = out.getvalue().splitlines()
    assert "normalize pdd-demo" in line and "2/3 done · 1 failed · 0 left" in line


def _assert_batches_add_up(updates: list[ProgressUpdate], *, total: int, batches: int) -> None:
    """One update at the start, one per batch, one at the end; done never goes back; done and
    failed add up to the total at the end."""
    assert len(updates) == batches + 2
    assert updates[0].done == updates[0].failed == 0
    assert all(a.done <= b.done and a.failed <= b.failed for a, b in pairwise(updates))
    last = updates[-1]
    assert last.finished and last.total == total == last.done + last.failed


def test_the_long_stages_report_every_batch_to_their_sink(
    platforms: Platforms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get("pdd-demo")
    shop = shop.model_copy(update={"max_items": 30})
    store = Warehouse(tmp_path / "w.duckdb")
    for module, name in (
        (extract, "EXTRACT_BATCH"),
        (normalize, "NORMALIZE_BATCH_SIZE"),
        (categories, "CATEGORY_BATCH"),
        (drafts, "DRAFT_BATCH_SIZE"),
    ):
        monkeypatch.setattr(module, name, 7)
    sinks = {stage: FakeSink() for stage in ("extract", "normalize", "categories", "drafts")}

    def progress(stage: str) -> Progress:
        return Progress(stage, shop.key, sinks=[sinks[stage]])

    extract.extract(shop, warehouse=store, platforms=platforms, progress=progress("extract"))
    normalize.normalize(shop, warehouse=store, platforms=platforms, progress=progress("normalize"))
    categories.decide_categories(
        shop, warehouse=store, platforms=platforms, progress=progress("categories")
    )
    drafts.draft_listings(
        shop,
        warehouse=store,
        platforms=platforms,
        ledger=DuckDBLedger(store),
        progress=progress("drafts"),
    )
    for stage, sink in sinks.items():  # 30 items in batches of 7: 5 batches
        assert sink.updates[0].stage == stage
        _assert_batches_add_up(sink.updates, total=30, batches=5)


def test_a_stage_with_nothing_to_do_prints_a_full_bar_of_zero_items() -> None:
    out = io.StringIO()
    progress = Progress("publish", "pdd-demo", sinks=[ConsoleProgressSink(Console(file=out))])
    progress.start(0)
    progress.finish()
    (line,) = out.getvalue().splitlines()
    assert "0/0 done · 0 failed · 0 left" in line and "━" in line
