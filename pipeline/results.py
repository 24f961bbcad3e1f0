"""What a stage function returns: its figures, a preview, the problems, and its checks' verdicts.

Stages know nothing of Dagster; `assets/` turns a `StageResult` into a `MaterializeResult` with
metadata and asset-check results, so what an asset shows is exactly what its stage measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Breakdown", "CheckVerdict", "StageFailedError", "StageResult"]

Figure = bool | int | float | str | None


@dataclass(frozen=True)
class CheckVerdict:
    """One asset check's outcome for the migration the stage ran on."""

    name: str
    passed: bool
    severity: Literal["warn", "error"] = "error"
    metadata: Mapping[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class Breakdown:
    """Items counted by a key: `key` names what the rows are (reason, state, layer, ...)."""

    key: str
    counts: Mapping[str, int]


@dataclass
class StageResult:
    """A stage's outcome for one migration.

    - `figures`: counts and rates, each named for what it counts;
    - `breakdowns`: counts by a key (e.g. quarantine reason → items), shown as tables;
    - `preview`: a few rows a reader can check by eye;
    - `row_count`: the rows the stage's table holds for the migration now;
    - `checks`: the verdicts of the checks the stage evaluates.
    """

    figures: dict[str, Figure] = field(default_factory=dict)
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    row_count: int = 0
    checks: list[CheckVerdict] = field(default_factory=list)


class StageFailedError(RuntimeError):
    """The stage could not do its work for the migration at all (every item failed the same way,
    or the platform refused the shop): the run stops here with this one message, which names the
    migration, what failed and the fix. Nothing after the stage runs on its output."""
