"""The text of a CSV a merchant saved from a spreadsheet (decision 171)."""

import pytest

from listings.spreadsheet_text import SpreadsheetEncodingError, decode_spreadsheet_csv

ROW = "platform,title\ntaobao,2025夏季新款法式碎花雪纺连衣裙女\n"


def test_utf8_is_read_as_it_is() -> None:
    assert decode_spreadsheet_csv(ROW.encode("utf-8"), source="f.csv") == ROW


def test_excel_s_csv_utf8_loses_its_byte_order_mark() -> None:
    assert decode_spreadsheet_csv(ROW.encode("utf-8-sig"), source="f.csv") == ROW


def test_excel_s_csv_on_a_chinese_windows_is_read_as_gbk() -> None:
    assert decode_spreadsheet_csv(ROW.encode("gbk"), source="f.csv") == ROW


def test_bytes_that_are_no_text_name_the_file_the_byte_and_the_fix() -> None:
    with pytest.raises(SpreadsheetEncodingError) as caught:
        decode_spreadsheet_csv(b"platform\n\xff\xfe\x80", source="shop.csv")
    assert str(caught.value).startswith("shop.csv: byte 9 is neither UTF-8 nor GBK/GB18030 text")
    assert "CSV UTF-8" in str(caught.value)
