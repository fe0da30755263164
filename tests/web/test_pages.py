"""Pages: login, CSRF, language, JSON twins, what each role sees, imports, downloads.

HTML is parsed with the standard library's parser (tests assert elements, not snapshots).
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.api.app import create_app
from chainatlas.settings import Settings
from chainatlas.store.schema import enterprises
from tests.api.conftest import Demo, session_client


class Element:
    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs, self.text = tag, attrs, ""


class Doc(HTMLParser):
    """Every element with its attributes and its text (children's text included)."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(el)
        if tag not in self.VOID:
            self._open.append(el)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for el in self._open:
            el.text += data

    def find(self, tag: str, **attrs: str) -> list[Element]:
        def ok(el: Element) -> bool:
            return el.tag == tag and all(
                v in el.attrs.get(k.rstrip("_"), "").split() or el.attrs.get(k.rstrip("_")) == v
                for k, v in attrs.items()
            )

        return [el for el in self.elements if ok(el)]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]


def csrf_of(html: str) -> str:
    return Doc(html).find("input", name="csrf_token")[0].attrs["value"]


def test_logging_in_sets_a_secure_session_cookie_and_goes_to_next(app: FastAPI) -> None:
    client = TestClient(app)
    page = client.get("/login?next=/risks")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    r = client.post(
        "/login",
        data={
            "username": "viewer",
            "password": "chainatlas-demo",
            "csrf_token": csrf,
            "next": "/risks",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/risks"
    cookie = r.headers["set-cookie"].lower()
    assert "chainatlas_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain HTTP in dev and test
    assert client.get("/api/v1/me").json()["username"] == "viewer"


def test_a_wrong_password_shows_the_form_again_with_one_message(app: FastAPI) -> None:
    client = TestClient(app)
    csrf = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"username": "viewer", "password": "nope-nope", "csrf_token": csrf}
    )
    assert r.status_code == 401
    assert "wrong username or password" in Doc(r.text).one("p", class_="error").text


