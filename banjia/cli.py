"""`banjia`: the commands a merchant or an integrator needs beside Dagster's own CLIs.

Sub-commands are grouped by subject (`banjia sandbox serve`, `banjia status`, ...). Nothing here runs the
pipeline: `dagster` / `dg` do that.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """banjia: move a Taobao/Tmall, Pinduoduo or 1688 shop into a Kuaishou shop."""


@main.group()
def sandbox() -> None:
    """The local emulators of every platform."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback only, normally.")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option(
    "--data-dir",
    envvar="BANJIA_SANDBOX_DATA",
    default=".sandbox",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the emulators keep their state across restarts ($BANJIA_SANDBOX_DATA).",
)
@click.option("--memory", is_flag=True, help="Keep no state: forget everything on exit.")
def sandbox_serve(host: str, port: int, data_dir: Path, memory: bool) -> None:
    """Serve the emulators: /taobao/router/rest, /kuaishou/<method path>, /health.

    The shops, items, review states, tokens, supply reports, uploads and daily quotas are kept
    in DATA_DIR and survive a restart, as they do on the real platforms (docs/sandbox.md).
    """
    import uvicorn

    if memory:
        from sandbox.app import build_sandbox_app

        uvicorn.run(build_sandbox_app(), host=host, port=port, log_level="warning")
        return
    from sandbox.persistence import DataDirLocked, open_persistent_sandbox, persistent_app

    try:
        _, persister = open_persistent_sandbox(data_dir)
    except DataDirLocked as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"sandbox state in {data_dir}/ ({persister.restored} entities restored)", err=True)
    try:
        uvicorn.run(persistent_app(persister), host=host, port=port, log_level="warning")
    finally:
        persister.close()


@sandbox.command("wait")
@click.option("--url", required=True, help="The sandbox base URL.")
@click.option("--timeout", default=30.0, show_default=True, type=float)
def sandbox_wait(url: str, timeout: float) -> None:
    """Wait until a sandbox answers /health (exit 1 after the timeout)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url.rstrip('/')}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"no sandbox answered at {url} within {timeout:.0f} s")


@main.group()
def migrations() -> None:
    """The migrations file (data/migrations.yaml or $BANJIA_MIGRATIONS)."""


def _migrations_path() -> Path:
    from assets.migrations import migrations_path

    return migrations_path()


@migrations.command("list")
def migrations_list() -> None:
    """Print the migration keys, one per line."""
    from listings.migrations import MigrationsConfigError, parse_migrations

    path = _migrations_path()
    try:
        config = parse_migrations(path.read_text(encoding="utf-8"), source=str(path))
    except MigrationsConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for key in config.keys:
        click.echo(key)


@migrations.command("check")
def migrations_check() -> None:
    """Validate the migrations file; print each problem with the migration and field it concerns."""
    from listings.migrations import MigrationsConfigError, parse_migrations

    path = _migrations_path()
    try:
        config = parse_migrations(path.read_text(encoding="utf-8"), source=str(path))
    except MigrationsConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for migration in config.migrations:
        seller = migration.seller
        click.echo(
            f"{migration.key}: {migration.source.platform.value} → Kuaishou, mode {migration.mode}, "
            f"scene {int(seller.scene)}, platform {int(seller.platform)} {seller.platform_name}"
        )


@main.command("status")
@click.option("--migration", "keys", multiple=True, help="Only these migrations (default: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per migration.")
def status(keys: tuple[str, ...], as_json: bool) -> None:
    """Where every source item stands: published, quarantined (by reason), pending; reports sent."""
    from assets.migrations import DEFAULT_WAREHOUSE
    from assets.resources import WarehouseResource
    from connectors.warehouse import Warehouse, migration_status
    from listings.migrations import parse_migrations

    path = _migrations_path()
    config = parse_migrations(path.read_text(encoding="utf-8"), source=str(path))
    warehouse_path = os.environ.get("BANJIA_WAREHOUSE") or str(DEFAULT_WAREHOUSE)
    if not Path(warehouse_path).exists():
        raise click.ClickException(f"no warehouse at {warehouse_path}: run `make demo` first")
    warehouse = Warehouse(warehouse_path)
    ledger = WarehouseResource().ledger(warehouse)  # BANJIA_LEDGER_URL: the shared ledger
    for key in keys or tuple(config.keys):
        summary = migration_status(warehouse, key, ledger=ledger)
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False))
            continue
        rate = summary["report_rate"]
        click.echo(f"migration {key}")
        click.echo(f"  source items   {summary['source_items']:>6}  (fetched {summary['fetched']})")
        click.echo(f"  published      {summary['published']:>6}")
        click.echo(f"  quarantined    {summary['quarantined']:>6}")
        for reason, count in summary["quarantined_by_reason"].items():
            click.echo(f"    {reason:<24} {count:>4}")
        click.echo(f"  pending        {summary['pending']:>6}")
        if summary["unaccounted"]:
            click.echo(f"  UNACCOUNTED    {len(summary['unaccounted']):>6}  (a bug: please report)")
        click.echo(f"  reported       {summary['reported']:>6}")
        if summary["reports_delegated"]:
            click.echo(f"  reports by the backend (vv-tool) {summary['reports_delegated']:>6}")
        click.echo(f"  report rate    {'n/a' if rate is None else f'{rate:.1%}':>6}")


def _register_groups() -> None:
    from banjia.cli_categories import categories
    from banjia.cli_kuaishou import kuaishou
    from banjia.cli_sources import sources

    main.add_command(categories)
    main.add_command(kuaishou)
    main.add_command(sources)


_register_groups()
