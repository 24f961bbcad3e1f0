"""A stage's result as Dagster metadata and check results: the one place assets translate."""

from collections.abc import Mapping, Sequence
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


def counts_table(counts: Mapping[str, int], *, key: str = "reason") -> dg.MetadataValue:
    """Counts by a key as a two-column table (`key`, items)."""
    return markdown_table([{key: k, "items": v} for k, v in sorted(counts.items())])


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
    """Figures as metadata, breakdowns as tables, the preview, the row count and the checks."""
    metadata: dict[str, Any] = dict(result.figures)
    for name, breakdown in result.breakdowns.items():
        metadata[name] = counts_table(breakdown.counts, key=breakdown.key)
    metadata["dagster/row_count"] = result.row_count
    metadata["preview"] = markdown_table(result.preview)
    return dg.MaterializeResult(
        metadata=metadata, check_results=[check_result(v) for v in result.checks]
    )
