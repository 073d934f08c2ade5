"""Personas, one per role: unit_officer, board_staff, leader, admin_user, outsider."""

import pytest

from tests.factories import DistrictFactory, UserFactory


@pytest.fixture
def unit_officer(db):
    return UserFactory(
        username="officer-test", unit=DistrictFactory(code="610", name="Huyện Đắk Glei")
    )


@pytest.fixture
def outsider(db):
    """An officer of another unit."""
    return UserFactory(
        username="officer-other", unit=DistrictFactory(code="611", name="Huyện Ngọc Hồi")
    )


@pytest.fixture
def board_staff(db):
    return UserFactory(username="board-test", board=True)


@pytest.fixture
def leader(db):
    return UserFactory(username="leader-test", leader=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-test", admin=True)


@pytest.fixture
def chromium(monkeypatch):
    """A headless Debian chromium for one test; create pages with `chromium.new_context()`."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, LAUNCH_ARGS

    # Playwright's sync API runs an event loop in this thread; without this Django would refuse
    # the database checks a test makes while the browser is open.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()