def test_login_without_the_csrf_token_is_refused(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/login")
    r = client.post("/login", data={"username": "viewer", "password": "chainatlas-demo"})
    assert r.status_code == 403


def test_cookies_are_secure_in_production(demo: Demo) -> None:
    settings = Settings(database_url=demo.url, env="prod", secret_key="a-real-secret-for-tests")
    client = TestClient(create_app(settings, engine=demo.engine))
    page = client.get("/login")
    assert "secure" in page.headers["set-cookie"].lower()
    r = client.post(
        "/login",
        data={
            "username": "viewer",
            "password": "chainatlas-demo",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert "secure" in r.headers["set-cookie"].lower()


def test_logging_out_ends_the_session(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "viewer")
    r = s.client.post("/logout", data={"csrf_token": s.csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    s.client.cookies.clear()
    assert s.client.get("/", follow_redirects=False).status_code == 303


def test_a_page_asks_visitors_to_log_in_and_comes_back(anon: TestClient) -> None:
    r = anon.get("/chains/nev?region=330000", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fchains%2Fnev%3Fregion%3D330000"


def test_every_page_links_to_its_json_twin(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "admin")
    pages = {
        "/?region=330000": "/api/v1/dashboard?region=330000",
        "/chains/nev?region=330000": "/api/v1/chains/nev?region=330000",
        "/chains/nev/segments/power_battery?region=330000": (
            "/api/v1/chains/nev/segments/power_battery?region=330000"
        ),
        f"/enterprises/{demo.own_enterprise}": f"/api/v1/enterprises/{demo.own_enterprise}",
        "/risks?chain=nev&region=330000": "/api/v1/risks?chain=nev&region=330000",
        "/search?q=abc": "/api/v1/search?q=abc",
        "/import": "/api/v1/imports",
    }
    for page, twin in pages.items():
        r = s.client.get(page)
        assert r.status_code == 200, page
        assert Doc(r.text).one("a", class_="twin").attrs["href"] == twin
        assert s.client.get(twin).status_code == 200, twin


def test_the_chain_page_carries_both_graph_colourings(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "admin")
    doc = Doc(s.client.get("/chains/nev?region=330000").text)
    graphs = json.loads(doc.one("script", id="chain-graph-data").text)
    assert set(graphs) == {"status", "risk"}
    twin = s.client.get("/api/v1/chains/nev?region=330000").json()
    assert len([d for d in graphs["status"]["series"][0]["data"] if "url" in d]) == len(
        twin["graph"]["nodes"]
    )
    assert doc.one("a", class_="xlsx").attrs["href"] == "/chains/nev/report.xlsx?region=330000"
    rows = doc.find("td", class_="reason")
    assert len(rows) == len(twin["segments"])


def test_the_language_follows_query_saved_choice_and_browser(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "analyst")
    assert Doc(s.client.get("/?lang=en").text).one("html").attrs["lang"] == "en"
    assert Doc(s.client.get("/").text).one("html").attrs["lang"] == "zh-CN"
    r = s.client.post(
        "/language",
        data={"lang": "en", "csrf_token": s.csrf, "next": "/risks"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/risks"
    other = session_client(app, demo, "analyst")  # a new session: the choice was saved
    doc = Doc(other.client.get("/").text)
    assert doc.one("html").attrs["lang"] == "en"
    assert doc.one("a", href="/risks").text == "Risks"
    other.client.post("/language", data={"lang": "zh", "csrf_token": other.csrf})
    visitor = TestClient(app)
    page = visitor.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert Doc(page.text).one("h1").text == "Sign in to ChainAtlas"


def test_the_language_switch_needs_the_csrf_token(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "viewer")
    assert s.client.post("/language", data={"lang": "en"}).status_code == 403


def test_an_enterprise_user_sees_a_notice_and_no_other_firm_on_the_chain_page(
    app: FastAPI, demo: Demo
) -> None:
    s = session_client(app, demo, "enterprise")
    r = s.client.get("/chains/nev")
    doc = Doc(r.text)
    assert r.status_code == 200 and len(doc.find("p", class_="notice")) == 1
    links = [
        a.attrs["href"]
        for a in doc.find("a")
        if a.attrs.get("href", "").startswith("/enterprises/")
    ]
    assert set(links) <= {f"/enterprises/{demo.own_enterprise}"}
    assert doc.find("a", class_="xlsx") == []
    assert s.client.get("/chains/nev/report.xlsx").status_code == 403


def test_a_bad_upload_lists_row_and_column_and_imports_nothing(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "analyst")
    with demo.engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(enterprises)).scalar_one()
    csv = "企业名称,统一社会信用代码,地区\n甲有限公司,,330100\n乙有限公司,ABC,330100\n".encode()
    r = s.client.post(
        "/import",
        data={"kind": "enterprises", "csrf_token": s.csrf},
        files={"file": ("名单.csv", io.BytesIO(csv), "text/csv")},
    )
    assert r.status_code == 422
    table = Doc(r.text).one("table", class_="problems")
    assert table is not None
    cells = [el.text for el in Doc(r.text).find("td")]
    assert cells[:4] == ["名单.csv", "3", "统一社会信用代码", "ABC"]  # the header as in the file
    with demo.engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(enterprises)).scalar_one()
    assert after == before


def test_read_only_roles_see_no_upload_form(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "viewer")
    doc = Doc(s.client.get("/import").text)
    assert doc.find("form", class_="upload") == [] and len(doc.find("p", class_="notice")) == 1


def test_the_downloads_are_workbooks_with_the_listed_rows(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "admin")
    report = s.client.get("/chains/nev/report.xlsx?region=330000")
    assert report.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True)
    assert "segments 环节" in book.sheetnames and "risks 风险点" in book.sheetnames
    risks = s.client.get("/risks.xlsx?chain=nev&region=330000&level=high")
    sheet = openpyxl.load_workbook(io.BytesIO(risks.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    total = s.client.get("/api/v1/risks?chain=nev&region=330000&level=high&limit=1").json()["total"]
    assert len(rows) - 1 == total and all(r[2] == "high" for r in rows[1:])
    about = openpyxl.load_workbook(io.BytesIO(risks.content), read_only=True)["about 说明"]
    facts = dict(list(about.iter_rows(values_only=True))[1:])
    assert facts["risk points 风险点"] == facts["exported 已导出"] == total
    assert not facts["note 说明"]


def test_a_long_risk_list_downloads_its_worst_points_and_says_so(
    app: FastAPI, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chainatlas.web import pages

    monkeypatch.setattr(pages, "RISK_EXPORT_MAX", 3)
    s = session_client(app, demo, "admin")
    book = openpyxl.load_workbook(
        io.BytesIO(s.client.get("/risks.xlsx?chain=nev&region=330000").content), read_only=True
    )
    rows = list(book["risks 风险点"].iter_rows(values_only=True))
    listed = s.client.get("/api/v1/risks?chain=nev&region=330000&limit=3").json()
    assert [r[4] for r in rows[1:]] == [r["segment"] for r in listed["data"]]
    facts = dict(list(book["about 说明"].iter_rows(values_only=True))[1:])
    assert facts["exported 已导出"] == 3 < facts["risk points 风险点"] == listed["total"]
    assert "The worst 3" in facts["note 说明"]


def test_the_risk_filter_answers_htmx_with_the_table_only(app: FastAPI, demo: Demo) -> None:
    s = session_client(app, demo, "viewer")
    r = s.client.get("/risks?chain=nev&region=330000&level=low", headers={"HX-Request": "true"})
    assert r.status_code == 200 and not r.text.lstrip().startswith("<!doctype")
    doc = Doc(r.text)
    assert doc.one("div", id="risk-table")
    assert {el.text for el in doc.find("span", class_="badge")} <= {"低"}


def test_search_page_lists_matches(app: FastAPI, demo: Demo) -> None:
    with demo.engine.connect() as conn:
        name = conn.execute(
            sa.select(enterprises.c.name).where(enterprises.c.id == demo.other_enterprise)
        ).scalar_one()
    s = session_client(app, demo, "admin")
    doc = Doc(s.client.get("/search", params={"q": name}).text)
    hrefs = [a.attrs["href"] for a in doc.find("a")]
    assert f"/enterprises/{demo.other_enterprise}" in hrefs


def test_static_files_are_served_from_the_package(anon: TestClient) -> None:
    for path in ("/static/vendor/echarts.min.js", "/static/vendor/htmx.min.js", "/static/app.js"):
        r = anon.get(path)
        assert r.status_code == 200 and len(r.content) > 1000, path
    page = anon.get("/login")
    assert "cdn" not in page.text.lower()
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_repeated_failed_logins_are_throttled(demo: Demo) -> None:
    # an app of its own: its throttle must not lock the shared app's users out
    client = TestClient(create_app(Settings(database_url=demo.url, env="test"), engine=demo.engine))
    csrf = csrf_of(client.get("/login").text)
    form = {"username": "analyst", "password": "wrong-password", "csrf_token": csrf}
    answers = [client.post("/login", data=form) for _ in range(6)]
    assert [a.status_code for a in answers] == [401] * 6
    assert "wrong username or password" in answers[4].text
    assert "too many failed logins" in answers[5].text
    right = form | {"password": "chainatlas-demo"}
    assert "too many failed logins" in client.post("/login", data=right).text
