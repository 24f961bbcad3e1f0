"""Reading and writing the CSV files a merchant opens in a spreadsheet (decision 171).

Read: UTF-8 with or without a byte-order mark, or GBK/GB18030 as Excel saves "CSV" on a Chinese
Windows (`listings.spreadsheet_text`); an unreadable file is one line naming it and the fix, not
a traceback. Written: UTF-8 with a byte-order mark, so that Excel shows the titles' Chinese.
Standard output stays plain UTF-8: it goes to a pipe or a terminal, not to Excel.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from listings.spreadsheet_text import (
    SPREADSHEET_ENCODING,
    SpreadsheetEncodingError,
    decode_spreadsheet_csv,
)

__all__ = ["read_spreadsheet_csv", "read_spreadsheet_stdin", "write_spreadsheet_csv"]


def read_spreadsheet_csv(path: Path) -> str:
    """The text of a CSV file a merchant may have saved from a spreadsheet."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    return _decoded(data, source=str(path))


def read_spreadsheet_stdin() -> str:
    """Standard input as text, in any encoding `read_spreadsheet_csv` reads."""
    return _decoded(sys.stdin.buffer.read(), source="stdin")


def write_spreadsheet_csv(path: Path, text: str) -> None:
    """Write `text` for a spreadsheet: UTF-8 with a byte-order mark."""
    path.write_text(text, encoding=SPREADSHEET_ENCODING)


def _decoded(data: bytes, *, source: str) -> str:
    try:
        return decode_spreadsheet_csv(data, source=source)
    except SpreadsheetEncodingError as exc:
        raise click.ClickException(str(exc)) from None
