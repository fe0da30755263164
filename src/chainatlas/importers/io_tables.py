"""Load input-output tables from CSV/XLSX files: generic, China NBS, OECD and US BEA layouts.

Every loader returns an :class:`~chainatlas.domain.iotable.IOTable`; :func:`check_balance`
verifies its row and column balances. A file that cannot be used raises
:class:`~chainatlas.errors.ImportFormatError` naming the file, row and column. The layouts
are described in ``docs/io-tables.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NoReturn

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from chainatlas.domain.iotable import IOTable
from chainatlas.errors import ImportFormatError, ImportProblem, UnbalancedTableError

__all__ = ["Layout", "balance_gaps", "check_balance", "load_io_table", "read_bea_matrix"]

Layout = Literal["generic", "nbs", "oecd", "bea"]

_NBS_FINAL = ("FU101", "FU102", "FU103", "FU201", "FU202", "EX")
_BEA_NOT_DATA = {"readme", "naics codes"}


@dataclass(frozen=True, slots=True)
class _Grid:
    """The cells of one CSV file or worksheet with their 1-based row numbers."""

    file: str
    rows: list[tuple[int, list[object]]]

    def fail(
        self, row: int | None, column: str | None, reason: str, value: object = None
    ) -> NoReturn:
        shown = None if value is None or value == "" else str(value)
        raise ImportFormatError(str(ImportProblem(self.file, row, column, shown, reason)))


def _text(cell: object) -> str:
    """Return a cell as stripped text; whole floats such as 211.0 lose the '.0'."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell).strip()
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


def _at(cells: Sequence[object], pos: int | None) -> str:
    """Return the text of ``cells[pos]``, or "" when the row is shorter (or no column)."""
    return _text(cells[pos]) if pos is not None and pos < len(cells) else ""


def _read_grid(path: Path, sheet: str | None, *, data_sheet: bool = False) -> _Grid:
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        try:
            book = CalamineWorkbook.from_path(str(path))
        except Exception as err:  # noqa: BLE001 - calamine raises several private types
            raise ImportFormatError(f"{path.name}: not a readable workbook ({err})") from err
        names = list(book.sheet_names)
        if sheet is None:
            data = [s for s in names if s.strip().lower() not in _BEA_NOT_DATA]
            if data_sheet and len(data) > 1:
                raise ImportFormatError(
                    f"{path.name}: the workbook has sheets {', '.join(data)}; choose one "
                    "with --sheet or --year"
                )
            sheet = data[0] if data else names[0]
        if sheet not in names:
            raise ImportFormatError(f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(names)})")
        # keep leading empty rows/columns so that row numbers match the spreadsheet's
        cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return _Grid(f"{path.name} [{sheet}]", [(i + 1, list(r)) for i, r in enumerate(cells)])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as err:
            raise ImportFormatError(f"{path.name}: neither UTF-8 nor GBK text") from err
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, list[object]]] = []
    for record in reader:
        rows.append((reader.line_num, list(record)))
    return _Grid(path.name, rows)


def _number(grid: _Grid, row: int, column: str, cell: object, *, dots: bool = False) -> float:
    """Parse a numeric cell: empty is 0, BEA's '...' (not shown) is 0 when ``dots``."""
    if isinstance(cell, bool):
        grid.fail(row, column, "expected a number", cell)
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        text = str(cell).strip()
        if text == "" or (dots and text == "..."):
            return 0.0
        try:
            value = float(text)
        except ValueError:
            grid.fail(row, column, "expected a number", text)
    if not np.isfinite(value):
        grid.fail(row, column, "expected a finite number", cell)
    return value


def _block(
    grid: _Grid,
    rows: Sequence[tuple[int, list[object]]],
    cols: Sequence[tuple[int, str]],
    *,
    dots: bool = False,
) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
    """Parse the cells of ``rows`` at the column positions ``cols`` into a float array."""
    out = np.zeros((len(rows), len(cols)), dtype=np.float64)
    for i, (lineno, cells) in enumerate(rows):
        for j, (pos, label) in enumerate(cols):
            cell = cells[pos] if pos < len(cells) else ""
            out[i, j] = _number(grid, lineno, label, cell, dots=dots)
    return out


