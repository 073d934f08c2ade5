"""Asking for more time in Debian's chromium: the officer asks from the home page, the Board
sees the request on its follow-up page and approves it with a date, the officer is told."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import deadlines
from campaigns.models import ExtensionRequest, ExtensionRequestStatus
from tests.browser import browser_marks, log_in, screenshot
from tests.factories import BlocMembershipFactory, PeriodFactory, UserFactory

pytestmark = browser_marks


@pytest.fixture
def journey(transactional_db):
    today = timezone.localdate()
    period = PeriodFactory(
        year=today.year, opens_on=today - timedelta(days=30), deadline=today + timedelta(days=5)
    )
    officer = UserFactory(username="officer-browser", first_name="Hùng")
    BlocMembershipFactory(bloc__campaign=period.campaign, unit=officer.unit)
    UserFactory(username="board-browser", board=True, first_name="Thủy")
    return period, officer


def shot(page, tmp_path, name):
    path = tmp_path / name
    screenshot(page, path)


def test_an_extension_request_from_asking_to_the_decision(journey, live_server, chromium, tmp_path):
    from playwright.sync_api import expect

    period, officer = journey
    asked = timezone.localdate() + timedelta(days=20)
    granted = timezone.localdate() + timedelta(days=15)

    unit_side = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = unit_side.new_page()
    log_in(page, live_server.url, "officer-browser")
    expect(page.locator("nav")).to_contain_text("Thông báo")
    page.get_by_role("link", name="Đề nghị gia hạn").click()
    page.fill("#id_deadline", asked.strftime("%d/%m/%Y"))
    page.fill("#id_reason", "Lũ lụt chia cắt đường vào các xã.")
    page.get_by_role("button", name="Gửi đề nghị tới Ban").click()
    expect(page.locator(".app-extension-history")).to_contain_text("Chờ Ban xem xét")
    shot(page, tmp_path, "extension-asked.png")

    board_side = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    board = board_side.new_page()
    log_in(board, live_server.url, "board-browser")
    # The Board is told, and the notice leads to the follow-up page.
    board.goto(f"{live_server.url}/notifications/")
    expect(board.locator(".app-notifications")).to_contain_text("Lũ lụt chia cắt")
    board.get_by_role("button", name="Mở trang").first.click()
    request = board.locator(".app-extension-request")
    expect(request).to_contain_text(officer.unit.name)
    request.locator("input[name=deadline]").fill(granted.strftime("%d/%m/%Y"))
    request.get_by_role("button", name="Phê duyệt").click()
    expect(board.locator("#decided")).to_be_visible()
    shot(board, tmp_path, "extension-follow-up.png")

    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator(".app-notifications")).to_contain_text(granted.strftime("%d/%m/%Y"))
    expect(page.locator(".app-notifications-link .badge")).to_have_text("1 chưa đọc")
    shot(page, tmp_path, "extension-notice.png")

    request_row = ExtensionRequest.objects.get()
    assert request_row.status == ExtensionRequestStatus.APPROVED
    assert deadlines.unit_deadline(period=period, unit=officer.unit) == granted
