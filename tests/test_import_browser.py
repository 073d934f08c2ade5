"""An administrator's import journey in Debian's chromium: upload → preview → confirm."""

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import UserFactory
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row

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
def import_data(transactional_db, monkeypatch):
    # Playwright's event loop would make Django refuse the checks this test runs afterwards.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    communes = kon_tum_communes()
    UserFactory(username="admin-browser", admin=True)  # factory password: secret-pass-123
    return communes


@pytest.fixture
def server_url(import_data):
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
    thread.join()


@pytest.fixture
def browser_page(server_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        yield context.new_page()
        context.close()
        browser.close()


def _keep(screenshot: Path) -> None:
    target = os.environ.get("IMPORT_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(target) / screenshot.name)


def test_admin_uploads_previews_and_confirms_a_workbook(
    server_url, browser_page, tmp_path, import_data
):
    from indicators.models import CommuneStatistics, ImportBatch, ImportState

    CommuneStatistics.objects.create(
        commune=import_data["dak_choong"], year=2019, total_households=480, poor_households=90
    )
    workbook = tmp_path / "so-lieu-2019.xlsx"
    workbook.write_bytes(
        simple_file(
            [
                template_row("23287", "Xã Đắk Choong", total_households=500, poor_households=90),
                template_row("", "Xã Đăk Ang", total_households="1.200", paved_road="có"),
            ]
        )
    )
    page = browser_page
    page.goto(f"{server_url}/accounts/login/?next=/import/")
    page.fill("input[name=username]", "admin-browser")
    page.fill("input[name=password]", "secret-pass-123")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server_url}/import/")

    upload_page = tmp_path / "import-upload.png"
    page.screenshot(path=str(upload_page), full_page=True)
    _keep(upload_page)
    page.fill("input[name=year]", "2019")
    page.set_input_files("input[name=file]", str(workbook))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-counts")
    counts = page.inner_text("#import-counts")
    assert "1\n" in counts
    changes = page.inner_text("#import-changes")
    assert "480" in changes and "500" in changes
    assert "23320" in page.inner_text("#import-warnings")  # matched by name, with a warning
    preview = tmp_path / "import-preview.png"
    page.screenshot(path=str(preview), full_page=True)
    _keep(preview)
    assert not CommuneStatistics.objects.filter(commune=import_data["dak_ang"]).exists()

    page.click("#import-confirm")
    page.wait_for_selector(".alert-success")
    done = tmp_path / "import-applied.png"
    page.screenshot(path=str(done), full_page=True)
    _keep(done)

    assert ImportBatch.objects.get().state == ImportState.APPLIED
    assert CommuneStatistics.objects.get(commune=import_data["dak_choong"]).total_households == 500
    assert CommuneStatistics.objects.get(commune=import_data["dak_ang"]).paved_road is True
