"""Policy pages: the list, one policy with its push list (免申即享), an enterprise's check.

Each renders the data of its JSON twin (:mod:`chainatlas.api.views_policies`). The
enterprise page loads the policy check section from ``/enterprises/{id}/policies`` (htmx);
the same address without htmx is a page of its own.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api import views_policies
from chainatlas.api.deps import ConnDep, PrincipalDep
from chainatlas.api.routes import REGION_PATTERN
from chainatlas.api.routes.policies import POLICY_CODE
from chainatlas.api.views_build import xlsx_bytes
from chainatlas.services.policy_catalogue import get_policy
from chainatlas.services.policy_push import write_sheets
from chainatlas.web.pages_build import xlsx_response
from chainatlas.web.render import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

CodePath = Annotated[str, Path(pattern=POLICY_CODE)]
RegionQuery = Annotated[str | None, Query(pattern=REGION_PATTERN)]


@router.get("/policies", response_class=HTMLResponse)
def policies_page(request: Request, principal: PrincipalDep, conn: ConnDep) -> Response:
    """Render every policy with its validity today."""
    data = views_policies.policies_data(conn, principal)
    return render(request, "policies.html", data=data, json_url="/api/v1/policies")


@router.get("/policies/{code}", response_class=HTMLResponse)
def policy_page(
    request: Request,
    code: CodePath,
    principal: PrincipalDep,
    conn: ConnDep,
    region: RegionQuery = None,
) -> Response:
    """Render a policy: benefits, validity, conditions, and the push list the user may see."""
    data = views_policies.policy_data(conn, principal, code, region=region or None)
    query = f"?region={region}" if region else ""
    return render(
        request,
        "policy.html",
        data=data,
        json_url=f"/api/v1/policies/{code}{query}",
        xlsx_url=None if data["push"] is None else f"/policies/{code}/push.xlsx{query}",
    )


@router.get("/policies/{code}/push.xlsx")
def push_xlsx(
    code: CodePath, principal: PrincipalDep, conn: ConnDep, region: RegionQuery = None
) -> Response:
    """Download the push list (every qualifying enterprise the user may see)."""
    record = get_policy(conn, code)
    push, rows = views_policies.push_rows(
        conn, principal, record, region=region or None, on=date.today()
    )
    frame = pd.DataFrame(
        rows,
        columns=["id", "name", "credit_code", "stock_code", "region", "region_name"]
        + list(push.columns),
    )
    body = xlsx_bytes(lambda path: write_sheets({"push list 推送名单": frame}, path))
    return xlsx_response(body, f"chainatlas-push-{record.code}.xlsx")


@router.get("/enterprises/{enterprise_id}/policies", response_class=HTMLResponse)
def policy_check_page(
    request: Request,
    enterprise_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    principal: PrincipalDep,
    conn: ConnDep,
) -> Response:
    """Render an enterprise's policy check (only the section for htmx requests)."""
    data = views_policies.policy_check_data(conn, principal, enterprise_id)
    name = "_policy_check.html" if request.headers.get("hx-request") else "policy_check.html"
    return render(
        request, name, check=data, json_url=f"/api/v1/enterprises/{enterprise_id}/policies"
    )
