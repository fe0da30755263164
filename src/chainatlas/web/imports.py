"""The import page: upload a CSV/XLSX/JSON file of one kind; see the row-level report.

An upload is all or nothing: when any row is invalid nothing is written and the page
lists every problem with its file, row, column, value and reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from chainatlas.api.deps import PrincipalDep, auth_of, check_csrf
from chainatlas.api.routes.imports import run_upload
from chainatlas.errors import ImportFormatError, ImportRejected
from chainatlas.services.upload import UPLOAD_SUFFIXES, import_kinds
from chainatlas.web.render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int = 200, **result: Any) -> Response:
    name = "_import_result.html" if request.headers.get("hx-request") else "import.html"
    data = {"result": None, "problems": [], "error": None, "chosen": "enterprises"} | result
    return render(
        request,
        name,
        status,
        kinds=import_kinds(),
        suffixes=UPLOAD_SUFFIXES,
        json_url="/api/v1/imports",
        **data,
    )


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, principal: PrincipalDep) -> Response:
    """Render the upload form (or, for read-only roles, why there is none)."""
    return _page(request)


@router.post("/import", response_class=HTMLResponse)
def import_post(
    request: Request,
    principal: PrincipalDep,
    kind: Annotated[str, Form(pattern=r"^[a-z_\-]{1,40}$")],
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Import the uploaded file; show the report, or every problem when it was rejected."""
    check_csrf(request, auth_of(request), csrf_token)
    try:
        report = run_upload(request, principal, kind, file)
    except ImportRejected as err:
        problems = [
            {"file": p.file, "row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
            for p in err.problems
        ]
        return _page(request, 422, problems=problems, error=err.message, chosen=kind)
    except ImportFormatError as err:
        return _page(request, 422, error=err.message, chosen=kind)
    return _page(request, result=report, chosen=kind)
