"""The Board writes the final review's sections in Debian's chromium, saves versions and is told
in Vietnamese why the approval must wait for the year to close."""

import re

import pytest

from bench.national import generate
from reports.models import NarrativeVersion
from tests.browser import browser_marks, log_in, screenshot
from tests.factories import UserFactory

pytestmark = browser_marks


@pytest.fixture
def board_page(transactional_db, chromium):
    generate(
        provinces=1,
        districts_per_province=1,
        communes_per_district=2,
        organisations_per_province=1,
        years=(2018, 2019),
        extra_commune_every=0,
    )
    UserFactory(username="board-docs", board=True, first_name="Lan")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_board_writes_a_section_saves_a_version_and_waits_to_approve(
    live_server, board_page, tmp_path
):
    page = board_page
    log_in(page, live_server.url, "board-docs", next_path="/documents/board/")
    page.wait_for_url(re.compile(r"/documents/board/$"))

    page.click("#doc-final-2020 a")
    page.wait_for_url(re.compile(r"/documents/board/final/2020/$"))
    page.fill("#id_shortcomings", "Một số chỉ tiêu chưa đạt mục tiêu đề ra.")
    page.fill("#id_note", "Bản đầu")
    page.click("#narrative-form button[type=submit]")
    page.wait_for_url(re.compile(r"/documents/board/final/2020/$"))

    assert page.locator("text=Đã lưu thành phiên bản 1.").is_visible()
    assert page.locator("#version-list tbody tr").count() == 1
    assert "Bản đầu" in page.locator("#version-list").inner_text()
    version = NarrativeVersion.objects.get()
    assert version.shortcomings == "Một số chỉ tiêu chưa đạt mục tiêu đề ra."

    page.click("#approve-form button[type=submit]")
    assert "chưa đóng kỳ báo cáo" in page.locator("#form-errors").inner_text()
    assert page.locator("#state").inner_text() == "Dự thảo"
    shot = tmp_path / "board-document.png"
    screenshot(page, shot)
