"""Every route × every role: the expected allow or deny (docs/web.md, "Who sees what").

Roles: anonymous, admin, analyst (scoped to Zhejiang 330000, where the requests point),
analyst_js (scoped to Jiangsu: out of scope), enterprise (its own enterprise vs another),
viewer. API routes are called with API tokens, pages with a session cookie. The first
test enumerates ``app.routes`` so that a new route cannot be left out of the matrix.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response

from chainatlas.store.schema import enterprises, regions
from chainatlas.store.schema_activity import docking_needs
from tests.api.conftest import Demo, session_client, token_client

ROLES = ("anon", "admin", "analyst", "analyst_js", "enterprise", "viewer")

# Expected statuses, role by role in the order of ROLES.
OPEN = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (401, 200, 200, 200, 200, 200)
ZHEJIANG = (401, 200, 200, 403, 403, 200)  # a Zhejiang-wide request
PAGE_SIGNED_IN = (303, 200, 200, 200, 200, 200)  # pages redirect to the login page
PAGE_ZHEJIANG = (303, 200, 200, 403, 403, 200)
OWN_ENTERPRISE = (401, 200, 200, 403, 200, 200)
OTHER_ENTERPRISE = (401, 200, 200, 403, 403, 200)
JIANGSU_ENTERPRISE = (401, 200, 403, 200, 403, 200)
ADMIN_ONLY = (401, 200, 403, 403, 403, 403)
WRITERS_BAD_FILE = (401, 422, 422, 422, 403, 403)  # rejected file: nothing written
NO_CSRF = (403, 403, 403, 403, 403, 403)
NO_ENTERPRISE = (401, 200, 403, 403, 403, 200)  # a cooperation area: unscoped users only
ZHEJIANG_POST = (401, 200, 200, 403, 404, 200)  # another firm's post: enterprise users 404
PAGE_ZHEJIANG_POST = (303, 200, 200, 403, 404, 200)
DOCKING_BAD_POST = (401, 422, 422, 403, 422, 403)  # blank product for the own enterprise
NO_SUCH_LEAD = (401, 404, 404, 404, 404, 403)  # viewers are refused before the lookup
PAGE_POST_NO_CSRF = (401, 403, 403, 403, 403, 403)

BAD_CSV = b"name,credit_code,region\nBad Firm,12345,330100\n"


@dataclass(frozen=True)
class Case:
    """One request against one route."""

    method: str
    route: str
    url: str
    expected: tuple[int, ...]
    page: bool = False
    send: str = ""  # "file": upload BAD_CSV; "csrf": send the session's CSRF token too
    json: dict[str, object] | None = None
    data: dict[str, str] | None = None  # form fields of a page POST


def cases(own: int, other: int, jiangsu: int, post: str = "DN00000001") -> list[Case]:
    """Every case; enterprise ids and a Zhejiang firm's docking post come from the demo."""
    z = "region=330000"
    cities = "regions=330100&regions=330200"  # Hangzhou and Ningbo
    return [
        Case("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", OPEN),
        Case("GET", "/api/v1/me", "/api/v1/me", SIGNED_IN),
        Case("PUT", "/api/v1/me/locale", "/api/v1/me/locale", SIGNED_IN, json={"locale": "zh"}),
        Case("GET", "/api/v1/regions", "/api/v1/regions", SIGNED_IN),
        Case("GET", "/api/v1/chains", f"/api/v1/chains?{z}", ZHEJIANG),
        Case("GET", "/api/v1/chains", "/api/v1/chains", SIGNED_IN),
        Case("GET", "/api/v1/dashboard", f"/api/v1/dashboard?{z}", ZHEJIANG),
        Case("GET", "/api/v1/dashboard", "/api/v1/dashboard", SIGNED_IN),
        Case("GET", "/api/v1/search", "/api/v1/search?q=%E6%9C%89%E9%99%90", SIGNED_IN),
        Case("GET", "/api/v1/chains/{chain}", f"/api/v1/chains/nev?{z}", ZHEJIANG),
        Case(
            "GET",
            "/api/v1/chains/{chain}/segments/{segment}",
            f"/api/v1/chains/nev/segments/power_battery?{z}",
            ZHEJIANG,
        ),
        Case("GET", "/api/v1/risks", f"/api/v1/risks?chain=nev&{z}", ZHEJIANG),
        Case(
            "GET",
            "/api/v1/enterprises/{enterprise_id}",
            f"/api/v1/enterprises/{own}",
            OWN_ENTERPRISE,
        ),
        Case(
            "GET",
            "/api/v1/enterprises/{enterprise_id}",
            f"/api/v1/enterprises/{other}",
            OTHER_ENTERPRISE,
        ),
        Case(
            "GET",
            "/api/v1/enterprises/{enterprise_id}",
            f"/api/v1/enterprises/{jiangsu}",
            JIANGSU_ENTERPRISE,
        ),
        Case("GET", "/api/v1/imports", "/api/v1/imports", SIGNED_IN),
        Case(
            "POST",
            "/api/v1/imports/{kind}",
            "/api/v1/imports/enterprises",
            WRITERS_BAD_FILE,
            send="file",
        ),
        Case("GET", "/api/v1/audit", "/api/v1/audit", ADMIN_ONLY),
        # build the chain: no enterprise accounts; analysts in their regions
        Case("GET", "/api/v1/chains/{chain}/targets", f"/api/v1/chains/nev/targets?{z}", ZHEJIANG),
        Case("GET", "/api/v1/opportunities", f"/api/v1/opportunities?{z}", ZHEJIANG),
        Case("GET", "/api/v1/regions/compare", f"/api/v1/regions/compare?{cities}", ZHEJIANG),
        Case("GET", "/api/v1/regions/compare", "/api/v1/regions/compare?group=YRD", NO_ENTERPRISE),
        # policies: public documents; push lists and checks scoped
        Case("GET", "/api/v1/policies", "/api/v1/policies", SIGNED_IN),
        Case("GET", "/api/v1/policies/{code}", "/api/v1/policies/ZJ-SRDI-2024", SIGNED_IN),
        Case(
            "GET",
            "/api/v1/enterprises/{enterprise_id}/policies",
            f"/api/v1/enterprises/{own}/policies",
            OWN_ENTERPRISE,
        ),
        Case(
            "GET",
            "/api/v1/enterprises/{enterprise_id}/policies",
            f"/api/v1/enterprises/{other}/policies",
            OTHER_ENTERPRISE,
        ),
        # docking: enterprise users their own posts; viewers read only
        Case("GET", "/api/v1/docking/needs", "/api/v1/docking/needs", SIGNED_IN),
        Case(
            "POST",
            "/api/v1/docking/needs",
            "/api/v1/docking/needs",
            DOCKING_BAD_POST,
            json={"enterprise": own, "kind": "need", "product": " "},
        ),
        Case("GET", "/api/v1/docking/needs/{code}", f"/api/v1/docking/needs/{post}", ZHEJIANG_POST),
        Case(
            "POST",
            "/api/v1/docking/needs/{code}/leads",
            "/api/v1/docking/needs/DN99999999/leads",
            NO_SUCH_LEAD,
        ),
        Case("GET", "/api/v1/docking/leads", "/api/v1/docking/leads", SIGNED_IN),
        Case(
            "POST",
            "/api/v1/docking/leads/{lead_id}",
            "/api/v1/docking/leads/999999",
            NO_SUCH_LEAD,
            json={"status": "contacted"},
        ),
        # pages
        Case("GET", "/login", "/login", OPEN, page=True),
        Case("POST", "/login", "/login", NO_CSRF, page=True),
        Case("POST", "/logout", "/logout", NO_CSRF, page=True),
        Case("POST", "/language", "/language", NO_CSRF, page=True),
        Case("GET", "/", "/", PAGE_SIGNED_IN, page=True),
        Case("GET", "/", f"/?{z}", PAGE_ZHEJIANG, page=True),
        Case("GET", "/chains/{chain}", f"/chains/nev?{z}", PAGE_ZHEJIANG, page=True),
        Case(
            "GET",
            "/chains/{chain}/report.xlsx",
            f"/chains/nev/report.xlsx?{z}",
            PAGE_ZHEJIANG,
            page=True,
        ),
        Case(
            "GET",
            "/chains/{chain}/segments/{segment}",
            f"/chains/nev/segments/power_battery?{z}",
            PAGE_ZHEJIANG,
            page=True,
        ),
        Case(
            "GET",
            "/enterprises/{enterprise_id}",
            f"/enterprises/{own}",
            (303, 200, 200, 403, 200, 200),
            page=True,
        ),
        Case(
            "GET",
            "/enterprises/{enterprise_id}",
            f"/enterprises/{other}",
            (303, 200, 200, 403, 403, 200),
            page=True,
        ),
        Case("GET", "/risks", f"/risks?chain=nev&{z}", PAGE_ZHEJIANG, page=True),
        Case("GET", "/risks.xlsx", f"/risks.xlsx?chain=nev&{z}", PAGE_ZHEJIANG, page=True),
        Case("GET", "/search", "/search?q=%E6%9C%89%E9%99%90", PAGE_SIGNED_IN, page=True),
        Case(
            "GET", "/chains/{chain}/targets", f"/chains/nev/targets?{z}", PAGE_ZHEJIANG, page=True
        ),
        Case(
            "GET",
            "/chains/{chain}/targets.xlsx",
            f"/chains/nev/targets.xlsx?{z}",
            PAGE_ZHEJIANG,
            page=True,
        ),
        Case("GET", "/opportunities", f"/opportunities?{z}", PAGE_ZHEJIANG, page=True),
        Case("GET", "/opportunities.xlsx", f"/opportunities.xlsx?{z}", PAGE_ZHEJIANG, page=True),
        Case("GET", "/regions/compare", f"/regions/compare?{cities}", PAGE_ZHEJIANG, page=True),
        Case("GET", "/policies", "/policies", PAGE_SIGNED_IN, page=True),
        Case("GET", "/policies/{code}", "/policies/ZJ-SRDI-2024", PAGE_SIGNED_IN, page=True),
        Case(
            "GET",
            "/policies/{code}/push.xlsx",
            "/policies/ZJ-SRDI-2024/push.xlsx",
            (303, 200, 200, 200, 403, 200),
            page=True,
        ),
        Case(
            "GET",
            "/enterprises/{enterprise_id}/policies",
            f"/enterprises/{own}/policies",
            (303, 200, 200, 403, 200, 200),
            page=True,
        ),
        Case(
            "GET",
            "/enterprises/{enterprise_id}/policies",
            f"/enterprises/{other}/policies",
            (303, 200, 200, 403, 403, 200),
            page=True,
        ),
        Case("GET", "/docking", "/docking", PAGE_SIGNED_IN, page=True),
        Case(
            "POST",
            "/docking/needs",
            "/docking/needs",
            PAGE_POST_NO_CSRF,
            page=True,
            data={"kind": "need", "product": "", "enterprise": str(own)},
        ),
        Case(
            "POST",
            "/docking/needs",
            "/docking/needs",
            (401, 422, 422, 403, 422, 403),
            page=True,
            send="csrf",
            data={"kind": "need", "product": "", "enterprise": str(own)},
        ),
        Case(
            "GET",
            "/docking/needs/{code}",
            f"/docking/needs/{post}",
            PAGE_ZHEJIANG_POST,
            page=True,
        ),
        Case(
            "POST",
            "/docking/needs/{code}/leads",
            f"/docking/needs/{post}/leads",
            PAGE_POST_NO_CSRF,
            page=True,
        ),
        Case("GET", "/docking/leads", "/docking/leads", PAGE_SIGNED_IN, page=True),
        Case(
            "POST",
            "/docking/leads/{lead_id}",
            "/docking/leads/999999",
            PAGE_POST_NO_CSRF,
            page=True,
            data={"status": "contacted"},
        ),
        Case(
            "POST",
            "/docking/leads/{lead_id}",
            "/docking/leads/999999",
            (401, 404, 404, 404, 404, 403),
            page=True,
            send="csrf",
            data={"status": "contacted"},
        ),
        Case("GET", "/import", "/import", PAGE_SIGNED_IN, page=True),
        Case("POST", "/import", "/import", (401, 403, 403, 403, 403, 403), page=True, send="file"),
        Case(
            "POST",
            "/import",
            "/import",
            (401, 422, 422, 422, 403, 403),
            page=True,
            send="file+csrf",
        ),
    ]


