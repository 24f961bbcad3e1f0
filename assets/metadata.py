"""Small Markdown previews for asset metadata (no extra dependency for tables)."""

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg


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


def counts_table(counts: Mapping[str, int]) -> dg.MetadataValue:
    return markdown_table([{"reason": k, "items": v} for k, v in sorted(counts.items())])
