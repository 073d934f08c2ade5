"""A leader asks for the province report, watches it being made, downloads it: chromium + worker."""

import re

import pytest
from django.core.cache import cache

from bench.national import generate
from kontum_poverty.celery import app
from tests.browser import (
    assert_no_serious_axe,
    browser_marks,
    keep_screenshot,
    log_in,
    screenshot,
)
from tests.factories import UserFactory
from tests.pdf_tools import pdf_fonts, pdf_text, pdf_to_png

pytestmark = browser_marks


@pytest.fixture
def campaign_data(transactional_db):
    cache.clear()
    generate(
        provinces=1,
        districts_per_province=3,
        communes_per_district=4,
        organisations_per_province=2,
        years=(2018, 2019),
        extra_commune_every=0,
    )
    UserFactory(username="leader-pdf", leader=True)


@pytest.fixture
def browser_page(campaign_data, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


def test_leader_waits_on_the_progress_bar_then_downloads_the_province_report(
    live_server, celery_worker, browser_page, tmp_path
):
    page = browser_page
    log_in(page, live_server.url, "leader-pdf", next_path="/documents/")
    page.wait_for_url(re.compile(r"/documents/$"))

    # The worker stops taking jobs for a moment, so the page shows the job waiting in the queue.
    app.control.cancel_consumer("celery", reply=True)
    page.select_option("#id_province-year", "2019")
    page.click("form:has(input[name=kind][value=province]) button[type=submit]")
    page.wait_for_url(re.compile(r"/documents/#job-\d+$"))

    row = page.locator("tbody tr").first
    progress = row.locator(".progress")
    assert progress.is_visible()
    assert row.locator("a:has-text('Tải về'), a[href$='/download/']").count() == 0
    waiting = tmp_path / "reports-waiting.png"
    assert_no_serious_axe(page)
    screenshot(page, waiting)

    app.control.add_consumer("celery", reply=True)
    # htmx polls the row every two seconds and swaps in the finished one: no reload.
    download_link = row.locator("a[href$='/download/']")
    download_link.wait_for(timeout=90_000)
    assert progress.count() == 0
    done = tmp_path / "reports-done.png"
    assert_no_serious_axe(page)
    screenshot(page, done)

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == "bao-cao-tinh-2019.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()

    text = pdf_text(content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "BÁO CÁO" in text
    assert "Huyện Thử" in text  # the generated districts' names
    assert all(font.startswith("Report-Serif") for font in pdf_fonts(content))
    for picture in pdf_to_png(content, tmp_path / "pages", prefix="bao-cao", dpi=50)[:2]:
        keep_screenshot(picture)
