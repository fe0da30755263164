"""``/api/v1/imports``: importable kinds, and an all-or-nothing upload of one file."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, UploadFile

from chainatlas.api.deps import PrincipalDep, client_ip, get_ctx
from chainatlas.api.schemas import ImportKinds, ImportReportOut
from chainatlas.errors import ImportFormatError
from chainatlas.services.access import check_write
from chainatlas.services.upload import UPLOAD_SUFFIXES, import_kinds, import_upload
from chainatlas.store.tx import tx

from . import ERRORS

__all__ = ["MAX_UPLOAD_BYTES", "router", "run_upload", "safe_name"]

router = APIRouter(prefix="/api/v1", tags=["imports"], responses=ERRORS)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""The largest file an upload may have (50 MiB)."""


def safe_name(name: str | None) -> str:
    """Return the uploaded file's base name with only safe characters (for the report).

    >>> safe_name("../../etc/企业 list.csv")
    '企业_list.csv'
    """
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).strip("._")
    return kept[:120] or "upload"


def run_upload(request: Request, principal: Any, kind: str, upload: UploadFile) -> dict[str, Any]:
    """Save an upload under its own name in a temporary folder and import it.

    On success the app's cache is invalidated (data version raised).

    Raises
    ------
    ImportFormatError
        When the file is too large or of a type not accepted.
    ImportRejected, PermissionDenied
        As :func:`chainatlas.services.upload.import_upload`.
    """
    ctx = get_ctx(request)
    check_write(principal, f"import {kind}")
    name = safe_name(upload.filename)
    with tempfile.TemporaryDirectory(prefix="chainatlas-upload-") as tmp:
        path = FilePath(tmp) / name
        size = 0
        with path.open("wb") as fh:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise ImportFormatError(
                        f"{name}: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB"
                    )
                fh.write(chunk)
        with tx(ctx.engine) as conn:
            report = import_upload(conn, principal, kind, path, ip=client_ip(request))
    ctx.cache.bump()
    return report


@router.get(
    "/imports", response_model=ImportKinds, summary="Importable kinds (JSON twin of /import)"
)
def kinds(principal: PrincipalDep) -> ImportKinds:
    """List the kinds of records that can be imported and the file types accepted."""
    return ImportKinds.model_validate({"kinds": import_kinds(), "suffixes": list(UPLOAD_SUFFIXES)})


@router.post(
    "/imports/{kind}",
    response_model=ImportReportOut,
    summary="Import one CSV/XLSX/JSON file, all or nothing",
)
def upload(
    kind: Annotated[str, Path(pattern=r"^[a-z_\-]{1,40}$", description="Kind, e.g. enterprises.")],
    file: UploadFile,
    principal: PrincipalDep,
    request: Request,
) -> ImportReportOut:
    """Import a file of ``kind`` records; on any invalid row nothing is written (422).

    The 422 error lists every problem with its file, row, column, value and reason.
    Needs an admin or analyst; cookie sessions also need the ``X-CSRF-Token`` header.
    """
    return ImportReportOut.model_validate(run_upload(request, principal, kind, file))
