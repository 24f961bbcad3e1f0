"""The Dagster webserver loads the code location with every asset, job and schedule.

Starts `dagster-webserver` on a free loopback port in its own process group, asks its GraphQL API for
the workspace, and stops everything it started.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PROJECT = Path(__file__).parents[2]
EXPECTED_ASSETS = {
    "raw_listings",
    "listings",
    "category_decisions",
    "kuaishou_drafts",
    "media",
    "published_items",
    "supply_reports",
    "compliance_summary",
}
QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename
      ... on RepositoryLocation { repositories {
          assetNodes { assetKey { path } }
          schedules { name cronSchedule }
          jobs { name } } }
      ... on PythonError { message } } } } } }
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def webserver(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "DAGSTER_DISABLE_TELEMETRY": "1"}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    webserver_bin = Path(sys.executable).with_name("dagster-webserver")
    process = subprocess.Popen(
        [str(webserver_bin), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "")
            try:
                if httpx.get(f"{url}/server_info", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError("the webserver did not answer within 90 s")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.mark.slow
def test_the_code_location_loads_with_assets_jobs_and_schedules(webserver: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        body = httpx.post(f"{webserver}/graphql", json={"query": QUERY}, timeout=30).json()
        entries = body["data"]["workspaceOrError"]["locationEntries"]
        if (entries and entries[0]["loadStatus"] == "LOADED") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert [e["name"] for e in entries] == ["banjia"]
    location = entries[0]["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    repository = location["repositories"][0]
    assets = {"/".join(n["assetKey"]["path"]) for n in repository["assetNodes"]}
    assert assets >= EXPECTED_ASSETS
    assert {s["name"] for s in repository["schedules"]} == {
        "daily_migration",
        "hourly_report_flush",
        "weekly_compliance",
    }
    assert {"migrate", "flush_supply_reports"} <= {j["name"] for j in repository["jobs"]}
