"""Read CSV (UTF-8, GBK, GB18030), XLSX and JSON files into header + numbered rows.

The readers know nothing about entities; they only turn a file into a :class:`RawTable`
or raise :class:`~chainatlas.errors.ImportFormatError` naming the file and what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainatlas.errors import ImportFormatError

__all__ = ["RawTable", "decode_text", "detect_format", "read_table"]

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class RawTable:
    """Rows of one file: ``headers`` and ``rows`` of (row number in the file, values)."""

    file: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    encoding: str | None = None
    sheet: str | None = None


def detect_format(path: Path, data: bytes) -> str:
    """Return 'csv', 'xlsx' or 'json' from the content (and the suffix as a hint)."""
    if data.startswith(_XLSX_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        raise ImportFormatError(
            f"{path.name}: this is an old binary Excel (.xls) file; save it as .xlsx or CSV"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 3 and data[1:4:2] == b"\0\0"):
        raise ImportFormatError(
            f"{path.name}: the text is UTF-16 (Excel's 'Unicode text'); save it as "
            "CSV UTF-8 (or GBK) and import that"
        )
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"[", b"{"):
        return "json"
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        raise ImportFormatError(f"{path.name}: not a valid XLSX workbook (not a zip file)")
    if suffix in {".json", ".jsonl"}:
        raise ImportFormatError(f"{path.name}: not a JSON file (it does not start with [ or {{)")
    if b"\x00" in data[:4096]:
        raise ImportFormatError(f"{path.name}: this is a binary file, not a CSV, XLSX or JSON file")
    return "csv"


def decode_text(name: str, data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM), else GB18030 (a superset of GBK).

    Returns the text and the encoding used. Raises ImportFormatError naming the line of
    the first undecodable byte when neither fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        label = "utf-8" if enc.startswith("utf-8") else enc
        if enc == "gb18030":
            # Plain GBK files are the common case; say so when GBK alone can decode it.
            try:
                data.decode("gbk")
                label = "gbk"
            except UnicodeDecodeError:
                pass
        return text, label
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{name}: cannot read the text encoding (not UTF-8, GBK or GB18030); "
            f"first bad byte at line {line}"
        ) from err
    raise ImportFormatError(f"{name}: cannot read the text encoding")  # pragma: no cover


def _read_csv(path: Path, data: bytes) -> RawTable:
    text, enc = decode_text(path.name, data)
    if not text.strip():
        raise ImportFormatError(f"{path.name}: the file is empty")
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    table: RawTable | None = None
    while True:
        # A record may span lines (a line break inside quotes): number it by its first line.
        lineno = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise ImportFormatError(f"{path.name}, row {lineno}: not valid CSV ({err})") from err
        if table is None:
            if not any(v.strip() for v in values):
                continue
            table = RawTable(path.name, [v.strip() for v in values], encoding=enc)
            continue
        if not any(v.strip() for v in values):
            continue
        table.rows.append((lineno, list(values)))
    if table is None:
        raise ImportFormatError(f"{path.name}: the file is empty")
    return table


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as err:  # noqa: BLE001 - calamine raises its own error types
        raise ImportFormatError(f"{path.name}: not a readable XLSX workbook ({err})") from err
    names = list(book.sheet_names)
    if not names:
        raise ImportFormatError(f"{path.name}: the workbook has no sheets")
    if sheet is None:
        ws = book.get_sheet_by_index(0)
    elif sheet in names:
        ws = book.get_sheet_by_name(sheet)
    else:
        raise ImportFormatError(
            f"{path.name}: no sheet named {sheet!r} (sheets: {', '.join(names)})"
        )
    return _sheet_table(path.name, ws)


def xlsx_sheet_names(path: Path) -> list[str]:
    """Return the sheet names of a workbook."""
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as err:  # noqa: BLE001
        raise ImportFormatError(f"{path.name}: not a readable XLSX workbook ({err})") from err


def read_sheet(path: Path, sheet: str) -> RawTable:
    """Read one named sheet of a workbook."""
    return _read_xlsx(path, sheet)


def _cell_name(row0: int, col0: int) -> str:
    col, letters = col0 + 1, ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row0 + 1}"


def _sheet_table(name: str, ws: Any) -> RawTable:
    data = ws.to_python(skip_empty_area=False)
    label = f"{name} [sheet {ws.name}]"
    header_idx = next((i for i, r in enumerate(data) if any(_filled(v) for v in r)), None)
    if header_idx is None:
        raise ImportFormatError(f"{label}: the sheet is empty")
    merged = getattr(ws, "merged_cell_ranges", None) or []
    for (r0, c0), (r1, c1) in merged:
        if r0 <= header_idx <= r1:
            raise ImportFormatError(
                f"{label}, row {header_idx + 1}: merged header cells "
                f"{_cell_name(r0, c0)}:{_cell_name(r1, c1)}; unmerge them so that every "
                "column has its own header in one row"
            )
    headers = [str(v).strip() if _filled(v) else "" for v in data[header_idx]]
    while headers and not headers[-1]:
        headers.pop()
    table = RawTable(name, headers, sheet=str(ws.name))
    for i in range(header_idx + 1, len(data)):
        row = list(data[i])
        if not any(_filled(v) for v in row):
            continue
        table.rows.append((i + 1, row))
    return table


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _read_json(path: Path, data: bytes, kind: str | None) -> RawTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ImportFormatError(f"{path.name}: JSON files must be UTF-8") from err
    records: list[tuple[int, Any]]
    try:
        doc = json.loads(text)
        if isinstance(doc, dict):
            key = next(
                (
                    k
                    for k in (kind, "data", "records", "rows")
                    if k and isinstance(doc.get(k), list)
                ),
                None,
            )
            if key is None:
                raise ImportFormatError(
                    f"{path.name}: expected a list of records, or an object with a "
                    f"{kind or 'data'!r} list"
                )
            doc = doc[key]
        if not isinstance(doc, list):
            raise ImportFormatError(f"{path.name}: expected a list of records")
        records = [(i + 1, rec) for i, rec in enumerate(doc)]
    except json.JSONDecodeError as whole_err:
        # JSON Lines: one object per line.
        records = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((lineno, json.loads(line)))
            except json.JSONDecodeError as err:
                if lineno == 1 and not records:
                    raise ImportFormatError(
                        f"{path.name}: not valid JSON: {whole_err.msg} at line "
                        f"{whole_err.lineno}, column {whole_err.colno}"
                    ) from whole_err
                raise ImportFormatError(
                    f"{path.name}, row {lineno}: not valid JSON: {err.msg} at column {err.colno}"
                ) from err
    if not records:
        raise ImportFormatError(f"{path.name}: the file has no records")
    headers: list[str] = []
    for rowno, rec in records:
        if not isinstance(rec, dict):
            raise ImportFormatError(f"{path.name}, row {rowno}: a record must be a JSON object")
        for k in rec:
            if k not in headers:
                headers.append(str(k))
    table = RawTable(path.name, headers, encoding="utf-8")
    for rowno, rec in records:
        table.rows.append((rowno, [rec.get(h) for h in headers]))
    return table


def read_table(path: str | Path, *, sheet: str | None = None, kind: str | None = None) -> RawTable:
    """Read a CSV, XLSX or JSON (array or JSON Lines) file into a :class:`RawTable`.

    Raises
    ------
    ImportFormatError
        When the file is missing, empty, of the wrong kind or cannot be decoded.
    """
    p = Path(path)
    if not p.exists():
        raise ImportFormatError(f"{p}: no such file")
    if p.is_dir():
        raise ImportFormatError(f"{p}: is a folder, not a file")
    data = p.read_bytes()
    if not data.strip():
        raise ImportFormatError(f"{p.name}: the file is empty")
    fmt = detect_format(p, data)
    if fmt == "xlsx":
        table = _read_xlsx(p, sheet)
    elif fmt == "json":
        table = _read_json(p, data, kind)
    else:
        table = _read_csv(p, data)
    if not table.rows:
        raise ImportFormatError(f"{_label(table)}: has a header but no data rows")
    blank = [i + 1 for i, h in enumerate(table.headers) if not h]
    if blank and any(any(_filled(v) for v in r[blank[0] - 1 : blank[0]]) for _, r in table.rows):
        raise ImportFormatError(f"{_label(table)}: column {blank[0]} has data but no header")
    return table


def _label(table: RawTable) -> str:
    return f"{table.file} [sheet {table.sheet}]" if table.sheet else table.file
