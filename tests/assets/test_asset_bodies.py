"""Asset bodies in the style of Dagster's own docs: invoked with `build_asset_context`, their
stage swapped for a fake, so what is tested is the wiring: the partition's migration goes to the
stage, and the stage's result comes back as metadata and check results."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from assets import extract as extract_assets
from assets import transform as transform_assets
from assets.metadata import materialize_result
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from listings.migrations import Migration
from pipeline.clients import Platforms
from pipeline.progress import Progress, ProgressUpdate
from pipeline.results import Breakdown, CheckVerdict, StageResult
from store import Warehouse

MIGRATIONS = Path(__file__).parents[2] / "data" / "migrations.yaml"


def _context(partition_key: str) -> dg.AssetExecutionContext:
    return dg.build_asset_context(partition_key=partition_key)


def _resources(tmp_path: Path) -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
        "migrations": MigrationsResource(path=str(MIGRATIONS)),
        "platforms": PlatformsResource(),
    }


def test_raw_listings_hands_the_partitions_migration_to_the_extract_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def fake_extract(
        migration: Migration,
        *,
        warehouse: Warehouse,
        platforms: Platforms,
        progress: Progress | None = None,
    ) -> StageResult:
        seen.append(migration.key)
        return StageResult(figures={"listed": 3, "read": 2}, preview=[{"id": 1}], row_count=2)

    monkeypatch.setattr(extract_assets, "extract", fake_extract)
    result = extract_assets.raw_listings(_context("pdd-demo"), **_resources(tmp_path))
    assert seen == ["pdd-demo"]
    assert result.metadata is not None
    assert (result.metadata["listed"], result.metadata["read"]) == (3, 2)
    assert result.metadata["dagster/row_count"] == 2


def test_a_stage_verdict_becomes_the_assets_check_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_normalize(
        migration: Migration,
        *,
        warehouse: Warehouse,
        platforms: Platforms,
        progress: Progress | None = None,
    ) -> StageResult:
        return StageResult(
            figures={"parsed": 1, "quarantined": 1},
            breakdowns={"quarantined_by_reason": Breakdown("reason", {"unparseable": 1})},
            checks=[
                CheckVerdict(
                    name="every_raw_listing_parsed_or_quarantined",
                    passed=False,
                    metadata={"raw": 3},
                )
            ],
        )

    monkeypatch.setattr(transform_assets, "normalize", fake_normalize)
    result = transform_assets.listings(_context("taobao-demo"), **_resources(tmp_path))
    (check,) = result.check_results or []
    assert check.check_name == "every_raw_listing_parsed_or_quarantined"
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    reasons = result.metadata["quarantined_by_reason"]  # type: ignore[index]
    assert isinstance(reasons, dg.TableMetadataValue)
    assert [r.data for r in reasons.records] == [{"reason": "unparseable", "items": 1}]
    assert [c.type for c in reasons.schema.columns] == ["string", "int"]


def test_a_bad_overrides_file_fails_the_category_step_naming_the_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from listings.categories import OverridesFileError

    def broken(
        migration: Migration,
        *,
        warehouse: Warehouse,
        platforms: Platforms,
        progress: Progress | None = None,
    ) -> StageResult:
        raise OverridesFileError("data/overrides/x.csv line 2: kuaishou_category_id: not a number")

    monkeypatch.setattr(transform_assets, "decide_categories", broken)
    with pytest.raises(dg.Failure, match=r"migration 'taobao-demo'.*line 2"):
        transform_assets.category_decisions(_context("taobao-demo"), **_resources(tmp_path))


def test_a_preview_is_a_typed_table_and_an_empty_one_has_no_rows() -> None:
    when = datetime(2026, 1, 2, tzinfo=UTC)
    result = materialize_result(
        StageResult(
            preview=[
                {"item": "1", "kwai_item_id": 7, "rate": 0.5, "at": when, "extra": {"a": 1}},
                {"item": "2", "kwai_item_id": None, "rate": 1, "at": None, "extra": None},
            ]
        )
    )
    preview = result.metadata["preview"]  # type: ignore[index]
    assert isinstance(preview, dg.TableMetadataValue)
    assert [(c.name, c.type) for c in preview.schema.columns] == [
        ("item", "string"),
        ("kwai_item_id", "int"),
        ("rate", "float"),
        ("at", "string"),
        ("extra", "string"),
    ]
    assert preview.records[0].data["at"] == "2026-01-02T00:00:00+00:00"
    assert preview.records[0].data["extra"] == '{"a": 1}'
    empty = materialize_result(StageResult()).metadata["preview"]  # type: ignore[index]
    assert isinstance(empty, dg.TableMetadataValue) and empty.records == []


def test_raw_listings_wires_the_stages_progress_to_the_run_log_per_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    handed: list[Progress | None] = []

    def fake_extract(
        migration: Migration,
        *,
        warehouse: Warehouse,
        platforms: Platforms,
        progress: Progress | None = None,
    ) -> StageResult:
        handed.append(progress)
        assert progress is not None
        progress.start(5)
        progress.advance(done=3)
        progress.advance(done=1, failed=1)
        progress.finish()
        return StageResult(figures={"read": 4}, row_count=4)

    monkeypatch.setattr(extract_assets, "extract", fake_extract)
    extract_assets.raw_listings(_context("pdd-demo"), **_resources(tmp_path))
    (progress,) = handed
    assert progress is not None and (progress.stage, progress.migration) == ("extract", "pdd-demo")
    logged = [ln for ln in capsys.readouterr().err.splitlines() if " - extract pdd-demo:" in ln]
    assert [line.split(" - ")[-1] for line in logged] == [
        ProgressUpdate("extract", "pdd-demo", total=5, done=0, failed=0).line(),
        ProgressUpdate("extract", "pdd-demo", total=5, done=3, failed=0).line(),
        ProgressUpdate("extract", "pdd-demo", total=5, done=4, failed=1).line(),
        ProgressUpdate("extract", "pdd-demo", total=5, done=4, failed=1, finished=True).line(),
    ]
