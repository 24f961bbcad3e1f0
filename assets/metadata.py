"""A stage's result as Dagster metadata and check results: the one place assets translate.

Previews and breakdowns are Dagster table metadata (`TableMetadataValue` with a `TableSchema`):
the UI shows them as sortable tables with typed columns, where a reader looks for an item or a
reason. Figures stay plain values, so they chart over time in the UI.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import dagster as dg

from pipeline.results import CheckVerdict, StageResult


def _cell(value: Any, width: int = 60) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def markdown_table(rows: Sequence[Mapping[str, Any]], *, limit: int = 10) -> dg.MetadataValue:
    """The first `limit` rows as a Markdown table (or a note that there are none)."""
    if not rows:
        return dg.MetadataValue.md("_no rows_")
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"\n_{len(rows) - limit} more rows_")
    return dg.MetadataValue.md("\n".join(lines))


Cell = str | int | float | bool | None


def _record_value(value: Any) -> Cell:
    """A value a `TableRecord` holds: scalars as they are, times in ISO form, the rest as JSON."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def _column_type(values: Sequence[Cell]) -> str:
    present = {type(v) for v in values if v is not None}
    if present == {bool}:
        return "bool"
    if present and present <= {int}:
        return "int"
    if present and present <= {int, float}:
        return "float"
    return "string"


def table(rows: Sequence[Mapping[str, Any]], *, limit: int = 50) -> dg.MetadataValue:
    """The first `limit` rows as Dagster table metadata, column types read from the values."""
    shown = [{k: _record_value(v) for k, v in row.items()} for row in rows[:limit]]
    columns = list(dict.fromkeys(k for row in shown for k in row))
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name, type=_column_type([row.get(name) for row in shown]))
            for name in columns
        ]
    )
    return dg.MetadataValue.table(
        records=[dg.TableRecord({c: row.get(c) for c in columns}) for row in shown],
        schema=schema,
    )


def counts_table(counts: Mapping[str, int], *, key: str = "reason") -> dg.MetadataValue:
    """Counts by a key as a two-column table (`key`, items), largest first."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return table([{key: k, "items": v} for k, v in ordered], limit=len(ordered))


def check_result(verdict: CheckVerdict) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=verdict.name,
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN
        if verdict.severity == "warn"
        else dg.AssetCheckSeverity.ERROR,
        metadata=dict(verdict.metadata),
    )


def materialize_result(result: StageResult) -> dg.MaterializeResult:
    """Figures as metadata, breakdowns and the preview as tables, the row count and the checks.

    The keys are the stage's own (figure and breakdown names, `preview`, `dagster/row_count`).
    """
    metadata: dict[str, Any] = dict(result.figures)
    for name, breakdown in result.breakdowns.items():
        metadata[name] = counts_table(breakdown.counts, key=breakdown.key)
    metadata["dagster/row_count"] = result.row_count
    metadata["preview"] = table(result.preview)
    return dg.MaterializeResult(
        metadata=metadata, check_results=[check_result(v) for v in result.checks]
    )
