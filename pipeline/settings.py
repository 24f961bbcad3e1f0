"""banjia's settings, read from the environment once, in one place.

Every `BANJIA_*` variable a deployment sets is a field here; Dagster resources and the `banjia`
command take their defaults from `load_settings()` rather than reading `os.environ` themselves.
Secrets are not settings: a migration names the env vars that hold them, and the clients read
those when they are built (`connectors.platforms`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PROJECT_ROOT", "Settings", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """`BANJIA_<FIELD>` for each field (e.g. `BANJIA_WAREHOUSE`); empty values count as unset."""

    model_config = SettingsConfigDict(env_prefix="BANJIA_", env_ignore_empty=True, extra="ignore")

    migrations: Path = Field(
        default=PROJECT_ROOT / "data" / "migrations.yaml", description="The migrations file."
    )
    warehouse: Path = Field(
        default=PROJECT_ROOT / "data" / "warehouse.duckdb",
        description="The embedded DuckDB warehouse file (unused when database_url is set).",
    )
    database_url: str = Field(
        default="",
        description="postgresql://… for all state shared by several workers (stage tables, "
        "caches, tokens, ledger; decision 73); empty: the DuckDB warehouse file.",
    )
    database_schema: str = Field(
        default="banjia", description="The PostgreSQL schema of the warehouse tables."
    )
    ledger_url: str = Field(
        default="",
        description="postgresql://… for the ledger alone; empty: database_url if set, else the "
        "warehouse file.",
    )
    ledger_schema: str = Field(default="banjia", description="The ledger's PostgreSQL schema.")
    endpoints: Literal["sandbox", "production"] = Field(
        default="sandbox", description="Where the platforms are."
    )
    sandbox_url: str = Field(
        default="http://127.0.0.1:8765", description="The sandbox emulators' base URL."
    )
    reports_dir: Path | None = Field(
        default=None,
        description="Where migration reports are written (<reports_dir>/<migration>/<run>.html); "
        "unset: reports/ beside the warehouse file (data/reports by default).",
    )

    progress_fd: int | None = Field(
        default=None,
        description="A file descriptor the stages draw their progress bars on (make demo hands "
        "it the terminal while Dagster's log goes to a file); unset: stderr.",
    )

    @property
    def warehouse_location(self) -> str:
        """What `store.Warehouse` opens: the PostgreSQL URL when set, else the DuckDB file."""
        return self.database_url or str(self.warehouse)

    def missing_warehouse(self) -> str | None:
        """Why a reading command has nothing to read (no DuckDB file yet), or None.

        A PostgreSQL warehouse is never missing: an empty one reads as empty."""
        if self.database_url or self.warehouse.exists():
            return None
        return f"no warehouse at {self.warehouse}"


def load_settings() -> Settings:
    """The settings as the environment says now (cheap; tests change the environment)."""
    return Settings()
