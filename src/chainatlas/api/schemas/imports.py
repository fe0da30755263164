"""Models of the import page and the import API."""

from __future__ import annotations

from pydantic import Field

from .common import Model

__all__ = [
    "DuplicateOut",
    "ImportKindOut",
    "ImportKinds",
    "ImportReportOut",
    "ProblemOut",
]


class ImportKindOut(Model):
    """A kind of record that can be imported."""

    kind: str
    title_zh: str


class ImportKinds(Model):
    """Every importable kind, parents first, and the file types accepted."""

    kinds: list[ImportKindOut]
    suffixes: list[str]


class ProblemOut(Model):
    """A problem in an input file."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str


class DuplicateOut(Model):
    """Two enterprises whose names are close enough to be the same firm."""

    name: str
    other_name: str
    other_id: int
    score: float
    row: int | None


class ImportReportOut(Model):
    """What an import did."""

    file: str
    kind: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    encoding: str | None
    sheet: str | None
    problems: list[ProblemOut]
    duplicates: list[DuplicateOut]
    committed: bool = Field(description="True: the rows were written.")
