"""Unusable files are refused before any row is read: the error names the file.

Each case runs on both backends against a database that already holds rows (the seed),
and compares every table's full content before and after the refused import.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainatlas.errors import ImportFormatError, ImportRejected
from chainatlas.services.import_run import import_file
from tests.importers._helpers import (
    BAD_CODE,
    TENCENT,
    seed,
    snapshot,
    write_png,
    write_text,
    write_xlsx,
)


@dataclass(frozen=True)
class Case:
    """One unusable file: how to write it, and what the refusal must say."""

    id: str
    kind: str
    make: Callable[[Path], Path]
    message: tuple[str, ...] = ()


def csv(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    return lambda folder: write_text(folder / name, text, encoding)


LATIN1 = "code,name_zh,name_en,level\n330200,Ningbo,Ningbo,city\n990001,Café,Café,park\n"
REGIONS_CSV = "code,name_zh,level\n330200,宁波市,city\n330300,温州市,city\n"


def not_a_workbook(folder: Path) -> Path:
    path = folder / "regions.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("regions.csv", REGIONS_CSV)
    return path


FILE_CASES = [
    Case(
        "wrong encoding",
        "regions",
        csv("latin1.csv", LATIN1, "latin-1"),
        ("cannot read the text encoding", "line 3"),
    ),
    Case("utf-16 file", "regions", csv("utf16.csv", REGIONS_CSV, "utf-16")),
    Case(
        "missing required column",
        "enterprises",
        csv("firms.csv", "企业名称,简介\n宁波新材料有限公司,新材料\n"),
        ("missing required column(s) for enterprises", "name+region"),
    ),
    Case(
        "unknown header",
        "enterprises",
        csv("firms.csv", f"credit_code,name,regoin\n{TENCENT},腾讯科技,440300\n"),
        ("unknown column 'regoin' for enterprises", "did you mean 'region'?"),
    ),
    Case(
        "two columns for one field",
        "enterprises",
        csv("firms.csv", "企业名称,公司名称,地区\n宁波新材料,宁波新材料有限公司,330100\n"),
        ("columns '企业名称' and '公司名称' both give field 'name'",),
    ),
    Case(
        "merged header cells",
        "regions",
        lambda d: write_xlsx(
            d / "regions.xlsx",
            {"regions": [["地区", None, "level"], ["330200", "宁波市", "city"]]},
            merge={"regions": ["A1:B1"]},
        ),
        ("[sheet regions], row 1: merged header cells A1:B1",),
    ),
    Case("empty file", "regions", csv("regions.csv", ""), ("the file is empty",)),
    Case(
        "header only",
        "regions",
        csv("regions.csv", "code,name_zh,level\n"),
        ("has a header but no data rows",),
    ),
    Case(
        "image renamed to csv",
        "regions",
        lambda d: write_png(d / "regions.csv"),
        ("this is a binary file",),
    ),
    Case(
        "regions imported as supply links",
        "supply_links",
        csv("regions.csv", REGIONS_CSV),
        ("unknown column 'code' for supply_links", "unknown column 'level' for supply_links"),
    ),
    Case(
        "xlsx that is not a zip",
        "regions",
        csv("regions.xlsx", REGIONS_CSV),
        ("not a valid XLSX workbook (not a zip file)",),
    ),
    Case(
        "zip that is not a workbook", "regions", not_a_workbook, ("not a readable XLSX workbook",)
    ),
    Case(
        "broken json lines",
        "regions",
        csv("regions.jsonl", '{"code": "330200", "name_zh": "宁波市", "level": "city"}\n{"code"\n'),
        ("row 2: not valid JSON",),
    ),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.id)
def test_an_unusable_file_is_refused_naming_it_and_nothing_changes(
    conn: sa.Connection, tmp_path: Path, case: Case
) -> None:
    seed(conn, tmp_path / "seed")
    before = snapshot(conn)
    path = case.make(tmp_path)
    with pytest.raises(ImportFormatError) as exc:
        import_file(conn, case.kind, path)
    err = exc.value
    assert err.message.startswith(path.name)
    for part in case.message:
        assert part in err.message
    assert snapshot(conn) == before


def test_a_rejected_import_keeps_earlier_writes_of_the_same_transaction(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    import_file(conn, "regions", write_text(tmp_path / "r.csv", REGIONS_CSV))
    before = snapshot(conn)
    bad = write_text(
        tmp_path / "bad.csv", f"统一社会信用代码,企业名称,地区\n{BAD_CODE},坏,330200\n"
    )
    with pytest.raises(ImportRejected):
        import_file(conn, "enterprises", bad)
    after = snapshot(conn)
    assert after == before
    assert after["counts"]["regions"] == 6  # the four seeded and the two just imported
