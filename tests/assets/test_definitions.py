"""The code location loads under every CLI that runs it: `dg` and `dagster` alike."""

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets.definitions import defs
from tests.dagster_instance import instance_with_migrations

PROJECT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def test_definitions_are_loadable_in_process() -> None:
    dg.Definitions.validate_loadable(defs)


def test_every_stage_asset_is_partitioned_by_migration() -> None:
    repository = defs.get_repository_def()
    instance = instance_with_migrations()
    for key in repository.asset_graph.get_all_asset_keys():
        node = repository.asset_graph.get(key)
        assert node.partitions_def is not None, key
        keys = node.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
        assert "taobao-demo" in keys


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["dg", "check", "defs"],
        ["dg", "list", "defs"],
        ["dagster", "definitions", "validate", "-w", "workspace.yaml"],
    ],
    ids=["dg-check-defs", "dg-list-defs", "dagster-definitions-validate"],
)
def test_cli_loads_the_code_location(command: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=180,
        env={
            "PATH": f"{BIN}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DAGSTER_DISABLE_TELEMETRY": "1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if command[1] == "list":
        assert "published_items" in result.stdout
