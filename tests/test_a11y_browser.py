"""WCAG 2.1 AA on the portal's main pages, in Debian's chromium with axe-core, for every role at
desktop (1366×768) and phone (390×844) size; the phone report form; a keyboard-only report."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from campaigns import deadlines
from campaigns.models import ReportingPeriod, Submission, SubmissionStatus
from campaigns.services import extensions, register
from campaigns.services.appraisal import APPRAISABLE
from reports.models import NarrativeKind
from tests.browser import axe_collect, axe_start, browser_marks, log_in, screenshot
from tests.factories import AwardRecordFactory, NomineeFactory, UserFactory
from tests.report_setup import PDF_BYTES, year_build
from units.models import User

pytestmark = browser_marks

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db, settings):
    """The demo campaign: every role, reports in every state, figures for the dashboard."""
    settings.DEBUG = False
    call_command("load_demo", "--force", stdout=StringIO())
    # An officer whose unit's form for the open year is still editable.
    officer = User.objects.filter(username__startswith="officer-", unit__level="district")
    return officer.order_by("username").first()


def _signed_in_cookie(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))  # two-factor passed (conftest)
    return client.cookies["sessionid"].value


def _main_pages(officer: User) -> dict[str | None, list[str]]:
    latest = ReportingPeriod.objects.order_by("-year").first()
    reviewed = Submission.objects.exclude(status=SubmissionStatus.DRAFT).order_by(
        "-period__year", "pk"
    )
    review = reviewed.first()
    assert latest is not None and review is not None
    board = [f"/board/{latest.pk}/{page}/" for page in ("queue", "ranking", "awards", "year")]
    return {
        None: ["/accounts/login/", "/public/"],
        officer.username: ["/", f"/report/{latest.pk}/", "/documents/"],
        "leader": ["/", "/dashboard/"],
        "board": ["/", *board, f"/board/submissions/{review.pk}/", "/board/help/", "/documents/"],
        "admin": ["/", "/import/"],
    }


def _new_pages(officer: User) -> dict[str | None, list[str]]:
    """The pages other branches added beside the ones above, each with the role that uses it."""
    latest = ReportingPeriod.objects.order_by("-year").first()
    appraisable = (
        Submission.objects.filter(status__in=APPRAISABLE).order_by("-period__year", "pk").first()
    )
    assert latest is not None and appraisable is not None and officer.unit is not None
    district = officer.unit
    year = latest.year
    # What the demo lacks, so the pages show their tables and forms rather than empty states:
    # a pending extension request (the Board's decision form and a notice) and an award.
    extensions.extension_request(
        period=latest,
        unit=district,
        by=officer,
        deadline=deadlines.unit_deadline(period=latest, unit=district) + timedelta(days=10),
        reason="Lũ quét chia cắt ba xã, chưa thu được số liệu.",
    )
    form = register.award_forms_ensure(campaign=latest.campaign)[0]
    AwardRecordFactory(
        nominee=NomineeFactory(unit=district), form=form, level=form.level, granted_by="UBND tỉnh"
    )
    return {
        officer.username: [
            "/notifications/",
            f"/report/{latest.pk}/extension/",
            "/import/district/",
        ],
        "dolisa": [
            f"/board/{appraisable.period_id}/appraisal/",
            f"/board/appraisal/reports/{appraisable.pk}/",
            f"/board/{appraisable.period_id}/appraisal/statistics/{district.pk}/",
            "/notifications/",
        ],
        "board": [
            f"/board/{latest.pk}/follow-up/",
            f"/board/{latest.pk}/groups/",
            f"/board/{latest.pk}/awards/register/",
            f"/board/units/{district.pk}/awards/",
            "/documents/board/",
            f"/documents/board/{NarrativeKind.PROVINCE.value}/{year}/",
            "/documents/board/signers/",
            "/notifications/",
        ],
    }


def _audit(page, where: str) -> list[str]:
    """What a visitor of this page would meet: axe findings (of the run `axe_start` began), a
    wrapped navbar, bare codes."""
    problems = axe_collect(page)
    if page.viewport_size["width"] >= 1366:
        # The navigation bar on one line: its items share the brand's line.
        tops = page.eval_on_selector_all(
            ".app-navbar .navbar-brand, .app-navbar .nav-link, .app-navbar summary",
            "els => els.map(e => Math.round(e.getBoundingClientRect().top))",
        )
        bar = page.eval_on_selector(".app-navbar", "e => e.offsetHeight")
        if bar > 64 or max(tops) - min(tops) > 16:
            problems.append(f"navbar on more than one line ({bar}px)")
    # No heading is a bare code: headings name things.
    headings = page.eval_on_selector_all("h1, h2, h3, h4", "els => els.map(e => e.innerText)")
    problems += [
        f"heading is a bare code: {h!r}"
        for h in headings
        if re.fullmatch(r"[A-Z][A-Z0-9_.-]*", h.strip())
    ]
    return [f"{where}: {problem}" for problem in problems]


class _Window:
    """A browser window of one size, signed in as `username` (or anonymous), noting the console
    errors of the page it shows."""

    def __init__(self, chromium, base_url: str, viewport: dict, username: str | None):
        self.context = chromium.new_context(viewport=viewport, locale="vi-VN")
        if username:
            cookie = {"name": "sessionid", "value": _signed_in_cookie(username), "url": base_url}
            self.context.add_cookies([cookie])
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.label = f"{viewport['width']}px {username or 'anonymous'}"
        self.where = ""  # the page being audited

    def open(self, base_url: str, path: str) -> None:
        """Load the page and start axe on it; `finish` waits for the findings."""
        self.errors.clear()
        self.where = f"{self.label} {path}"
        # goto waits for the load event: the page's styles and scripts have run. No page here
        # fetches anything after it, and errors raised later still arrive while axe runs.
        response = self.page.goto(base_url + path)
        assert response is not None and response.status == 200, self.where
        axe_start(self.page)

    def finish(self) -> list[str]:
        if not self.where:
            return []
        problems = _audit(self.page, self.where)
        problems += [f"{self.where}: console: {e}" for e in self.errors]
        self.where = ""
        return problems


def _visit(chromium, base_url: str, pages: dict[str | None, list[str]]) -> list[str]:
    """Every role's paths at desktop and phone size: a window for each role and size, the
    windows taking turns. While one window loads its next page, axe goes on in the others;
    each window has its own renderer process, so the runs overlap instead of queueing."""
    queues = [
        (_Window(chromium, base_url, size, username), list(paths))
        for username, paths in pages.items()
        for size in (DESKTOP, PHONE)
    ]
    problems: list[str] = []
    while any(paths for _window, paths in queues):
        for window, paths in queues:
            if paths:
                problems += window.finish()  # this window's previous page
                window.open(base_url, paths.pop(0))
    for window, _paths in queues:
        problems += window.finish()
        window.context.close()
    return problems


def test_main_pages_have_no_serious_axe_findings_nor_console_errors_for_every_role(
    demo, live_server, chromium
):
    problems = _visit(chromium, live_server.url, _main_pages(demo))
    assert problems == [], "\n".join(problems)


def test_the_newer_pages_have_no_serious_axe_findings_nor_console_errors_for_their_roles(
    demo, live_server, chromium
):
    """Notifications, extensions, district figures, follow-up, appraisal, groups, the award
    register and history and the Board's documents meet the same bar (the Board's help page is
    among the main pages)."""
    problems = _visit(chromium, live_server.url, _new_pages(demo))
    assert problems == [], "\n".join(problems)


@pytest.fixture
def open_year(transactional_db):
    officer = UserFactory(username="officer-phone", first_name="Hùng")
    return year_build(officer, year=timezone.localdate().year)


def test_on_a_phone_the_save_button_stays_in_view_and_the_parts_are_indexed(
    open_year, live_server, chromium, tmp_path
):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    # The page's clock still runs on its own; the test moves it past the autosave's pause.
    page.clock.install()
    log_in(page, live_server.url, "officer-phone")
    page.goto(f"{live_server.url}/report/{open_year.period.pk}/")
    save = page.locator("#report-savebar button[value=save]")
    expect(page.locator("#save-state")).to_have_text("Chưa lưu")

    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * PHONE["height"], "the form is long on a phone"
    for y in range(0, height, 300):
        page.evaluate(f"window.scrollTo(0, {y})")
        box = save.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], f"at scroll {y}"

    # The index: a jump link per part, with how much of it is filled in.
    index = page.locator("#report-index")
    expect(index.locator("a[href='#part-values']")).to_contain_text("0/4")
    page.fill("[name=value-LABOUR-numerator]", "2.000")
    expect(index.locator("a[href='#part-values']")).to_contain_text("1/4")
    # A folded part opens again when the index jumps to it.
    page.locator("#part-fund summary").click()
    expect(page.locator("[name=fund_mobilised_vnd]")).to_be_hidden()
    index.locator("a[href='#part-fund']").click()
    expect(page.locator("[name=fund_mobilised_vnd]")).to_be_visible()
    assert page.get_attribute("[name=fund_mobilised_vnd]", "inputmode") == "numeric"

    # What was typed reaches the server on its own, and the bar says when.
    page.clock.run_for(2500)  # the pause after the last keystroke (static/js/report.js)
    expect(page.locator("#save-state")).to_contain_text(re.compile(r"Đã lưu lúc \d\d:\d\d"))
    submission = Submission.objects.get(unit=open_year.unit, period=open_year.period)
    assert submission.values.get(indicator=open_year.labour).numerator == 2000
    # The help beside the field opens from the keyboard and is the field's description.
    described = page.get_attribute("[name=value-LABOUR-numerator]", "aria-describedby")
    assert described == "help-LABOUR"
    shot = tmp_path / "report-phone-savebar.png"
    screenshot(page, shot, full_page=False)
    context.close()


def test_an_officer_fills_in_and_submits_the_report_with_the_keyboard_alone(
    open_year, live_server, chromium, tmp_path
):
    """No mouse: Tab moves through the fields in order, Enter and Space press buttons."""
    context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    keyboard = page.keyboard
    page.goto(f"{live_server.url}/accounts/login/")
    page.focus("body")

    def tab_to(selector: str, limit: int = 200) -> None:
        for _ in range(limit):
            keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#id_username")
    keyboard.type("officer-phone")
    keyboard.press("Tab")
    keyboard.type("secret-pass-123")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))

    # The skip link comes first and takes the keyboard past the menus.
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    tab_to(f"a[href='/report/{open_year.period.pk}/']")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/report/\d+/$"))

    answers = [
        ("[name=value-LABOUR-numerator]", "2.000"),
        ("[name=value-LABOUR-denominator]", "10.000"),
        ("[name=value-EDU-numerator]", "800"),
        ("[name=value-EDU-denominator]", "1.000"),
        ("[name=fund_mobilised_vnd]", "250.000.000"),
        ("[name=comm-0-title]", "Chung tay vì người nghèo"),
        ("[name=comm-0-url]", "https://baokontum.com.vn/chung-tay"),
        ("[name=narrative]", "Huyện đã triển khai đầy đủ kế hoạch năm."),
        (f"[name=score-{open_year.plain.pk}-points]", "7"),
        (f"[name=score-{open_year.evidenced.pk}-points]", "10"),
        (f"[name=score-{open_year.evidenced.pk}-justification]", "Có quyết định kèm theo"),
    ]
    for selector, text in answers:
        tab_to(selector)
        keyboard.type(text)
    # The file dialog opens from the keyboard too; choosing in it is the system's dialog.
    # Playwright turns on catching the dialog when asked to wait for it, one round trip to the
    # browser: a key pressed at once could open it before that, and the wait then timed out
    # (now and then, in the full suite). Listening from here on turns it on before the Tabs.
    page.on("filechooser", lambda _chooser: None)
    tab_to(f"[name=evidence-{open_year.evidenced.pk}]")
    with page.expect_file_chooser() as chooser:
        keyboard.press("Space")
    evidence = tmp_path / "quyet-dinh.pdf"
    evidence.write_bytes(PDF_BYTES)
    chooser.value.set_files(str(evidence))
    tab_to("#report-savebar button[value=save]")
    keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Đã lưu nháp" in page.locator(".alert-success").inner_text()

    # Saved and complete: submit from the bar, pressing it with the space bar.
    tab_to("#report-savebar button[value=submit]:not([disabled])")
    keyboard.press("Space")
    page.wait_for_url(re.compile(r"/campaigns/submissions/\d+/$"))
    submission = Submission.objects.get(unit=open_year.unit, period=open_year.period)
    assert submission.status == SubmissionStatus.SUBMITTED
    context.close()
