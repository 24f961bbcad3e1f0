"""The text of a CSV file a merchant edited in a spreadsheet, whichever encoding it was saved in.

Why: the files banjia hands a merchant (the review queue, the publish plan, a labelled set for
`banjia categories eval`, an overrides table) come back from Excel or WPS. Saved as "CSV UTF-8"
they carry a byte-order mark; saved as plain "CSV" on a Chinese Windows they are in the system
code page, GBK, of which GB18030 is the superset Python decodes. Reading them as UTF-8 alone
crashed on the first Chinese title with a traceback (decision 171). Both encodings are accepted;
anything else is refused with the byte and the fix. Files banjia writes for a spreadsheet start
with a byte-order mark (`SPREADSHEET_ENCODING`) so that Excel shows their Chinese, not mojibake.
"""

from __future__ import annotations

__all__ = ["SPREADSHEET_ENCODING", "SpreadsheetEncodingError", "decode_spreadsheet_csv"]

SPREADSHEET_ENCODING = "utf-8-sig"
"""How banjia writes a CSV meant for a spreadsheet: UTF-8 with a byte-order mark."""

_FALLBACK = "gb18030"
"""Excel's and WPS's "CSV" on a Chinese Windows: the GBK code page (GB18030 holds all of it)."""


class SpreadsheetEncodingError(ValueError):
    """A file that is neither UTF-8 nor GB18030 text; the message names the file, the byte and
    the fix."""


def decode_spreadsheet_csv(data: bytes, *, source: str) -> str:
    """`data` as text: UTF-8 (a leading byte-order mark dropped), else GB18030.

    Raises:
        SpreadsheetEncodingError: neither decodes the bytes.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8:
        try:
            return data.decode(_FALLBACK)
        except UnicodeDecodeError:
            raise SpreadsheetEncodingError(
                f"{source}: byte {utf8.start} is neither UTF-8 nor GBK/GB18030 text: save the file "
                "as CSV UTF-8 (Excel: 另存为 › CSV UTF-8) and try again"
            ) from None
