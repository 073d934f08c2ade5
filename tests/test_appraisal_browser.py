"""DOLISA's appraisal in Debian's chromium: DOLISA signs in and lands on the year's appraisal
list, gives an opinion on a figure of a district's report, and the Board, which accepts only
appraised reports, reads the opinion on its review page and in the timeline, then accepts."""

import re

import pytest
from django.utils import timezone

from campaigns.models import Appraisal, SubmissionStatus
from campaigns.services import submission_submit
from campaigns.services.review import board_scores_save
from campaigns.services.submissions import ScoreInput
from indicators.submissions.services import report_checklist, report_snapshot
from tests.browser import browser_marks, log_in, screenshot
from tests.factories import UserFactory
from tests.report_setup import complete_draft, year_build

pytestmark = browser_marks

OPINION = "Số lao động qua đào tạo cao hơn báo cáo của ngành LĐ-TB&XH."


@pytest.fixture
def journey(transactional_db):
    officer = UserFactory(username="officer-browser")
    year = year_build(officer, year=timezone.localdate().year)
    campaign = year.period.campaign
    campaign.appraisal_required = True
    campaign.save(update_fields=["appraisal_required"])
    submission = complete_draft(year)
    submission = submission_submit(
        submission=submission,
        by=officer,
        expected_version=submission.version,
        extra_checklist=report_checklist(submission=submission),
        extra_snapshot=report_snapshot(submission=submission),
    )
    board = UserFactory(username="board-browser", board=True)
    submission = board_scores_save(
        submission=submission,
        by=board,
        expected_version=submission.version,
        scores={s.criterion_id: ScoreInput(s.self_points) for s in submission.scores.all()},
    )
    UserFactory(username="dolisa-browser", dolisa=True, first_name="Lan")
    return year, submission


def shot(page, tmp_path, name):
    path = tmp_path / name
    screenshot(page, path)


def test_dolisa_appraises_a_report_and_the_board_reads_it_before_accepting(
    journey, live_server, chromium, tmp_path
):
    from playwright.sync_api import expect

    year, submission = journey
    board = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    board_page = board.new_page()
    log_in(board_page, live_server.url, "board-browser")
    review_url = f"{live_server.url}/board/submissions/{submission.pk}/"

    # Not yet appraised: the Board's acceptance is refused and says why.
    board_page.goto(review_url)
    expect(board_page.locator("#appraisal-none")).to_be_visible()
    board_page.click("#accept-form button[type=submit]")
    board_page.wait_for_load_state()
    expect(board_page.locator("#review-refused")).to_be_visible()
    expect(board_page.locator("#report-status")).to_contain_text(
        str(SubmissionStatus.SUBMITTED.label)
    )

    # DOLISA signs in and lands on the year's list of reports to appraise.
    dolisa = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = dolisa.new_page()
    log_in(page, live_server.url, "dolisa-browser")
    page.wait_for_url(re.compile(rf"/board/{year.period.pk}/appraisal/$"))
    row = page.locator(f"#appraisal-reports tr[data-unit='{year.unit.code}']")
    expect(row).to_have_attribute("data-verdict", "")
    row.locator("a").click()
    page.wait_for_url(re.compile(r"/board/appraisal/reports/\d+/$"))
    expect(page.locator("#indicator-table")).to_contain_text("LABOUR")
    # DOLISA reads the figures, not the Board's points.
    expect(page.locator("#score-form")).to_have_count(0)

    # An opinion with no text is refused on the page; then one on the LABOUR figure.
    page.select_option("#id_verdict", "opinion")
    page.click("#appraisal-form button[type=submit]")
    expect(page.locator("#form-errors")).to_be_visible()
    page.locator("#appraisal-form summary").click()
    page.fill("[name=opinion-LABOUR]", OPINION)
    page.click("#appraisal-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#appraisal-opinions")).to_contain_text(OPINION)
    shot(page, tmp_path, "appraisal-dolisa.png")
    page.goto(f"{live_server.url}/board/{year.period.pk}/appraisal/")
    expect(row).to_have_attribute("data-verdict", "opinion")
    dolisa.close()

    # The Board reads the opinion on its review page and in the timeline, then accepts.
    board_page.goto(review_url)
    expect(board_page.locator("#appraisal")).to_contain_text(OPINION)
    expect(board_page.locator("#timeline li[data-appraisal='opinion']")).to_contain_text(OPINION)
    shot(board_page, tmp_path, "appraisal-board-review.png")
    board_page.click("#accept-form button[type=submit]")
    board_page.wait_for_load_state()
    expect(board_page.locator("#report-status")).to_contain_text(
        str(SubmissionStatus.ACCEPTED.label)
    )
    board.close()

    appraisal = Appraisal.objects.get()
    assert appraisal.opinions == {"LABOUR": OPINION}
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
