"""The pages: home, chain, segment, enterprise, risk list, search, and the XLSX downloads.

Each page renders the same data as its JSON twin under ``/api/v1`` (built by
:mod:`chainatlas.api.views`) and links to it.
"""

from __future__ import annotations

import io
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api import views
from chainatlas.api.deps import ConnDep, CtxDep, PrincipalDep
from chainatlas.api.routes import REGION_PATTERN
from chainatlas.api.routes.chains import CODE_PATTERN
from chainatlas.errors import PermissionDenied
from chainatlas.services import browse
from chainatlas.web import charts
from chainatlas.web.render import lang_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

RegionQuery = Annotated[str | None, Query(pattern=REGION_PATTERN)]
ChainPath = Annotated[str, Path(pattern=CODE_PATTERN)]

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _q(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
) -> Response:
    """Render the home dashboard."""
    data = views.dashboard_data(ctx, conn, principal, region)
    lang = lang_of(request)
    return render(
        request,
        "home.html",
        data=data,
        regions=browse.region_options(conn, principal),
        bars=charts.chain_bars(data["chains"], lang),
        json_url="/api/v1/dashboard" + _q(region=region),
    )


@router.get("/chains/{chain}", response_class=HTMLResponse)
def chain_page(
    request: Request,
    chain: ChainPath,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
) -> Response:
    """Render the chain page: graph (status/risk toggle), scorecard, lists, worst risks."""
    where = browse.resolve_region(conn, principal, region)
    data = views.chain_data(ctx, conn, principal, chain, where["code"])
    lang = lang_of(request)
    graphs = {
        mode: charts.chain_graph(data, lang, mode=mode, region=where["code"])
        for mode in ("status", "risk")
    }
    return render(
        request,
        "chain.html",
        data=data,
        region=where,
        regions=browse.region_options(conn, principal),
        graphs=graphs,
        json_url=f"/api/v1/chains/{chain}" + _q(region=where["code"]),
        xlsx_url=None
        if data["redacted"]
        else f"/chains/{chain}/report.xlsx" + _q(region=where["code"]),
    )


