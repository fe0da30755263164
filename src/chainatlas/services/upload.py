"""Imports uploaded through the web app or the API: checked, all or nothing, audited.

:func:`import_upload` refuses users who may not change shared data
(:func:`~chainatlas.services.access.check_write`), runs
:func:`~chainatlas.services.import_run.import_file` (which writes nothing when any row is
invalid, raising :class:`~chainatlas.errors.ImportRejected` with every problem's file,
row, column, value and reason) and writes one audit record in the same transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import ImportFormatError
from chainatlas.importers.specs import IMPORT_ORDER, get_spec
from chainatlas.services import audit
from chainatlas.services.access import check_write
from chainatlas.services.import_run import ImportOptions, import_file
from chainatlas.services.principals import Principal

__all__ = ["UPLOAD_SUFFIXES", "import_kinds", "import_upload"]

UPLOAD_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".json", ".jsonl")
"""The file types an upload may have."""


def import_kinds() -> list[dict[str, str]]:
    """Return every kind of record that can be imported, parents first, with its names."""
    return [{"kind": s.kind, "title_zh": s.title_zh} for s in IMPORT_ORDER]


def import_upload(
    conn: sa.Connection,
    principal: Principal,
    kind: str,
    path: Path,
    *,
    ip: str = "",
) -> dict[str, Any]:
    """Import the uploaded file ``path`` of ``kind`` records and audit it.

    ``path`` should carry the uploaded file's name, so that the report names it.

    Raises
    ------
    PermissionDenied
        When the principal may not change shared data.
    ImportFormatError
        When the file type is not one of :data:`UPLOAD_SUFFIXES` or the file cannot be
        used at all.
    ImportRejected
        When rows are invalid; nothing was written.
    """
    check_write(principal, f"import {kind}")
    spec = get_spec(kind)
    if path.suffix.lower() not in UPLOAD_SUFFIXES:
        raise ImportFormatError(
            f"{path.name}: expected a {', '.join(UPLOAD_SUFFIXES)} file, not {path.suffix!r}"
        )
    report = import_file(
        conn, spec.kind, path, ImportOptions(source=f"upload:{principal.username}")
    )
    data = report.to_dict()
    audit.record(
        conn,
        principal,
        f"import.{spec.kind}"[:40],
        entity="file",
        entity_id=path.name[:100],
        detail={
            k: data[k] for k in ("rows", "inserted", "updated", "unchanged", "skipped", "kind")
        },
        ip=ip,
    )
    return data
