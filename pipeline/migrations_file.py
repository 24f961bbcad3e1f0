"""Loading the migrations file named by the settings (`BANJIA_MIGRATIONS`, else data/migrations.yaml).

Cached per path for the life of the process: the partitions are read when the code location loads.
"""

from functools import cache
from pathlib import Path

from pydantic import ValidationError

from connectors.sources import UnknownSourceError, source_for
from listings.migrations import MigrationsConfigError, MigrationsFile, parse_migrations
from pipeline.settings import PROJECT_ROOT, load_settings

__all__ = ["check_sources", "load_migrations", "project_path"]


@cache
def load_migrations(path: Path | None = None) -> MigrationsFile:
    """The validated migrations file (cached per path for the life of the process).

    Raises:
        MigrationsConfigError: one line per problem, naming the migration, the field and the fix.
    """
    target = path or load_settings().migrations
    config = parse_migrations(target.read_text(encoding="utf-8"), source=str(target))
    check_sources(config, source=str(target))
    return config


def check_sources(config: MigrationsFile, *, source: str) -> None:
    """Every migration's source platform has a connector, and its `source.options` are the ones
    that connector takes."""
    problems = []
    for migration in config.migrations:
        try:
            connector = source_for(migration.source.platform)
        except UnknownSourceError as exc:
            problems.append(f"  - migration {migration.key!r}: source.platform: {exc}")
            continue
        try:
            connector.options_model.model_validate(migration.source.options)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"]) or "(itself)"
                problems.append(
                    f"  - migration {migration.key!r}: source.options.{where}: {error['msg']}"
                )
    if problems:
        raise MigrationsConfigError(f"{source} is invalid:\n" + "\n".join(problems))


def project_path(name: str) -> Path:
    """A configured file: absolute as given, else relative to the project root."""
    path = Path(name)
    return path if path.is_absolute() else PROJECT_ROOT / path
