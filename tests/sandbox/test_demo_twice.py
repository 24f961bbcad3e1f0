"""`make demo` twice, small and in-process: the pipeline materializes a small Taobao shop against a
persistent sandbox, the seller edits a few items, the sandbox "restarts" (a new app over the same
data directory, listening on another port), and a second materialization over the same warehouse
gives the same summary with no image or video lost, and updates the edited items on the Kuaishou
shop it still knows. `scripts/demo_twice.sh` is the full-size version over real ports.

The transport answers only at the sandbox's current origin, as the network does: a URL that still
named the first run's port would be refused (the bug this guards against), not quietly served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
import pytest

from assets.definitions import defs
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from connectors.platforms import AsyncTransport
from sandbox.app import Sandbox
from sandbox.persistence import open_persistent_sandbox, persistent_app
from sandbox.taobao_top import TaobaoSandbox
from store import DuckDBLedger, Warehouse, migration_status
from tests.dagster_instance import instance_with_migrations

SANDBOX_ENV = Path(__file__).parents[2] / "data" / "sandbox.env"
SHOP, MIGRATION, SIZE, EDITED = "demo-taobao-shop", "taobao-demo", 24, 3

_LISTENING: dict[str, httpx.AsyncBaseTransport] = {}


class Listening(httpx.AsyncBaseTransport):
    """The sandbox as reached over the network: only at its origin; any other port is refused."""

    def __init__(self, inner: httpx.AsyncBaseTransport, origin: str) -> None:
        self._inner, self._origin = inner, httpx.URL(origin)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url, origin = request.url, self._origin
        if (url.scheme, url.host, url.port) != (origin.scheme, origin.host, origin.port):
            raise httpx.ConnectError(f"connection refused: {url.netloc.decode()}", request=request)
        return await self._inner.handle_async_request(request)


class SandboxAtPort(PlatformsResource):
    """The platforms resource on the sandbox listening at `sandbox_url` (registered in `_LISTENING`)."""

    def transport(self) -> AsyncTransport | None:
        return _LISTENING[self.sandbox_url]


def _export_sandbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox credentials, as `make demo` exports data/sandbox.env."""
    for line in SANDBOX_ENV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            monkeypatch.setenv(name.strip(), value.strip())


def _small_sandbox() -> Sandbox:
    sandbox = Sandbox(taobao=TaobaoSandbox(shop_sizes={SHOP: SIZE}))
    sandbox.kuaishou.app_qps = sandbox.kuaishou.user_qps = None  # the clients keep no rate here
    return sandbox


def _demo(
    data_dir: Path,
    warehouse: Path,
    port: int,
    *,
    then: Callable[[Sandbox, Warehouse], None] = lambda sandbox, warehouse: None,
) -> dict[str, Any]:
    """One `make demo`: start the sandbox over `data_dir` at `port`, materialize, let `then` act
    (the seller, between runs), stop the sandbox. The summary adds the publish step's updates."""
    origin = f"http://127.0.0.1:{port}"
    sandbox, persister = open_persistent_sandbox(data_dir, _small_sandbox())
    _LISTENING[origin] = Listening(httpx.ASGITransport(app=persistent_app(persister)), origin)
    try:
        result = dg.materialize(
            list(defs.assets or []),
            partition_key=MIGRATION,
            instance=instance_with_migrations(),
            resources={
                "warehouse": WarehouseResource(path=str(warehouse)),
                "migrations": MigrationsResource(),
                "platforms": SandboxAtPort(sandbox_url=origin, client_rate_limits=False),
            },
        )
        assert result.success
        then(sandbox, Warehouse(warehouse))
    finally:
        del _LISTENING[origin]
        persister.close()
    (published,) = [
        m.metadata
        for m in result.asset_materializations_for_node("published_items")
        if m.partition == MIGRATION
    ]
    updates = {
        name: published[name].value
        for name in ("updated_by_edit", "repriced_without_review", "updates_failed")
    }
    return {**_summary(Warehouse(warehouse)), "updates": updates}


def _seller_edits_published_items(sandbox: Sandbox, warehouse: Warehouse) -> None:
    """Between the runs, the seller changes the price of a few items already on Kuaishou."""
    rows = warehouse.query(
        "SELECT source_item_id FROM publish_ledger WHERE migration = ? AND state = 'published' "
        "ORDER BY source_item_id LIMIT ?",
        [MIGRATION, EDITED],
    )
    sandbox.taobao.edit_items(SHOP, [int(r["source_item_id"]) for r in rows])


def _summary(warehouse: Warehouse) -> dict[str, Any]:
    status = migration_status(warehouse, MIGRATION, ledger=DuckDBLedger(warehouse))
    for table in ("media", "item_videos"):
        rows = warehouse.query(
            f"SELECT source_url, detail FROM {table} WHERE migration = '{MIGRATION}'"
        )
        failed = [r["source_url"] for r in rows if str(r["detail"]).startswith("fetch failed")]
        status[f"{table}_urls"] = len(rows)
        status[f"{table}_unexpected_fetch_failures"] = [u for u in failed if "broken" not in u]
    return status


@pytest.fixture(scope="module")
def first_and_again(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    tmp_path = tmp_path_factory.mktemp("demo-twice")
    data_dir, warehouse = tmp_path / "sandbox", tmp_path / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _export_sandbox_env(monkeypatch)
        first = _demo(data_dir, warehouse, port=41001, then=_seller_edits_published_items)
        again = _demo(data_dir, warehouse, port=41002)
    yield first, again


def test_a_second_demo_on_another_port_gives_the_same_summary_and_loses_no_media(
    first_and_again: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    first, again = first_and_again
    assert first["published"] > 0 and first["media_urls"] > 0
    assert first["media_unexpected_fetch_failures"] == []
    assert first["item_videos_unexpected_fetch_failures"] == []
    assert {**again, "updates": None} == {**first, "updates": None}


def test_the_second_demo_updates_the_items_the_seller_edited_on_the_shop_it_remembers(
    first_and_again: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    _, again = first_and_again
    updates = again["updates"]
    assert updates["updates_failed"] == 0
    assert updates["updated_by_edit"] + updates["repriced_without_review"] == EDITED
