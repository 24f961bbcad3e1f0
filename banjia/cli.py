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
from typing import TYPE_CHECKING

import click

from banjia.config import load_migrations_or_exit, selected_or_exit

if TYPE_CHECKING:
    from listings.migrations import Migration

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
    "--review",
    type=click.Choice(["approve", "realistic"]),
    default="approve",
    show_default=True,
    help="Kuaishou's item review: approve at the first look, or wait, send some back or "
    "reject them in Kuaishou's wording, and take some off the shelf later "
    "(sandbox/kuaishou_review.py).",
)
@click.option(
    "--review-delay",
    default=2.0,
    show_default=True,
    type=float,
    help="Seconds, with --review realistic.",
)
@click.option(
    "--data-dir",
    envvar="BANJIA_SANDBOX_DATA",
    default=".sandbox",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the emulators keep their state across restarts ($BANJIA_SANDBOX_DATA).",
)
@click.option("--memory", is_flag=True, help="Keep no state: forget everything on exit.")
def sandbox_serve(
    host: str, port: int, review: str, review_delay: float, data_dir: Path, memory: bool
) -> None:
    """Serve the emulators: /taobao/router/rest, /kuaishou/<method path>, /health.

    The shops, items, review states, tokens, supply reports, uploads and daily quotas are kept
    in DATA_DIR and survive a restart, as they do on the real platforms (docs/sandbox.md).
    """
    from datetime import timedelta

    import uvicorn

    from sandbox.app import Sandbox, build_sandbox_app
    from sandbox.kuaishou_review import realistic_review

    def reviewing(state: Sandbox) -> Sandbox:
        if review == "realistic":
            realistic_review(state.kuaishou, delay=timedelta(seconds=review_delay))
        return state

    if memory:
        uvicorn.run(
            build_sandbox_app(reviewing(Sandbox())), host=host, port=port, log_level="warning"
        )
        return
    from sandbox.persistence import DataDirLocked, open_persistent_sandbox, persistent_app

    try:
        state, persister = open_persistent_sandbox(data_dir)
    except DataDirLocked as error:
        raise click.ClickException(str(error)) from None
    reviewing(state)
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


@migrations.command("list")
def migrations_list() -> None:
    """Print the migration keys, one per line."""
    for key in load_migrations_or_exit().keys:
        click.echo(key)


@migrations.command("check")
@click.option("--migration", "keys", multiple=True, help="Only these migrations (default: all).")
@click.option(
    "--online",
    is_flag=True,
    help="Also make one cheap signed call per platform with each migration's credentials.",
)
def migrations_check(keys: tuple[str, ...], online: bool) -> None:
    """Validate the migrations file and the env vars it names, before any run.

    Prints each problem with the migration, the field and the fix; exits 1 on any. Secret values
    are never printed: only the names of the env vars that hold them. `--online` proves the
    credentials with one read per platform (BANJIA_ENDPOINTS / BANJIA_SANDBOX_URL choose where).
    """
    from listings.migrations import missing_env_vars

    config = load_migrations_or_exit()
    selected = selected_or_exit(config, keys)
    problems: list[str] = []
    for migration in selected:
        seller = migration.seller
        click.echo(
            f"{migration.key}: {migration.source.platform.value} → Kuaishou, mode {migration.mode}, "
            f"scene {int(seller.scene)}, platform {int(seller.platform)} {seller.platform_name}"
        )
        problems.extend(missing_env_vars(migration, os.environ))
    for problem in problems:
        click.echo(problem, err=True)
    if online and not problems:
        problems.extend(_online(selected))
    elif online:
        click.echo("online checks skipped: set the missing env vars first", err=True)
    sys.exit(1 if problems else 0)


def _online(selected: list[Migration]) -> list[str]:
    import asyncio

    from banjia.online_check import check_migration, platforms_for

    platforms = platforms_for(os.environ)
    failed: list[str] = []
    for migration in selected:
        for result in asyncio.run(check_migration(migration, platforms=platforms)):
            click.echo(str(result), err=not result.ok)
            if not result.ok:
                failed.append(str(result))
    return failed


@main.command("status")
@click.option("--migration", "keys", multiple=True, help="Only these migrations (default: all).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per migration.")
def status(keys: tuple[str, ...], as_json: bool) -> None:
    """Where every source item stands: published, quarantined (by reason), pending; reports sent."""
    config = load_migrations_or_exit()
    selected = [m.key for m in selected_or_exit(config, keys)]

    from pipeline.settings import load_settings
    from pipeline.stores import open_settings_ledger, open_warehouse
    from store import migration_status

    settings = load_settings()
    if missing := settings.missing_warehouse():
        raise click.ClickException(f"{missing}: run `make demo` first")
    warehouse = open_warehouse(settings)
    # BANJIA_DATABASE_URL / BANJIA_LEDGER_URL: the shared state
    ledger = open_settings_ledger(warehouse, settings)
    for key in selected:
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
    from banjia.cli_batch import batch
    from banjia.cli_categories import categories
    from banjia.cli_kuaishou import kuaishou
    from banjia.cli_merchant import items, report
    from banjia.cli_plan import plan
    from banjia.cli_sources import sources

    main.add_command(batch)
    main.add_command(categories)
    main.add_command(kuaishou)
    main.add_command(sources)
    main.add_command(report)
    main.add_command(items)
    main.add_command(plan)


_register_groups()