def _frame(values: np.ndarray, index: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(values, index=pd.Index(index), columns=pd.Index(columns))


# --- generic -----------------------------------------------------------------------------


def _load_generic(grid: _Grid, output_label: str) -> dict[str, object]:
    rows = [(n, r) for n, r in grid.rows if any(_text(c) for c in r)]
    if len(rows) < 2:
        grid.fail(None, None, "the file holds no table")
    # a table may start below and right of empty cells (spreadsheets)
    first = min(next(j for j, c in enumerate(r) if _text(c)) for _, r in rows)
    rows = [(n, r[first:]) for n, r in rows]
    head_line, header = rows[0]
    body = rows[1:]
    heads = [_text(c) for c in header]
    labels = [_text(r[0]) if r else "" for _, r in body]
    n = 0
    while n + 1 < len(heads) and n < len(labels) and heads[n + 1] == labels[n] and labels[n]:
        n += 1
    if n == 0:
        grid.fail(
            head_line,
            heads[1] if len(heads) > 1 else None,
            "no square sector block: the first column heading must equal the first row label",
        )
    sectors = labels[:n]
    if len(set(sectors)) != n:
        grid.fail(None, None, "a sector label appears twice")
    key = output_label.casefold()
    for head in heads[n + 1 :]:
        if head in labels and head.casefold() != key:
            grid.fail(head_line, head, "sector columns must come first, in the row order")
    out_col = next((p for p in range(n + 1, len(heads)) if heads[p].casefold() == key), None)
    if out_col is not None and out_col != len(heads) - 1:
        grid.fail(head_line, heads[out_col + 1], f"no column may follow {output_label!r}")
    fd_cols = [(p, heads[p]) for p in range(n + 1, out_col or len(heads)) if heads[p]]
    sector_cols = [(p + 1, s) for p, s in enumerate(sectors)]
    margin = body[n:]
    out_rows = [r for r in margin if _text(r[1][0]).casefold() == key]
    va_rows = [r for r in margin if _text(r[1][0]).casefold() != key]
    for lineno, cells in va_rows:
        if _text(cells[0]) in sectors:
            grid.fail(lineno, heads[0] or None, "sector rows must come first, in column order")
        if not _text(cells[0]):
            grid.fail(lineno, heads[0] or None, "a row below the sector block has no label")
    if out_col is None and not out_rows:
        grid.fail(None, None, f"no total-output column or row named {output_label!r}")
    x_row = _block(grid, out_rows[:1], sector_cols)[0] if out_rows else np.zeros(0)
    x = x_row if out_col is None else _block(grid, body[:n], [(out_col, heads[out_col])])[:, 0]
    if x_row.size and out_col is not None:
        off = np.abs(x_row - x) > 1e-9 * np.maximum(np.abs(x), 1.0)
        if off.any():
            j = int(np.argmax(off))
            grid.fail(out_rows[0][0], sectors[j], "total-output row disagrees with the column")
    va = None
    if va_rows:
        va = _frame(_block(grid, va_rows, sector_cols), [_text(r[0]) for _, r in va_rows], sectors)
    return {
        "Z": _frame(_block(grid, body[:n], sector_cols), sectors, sectors),
        "final_demand": _frame(_block(grid, body[:n], fd_cols), sectors, [c for _, c in fd_cols]),
        "x": pd.Series(x, index=pd.Index(sectors), name="x"),
        "value_added": va,
    }


# --- China NBS and OECD CSVs ---------------------------------------------------------------


def _columns(grid: _Grid) -> tuple[list[object], dict[str, int]]:
    header = grid.rows[0][1] if grid.rows else []
    return header, {_text(c): i for i, c in enumerate(header)}


def _need(grid: _Grid, where: dict[str, int], *names: str) -> None:
    for name in names:
        if name not in where:
            grid.fail(1, name, "required column is missing")


def _load_nbs(grid: _Grid, names: Literal["en", "zh"]) -> dict[str, object]:
    header, where = _columns(grid)
    _need(grid, where, "Code", "Description", "GO")
    sectors = [_text(c) for c in header if re.fullmatch(r"\d+", _text(c))]
    if not sectors:
        grid.fail(1, None, "no sector columns (headings such as 01, 02, ...)")
    origin = where.get("Origin")
    body = grid.rows[1:]

    code = where["Code"]
    sector_rows = [r for r in body if _at(r[1], code) in sectors and _at(r[1], origin) != "Imports"]
    got = [_at(r[1], code) for r in sector_rows]
    if got != sectors:
        bad = next((i for i, (a, b) in enumerate(zip(got, sectors, strict=False)) if a != b), None)
        line = sector_rows[bad][0] if bad is not None else None
        grid.fail(
            line, "Code", f"sector rows {len(got)} do not match sector columns {len(sectors)}"
        )
    cols = [(where[s], s) for s in sectors]
    finals = [c for c in _NBS_FINAL if c in where]
    if not any(c.startswith("FU10") for c in finals):
        _need(grid, where, "TC")
        finals.insert(0, "TC")
    if "FU201" not in where and "GCF" in where:
        finals.append("GCF")
    _need(grid, where, "EX")
    fd = _block(grid, sector_rows, [(where[c], c) for c in finals])
    labels = list(finals)
    for extra, sign in (("IM", -1.0), ("ERR", 1.0)):
        if extra in where:
            fd = np.column_stack([fd, sign * _block(grid, sector_rows, [(where[extra], extra)])])
            labels.append(extra)
    va_rows = [r for r in body if re.fullmatch(r"VA\d+", _at(r[1], code))]
    imp_rows = [r for r in body if _at(r[1], origin) == "Imports"]
    name_col = where.get("DescriptionInChinese" if names == "zh" else "Description", code)
    result: dict[str, object] = {
        "Z": _frame(_block(grid, sector_rows, cols), sectors, sectors),
        "final_demand": _frame(fd, sectors, labels),
        "x": pd.Series(
            _block(grid, sector_rows, [(where["GO"], "GO")])[:, 0], index=pd.Index(sectors)
        ),
        "value_added": _frame(
            _block(grid, va_rows, cols), [_at(r[1], code) for r in va_rows], sectors
        )
        if va_rows
        else None,
        "sector_names": pd.Series([_at(r[1], name_col) for r in sector_rows], index=sectors),
    }
    if imp_rows:
        result["imports"] = _frame(
            _block(grid, imp_rows, cols), [_at(r[1], code) for r in imp_rows], sectors
        )
    return result


def _load_oecd(grid: _Grid, year: int | None) -> dict[str, object]:
    header, where = _columns(grid)
    _need(grid, where, "Year", "Code")
    years = sorted({_at(r, where["Year"]) for _, r in grid.rows[1:]} - {""})
    if year is None:
        if len(years) != 1:
            grid.fail(None, "Year", f"the file holds years {years[0]}-{years[-1]}; choose --year")
        year = int(years[0])
    rows = [r for r in grid.rows[1:] if _at(r[1], where["Year"]) == str(year)]
    if not rows:
        grid.fail(None, "Year", f"no rows for year {year}")
    code = where["Code"]
    sectors = [_text(c) for c in header if re.fullmatch(r"\d+", _text(c))]
    by_code = {_at(r[1], code): r for r in rows}
    missing = [s for s in [*sectors, "OUTPUT"] if s not in by_code]
    if missing:
        grid.fail(None, "Code", f"year {year} has no row {missing[0]!r}")
    sector_rows = [by_code[s] for s in sectors]
    cols = [(where[s], s) for s in sectors]
    last = max(where[s] for s in sectors)
    fd_cols = [(i, _text(h)) for i, h in enumerate(header) if i > last and _text(h)]
    va_codes = [c for c in ("TXS_IMP_FNL", "TXS_INT_FNL", "VALU") if c in by_code]
    names = pd.Series(
        [_at(r[1], where.get("Description")) for r in sector_rows],
        index=sectors,
    )
    return {
        "Z": _frame(_block(grid, sector_rows, cols), sectors, sectors),
        "final_demand": _frame(
            _block(grid, sector_rows, fd_cols), sectors, [c for _, c in fd_cols]
        ),
        "x": pd.Series(_block(grid, [by_code["OUTPUT"]], cols)[0], index=pd.Index(sectors)),
        "value_added": _frame(
            _block(grid, [by_code[c] for c in va_codes], cols), va_codes, sectors
        ),
        "sector_names": names,
    }


# --- US BEA workbooks ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BeaSheet:
    header_line: int
    codes: list[str]  # one per column; the heading text where a column has no code
    names: list[str]
    rows: list[tuple[int, list[object], str, str]]  # line, cells, code, name


def _bea_sheet(grid: _Grid) -> _BeaSheet:
    top = next(
        (i for i, (_, r) in enumerate(grid.rows) if r and _text(r[0]) in ("IOCode", "Code")), None
    )
    if top is None:
        grid.fail(None, "A", "no heading row starting with 'IOCode' or 'Code' (not a BEA table)")
    rows: list[tuple[int, list[object], str, str]] = []
    for lineno, cells in grid.rows[top + 1 :]:
        code = _text(cells[0]) if cells else ""
        name = _text(cells[1]) if len(cells) > 1 else ""
        if code.startswith(("Legend", "Note")) or name.startswith("Note"):
            break
        if code or name:
            rows.append((lineno, cells, code, name))
    row_codes = {code for _, _, code, _ in rows if code}

    def overlap(k: int) -> int:
        return len({_text(c) for c in grid.rows[k][1][2:]} & row_codes) if k >= 0 else -1

    code_row = max((top, top - 1), key=overlap)
    name_row = top - 1 if code_row == top else top
    codes = [_text(c) for c in grid.rows[code_row][1]]
    names = [_text(c) for c in grid.rows[name_row][1]]
    width = max(len(codes), len(names))
    codes += [""] * (width - len(codes))
    names += [""] * (width - len(names))
    return _BeaSheet(
        grid.rows[code_row][0], [c or nm for c, nm in zip(codes, names, strict=True)], names, rows
    )


def _is_total(code: str, name: str) -> bool:
    """Tell a total row/column (code T001..T008, or an uncoded 'Total ...' heading)."""
    if re.fullmatch(r"T\d{3}", code):
        return True
    uncoded = not code or code == name
    return uncoded and name.startswith(("Total", "Sum of", "Intermediate Not"))


def read_bea_matrix(
    path: str | Path, *, sheet: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """Read the coded data block of a BEA workbook sheet (use, import or requirements table).

    Rows are labelled by IO code (by the row name where a total row has no code) and
    columns likewise; BEA's ``...`` (value not shown) and empty cells read as 0.

    Raises
    ------
    ImportFormatError
        If the sheet is missing, has no ``IOCode``/``Code`` heading or a cell is not numeric.
    """
    grid = _read_grid(Path(path), sheet or (str(year) if year else None), data_sheet=True)
    bea = _bea_sheet(grid)
    cols = [(i, c) for i, c in enumerate(bea.codes) if i >= 2 and c]
    data = _block(grid, [(n, r) for n, r, _, _ in bea.rows], cols, dots=True)
    index = [code or name for _, _, code, name in bea.rows]
    return _frame(data, index, [c for _, c in cols])


def _load_bea(grid: _Grid) -> dict[str, object]:
    bea = _bea_sheet(grid)
    industries: list[tuple[int, str]] = []
    for pos in range(2, len(bea.codes)):
        code = bea.codes[pos]
        if not code or _is_total(code, bea.names[pos]) or re.fullmatch(r"F\d\w*", code):
            break
        industries.append((pos, code))
    fd_cols = [(p, c) for p, c in enumerate(bea.codes) if p >= 2 and re.fullmatch(r"F\d\w*", c)]
    if not industries or not fd_cols:
        grid.fail(bea.header_line, None, "not a BEA use table (no industry or final-use columns)")
    commodities: list[tuple[int, list[object], str, str]] = []
    for row in bea.rows:
        if _is_total(row[2], row[3]) or re.fullmatch(r"V\d+", row[2]):
            break
        commodities.append(row)
    va_rows = [r for r in bea.rows if re.fullmatch(r"V\d+", r[2])]
    out_row = next((r for r in bea.rows if r[2] == "T008" or r[3] == "Total Industry Output"), None)
    if out_row is None:
        grid.fail(None, "A", "no 'Total Industry Output' row")
    sectors = [c for _, c in industries]
    by_code = {r[2]: r for r in commodities}
    z = np.zeros((len(sectors), len(sectors)))
    fd = np.zeros((len(sectors), len(fd_cols)))
    for i, code in enumerate(sectors):
        if code in by_code:
            lineno, cells, _, _ = by_code[code]
            z[i] = _block(grid, [(lineno, cells)], industries, dots=True)[0]
            fd[i] = _block(grid, [(lineno, cells)], fd_cols, dots=True)[0]
    # Commodities that no industry makes as its own product (scrap, used goods,
    # noncomparable imports) are inputs from outside the sector block: keep them with the
    # primary inputs so that the column balance still holds.
    outside = [r for r in commodities if r[2] not in set(sectors)] + va_rows
    va = _block(grid, [(r[0], r[1]) for r in outside], industries, dots=True)
    x = _block(grid, [(out_row[0], out_row[1])], industries, dots=True)[0]
    names = [by_code[c][3] if c in by_code else bea.names[p] for p, c in industries]
    return {
        "Z": _frame(z, sectors, sectors),
        "final_demand": _frame(fd, sectors, [c for _, c in fd_cols]),
        "x": pd.Series(x, index=pd.Index(sectors)),
        "value_added": _frame(va, [r[2] for r in outside], sectors),
        "sector_names": pd.Series(names, index=sectors),
    }


# --- public API ----------------------------------------------------------------------------

_UNITS = {
    "nbs": "10,000 CNY, current producers' prices",
    "oecd": "million USD, current prices",
    "bea": "million USD, producers' prices",
}
_SOURCES = {
    "nbs": "National Bureau of Statistics of China, input-output table",
    "oecd": "OECD Input-Output Tables (2021 edition)",
    "bea": "U.S. Bureau of Economic Analysis, use table before redefinitions",
}


def load_io_table(
    path: str | Path,
    layout: Layout = "generic",
    *,
    sheet: str | None = None,
    year: int | None = None,
    output_label: str = "total_output",
    names: Literal["en", "zh"] = "en",
    name: str | None = None,
    units: str | None = None,
) -> IOTable:
    """Load an input-output table from a CSV or XLSX file.

    Parameters
    ----------
    path : str or Path
        The file (``.csv`` or ``.xlsx``).
    layout : {"generic", "nbs", "oecd", "bea"}
        How the file is laid out (see ``docs/io-tables.md``): ``generic`` (square sector
        block, final-demand columns, a total-output column or row), ``nbs`` (China NBS
        competitive or non-competitive tables), ``oecd`` (OECD IOTs, one or many years),
        ``bea`` (US BEA use table, one year per sheet).
    sheet : str, optional
        Worksheet of an XLSX file; BEA workbooks default to ``str(year)``.
    year : int, optional
        Year to pick from a multi-year file (BEA sheet, OECD ``Year`` column).
    output_label : str
        Generic layout: heading of the total-output column or row (case-insensitive).
    names : {"en", "zh"}
        NBS layout: English or Chinese sector names.
    name, units : str, optional
        Override the table's name and money unit.

    Returns
    -------
    IOTable
        The table; call :func:`check_balance` to verify it.

    Raises
    ------
    ImportFormatError
        If the file or sheet is missing, a cell is not numeric, the sector block is not
        square or a required column/row is absent (the message names file, row, column).
    """
    file = Path(path)
    if layout not in ("generic", "nbs", "oecd", "bea"):
        raise ImportFormatError(f"unknown layout {layout!r} (generic, nbs, oecd or bea)")
    if layout == "bea" and sheet is None and year is not None:
        sheet = str(year)
    grid = _read_grid(file, sheet, data_sheet=layout == "bea")
    if layout == "generic":
        parts = _load_generic(grid, output_label)
    elif layout == "nbs":
        parts = _load_nbs(grid, names)
    elif layout == "oecd":
        parts = _load_oecd(grid, year)
    else:
        parts = _load_bea(grid)
    title = name or (f"{file.stem} {year}" if year and layout != "bea" else grid.file)
    return IOTable(
        name=title,
        units=units or _UNITS.get(layout, ""),
        source=_SOURCES.get(layout, str(file.name)),
        **parts,  # type: ignore[arg-type]
    )


def balance_gaps(table: IOTable) -> pd.DataFrame:
    """Return the row and column balance gaps of a table, by sector.

    ``row_gap = Z 1 + f - x`` and ``column_gap = 1'Z + 1'imports + 1'value_added - x``
    (NaN when the table records no value added), in the table's money unit, and the same
    gaps as shares of output (``row_gap_share``, ``column_gap_share``; a zero-output sector
    is divided by 1).
    """
    x = table.x.astype(float)
    row_gap = table.Z.sum(axis=1) + table.f - x
    col_gap = pd.Series(np.nan, index=x.index)
    if table.value_added is not None:
        col_gap = table.Z.sum(axis=0) + table.value_added.sum(axis=0) - x
        if table.imports is not None:
            col_gap = col_gap + table.imports.sum(axis=0)
    scale = x.abs().where(x != 0, 1.0)
    return pd.DataFrame(
        {
            "row_gap": row_gap,
            "column_gap": col_gap,
            "row_gap_share": row_gap / scale,
            "column_gap_share": col_gap / scale,
        }
    )


def check_balance(table: IOTable, rtol: float = 1e-3, atol: float = 0.0) -> pd.DataFrame:
    """Check the row and column balances of a table; raise naming the worst sectors.

    Row balance: ``Z 1 + f = x``; column balance: ``1'Z + 1'imports + 1'value_added = x``
    (skipped when the table records no value added). A sector fails when
    ``|gap| > atol + rtol * |x|``.

    Parameters
    ----------
    table : IOTable
        The table to check.
    rtol : float
        Relative tolerance, as a share of the sector's output (default 1e-3 = 0.1 %: loose
        enough for published tables rounded to whole units, tight enough to catch a
        misread row or column).
    atol : float
        Absolute tolerance, in the table's money unit.

    Returns
    -------
    DataFrame
        The gaps of :func:`balance_gaps` when the table balances.

    Raises
    ------
    UnbalancedTableError
        If any sector fails; the message names up to three worst sectors per side with
        their gap in money and as a share of output.
    """
    gaps = balance_gaps(table)
    limit = atol + rtol * table.x.abs()
    problems = []
    for side, what in (("row", "intermediate + final use"), ("column", "intermediate + inputs")):
        gap, share = gaps[f"{side}_gap"], gaps[f"{side}_gap_share"]
        bad = gap.abs() > limit
        if bad.any():
            worst = share[bad].abs().sort_values(ascending=False).index[:3]
            shown = ", ".join(f"{s} {gap[s]:+.4g} ({share[s]:+.2%})" for s in worst)
            problems.append(
                f"{side}s ({what} vs total output) off in {int(bad.sum())} sectors; worst: {shown}"
            )
    if problems:
        raise UnbalancedTableError(f"table {table.name!r} does not balance: " + "; ".join(problems))
    return gaps
