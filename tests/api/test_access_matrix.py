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
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response

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
    json: dict[str, str] | None = None


def cases(own: int, other: int, jiangsu: int) -> list[Case]:
    """Every case; enterprise ids come from the demo."""
    z = "region=330000"
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
    if "file" in case.send:
        kwargs["files"] = {"file": ("bad.csv", io.BytesIO(BAD_CSV), "text/csv")}
        if case.page:
            kwargs["data"] = {"kind": "enterprises"} | (
                {"csrf_token": csrf} if "csrf" in case.send else {}
            )
    return client.request(case.method, case.url, **kwargs)  # type: ignore[arg-type]


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
    case = cases(demo.own_enterprise, demo.other_enterprise, demo.jiangsu_enterprise)[index]
    client, csrf = _client(app, demo, role, case.page)
    got = _request(case, client, csrf)
    want = case.expected[ROLES.index(role)]
    assert got.status_code == want, (case.method, case.url, role, got.text[:300])
    if want == 303:
        assert got.headers["location"].startswith("/login?next=")
    if not case.page and want >= 400:
        assert got.json()["ok"] is False and got.json()["status"] == want
