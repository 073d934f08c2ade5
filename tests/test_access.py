"""Who may open a yearly report, and what of it they see."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import (
    STATUS_ACTION,
    Classification,
    PeriodState,
    ReportingPeriod,
    StepAction,
    SubmissionStatus,
    SubmissionStep,
)
from indicators.models import Measure, ReportedValue
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CriterionFactory,
    CriterionScoreFactory,
    IndicatorFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


def detail_url(submission_or_pk):
    pk = getattr(submission_or_pk, "pk", submission_or_pk)
    return reverse("campaigns:submission-detail", args=[pk])


def normalised(response, *, url):
    body = response.content.decode().replace(url, "URL")
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)


def scored_submission(*, unit, period_state=PeriodState.OPEN):
    submission = SubmissionFactory(unit=unit, submitted=True)
    CriterionScoreFactory(
        submission=submission,
        criterion__max_points=20,
        criterion__name="Huy động Quỹ Vì người nghèo",
        self_points=Decimal("12.5"),
        board_points=Decimal("13.75"),
        board_justification="Ban đánh giá cao",
    )
    # Set last: the database refuses new rows in a locked year.
    ReportingPeriod.objects.filter(pk=submission.period_id).update(state=period_state)
    submission.period.refresh_from_db()
    return submission


def test_anonymous_visitor_is_sent_to_log_in(client):
    submission = SubmissionFactory()

    response = client.get(detail_url(submission))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_officer_opens_their_own_units_report(client, unit_officer):
    submission = SubmissionFactory(unit=unit_officer.unit)
    client.force_login(unit_officer)

    response = client.get(detail_url(submission))

    assert response.status_code == 200
    assert response.context["submission"] == submission


def test_another_units_report_answers_exactly_like_a_missing_one(client, unit_officer, outsider):
    foreign = SubmissionFactory(unit=outsider.unit)
    missing_pk = foreign.pk + 1000
    client.force_login(unit_officer)

    foreign_response = client.get(detail_url(foreign))
    missing_response = client.get(detail_url(missing_pk))

    assert foreign_response.status_code == missing_response.status_code == 404
    # The page echoes its own path in the language form, and CSRF tokens are masked afresh on
    # every response; apart from those, nothing differs.
    foreign_body = normalised(foreign_response, url=detail_url(foreign))
    missing_body = normalised(missing_response, url=detail_url(missing_pk))
    assert foreign_body == missing_body


@pytest.mark.parametrize("persona", ["board_staff", "leader", "admin_user"])
def test_board_leader_and_admin_open_any_report_with_board_points(
    client, request, persona, unit_officer
):
    submission = scored_submission(unit=unit_officer.unit)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(detail_url(submission))

    assert response.status_code == 200
    content = response.content.decode()
    assert "13,75" in content
    assert "Ban đánh giá cao" in content


def test_officer_does_not_see_board_points_while_the_year_is_open(client, unit_officer):
    submission = scored_submission(unit=unit_officer.unit)
    client.force_login(unit_officer)

    response = client.get(detail_url(submission))

    content = response.content.decode()
    assert response.context["show_board_points"] is False
    assert "12,5" in content
    assert "13,75" not in content
    assert "Ban đánh giá cao" not in content


@pytest.mark.parametrize("state", [PeriodState.CLOSED, PeriodState.LOCKED])
def test_officer_sees_board_points_once_the_year_is_closed(client, unit_officer, state):
    submission = scored_submission(unit=unit_officer.unit, period_state=state)
    client.force_login(unit_officer)

    response = client.get(detail_url(submission))

    assert "13,75" in response.content.decode()


def test_report_page_shows_the_timeline_with_who_when_and_why(client, unit_officer, board_staff):
    submission = SubmissionFactory(unit=unit_officer.unit, submitted=True)
    SubmissionStep.objects.create(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.RETURNED,
        action=STATUS_ACTION[SubmissionStatus.RETURNED],
        by=board_staff,
        comment="Thiếu minh chứng tiêu chí 2",
    )
    client.force_login(unit_officer)

    response = client.get(detail_url(submission))

    content = response.content.decode()
    assert "Thiếu minh chứng tiêu chí 2" in content
    assert board_staff.username in content


def test_the_timeline_shows_comments_on_the_reports_rows_as_well_as_on_its_fields(
    client, unit_officer, board_staff
):
    # "communication" and "sponsorship_support" name the rows a report holds, not fields of it.
    submission = SubmissionFactory(unit=unit_officer.unit, submitted=True)
    SubmissionStep.objects.create(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.RETURNED,
        action=STATUS_ACTION[SubmissionStatus.RETURNED],
        by=board_staff,
        field_comments={
            "narrative": "Bổ sung kết quả năm",
            "communication": "Thiếu đường dẫn bài viết",
            "sponsorship_support": "Ghi rõ giá trị hiện vật",
        },
    )
    client.force_login(unit_officer)

    response = client.get(detail_url(submission))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Thiếu đường dẫn bài viết" in content
    assert "Ghi rõ giá trị hiện vật" in content
    # Under the names the Board's return form gave them, not their keys.
    assert "Công tác thông tin, tuyên truyền" in content
    assert "Hỗ trợ xã được đỡ đầu" in content


def add_rows(submission, *, n, by):
    for i in range(n):
        SubmissionStep.objects.create(
            submission=submission,
            from_status=SubmissionStatus.DRAFT,
            to_status=SubmissionStatus.SUBMITTED,
            action=STATUS_ACTION[SubmissionStatus.SUBMITTED],
            by=by,
        )
        CriterionScoreFactory(submission=submission, self_points=i)
        ReportedValue.objects.create(
            submission=submission,
            indicator=IndicatorFactory(campaign=submission.period.campaign, measure=Measure.RATE),
            numerator=i,
            denominator=10,
        )


def test_report_page_runs_the_same_number_of_queries_however_long_the_report(client, board_staff):
    short = SubmissionFactory(submitted=True)
    long = SubmissionFactory(submitted=True, period=short.period)
    add_rows(short, n=1, by=board_staff)
    add_rows(long, n=6, by=board_staff)
    client.force_login(board_staff)
    client.get(detail_url(short))  # warm the session and the content-type caches

    with CaptureQueriesContext(connection) as short_queries:
        client.get(detail_url(short))
    with CaptureQueriesContext(connection) as long_queries:
        client.get(detail_url(long))

    # Among them: django-otp's check that the session passed the second factor, DOLISA's
    # appraisals and the navbar's unread notices. The timeline's recorded rows (four kinds) and
    # the report's criteria and indicators are read together in two statements on PostgreSQL
    # (kontum_poverty.bulk); SQLite has no json_agg and reads them one kind at a time.
    limit = 14 if connection.vendor == "postgresql" else 18
    assert len(long_queries) == len(short_queries) <= limit


def test_officer_sees_the_scoring_step_but_not_its_points_while_the_year_is_open(
    client, unit_officer, board_staff
):
    submission = scored_submission(unit=unit_officer.unit)
    SubmissionStep.objects.create(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.SUBMITTED,
        action=StepAction.SCORE,
        by=board_staff,
        field_comments={"4.1": "13,75 – Ban đánh giá cao"},
    )
    client.force_login(unit_officer)

    content = client.get(detail_url(submission)).content.decode()

    assert str(StepAction.SCORE.label) in content
    assert "13,75" not in content

    client.force_login(board_staff)
    assert "13,75 – Ban đánh giá cao" in client.get(detail_url(submission)).content.decode()


def test_officer_sees_classification_and_rank_once_the_year_is_closed(client, unit_officer):
    submission = SubmissionFactory(
        unit=unit_officer.unit,
        accepted=True,
        classification=Classification.GOOD,
        period__state=PeriodState.CLOSED,
    )
    bloc = BlocFactory(campaign=submission.period.campaign, name="Khối huyện")
    BlocMembershipFactory(bloc=bloc, unit=unit_officer.unit)
    criterion = CriterionFactory(bloc=bloc, max_points=100)
    CriterionScoreFactory(
        submission=submission, criterion=criterion, self_points=80, board_points=78
    )
    client.force_login(unit_officer)

    content = client.get(detail_url(submission)).content.decode()

    assert str(Classification.GOOD.label) in content
    assert "Khối huyện" in content
