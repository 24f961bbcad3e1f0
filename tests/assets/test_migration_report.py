"""The migration_report asset: its body on a small warehouse, and after a whole sandbox migration,
the file rendered by headless Chromium (Debian's `chromium` package; `make test` installs it)."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import pytest

from assets.merchant import MigrationReportConfig, migration_report
from assets.resources import MigrationsResource, WarehouseResource
from pipeline.migrations_file import load_migrations
from pipeline.settings import PROJECT_ROOT
from store import DuckDBLedger, Warehouse, migration_status
from tests.assets.conftest import Materialize
from tests.dagster_instance import instance_with_migrations
from tests.report_fixture import build_report_warehouse

MIGRATIONS = PROJECT_ROOT / "data" / "migrations.yaml"


def test_the_asset_writes_the_report_and_links_it(tmp_path: Path) -> None:
    taobao = load_migrations(MIGRATIONS).get("taobao-demo")
    warehouse, _ = build_report_warehouse(tmp_path / "w.duckdb", taobao)
    result = dg.materialize(
        [migration_report],
        partition_key="taobao-demo",
        instance=instance_with_migrations(MIGRATIONS),
        resources={
            "warehouse": WarehouseResource(path=warehouse.path),
            "migrations": MigrationsResource(path=str(MIGRATIONS)),
        },
        run_config=dg.RunConfig(
            {"migration_report": MigrationReportConfig(out_dir=str(tmp_path / "reports"))}
        ),
    )
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    link = metadata["report_path"]
    assert isinstance(link, dg.PathMetadataValue)
    path = Path(str(link.value))
    assert path == (tmp_path / "reports" / "taobao-demo" / f"{result.run_id}.html").resolve()
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert isinstance(metadata["report_url"], dg.UrlMetadataValue)
    preview = metadata["preview"]  # the items that need the merchant, as a table
    assert isinstance(preview, dg.TableMetadataValue)
    assert {r.data["state"] for r in preview.records} == {"quarantined", "pending"}
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "report_counts_add_up" and check.passed


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        self.rows: list[str] = []
        self.charts: list[str] = []
        self.numbers: dict[str, str] = {}
        self._count: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag == "tr" and found.get("data-item"):
            self.rows.append(found.get("data-state") or "")
        if tag == "figure" and found.get("data-chart"):
            self.charts.append(found.get("data-chart") or "")
        self._count = found.get("data-count")

    def handle_data(self, data: str) -> None:
        if self._count and data.strip():
            self.numbers[self._count] = data.strip()
            self._count = None


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "no chromium on PATH: `make test` installs it (scripts/ensure_chromium.sh), "
            "or apt-get install chromium",
            pytrace=False,
        )
    return found


@pytest.mark.slow
def test_a_sandbox_migrations_report_renders_in_chromium(
    materialize: Materialize, warehouse: Warehouse, warehouse_path: Path, tmp_path: Path
) -> None:
    result = materialize(partition_key="pdd-demo")
    assert result.success
    (event,) = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("migration_report")
    ]
    metadata = event.materialization.metadata
    path = Path(str(metadata["report_path"].value))
    # the default: reports/ beside the warehouse file, one file per migration and run
    assert path == warehouse_path.parent / "reports" / "pdd-demo" / f"{result.run_id}.html"
    status = migration_status(warehouse, "pdd-demo", ledger=DuckDBLedger(warehouse))

    dom = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    parsed = _Dom()
    parsed.feed(dom)
    assert len(parsed.rows) == status["source_items"] > 0
    assert parsed.rows.count("published") == status["published"]
    assert parsed.rows.count("quarantined") == status["quarantined"]
    assert parsed.numbers["source_items"] == str(status["source_items"])
    assert parsed.charts.count("bar") >= 4 and parsed.charts.count("line") == 1
    assert parsed.counts["svg"] == len(parsed.charts)
    assert parsed.counts.get("script", 0) == 0
