"""An administrator's import journey in Debian's chromium: upload → preview → confirm."""

import pytest

from tests.browser import assert_no_serious_axe, browser_marks, log_in, screenshot
from tests.factories import UserFactory
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row

pytestmark = browser_marks


@pytest.fixture
def import_data(transactional_db):
    communes = kon_tum_communes()
    UserFactory(username="admin-browser", admin=True)
    return communes


@pytest.fixture
def browser_page(import_data, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_admin_uploads_previews_and_confirms_a_workbook(
    live_server, browser_page, tmp_path, import_data
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
    log_in(page, live_server.url, "admin-browser", next_path="/import/")
    page.wait_for_url(f"{live_server.url}/import/")

    upload_page = tmp_path / "import-upload.png"
    assert_no_serious_axe(page)
    screenshot(page, upload_page)
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
    assert_no_serious_axe(page)
    screenshot(page, preview)
    assert not CommuneStatistics.objects.filter(commune=import_data["dak_ang"]).exists()

    page.click("#import-confirm")
    page.wait_for_selector(".alert-success")
    done = tmp_path / "import-applied.png"
    assert_no_serious_axe(page)
    screenshot(page, done)

    assert ImportBatch.objects.get().state == ImportState.APPLIED
    assert CommuneStatistics.objects.get(commune=import_data["dak_choong"]).total_households == 500
    assert CommuneStatistics.objects.get(commune=import_data["dak_ang"]).paved_road is True
