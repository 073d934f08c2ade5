"""The Board's year in Debian's chromium: return a report with a reason, the officer corrects
and resubmits, the Board scores and accepts, and the ranking and proposals show the unit first."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import (
    AwardKind,
    AwardProposal,
    Classification,
    PeriodState,
    SubmissionStatus,
)
from campaigns.services import submission_submit
from indicators.submissions.services import report_checklist, report_snapshot
from tests.browser import assert_no_serious_axe, browser_marks, log_in, screenshot
from tests.factories import (
    BlocMembershipFactory,
    CriterionScoreFactory,
    DistrictFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.report_setup import complete_draft, year_build

pytestmark = browser_marks


@pytest.fixture
def journey(transactional_db):
    officer = UserFactory(username="officer-browser", first_name="Hùng")
    year = year_build(officer, year=timezone.localdate().year)
    # A 20-point rubric: thresholds scaled to it.
    campaign = year.period.campaign
    campaign.excellent_min, campaign.good_min, campaign.completed_min = 18, 14, 10
    campaign.save()
    rival = DistrictFactory(code="611", name="Huyện Ngọc Hồi")
    BlocMembershipFactory(bloc=year.plain.bloc, unit=rival)
    rival_report = SubmissionFactory(
        period=year.period, unit=rival, accepted=True, classification=Classification.GOOD
    )
    for criterion, points in ((year.plain, 6), (year.evidenced, 9)):
        CriterionScoreFactory(
            submission=rival_report, criterion=criterion, self_points=points, board_points=points
        )
    submission = complete_draft(year)
    submission_submit(
        submission=submission,
        by=officer,
        expected_version=submission.version,
        extra_checklist=report_checklist(submission=submission),
        extra_snapshot=report_snapshot(submission=submission),
    )
    UserFactory(username="board-browser", board=True, first_name="Thủy")
    return year


def shot(page, tmp_path, name):
    assert_no_serious_axe(page)
    path = tmp_path / name
    screenshot(page, path)


def test_the_board_returns_scores_accepts_and_ranks_a_unit(
    journey, live_server, chromium, tmp_path
):
    from playwright.sync_api import expect

    year = journey
    board = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = board.new_page()
    log_in(page, live_server.url, "board-browser")

    # The queue: the unit's report waits for review.
    page.click(f"a[href='/board/{year.period.pk}/queue/']")
    row = page.locator(f"tr[data-unit='{year.unit.code}']")
    expect(row).to_have_attribute("data-state", "submitted")
    row.locator("a[href^='/board/submissions/']").click()
    page.wait_for_url(re.compile(r"/board/submissions/\d+/$"))
    review_url = page.url

    # Return without a reason: refused on the page, nothing changes.
    page.click("#return-form button[type=submit]")
    expect(
        page.locator("#return-form .alert-danger, #return-form .invalid-feedback").first
    ).to_be_visible()
    expect(page.locator("#report-status")).to_contain_text(str(SubmissionStatus.SUBMITTED.label))

    page.fill("#return-form [name=reason]", "Đề nghị rà soát lại số lao động qua đào tạo.")
    page.locator("#return-form summary").click()
    page.fill("#return-form [name=comment-LABOUR]", "Chưa khớp niên giám thống kê.")
    page.click("#return-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#report-status")).to_contain_text(str(SubmissionStatus.RETURNED.label))

    # The officer reads why, corrects the figure after the Board's return and sends it again.
    unit_side = chromium.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    officer_page = unit_side.new_page()
    log_in(officer_page, live_server.url, "officer-browser")
    officer_page.goto(f"{live_server.url}/report/{year.period.pk}/")
    expect(officer_page.locator("#board-return").locator("..")).to_contain_text(
        "Đề nghị rà soát lại số lao động qua đào tạo."
    )
    expect(officer_page.get_by_text("Chưa khớp niên giám thống kê.")).to_be_visible()
    officer_page.fill("[name=value-LABOUR-numerator]", "5.600")
    officer_page.click("button[value=submit]")
    officer_page.wait_for_url(re.compile(r"/campaigns/submissions/\d+/$"))
    shot(officer_page, tmp_path, "board-officer-resubmitted.png")
    unit_side.close()

    # Back at the Board: the queue says it changed; the review page shows what changed.
    page.goto(f"{live_server.url}/board/{year.period.pk}/queue/")
    expect(page.locator(f"tr[data-unit='{year.unit.code}']")).to_have_attribute(
        "data-state", "submitted"
    )
    page.goto(review_url)
    expect(page.locator("#diff")).to_contain_text("LABOUR")
    expect(page.locator("#diff")).to_contain_text("5.600")

    # Scores: a difference from the self-assessment needs a justification.
    page.fill(f"[name=board-{year.plain.pk}-points]", "7")
    page.fill(f"[name=board-{year.evidenced.pk}-points]", "11,5")
    page.click("#score-form button[type=submit]")
    expect(page.locator("#score-form .invalid-feedback").first).to_be_visible()
    page.fill(
        f"[name=board-{year.evidenced.pk}-justification]",
        "Minh chứng đầy đủ, đánh giá cao hơn tự chấm.",
    )
    page.click("#score-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#board-total")).to_contain_text("18,5")
    shot(page, tmp_path, "board-review.png")

    page.click("#accept-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#report-status")).to_contain_text(str(SubmissionStatus.ACCEPTED.label))
    expect(page.locator("#review-locked")).to_be_visible()
    expect(page.locator("#accept-form")).to_have_count(0)

    # Ranking: first in the bloc, Excellent, ahead of Ngọc Hồi.
    page.goto(f"{live_server.url}/board/{year.period.pk}/ranking/")
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text(year.unit.name)
    expect(first).to_contain_text(str(Classification.EXCELLENT.label))
    expect(page.locator("table tbody tr").nth(1)).to_contain_text("Huyện Ngọc Hồi")
    shot(page, tmp_path, "board-ranking.png")

    # Proposals wait for the closed year; then the flag for the unit ranked first, with why.
    page.goto(f"{live_server.url}/board/{year.period.pk}/awards/")
    expect(page.locator("#proposing-not-yet")).to_be_visible()
    expect(page.locator("input[name=action][value=derive]")).to_have_count(0)
    page.goto(f"{live_server.url}/board/{year.period.pk}/year/")
    assert_no_serious_axe(page)
    page.click("button[name=action][value=close]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/board/{year.period.pk}/awards/")
    page.click("form:has(input[name=action][value=derive]) button[type=submit]")
    page.wait_for_load_state()
    proposal = AwardProposal.objects.get(unit=year.unit)
    assert proposal.award == AwardKind.FLAG
    expect(page.locator(f"#proposal-{proposal.pk}")).to_contain_text(year.unit.name)
    expect(page.locator(f"#proposal-{proposal.pk}")).to_contain_text("18,5")
    shot(page, tmp_path, "board-awards.png")
    board.close()

    submission = year.unit.submissions.get(period=year.period)
    assert submission.status == SubmissionStatus.ACCEPTED
    year.period.refresh_from_db()
    assert year.period.state == PeriodState.CLOSED
    assert submission.classification == Classification.EXCELLENT
    assert submission.scores.get(criterion=year.evidenced).board_points == Decimal("11.5")
    actions = list(submission.steps.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "score", "accept"]