@router.get("/chains/{chain}/report.xlsx")
def chain_xlsx(
    chain: ChainPath,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
) -> Response:
    """Download the chain report as a workbook (one sheet per list).

    Enterprise users may not: the workbook names every firm and supply link.
    """
    if principal.role == "enterprise":
        raise PermissionDenied(
            f"user {principal.username!r} (enterprise) may not download the chain report: "
            "it lists other firms and their supply links"
        )
    where, report = views.report_for(ctx, conn, principal, chain, region)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, frame in report.sheets().items():
            frame.to_excel(xw, sheet_name=name[:31], index=False)
    filename = f"chainatlas-{chain}-{where['code']}.xlsx"
    return Response(
        buf.getvalue(),
        media_type=_XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/chains/{chain}/segments/{segment}", response_class=HTMLResponse)
def segment_page(
    request: Request,
    chain: ChainPath,
    segment: Annotated[str, Path(pattern=CODE_PATTERN)],
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
) -> Response:
    """Render a segment: figures, local enterprises, suppliers in and out, risk points."""
    where = browse.resolve_region(conn, principal, region)
    data = views.segment_data(ctx, conn, principal, chain, segment, where["code"])
    return render(
        request,
        "segment.html",
        data=data,
        region=where,
        json_url=f"/api/v1/chains/{chain}/segments/{segment}" + _q(region=where["code"]),
    )


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
def enterprise_page(
    request: Request,
    enterprise_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    principal: PrincipalDep,
    conn: ConnDep,
) -> Response:
    """Render an enterprise: profile, trend chart, positions, partners graph, risks."""
    data = views.enterprise_data(conn, principal, enterprise_id)
    lang = lang_of(request)
    return render(
        request,
        "enterprise.html",
        data=data,
        trend=charts.trend_chart(data["trends"], lang),
        partners=charts.partner_graph(data, lang, links_clickable=principal.role != "enterprise"),
        json_url=f"/api/v1/enterprises/{enterprise_id}",
    )


def _risk_params(
    chain: str | None, region: str | None, level: str | None
) -> tuple[str | None, str | None, str | None]:
    return chain or None, region or None, level or None


@router.get("/risks", response_class=HTMLResponse)
def risk_page(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    chain: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{0,60}$")] = None,
    region: Annotated[str | None, Query(pattern=r"^[^\x00-\x1f]{0,100}$")] = None,
    level: Annotated[str | None, Query(pattern=r"^(high|medium|low)?$")] = None,
    limit: Annotated[int, Query(ge=1, le=views.RISK_PAGE_MAX)] = 100,
) -> Response:
    """Render the risk list with its filters; htmx requests get only the table."""
    chain, region, level = _risk_params(chain, region, level)
    data = views.risk_data(
        ctx, conn, principal, chain=chain, region=region, level=level, limit=limit
    )
    query = _q(chain=chain, region=data["region"]["code"], level=level)
    name = "_risk_table.html" if request.headers.get("hx-request") else "risks.html"
    return render(
        request,
        name,
        data=data,
        chains=views.dashboard_data(ctx, conn, principal, region)["chains"],
        regions=browse.region_options(conn, principal),
        filters={"chain": chain or "", "region": data["region"]["code"], "level": level or ""},
        json_url="/api/v1/risks" + query,
        xlsx_url="/risks.xlsx" + query,
    )


@router.get("/risks.xlsx")
def risk_xlsx(
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    chain: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{0,60}$")] = None,
    region: Annotated[str | None, Query(pattern=r"^[^\x00-\x1f]{0,100}$")] = None,
    level: Annotated[str | None, Query(pattern=r"^(high|medium|low)?$")] = None,
) -> Response:
    """Download the filtered risk list as a workbook.

    Every point the user may see, worst first, up to :data:`RISK_EXPORT_MAX` (a note
    sheet says when the list is longer).
    """
    chain, region, level = _risk_params(chain, region, level)
    where, _codes, index = views.risk_index(
        ctx, conn, principal, chain=chain, region=region, level=level
    )
    found = views.risk_page(conn, principal, index, limit=RISK_EXPORT_MAX)
    rows = [
        {
            "chain": r["chain"],
            "region": r["region"],
            "level": r["level"],
            "score": r["score"],
            "segment": r["segment"],
            "环节": r["segment_name"],
            "segment_name": r["segment_name_en"],
            "product": r["product"],
            "buyer": r["buyer"]["name"] if r["buyer"] else "",
            "suppliers": r["measures"]["suppliers"],
            "hhi": r["measures"]["hhi"],
            "outside_share": r["measures"]["outside_share"],
            "foreign_share": r["measures"]["foreign_share"],
            "reasons_zh": " ".join(x["zh"] for x in r["reasons"]),
            "reasons_en": " ".join(x["en"] for x in r["reasons"]),
        }
        for r in found
    ]
    frame = pd.DataFrame(rows, columns=_RISK_COLUMNS)
    about = pd.DataFrame(
        [
            ("region 地区", where["code"]),
            ("risk points 风险点", len(index.rows)),
            ("exported 已导出", len(frame)),
            (
                "note 说明",
                ""
                if len(frame) == len(index.rows)
                else f"最严重的前{len(frame):,}个；完整列表请分页调用 /api/v1/risks。 "
                f"The worst {len(frame):,}; page through /api/v1/risks for the rest.",
            ),
        ],
        columns=["item", "value"],
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        frame.to_excel(xw, sheet_name="risks 风险点", index=False)
        about.to_excel(xw, sheet_name="about 说明", index=False)
    filename = f"chainatlas-risks-{where['code']}.xlsx"
    return Response(
        buf.getvalue(),
        media_type=_XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


RISK_EXPORT_MAX = 100_000
"""The most risk points one XLSX download holds (a workbook sheet holds about a million)."""

_RISK_COLUMNS = [
    "chain",
    "region",
    "level",
    "score",
    "segment",
    "环节",
    "segment_name",
    "product",
    "buyer",
    "suppliers",
    "hhi",
    "outside_share",
    "foreign_share",
    "reasons_zh",
    "reasons_en",
]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    q: Annotated[str, Query(pattern=r"^[^\x00-\x1f]{0,100}$")] = "",
) -> Response:
    """Render the search form and, for a query, the results."""
    data = views.search_data(conn, principal, q) if q.strip() else None
    return render(
        request,
        "search.html",
        data=data,
        q=q,
        json_url="/api/v1/search" + _q(q=q.strip()) if q.strip() else None,
    )
