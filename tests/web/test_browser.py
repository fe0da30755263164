"""Browser tests: Playwright driving Debian's Chromium against a live server.

Chromium is /usr/bin/chromium (never `playwright install`); the tests skip without it,
except with CI=true, where they fail. Screenshots go to $CHAINATLAS_SCREENSHOTS (set it to
docs/screenshots to regenerate the documentation's pictures) or to a temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainatlas.store.schema import enterprises
from tests.web.conftest import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"

if not CHROMIUM.exists():
    if IN_CI:
        pytest.fail("CI=true but /usr/bin/chromium is missing", pytrace=False)
    pytest.skip("no /usr/bin/chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

PASSWORD = "chainatlas-demo"
BAD_CSV = (
    "name,credit_code,region\n良好测试企业有限公司,,330100\n坏数据测试企业有限公司,12345,330100\n"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


def new_page(browser: object, lang: str = "zh-CN") -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1360, "height": 900}, locale=lang, device_scale_factor=1
    )
    return context.new_page()


def log_in(page: object, server: LiveServer, username: str, next_path: str = "/") -> None:
    page.goto(f"{server.url}/login?next={next_path}")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("form[action='/login'] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def test_admin_logs_in_opens_a_chain_graph_and_clicks_into_a_segment(
    browser: object, live_server: LiveServer, screenshot_dir: Path
) -> None:
    page = new_page(browser)
    log_in(page, live_server, "admin")
    assert page.url == f"{live_server.url}/"
    page.wait_for_selector("#chain-bars[data-ready]")
    page.screenshot(path=str(screenshot_dir / "home.png"), full_page=True)

    page.goto(f"{live_server.url}/chains/nev?region=330000")
    page.wait_for_selector("#chain-graph[data-ready=status] canvas")
    assert page.locator("#chain-graph canvas").count() >= 1
    page.screenshot(path=str(screenshot_dir / "chain.png"), full_page=False)

    page.click("button[data-chart-mode=risk]")
    page.wait_for_selector("#chain-graph[data-ready=risk]")
    assert page.locator("[data-legend-mode=risk]:not([hidden])").count() == 4
    page.locator("#chain-graph").screenshot(path=str(screenshot_dir / "chain-risk.png"))

    # Click the node of segment power_battery where ECharts drew it.
    point = page.evaluate(
        """() => {
            const chart = window.chainatlasCharts['chain-graph'];
            const data = chart.getOption().series[0].data;
            const i = data.findIndex(d => d.name === 'power_battery');
            return chart.convertToPixel({seriesIndex: 0}, [data[i].x, data[i].y]);
        }"""
    )
    page.locator("#chain-graph").click(position={"x": point[0], "y": point[1]})
    page.wait_for_url(re.compile(r".*/chains/nev/segments/power_battery\?region=330000$"))
    assert page.locator("h1").inner_text().startswith("新能源汽车")
    page.screenshot(path=str(screenshot_dir / "segment.png"), full_page=False)


def test_switching_language_shows_english_labels_and_is_saved(
    browser: object, live_server: LiveServer, screenshot_dir: Path
) -> None:
    page = new_page(browser)
    log_in(page, live_server, "viewer", "/chains/nev?region=330000")
    assert page.locator("h2", has_text="产业链图谱").count() == 1
    page.click("form.lang-switch button[value=en]")
    page.wait_for_selector("#chain-graph[data-ready=status]")
    assert page.locator("h2", has_text="Chain graph").count() == 1
    assert page.locator("header .logout button").inner_text() == "Sign out"
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(screenshot_dir / "chain-en.png"), full_page=False)
    # saved for the user: a fresh page (no cookie from the switch) is still English
    other = new_page(browser, lang="zh-CN")
    log_in(other, live_server, "viewer", "/risks?chain=nev&region=330000")
    assert other.locator("h1").inner_text().startswith("Broken-chain risk list")
    other.screenshot(path=str(screenshot_dir / "risks-en.png"), full_page=False)


def test_a_bad_csv_shows_its_row_and_column_and_imports_nothing(
    browser: object, live_server: LiveServer, screenshot_dir: Path, tmp_path: Path
) -> None:
    engine = live_server.demo.engine
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(enterprises)).scalar_one()
    bad = tmp_path / "企业名单.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page = new_page(browser)
    log_in(page, live_server, "analyst", "/import")
    page.select_option("select[name=kind]", "enterprises")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("table.problems")
    row = page.locator("table.problems tbody tr").first
    cells = [c.inner_text() for c in row.locator("td").all()]
    assert cells[0] == "企业名单.csv"
    assert cells[1] == "3" and cells[2] == "credit_code" and cells[3] == "12345"
    assert page.locator("#import-result .error").count() == 1
    page.screenshot(path=str(screenshot_dir / "import-rejected.png"), full_page=False)
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(enterprises)).scalar_one()
        good = conn.execute(
            sa.select(sa.func.count()).where(enterprises.c.name == "良好测试企业有限公司")
        ).scalar_one()
    assert after == before and good == 0


def test_an_enterprise_user_sees_its_own_page_but_not_another_enterprise(
    browser: object, live_server: LiveServer, screenshot_dir: Path
) -> None:
    demo = live_server.demo
    page = new_page(browser)
    log_in(page, live_server, "enterprise", f"/enterprises/{demo.own_enterprise}")
    page.wait_for_selector("#trend-chart[data-ready]")
    assert page.locator("h1").count() == 1
    page.screenshot(path=str(screenshot_dir / "enterprise-own.png"), full_page=True)
    response = page.goto(f"{live_server.url}/enterprises/{demo.other_enterprise}")
    assert response is not None and response.status == 403
    assert page.locator(".error-page[data-status='403']").count() == 1
    page.screenshot(path=str(screenshot_dir / "enterprise-forbidden.png"), full_page=False)


def test_an_analyst_draws_the_opportunity_scatter_and_switches_strategy(
    browser: object, live_server: LiveServer, screenshot_dir: Path
) -> None:
    page = new_page(browser)
    log_in(page, live_server, "analyst", "/opportunities")
    page.wait_for_selector("#opp-scatter[data-ready] canvas")
    drawn = page.evaluate(
        "() => window.chainatlasCharts['opp-scatter'].getOption().series[0].data.length"
    )
    assert drawn == page.locator("table.opportunities tbody tr").count() > 0
    page.screenshot(path=str(screenshot_dir / "opportunities.png"), full_page=False)
    page.click("a[data-strategy=ambitious]")
    page.wait_for_url(re.compile(r".*/opportunities\?.*strategy=ambitious.*"))
    page.wait_for_selector("#opp-scatter[data-ready] canvas")
    assert page.locator("a.current[data-strategy=ambitious]").count() == 1
    page.goto(f"{live_server.url}/regions/compare?lang=en")
    page.wait_for_selector("#similarity-heatmap[data-ready] canvas")
    page.screenshot(path=str(screenshot_dir / "regions-en.png"), full_page=False)


def test_an_enterprise_posts_a_need_saves_matches_and_marks_a_lead_contacted(
    browser: object, live_server: LiveServer, screenshot_dir: Path
) -> None:
    page = new_page(browser)
    log_in(page, live_server, "enterprise", "/docking")
    page.fill("form.post-need input[name=product]", "MCU主控芯片")
    page.fill("form.post-need input[name=quantity]", "5000")
    page.fill("form.post-need input[name=unit]", "片")
    page.click("form.post-need button[type=submit]")
    page.wait_for_url(re.compile(r".*/docking/needs/DN\d+$"))
    rows = page.locator("table.counterparts tbody tr")
    assert rows.count() > 0 and "MCU" in page.locator("table.counterparts").inner_text()
    page.screenshot(path=str(screenshot_dir / "match.png"), full_page=False)
    page.click("form.save-leads button[type=submit]")
    page.wait_for_url(re.compile(r".*/docking/leads\?need=DN\d+$"))
    first = page.locator("tr.lead").first
    lead_id = first.get_attribute("id")
    first.locator("button[value=contacted]").click()
    page.wait_for_selector(f"#{lead_id}.status-contacted")
    assert page.locator(f"#{lead_id} .badge").inner_text() == "已联系"
    page.screenshot(path=str(screenshot_dir / "leads.png"), full_page=False)
    page.goto(f"{live_server.url}/enterprises/{live_server.demo.own_enterprise}")
    page.wait_for_selector("#policy-check table.policy-gaps, #policy-check ul.qualified")
    page.locator("#policy-check").screenshot(path=str(screenshot_dir / "policy-check.png"))
