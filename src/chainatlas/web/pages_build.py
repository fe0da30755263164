"""Build-the-chain pages: attraction targets, growth opportunities, regions compared.

Each renders the data of its JSON twin (:mod:`chainatlas.api.views_build`) and links to
it; the target and opportunity lists also download as workbooks.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from chainatlas.api import views_build
from chainatlas.api.deps import ConnDep, CtxDep, PrincipalDep
from chainatlas.api.routes import REGION_PATTERN
from chainatlas.api.routes.chains import CODE_PATTERN
from chainatlas.services import browse
from chainatlas.web import charts_build
from chainatlas.web.i18n import translator
from chainatlas.web.render import lang_of, render

__all__ = ["XLSX_TYPE", "build_labels", "router", "xlsx_response"]

router = APIRouter(include_in_schema=False)

RegionQuery = Annotated[str | None, Query(pattern=REGION_PATTERN)]
ChainPath = Annotated[str, Path(pattern=CODE_PATTERN)]
Strategy = Annotated[str, Query(pattern=r"^(balanced|feasible|ambitious)$")]
By = Annotated[str, Query(pattern=r"^(industry|segment)$")]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""Media type of the workbook downloads."""

_COMPARE_LEVELS = ("province", "city")


def xlsx_response(body: bytes, filename: str) -> Response:
    """Return a workbook download named ``filename``."""
    return Response(
        body,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def build_labels(lang: str) -> dict[str, dict[str, str]]:
    """Return the labels of the closed sets the build pages show (tiers, weights, strategies)."""
    t = translator(lang)
    return {
        "tier": {
            "region": t("targets.tier_region"),
            "cooperation_area": t("targets.tier_area"),
            "country": t("targets.tier_country"),
            "abroad": t("targets.tier_abroad"),
            "unknown": t("targets.tier_unknown"),
        },
        "weight": {
            "fit": t("targets.w_fit"),
            "scale": t("targets.w_scale"),
            "growth": t("targets.w_growth"),
            "ties": t("targets.w_ties"),
            "relatedness": t("targets.w_relatedness"),
            "absence": t("targets.w_absence"),
        },
        "strategy": {
            "balanced": t("opp.balanced"),
            "feasible": t("opp.feasible"),
            "ambitious": t("opp.ambitious"),
        },
        "strategy_hint": {
            "balanced": t("opp.balanced_hint"),
            "feasible": t("opp.feasible_hint"),
            "ambitious": t("opp.ambitious_hint"),
        },
    }


def _q(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    return f"?{urlencode(kept, doseq=True)}" if kept else ""


@router.get("/chains/{chain}/targets", response_class=HTMLResponse)
def targets_page(
    request: Request,
    chain: ChainPath,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Render the attraction targets of each weak or missing segment (招商目标)."""
    data = views_build.targets_data(ctx, conn, principal, chain, region, top=top)
    code = data["region"]["code"]
    return render(
        request,
        "targets.html",
        data=data,
        region_code=code,
        regions=browse.region_options(conn, principal),
        labels=build_labels(lang_of(request)),
        json_url=f"/api/v1/chains/{chain}/targets" + _q(region=code, top=top),
        xlsx_url=f"/chains/{chain}/targets.xlsx" + _q(region=code, top=top),
    )


@router.get("/chains/{chain}/targets.xlsx")
def targets_xlsx(
    chain: ChainPath,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
    top: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Download the targets, segments and rules as a workbook."""
    ref, report = views_build.targets_report(ctx, conn, principal, chain, region, top=top)
    body = views_build.xlsx_bytes(report.write_xlsx)
    return xlsx_response(body, f"chainatlas-targets-{ref['code']}-{report.region['code']}.xlsx")


@router.get("/opportunities", response_class=HTMLResponse)
def opportunities_page(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
    strategy: Strategy = "balanced",
    by: By = "industry",
) -> Response:
    """Render the ranked opportunities and the feasibility × attractiveness scatter."""
    data = views_build.opportunities_data(ctx, conn, principal, region, strategy=strategy, by=by)
    code = data["region"]["code"]
    return render(
        request,
        "opportunities.html",
        data=data,
        region_code=code,
        regions=browse.region_options(conn, principal),
        strategies=views_build.STRATEGIES,
        labels=build_labels(lang_of(request)),
        scatter=charts_build.opportunity_scatter(data, lang_of(request)),
        links={
            s: "/opportunities" + _q(region=code, strategy=s, by=by) for s in views_build.STRATEGIES
        },
        json_url="/api/v1/opportunities" + _q(region=code, strategy=strategy, by=by),
        xlsx_url="/opportunities.xlsx" + _q(region=code, strategy=strategy, by=by),
    )


@router.get("/opportunities.xlsx")
def opportunities_xlsx(
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
    strategy: Strategy = "balanced",
    by: By = "industry",
) -> Response:
    """Download the opportunities with the scatter as a native Excel chart."""
    report = views_build.opportunities_report(
        ctx, conn, principal, region, strategy=strategy, by=by
    )
    body = views_build.xlsx_bytes(report.write_xlsx)
    return xlsx_response(body, f"chainatlas-opportunities-{report.region['code']}.xlsx")


@router.get("/regions/compare", response_class=HTMLResponse)
def regions_page(
    request: Request,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    regions: Annotated[list[str] | None, Query()] = None,
    group: RegionQuery = None,
) -> Response:
    """Render specialisation, the similarity heatmap, contested segments and lead regions."""
    chosen = [r for r in (regions or []) if r.strip()]
    data = views_build.regions_data(ctx, conn, principal, chosen, group or None)
    options = [r for r in browse.region_options(conn, principal) if r["level"] in _COMPARE_LEVELS]
    compared = {str(r["code"]) for r in data["regions"]}
    return render(
        request,
        "regions.html",
        data=data,
        options=options,
        compared=compared,
        heatmap=charts_build.similarity_heatmap(data, lang_of(request)),
        json_url="/api/v1/regions/compare" + _q(regions=chosen, group=group),
    )
