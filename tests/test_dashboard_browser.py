"""A leader's journey through the dashboard in Debian's chromium, with screenshots."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from bench.national import generate
from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is missing (install Debian's chromium package); CI always runs this",
    ),
]


@pytest.fixture
def campaign_data(transactional_db, settings):
    # The live server wraps the app in Django's media handler, which fails on MEDIA_URL = None
    # (the portal serves no media URL); any path nobody requests will do.
    settings.MEDIA_URL = "/__no_media__/"
    # Created before Playwright starts: its event loop makes Django refuse queries in this thread.
    cache.clear()
    generate(
        provinces=1,
        districts_per_province=4,
        communes_per_district=5,
        organisations_per_province=4,
        years=(2018, 2019, 2020),
        extra_commune_every=0,
    )
    UserFactory(username="leader-browser", leader=True)  # factory password: secret-pass-123


@pytest.fixture
def server_url(campaign_data):
    """A live server started after the MEDIA_URL override (pytest-django's starts too early)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("localhost", StaticFilesHandler, connections_override={}, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


@pytest.fixture
def browser_page(server_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        yield context.new_page()
        context.close()
        browser.close()


def _keep(screenshot: Path) -> None:
    # Set DASHBOARD_SCREENSHOT_DIR to keep the pictures after the run (CI artefacts).
    target = os.environ.get("DASHBOARD_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(target) / screenshot.name)


def test_leader_drills_down_from_province_to_commune(server_url, browser_page, tmp_path):
    page = browser_page

    page.goto(f"{server_url}/accounts/login/?next=/dashboard/")
    page.fill("#id_username", "leader-browser")
    page.fill("#id_password", "secret-pass-123")
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/dashboard/$"))

    assert page.locator("[data-indicator]").count() == 8
    assert page.locator("h1").inner_text().endswith("2020")
    assert page.locator("figure svg title").count() >= 8
    province_shot = tmp_path / "dashboard-province.png"
    page.screenshot(path=str(province_shot), full_page=True)
    _keep(province_shot)

    page.click(".dash-years a:text-is('2019')")
    page.wait_for_url("**year=2019**")
    assert page.locator("h1").inner_text().endswith("2019")

    page.click("[data-indicator=LABOUR] a")
    page.wait_for_url("**indicator=LABOUR**")
    assert "LABOUR" in page.locator("#breakdown").inner_text()

    page.click("#breakdown-table tbody tr:first-child a")
    page.wait_for_load_state()
    assert "Huyện Thử" in page.locator(".breadcrumb .active").inner_text()

    # Rates are reported by districts; a share of communes breaks a district down by commune.
    page.click("[data-indicator=ROAD] a")
    page.wait_for_url("**indicator=ROAD**")
    assert page.locator("#breakdown-table tbody tr").count() == 5
    district_shot = tmp_path / "dashboard-district.png"
    page.screenshot(path=str(district_shot), full_page=True)
    _keep(district_shot)

    page.click("#breakdown-table tbody tr:first-child a")
    page.wait_for_load_state()
    assert "Xã Thử" in page.locator(".breadcrumb .active").inner_text()

    commune_shot = tmp_path / "dashboard-commune.png"
    page.screenshot(path=str(commune_shot), full_page=True)
    _keep(commune_shot)

    with page.expect_download() as download:
        page.click("a.dash-export >> nth=0")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_anyone_reads_the_public_page_without_logging_in(server_url, browser_page, tmp_path):
    page = browser_page

    page.goto(f"{server_url}/public/?year=2019")

    assert page.url.endswith("/public/?year=2019")
    assert page.locator("[data-indicator]").count() == 8
    assert page.locator("#as-of").count() == 1
    assert page.locator("a.dash-export").count() == 0
    shot = tmp_path / "public-progress.png"
    page.screenshot(path=str(shot), full_page=True)
    _keep(shot)
