"""Security headers and sessions: the Content-Security-Policy on every page, no inline script or
style in the templates, the Vietnamese CSRF failure page and idle Board and admin sessions."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.services import submission_submit
from indicators.submissions.services import report_checklist, report_snapshot
from tests.browser import browser_marks, log_in, screenshot
from tests.factories import UserFactory
from tests.report_setup import complete_draft, year_build

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


# --- The policy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        (None, "/accounts/login/"),
        (None, "/accounts/password_reset/"),
        ("unit_officer", "/"),
        ("unit_officer", "/accounts/password_change/"),
        ("board_staff", "/"),
        ("board_staff", "/accounts/locked/"),
        ("leader", "/"),
        ("admin_user", "/admin/"),
        ("admin_user", "/import/"),
    ],
)
def test_every_page_sends_a_policy_without_inline_scripts_or_styles(client, request, persona, url):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get(url)

    assert response.status_code == 200
    policy = csp_directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def served_templates():
    # PDF templates are rendered by WeasyPrint, never served to a browser.
    return [
        path
        for path in TEMPLATES.rglob("*.html")
        if TEMPLATES / "reports" / "pdf" not in path.parents
    ]


def test_no_served_template_has_an_inline_script_style_or_handler():
    offenders = []
    for path in served_templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # inline script
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",  # onclick=, onchange=, …
            r"\bhx-on",
            r"javascript:",
        ):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_the_dashboard_charts_have_no_style_attribute(client, leader):
    year = year_build(UserFactory(), year=timezone.localdate().year)
    complete_draft(year)
    client.force_login(leader)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    assert " style=" not in page


# --- The CSRF failure page ----------------------------------------------------------------


def test_a_refused_form_gets_a_vietnamese_page_saying_what_to_do(unit_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(unit_officer)

    response = client.post(reverse("password_change"), {"old_password": "x"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Không gửi được biểu mẫu" in page
    assert "Tải lại trang đó (F5)" in page
    assert "Gửi lại biểu mẫu" in page
    assert "data-history-back" in page
    assert "Content-Security-Policy" in response


# --- Idle sessions of the Board and administrators ------------------------------------------


@pytest.mark.parametrize("persona", ["board_staff", "admin_user"])
def test_a_board_or_admin_session_ends_after_thirty_idle_minutes(
    client, request, persona, time_machine
):
    client.force_login(request.getfixturevalue(persona))
    time_machine.move_to(timezone.localtime() + timedelta(minutes=31))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    follow = client.get(response["Location"]).content.decode()
    assert "Bạn đã được đăng xuất sau 30 phút không hoạt động" in follow


def test_activity_keeps_a_board_session_alive(client, board_staff, time_machine):
    start = timezone.localtime()
    client.force_login(board_staff)
    for minutes in (20, 40, 60):
        time_machine.move_to(start + timedelta(minutes=minutes))
        assert client.get("/").status_code == 200


def test_officers_and_leaders_keep_the_ordinary_session_length(client, unit_officer, time_machine):
    client.force_login(unit_officer)
    time_machine.move_to(timezone.localtime() + timedelta(minutes=31))

    assert client.get("/").status_code == 200


def test_the_idle_limit_comes_from_the_settings(client, board_staff, settings, time_machine):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client.force_login(board_staff)
    time_machine.move_to(timezone.localtime() + timedelta(minutes=6))

    assert client.get("/").status_code == 302


def test_an_idle_htmx_request_sends_the_whole_tab_to_the_login(client, board_staff, time_machine):
    client.force_login(board_staff)
    time_machine.move_to(timezone.localtime() + timedelta(minutes=31))

    response = client.get("/", HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"].startswith(reverse("login"))


# --- In a browser: the main pages raise no CSP violation ------------------------------------


def in_browser(test):
    for mark in browser_marks:
        test = mark(test)
    return test


@pytest.fixture
def pages(transactional_db):
    officer = UserFactory(username="officer-csp")
    year = year_build(officer, year=timezone.localdate().year)
    submission = complete_draft(year)
    submission_submit(
        submission=submission,
        by=officer,
        expected_version=submission.version,
        extra_checklist=report_checklist(submission=submission),
        extra_snapshot=report_snapshot(submission=submission),
    )
    UserFactory(username="board-csp", board=True)
    return year, submission


@pytest.mark.django_db(transaction=True)
@in_browser
def test_the_main_pages_raise_no_csp_violation(pages, live_server, chromium, tmp_path):
    year, submission = pages
    violations: list[str] = []

    def watch(page):
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    officer = watch(chromium.new_context(locale="vi-VN").new_page())
    officer.goto(f"{live_server.url}/accounts/login/")
    log_in(officer, live_server.url, "officer-csp")
    for path in (f"/report/{year.period.pk}/", "/dashboard/", "/accounts/password_change/"):
        officer.goto(live_server.url + path)
        officer.wait_for_load_state("networkidle")

    board = watch(
        chromium.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
    )
    log_in(board, live_server.url, "board-csp")
    for path in (
        f"/board/submissions/{submission.pk}/",
        f"/board/{year.period.pk}/queue/",
        "/dashboard/",
        "/accounts/locked/",
    ):
        board.goto(live_server.url + path)
        board.wait_for_load_state("networkidle")
    screenshot(board, tmp_path / "accounts-locked.png")

    assert violations == []

    # The watch itself works: a style attribute set from a script is refused and reported.
    board.evaluate("document.body.setAttribute('style', 'color: red')")
    board.wait_for_timeout(200)
    assert violations