# The enterprise ids differ per database, so the matrix is parametrised by index.
N_CASES = len(cases(1, 2, 3))


def _request(case: Case, client: TestClient, csrf: str) -> Response:
    kwargs: dict[str, object] = {"follow_redirects": False}
    if case.json is not None:
        kwargs["json"] = case.json
    if case.data is not None:
        kwargs["data"] = case.data | ({"csrf_token": csrf} if "csrf" in case.send else {})
    if "file" in case.send:
        kwargs["files"] = {"file": ("bad.csv", io.BytesIO(BAD_CSV), "text/csv")}
        if case.page:
            kwargs["data"] = {"kind": "enterprises"} | (
                {"csrf_token": csrf} if "csrf" in case.send else {}
            )
    return client.request(case.method, case.url, **kwargs)  # type: ignore[arg-type]


def zhejiang_post(demo: Demo) -> str:
    """Return the code of a docking post of a Zhejiang firm other than the own enterprise."""
    with demo.engine.connect() as conn:
        found = conn.execute(
            sa.select(sa.func.min(docking_needs.c.code))
            .join(enterprises, enterprises.c.id == docking_needs.c.enterprise_id)
            .join(regions, regions.c.id == enterprises.c.region_id)
            .where(regions.c.code.like("33%"))
            .where(enterprises.c.id != demo.own_enterprise)
        ).scalar_one()
    return str(found)


