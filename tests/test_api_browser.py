"""The API's documentation page in a real browser, under the portal's strict CSP: it draws every
address from the portal's own files and "Try it out" reads the figures."""

import pytest

from tests.browser import browser_marks, screenshot
from tests.factories import DistrictFactory, IndicatorFactory, PeriodFactory

pytestmark = browser_marks


@pytest.fixture
def campaign(transactional_db):
    district = DistrictFactory(code="610", name="Huyện Đắk Glei")
    period = PeriodFactory(year=2019)
    IndicatorFactory(campaign=period.campaign, code="ROAD", commune_field="paved_road")
    return district


def test_the_docs_page_works_under_the_csp_and_tries_the_figures(
    live_server, chromium, campaign, tmp_path
):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    outside: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("#operations-public-figures_list")
    page.click("#operations-public-figures_list .opblock-summary")
    page.click("#operations-public-figures_list .try-out__btn")
    page.fill("#operations-public-figures_list input[placeholder=year]", "2019")
    page.click("#operations-public-figures_list .execute")
    status = page.wait_for_selector(
        "#operations-public-figures_list .live-responses-table tbody .response-col_status"
    )
    shot = tmp_path / "api-docs.png"
    screenshot(page, shot, full_page=False)

    assert status.inner_text().strip() == "200"
    body = page.inner_text("#operations-public-figures_list .live-responses-table")
    assert '"indicator": "ROAD"' in body and '"unit_code": "610"' in body
    assert refused == []
    assert outside == []
    context.close()
