"""A leader's journey through the dashboard in Debian's chromium, with screenshots."""

import re

import pytest
from django.core.cache import cache

from bench.national import generate
from tests.browser import assert_no_serious_axe, browser_marks, log_in, screenshot
from tests.factories import UserFactory

pytestmark = browser_marks


@pytest.fixture
def campaign_data(transactional_db):
    cache.clear()
    generate(
        provinces=1,
        districts_per_province=4,
        communes_per_district=5,
        organisations_per_province=4,
        years=(2018, 2019, 2020),
        extra_commune_every=0,
    )
    UserFactory(username="leader-browser", leader=True)


@pytest.fixture
def browser_page(campaign_data, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    yield context.new_page()
    context.close()


def test_leader_drills_down_from_province_to_commune(live_server, browser_page, tmp_path):
    page = browser_page

    log_in(page, live_server.url, "leader-browser", next_path="/dashboard/")
    page.wait_for_url(re.compile(r"^http://[^/]+/dashboard/$"))

    assert page.locator("[data-indicator]").count() == 8
    assert page.locator("h1").inner_text().endswith("2020")
    assert page.locator("figure svg title").count() >= 8
    province_shot = tmp_path / "dashboard-province.png"
    assert_no_serious_axe(page)
    screenshot(page, province_shot)

    page.click(".dash-years a:text-is('2019')")
    page.wait_for_url("**year=2019**")
    assert page.locator("h1").inner_text().endswith("2019")

    name = page.locator("[data-indicator=LABOUR] h3").inner_text().strip()
    assert name != "LABOUR"  # the card is headed by the indicator's name, not its code
    page.click("[data-indicator=LABOUR] a")
    page.wait_for_url("**indicator=LABOUR**")
    assert page.locator("#breakdown").inner_text().strip() == name

    page.click("#breakdown-table tbody tr:first-child a")
    page.wait_for_load_state()
    assert "Huyện Thử" in page.locator(".breadcrumb .active").inner_text()

    # Rates are reported by districts; a share of communes breaks a district down by commune.
    page.click("[data-indicator=ROAD] a")
    page.wait_for_url("**indicator=ROAD**")
    assert page.locator("#breakdown-table tbody tr").count() == 5
    district_shot = tmp_path / "dashboard-district.png"
    assert_no_serious_axe(page)
    screenshot(page, district_shot)

    page.click("#breakdown-table tbody tr:first-child a")
    page.wait_for_load_state()
    assert "Xã Thử" in page.locator(".breadcrumb .active").inner_text()

    commune_shot = tmp_path / "dashboard-commune.png"
    assert_no_serious_axe(page)
    screenshot(page, commune_shot)

    with page.expect_download() as download:
        page.click("a.dash-export >> nth=0")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_anyone_reads_the_public_page_without_logging_in(live_server, browser_page, tmp_path):
    page = browser_page

    page.goto(f"{live_server.url}/public/?year=2019")

    assert page.url.endswith("/public/?year=2019")
    assert page.locator("[data-indicator]").count() == 8
    assert page.locator("#as-of").count() == 1
    assert page.locator("a.dash-export").count() == 0
    shot = tmp_path / "public-progress.png"
    assert_no_serious_axe(page)
    screenshot(page, shot)