def _client(app: FastAPI, demo: Demo, role: str, page: bool) -> tuple[TestClient, str]:
    if role == "anon":
        return TestClient(app, raise_server_exceptions=False), ""
    if page:
        s = session_client(app, demo, role)
        return s.client, s.csrf
    return token_client(app, demo, role), ""


def test_the_matrix_covers_every_route_of_the_app(app: FastAPI) -> None:
    routes = {
        (method, r.path)
        for r in iter_route_contexts(app.routes)
        for method in (r.methods or ())
        if method != "HEAD"
    }
    assert len(routes) > 20  # the walk sees the included routers
    covered = {(c.method, c.route) for c in cases(1, 2, 3)}
    assert routes == covered, f"missing: {routes - covered}; unknown: {covered - routes}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("index", range(N_CASES))
def test_each_role_gets_the_expected_answer_on_each_route(
    app: FastAPI, demo: Demo, role: str, index: int
) -> None:
    case = cases(
        demo.own_enterprise, demo.other_enterprise, demo.jiangsu_enterprise, zhejiang_post(demo)
    )[index]
    client, csrf = _client(app, demo, role, case.page)
    got = _request(case, client, csrf)
    want = case.expected[ROLES.index(role)]
    assert got.status_code == want, (case.method, case.url, role, got.text[:300])
    if want == 303:
        assert got.headers["location"].startswith("/login?next=")
    if not case.page and want >= 400:
        assert got.json()["ok"] is False and got.json()["status"] == want
