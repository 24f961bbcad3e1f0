"""Loading the migrations file: `BANJIA_MIGRATIONS`, or `data/migrations.yaml` of the project.

Read once when the code location loads, because each migration is a static Dagster partition; edit the
file and reload the code location (the UI's "Reload" button, or restart `make dev`) to add one.
"""

import os
from functools import cache
from pathlib import Path

from listings.migrations import MigrationsFile, parse_migrations

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MIGRATIONS = PROJECT_ROOT / "data" / "migrations.yaml"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"


def migrations_path() -> Path:
    return Path(os.environ.get("BANJIA_MIGRATIONS") or DEFAULT_MIGRATIONS)


@cache
def load_migrations(path: Path | None = None) -> MigrationsFile:
    """The validated migrations file (cached per path for the life of the process)."""
    target = path or migrations_path()
    return parse_migrations(target.read_text(encoding="utf-8"), source=str(target))
