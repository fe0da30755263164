"""The ChainAtlas exception tree.

Every error a user can cause derives from :class:`ChainatlasError`; its ``message`` is
safe to show to users. The CLI turns these into a one-line message and exit code 1; the
API maps them to HTTP statuses in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AnalysisError",
    "AuthenticationError",
    "ChainNotFound",
    "ChainatlasError",
    "Conflict",
    "EmptyNetworkError",
    "EnterpriseNotFound",
    "ImportFormatError",
    "ImportProblem",
    "ImportRejected",
    "InvalidData",
    "NotFound",
    "PermissionDenied",
    "PolicyNotFound",
    "RuleError",
    "RegionNotFound",
    "SingularSystemError",
    "UnbalancedTableError",
]


class ChainatlasError(Exception):
    """Base class of every ChainAtlas error; ``message`` is safe to show to users."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ChainatlasError):
    """Raised when a record asked for by key does not exist."""


class RegionNotFound(NotFound):
    """Raised when no region has the given code."""


class ChainNotFound(NotFound):
    """Raised when no chain has the given code."""


class EnterpriseNotFound(NotFound):
    """Raised when no enterprise has the given credit code, id or name."""


class PolicyNotFound(NotFound):
    """Raised when no policy has the given code."""


class InvalidData(ChainatlasError):
    """Raised when a value breaks a domain invariant (a share outside [0, 1], a self-link)."""


class RuleError(InvalidData):
    """Raised when a policy eligibility rule is malformed (unknown field, bad operator)."""


class AuthenticationError(ChainatlasError):
    """Raised when a login, session or API token is not valid (wrong password, disabled)."""


class PermissionDenied(ChainatlasError):
    """Raised when the signed-in user may not see or change the record asked for."""


class Conflict(ChainatlasError):
    """Raised on a duplicate key or a cyclic segment hierarchy."""


class ImportFormatError(ChainatlasError):
    """Raised when a file cannot be used at all; the message names file, sheet, row or column."""


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem found in an input file.

    ``row`` is the 1-based line (CSV, counting the header as row 1), the sheet row (XLSX)
    or the 1-based record number (JSON); ``None`` when the problem concerns the whole file.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{where}: {self.reason}{shown}"


class ImportRejected(ChainatlasError):
    """Raised when an all-or-nothing import found invalid rows; nothing was written.

    ``problems`` lists every invalid row with file, row, column, value and reason.
    """

    def __init__(self, message: str, problems: Sequence[ImportProblem]) -> None:
        super().__init__(message)
        self.problems = list(problems)


class AnalysisError(ChainatlasError):
    """Raised when an analysis cannot be computed from the data given."""


class SingularSystemError(AnalysisError):
    """Raised when a matrix that must be inverted is singular (e.g. I - A)."""


class UnbalancedTableError(AnalysisError):
    """Raised when an input-output table does not balance within tolerance."""


class EmptyNetworkError(AnalysisError):
    """Raised when a network analysis receives no nodes or no links."""
