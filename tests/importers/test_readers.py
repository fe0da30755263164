"""Readers: CSV encodings and dialects, XLSX sheets and merged headers, JSON and JSON Lines."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from chainatlas.errors import ImportFormatError
from chainatlas.importers.readers import decode_text, read_table
from tests.importers._helpers import write_png, write_text, write_xlsx

#: Every character here exists in GBK, so the file can be saved in all four encodings.
COMMON = "code,name_zh,name_en\n330100,杭州市,Hangzhou\n330106,西湖区,“Xihu”\n"
COMMON_ROWS = [
    (2, ["330100", "杭州市", "Hangzhou"]),
    (3, ["330106", "西湖区", "“Xihu”"]),
]
#: 𠮷 (U+20BB7) and 䶮 (U+4DAE) are outside GBK; GB18030 encodes them in four bytes.
RARE = "code,name_zh\n1,𠮷野家\n2,刘䶮\n"
RARE_ROWS = [(2, ["1", "𠮷野家"]), (3, ["2", "刘䶮"])]


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gbk"), ("gb18030", "gbk")],
)
def test_the_same_csv_in_utf8_bom_gbk_and_gb18030_reads_to_the_same_rows(
    tmp_path: Path, encoding: str, reported: str
) -> None:
    path = write_text(tmp_path / "regions.csv", COMMON, encoding)
    table = read_table(path)
    assert table.headers == ["code", "name_zh", "name_en"]
    assert table.rows == COMMON_ROWS
    # GB18030 bytes of GBK characters are GBK bytes, so such a file is rightly called GBK.
    assert table.encoding == reported
    assert table.file == "regions.csv"


@pytest.mark.parametrize(
    ("encoding", "reported"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gb18030", "gb18030")]
)
def test_characters_outside_gbk_are_read_from_utf8_and_gb18030(
    tmp_path: Path, encoding: str, reported: str
) -> None:
    with pytest.raises(UnicodeEncodeError):
        RARE.encode("gbk")  # the premise: GBK alone cannot hold this file
    path = write_text(tmp_path / "names.csv", RARE, encoding)
    table = read_table(path)
    assert table.rows == RARE_ROWS
    assert table.encoding == reported


def test_a_utf8_bom_does_not_stick_to_the_first_header(tmp_path: Path) -> None:
    path = write_text(tmp_path / "bom.csv", COMMON, "utf-8-sig")
    assert read_table(path).headers[0] == "code"


def test_a_latin1_file_is_refused_naming_the_file_and_the_line_of_the_bad_byte(
    tmp_path: Path,
) -> None:
    text = "code,name_zh,name_en\n330100,Hangzhou,Hangzhou\n990001,Café,Café\n"
    path = write_text(tmp_path / "latin1.csv", text, "latin-1")
    with pytest.raises(ImportFormatError) as err:
        read_table(path)
    message = err.value.message
    assert message.startswith("latin1.csv: ")
    assert "not UTF-8, GBK or GB18030" in message
    assert "line 3" in message


def test_a_utf16_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write_text(tmp_path / "unicode.csv", COMMON, "utf-16")
    with pytest.raises(ImportFormatError, match=r"^unicode\.csv: "):
        read_table(path)


def test_a_utf16_file_is_refused_as_an_encoding_problem(tmp_path: Path) -> None:
    path = write_text(tmp_path / "unicode.csv", COMMON, "utf-16")
    with pytest.raises(ImportFormatError, match=r"(?i)utf-16|encoding"):
        read_table(path)


def test_decode_text_reports_gb18030_only_when_gbk_is_not_enough() -> None:
    assert decode_text("a.csv", "杭州".encode("gbk")) == ("杭州", "gbk")
    assert decode_text("a.csv", "𠮷".encode("gb18030")) == ("𠮷", "gb18030")
    assert decode_text("a.csv", "杭州".encode()) == ("杭州", "utf-8")


@pytest.mark.parametrize("sep", ["\t", ";", "|"])
def test_tab_semicolon_and_pipe_separated_files_are_recognised(tmp_path: Path, sep: str) -> None:
    text = COMMON.replace(",", sep)
    table = read_table(write_text(tmp_path / "sep.csv", text))
    assert table.headers == ["code", "name_zh", "name_en"]
    assert table.rows == COMMON_ROWS


def test_csv_row_numbers_are_file_lines_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    text = "\n\ncode,name_zh\n\n330100,杭州市\n,\n330200,宁波市\n"
    table = read_table(write_text(tmp_path / "gaps.csv", text))
    assert table.headers == ["code", "name_zh"]
    assert table.rows == [(5, ["330100", "杭州市"]), (7, ["330200", "宁波市"])]


def test_quoted_cells_keep_their_commas_and_line_breaks(tmp_path: Path) -> None:
    text = 'code,note\n1,"电芯, 模组"\n2,"第一行\n第二行"\n3,x\n'
    table = read_table(write_text(tmp_path / "quoted.csv", text))
    assert [values for _, values in table.rows] == [
        ["1", "电芯, 模组"],
        ["2", "第一行\n第二行"],
        ["3", "x"],
    ]
    assert table.rows[2][0] == 5


def test_a_record_with_a_line_break_is_numbered_by_the_line_it_starts_on(tmp_path: Path) -> None:
    text = 'code,note\n1,a\n2,"第一行\n第二行"\n'
    table = read_table(write_text(tmp_path / "quoted.csv", text))
    assert [n for n, _ in table.rows] == [2, 3]


def test_a_column_with_data_but_no_header_is_refused_by_number(tmp_path: Path) -> None:
    path = write_text(tmp_path / "gap.csv", "code,,level\n330100,杭州市,city\n")
    with pytest.raises(ImportFormatError, match=r"^gap\.csv: column 2 has data but no header$"):
        read_table(path)


def test_an_empty_column_without_header_is_allowed(tmp_path: Path) -> None:
    table = read_table(write_text(tmp_path / "gap.csv", "code,,level\n330100,,city\n"))
    assert table.headers == ["code", "", "level"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \r\n\r\n", "the file is empty"),
        (b"code,name_zh,level\n", "has a header but no data rows"),
        (b"code,name_zh,level\n\n,,\n", "has a header but no data rows"),
    ],
)
def test_empty_and_header_only_files_are_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "nothing.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=rf"^nothing\.csv: {message}$"):
        read_table(path)


def test_an_image_renamed_to_csv_is_refused_as_binary(tmp_path: Path) -> None:
    path = write_png(tmp_path / "regions.csv")
    with pytest.raises(ImportFormatError, match=r"^regions\.csv: this is a binary file"):
        read_table(path)


def test_an_old_xls_workbook_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(ImportFormatError, match=r"^old\.xls: .*old binary Excel.*save it as"):
        read_table(path)


def test_an_xlsx_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "fake.xlsx", COMMON)
    with pytest.raises(ImportFormatError, match=r"^fake\.xlsx: not a valid XLSX workbook"):
        read_table(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ImportFormatError, match=r"^archive\.xlsx: not a readable XLSX workbook"):
        read_table(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(ImportFormatError, match="is a folder, not a file"):
        read_table(tmp_path)


def test_xlsx_reads_the_first_sheet_with_sheet_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "地区": [
                [],
                ["code", "name_zh", "level"],
                [330100, "杭州市", "city"],
                [],
                ["330200", "宁波市", "city"],
            ],
            "other": [["x"], [1]],
        },
    )
    table = read_table(path)
    assert table.sheet == "地区"
    assert table.headers == ["code", "name_zh", "level"]
    assert table.rows == [(3, [330100.0, "杭州市", "city"]), (5, ["330200", "宁波市", "city"])]
    assert table.encoding is None


def test_xlsx_reads_a_named_sheet_and_lists_the_sheets_when_it_is_missing(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"a": [["x"], [1]], "b": [["y"], [2]]})
    assert read_table(path, sheet="b").rows == [(2, [2.0])]
    with pytest.raises(ImportFormatError, match=r"no sheet named 'c' \(sheets: a, b\)"):
        read_table(path, sheet="c")


def test_merged_header_cells_are_refused_naming_the_row_and_the_range(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "merged.xlsx",
        {"regions": [["地区", None, "级别"], ["330100", "杭州市", "city"]]},
        merge={"regions": ["A1:B1"]},
    )
    with pytest.raises(ImportFormatError) as err:
        read_table(path)
    assert err.value.message.startswith(
        "merged.xlsx [sheet regions], row 1: merged header cells A1:B1"
    )
    assert "unmerge" in err.value.message


def test_a_merged_title_above_the_header_is_refused_too(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "titled.xlsx",
        {
            "regions": [
                ["2024年地区名录", None, None],
                ["code", "name_zh", "level"],
                ["330100", "杭州市", "city"],
            ]
        },
        merge={"regions": ["A1:C1"]},
    )
    with pytest.raises(ImportFormatError, match=r"row 1: merged header cells A1:C1"):
        read_table(path)


def test_merged_cells_below_the_header_are_read_as_one_value(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "body.xlsx",
        {"s": [["code", "note", "extra"], ["1", "跨两列", None]]},
        merge={"s": ["B2:C2"]},
    )
    assert read_table(path).rows[0][1][:2] == ["1", "跨两列"]


def test_an_empty_workbook_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "blank.xlsx", {"Sheet1": []})
    with pytest.raises(
        ImportFormatError, match=r"blank\.xlsx \[sheet Sheet1\]: the sheet is empty"
    ):
        read_table(path)


def test_a_json_array_becomes_a_table_with_the_union_of_keys(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "regions.json",
        '[{"code": "330100", "name_zh": "杭州市"}, {"code": "330200", "level": "city"}]',
    )
    table = read_table(path)
    assert table.headers == ["code", "name_zh", "level"]
    assert table.rows == [(1, ["330100", "杭州市", None]), (2, ["330200", None, "city"])]


def test_a_json_object_may_wrap_the_records_under_the_kind(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "wrapped.json", '{"meta": {"v": 1}, "regions": [{"code": "330100"}]}'
    )
    assert read_table(path, kind="regions").rows == [(1, ["330100"])]
    with pytest.raises(ImportFormatError, match="an object with a 'chains' list"):
        read_table(path, kind="chains")


def test_json_lines_are_numbered_by_line(tmp_path: Path) -> None:
    path = write_text(tmp_path / "regions.jsonl", '{"code": "1"}\n\n{"code": "2"}\n')
    assert read_table(path).rows == [(1, ["1"]), (3, ["2"])]


def test_a_broken_json_line_is_refused_naming_its_row(tmp_path: Path) -> None:
    path = write_text(tmp_path / "broken.jsonl", '{"code": "1"}\n{"code": \n')
    with pytest.raises(ImportFormatError, match=r"^broken\.jsonl, row 2: not valid JSON"):
        read_table(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", r"row 1: a record must be a JSON object"),
        ("[]", "the file has no records"),
        ("{broken", "not valid JSON"),
        ("plain text", "not a JSON file"),
    ],
)
def test_bad_json_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ImportFormatError, match=message):
        read_table(write_text(tmp_path / "bad.json", text))


def test_json_must_be_utf8(tmp_path: Path) -> None:
    path = write_text(tmp_path / "gbk.json", '[{"name_zh": "杭州市"}]', "gbk")
    with pytest.raises(ImportFormatError, match="JSON files must be UTF-8"):
        read_table(path)
