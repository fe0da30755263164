"""Docking pages (供需对接): posts and the post form, a post's matches, leads.

Each renders the data of its JSON twin (:mod:`chainatlas.api.views_docking`). Forms carry
the session's CSRF token; every change is audited in its transaction. A lead's status
changes in place (htmx: the answer is the lead's table row).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chainatlas.api import views_docking
from chainatlas.api.deps import ConnDep, PrincipalDep, auth_of, check_csrf, client_ip, get_ctx
from chainatlas.api.routes.docking import NEED_CODE
from chainatlas.errors import InvalidData, NotFound
from chainatlas.services.docking import LEAD_TRANSITIONS
from chainatlas.store.tx import tx
from chainatlas.web.i18n import translator
from chainatlas.web.render import lang_of, render

__all__ = ["docking_labels", "router"]

router = APIRouter(include_in_schema=False)

CodePath = Annotated[str, Path(pattern=NEED_CODE)]
Csrf = Annotated[str, Form(max_length=200)]


def docking_labels(lang: str) -> dict[str, dict[str, str]]:
    """Return the labels of the closed sets the docking pages show."""
    t = translator(lang)
    return {
        "kind": {"need": t("docking.kind_need"), "capability": t("docking.kind_capability")},
        "status": {
            "open": t("docking.status_open"),
            "matched": t("docking.status_matched"),
            "closed": t("docking.status_closed"),
        },
        "lead": {
            "proposed": t("docking.lead_proposed"),
            "contacted": t("docking.lead_contacted"),
            "deal": t("docking.lead_deal"),
            "declined": t("docking.lead_declined"),
        },
    }


def _quantity(text: str) -> float | None:
    """Return the quantity typed in the form (None when left empty).

    Raises
    ------
    InvalidData
        When it is not a finite number.
    """
    if not text.strip():
        return None
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidData(f"quantity: must be a number, not {text.strip()!r}")
    return value


def _needs_page(
    request: Request, conn: Any, principal: Any, status_code: int = 200, **form: Any
) -> Response:
    data = views_docking.needs_data(conn, principal)
    defaults = {"error": None, "enterprise": "", "kind": "need", "product": "", "unit": ""}
    return render(
        request,
        "needs.html",
        status_code,
        data=data,
        labels=docking_labels(lang_of(request)),
        form=defaults | form,
        json_url="/api/v1/docking/needs",
    )


@router.get("/docking", response_class=HTMLResponse)
def needs_page(request: Request, principal: PrincipalDep, conn: ConnDep) -> Response:
    """Render the posts the user may see and the form to post a need or capability."""
    return _needs_page(request, conn, principal)


@router.post("/docking/needs", response_class=HTMLResponse)
def post_need(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    kind: Annotated[str, Form(pattern=r"^(need|capability)$")] = "need",
    product: Annotated[str, Form(max_length=300)] = "",
    enterprise: Annotated[str, Form(max_length=200)] = "",
    quantity: Annotated[str, Form(max_length=30)] = "",
    unit: Annotated[str, Form(max_length=40)] = "",
    specification: Annotated[str, Form(max_length=2000)] = "",
    regions: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Post the need and go to its matches; show the form again with the reason if invalid."""
    check_csrf(request, auth_of(request), csrf_token)
    try:
        amount = _quantity(quantity)
        with tx(get_ctx(request).engine) as wconn:
            need = views_docking.post_need_data(
                wconn,
                principal,
                enterprise=enterprise or None,
                kind=kind,
                product=product,
                quantity=amount,
                unit=unit,
                specification=specification,
                preferred_regions=[
                    r.strip() for r in regions.replace("，", ",").split(",") if r.strip()
                ],
                ip=client_ip(request),
            )
    except (InvalidData, NotFound) as err:
        return _needs_page(
            request,
            conn,
            principal,
            422,
            error=err.message,
            enterprise=enterprise,
            kind=kind,
            product=product,
            unit=unit,
        )
    return RedirectResponse(f"/docking/needs/{need['code']}", status_code=303)


@router.get("/docking/needs/{code}", response_class=HTMLResponse)
def match_page(
    request: Request,
    code: CodePath,
    principal: PrincipalDep,
    conn: ConnDep,
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Render a post and its ranked counterparts with the reasons, and the save button."""
    data = views_docking.match_data(conn, principal, code, top=top)
    return render(
        request,
        "match.html",
        data=data,
        top=top,
        labels=docking_labels(lang_of(request)),
        json_url=f"/api/v1/docking/needs/{code}?top={top}",
    )


@router.post("/docking/needs/{code}/leads")
def save_leads(
    request: Request,
    code: CodePath,
    principal: PrincipalDep,
    top: Annotated[int, Form(ge=1, le=100)] = 20,
    csrf_token: Csrf = "",
) -> Response:
    """Save the post's counterparts as leads and go to the post's leads."""
    check_csrf(request, auth_of(request), csrf_token)
    with tx(get_ctx(request).engine) as conn:
        views_docking.save_leads_data(conn, principal, code, top=top, ip=client_ip(request))
    return RedirectResponse(f"/docking/leads?need={code}", status_code=303)


@router.get("/docking/leads", response_class=HTMLResponse)
def leads_page(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    status: Annotated[str | None, Query(pattern=r"^(proposed|contacted|deal|declined)?$")] = None,
    need: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{0,60}$")] = None,
) -> Response:
    """Render the leads the user may see; each row changes its status in place."""
    data = views_docking.leads_data(conn, principal, status=status or None, need=need or None)
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("need", need)) if v)
    return render(
        request,
        "leads.html",
        data=data,
        labels=docking_labels(lang_of(request)),
        transitions=LEAD_TRANSITIONS,
        json_url="/api/v1/docking/leads" + (f"?{query}" if query else ""),
    )


@router.post("/docking/leads/{lead_id}", response_class=HTMLResponse)
def update_lead(
    request: Request,
    lead_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    principal: PrincipalDep,
    status: Annotated[str, Form(pattern=r"^(proposed|contacted|deal|declined)$")],
    note: Annotated[str | None, Form(max_length=2000)] = None,
    csrf_token: Csrf = "",
) -> Response:
    """Change a lead's status; htmx gets the lead's row back, a plain form the leads page."""
    check_csrf(request, auth_of(request), csrf_token)
    with tx(get_ctx(request).engine) as conn:
        lead = views_docking.update_lead_data(
            conn, principal, lead_id, status, note, ip=client_ip(request)
        )
    if not request.headers.get("hx-request"):
        return RedirectResponse("/docking/leads", status_code=303)
    return render(
        request,
        "_lead_row.html",
        lead=lead,
        labels=docking_labels(lang_of(request)),
        transitions=LEAD_TRANSITIONS,
    )
