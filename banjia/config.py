"""Reading the migrations file for a command: one line per problem, never a traceback.

Every `banjia` command that needs the migrations goes through here, so a missing file, an
unreadable one, an invalid one and an unknown migration key read the same everywhere: a line on
stderr naming the path or the key and the fix, and a non-zero exit.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from listings.migrations import Migration, MigrationsFile

__all__ = [
    "checked_env_name",
    "fail",
    "load_migrations_or_exit",
    "migration_or_exit",
    "selected_or_exit",
]


def load_migrations_or_exit() -> MigrationsFile:
    """The validated migrations file, or exit with one line per problem (never a traceback).

    A missing or unreadable file is one line naming the path and how to fix it, exit 2; an
    invalid one lists every problem, exit 1.
    """
    from listings.migrations import MigrationsConfigError, parse_migrations
    from pipeline.migrations_file import check_sources
    from pipeline.settings import load_settings

    path = load_settings().migrations
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        fail(
            f"migrations file {path} not found: create it (data/migrations.yaml shows the shape) "
            "or point BANJIA_MIGRATIONS at yours",
            status=2,
        )
    except IsADirectoryError:
        fail(f"migrations file {path} is a directory: point BANJIA_MIGRATIONS at a YAML file", 2)
    except OSError as exc:
        fail(f"cannot read the migrations file {path}: {exc.strerror or exc}", status=2)
    except UnicodeDecodeError as exc:
        fail(f"migrations file {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8", 2)
    try:
        config = parse_migrations(text, source=str(path))
        check_sources(config, source=str(path))
    except MigrationsConfigError as exc:
        fail(str(exc), status=1)
    return config


def fail(message: str, status: int = 1) -> NoReturn:
    click.echo(f"banjia: {message}", err=True)
    sys.exit(status)


def selected_or_exit(config: MigrationsFile, keys: tuple[str, ...]) -> list[Migration]:
    """The migrations named by `keys` (all when none); an unknown key exits 2 with the known ones."""
    from listings.migrations import MigrationsConfigError

    if not keys:
        return list(config.migrations)
    try:
        return [config.get(key) for key in keys]
    except MigrationsConfigError as exc:
        fail(str(exc), status=2)


def migration_or_exit(key: str) -> Migration:
    """The migration `key`, or exit 2 naming the known keys (and the closest one)."""
    (migration,) = selected_or_exit(load_migrations_or_exit(), (key,))
    return migration


def checked_env_name(name: str, *, option: str = "--secret-env") -> str:
    """`name` if it can be an env var name; else a usage error that does not repeat it.

    A secret pasted where the name belongs would otherwise be echoed in "X is not set".
    """
    from listings.migrations import looks_like_secret

    if looks_like_secret(name):
        raise click.UsageError(
            f"{option} takes the NAME of an env var, and this looks like a secret (not shown): "
            "export the secret, e.g. `export KS_SIGN_SECRET=...`, and pass --secret-env "
            "KS_SIGN_SECRET"
        )
    if not name or not all(c.isalnum() or c == "_" for c in name) or name[0].isdigit():
        raise click.UsageError(
            f"{option} takes the NAME of an env var (letters, digits, _; {len(name)} characters "
            "given, not shown)"
        )
    return name
