"""Loading the migrations file named by the settings (`BANJIA_MIGRATIONS`, else data/migrations.yaml).

Cached per path for the life of the process: the partitions are read when the code location loads.
"""

from functools import cache
from pathlib import Path

from listings.migrations import MigrationsFile, parse_migrations
from pipeline.settings import PROJECT_ROOT, load_settings

__all__ = ["load_migrations", "project_path"]


@cache
def load_migrations(path: Path | None = None) -> MigrationsFile:
    """The validated migrations file (cached per path for the life of the process)."""
    target = path or load_settings().migrations
    return parse_migrations(target.read_text(encoding="utf-8"), source=str(target))


def project_path(name: str) -> Path:
    """A configured file: absolute as given, else relative to the project root."""
    path = Path(name)
    return path if path.is_absolute() else PROJECT_ROOT / path
