"""The Board's review page: figures side by side, suggested points, the diff after a return, and
the actions (score, return, accept) through the views, with who may do what."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import capfirst

from campaigns import services as campaign_services
from campaigns.models import (
    Classification,
    CommunicationKind,
    Criterion,
    CriterionScore,
    StepAction,
    Submission,
    SubmissionStatus,
)
from campaigns.queue import review_queue
from campaigns.services import review as review_services
from indicators.models import Direction, Measure, ReportedValue
from indicators.submissions import services
from indicators.submissions.scoring import reached_fraction, round_to_half, suggested_points
from tests.factories import (
    CommuneFactory,
    CommuneStatisticsFactory,
    CommunicationItemFactory,
    CriterionFactory,
    CriterionScoreFactory,
    EvidenceFactory,
    IndicatorFactory,
    ModelResultFactory,
    PeriodFactory,
    PovertyModelFactory,
    RegisteredTargetFactory,
    RegistrationFactory,
    ReportedValueFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.report_setup import IN_2019, complete_draft, draft, year_build

pytestmark = pytest.mark.django_db


# --- Suggested points (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "low", "high", "direction", "expected"),
    [
        # "At least 52": reached, beyond, and part of the way.
        (52, 52, None, Direction.HIGHER_IS_BETTER, "10"),
        (70, 52, None, Direction.HIGHER_IS_BETTER, "10"),
        (26, 52, None, Direction.HIGHER_IS_BETTER, "5"),
        (40, 52, None, Direction.HIGHER_IS_BETTER, "7.5"),  # 7,69 → 7,5
        (41, 52, None, Direction.HIGHER_IS_BETTER, "8"),  # 7,88 → 8
        (0, 52, None, Direction.HIGHER_IS_BETTER, "0"),
        (-5, 15, 20, Direction.HIGHER_IS_BETTER, "0"),  # income fell: nothing reached
        # The range 15–20: inside it or above it is the whole target.
        (15, 15, 20, Direction.HIGHER_IS_BETTER, "10"),
        (17.5, 15, 20, Direction.HIGHER_IS_BETTER, "10"),
        (26, 15, 20, Direction.HIGHER_IS_BETTER, "10"),
        (12, 15, 20, Direction.HIGHER_IS_BETTER, "8"),
        # Lower is better: at or under the ceiling is reached, above it less and less.
        (3, None, 4, Direction.LOWER_IS_BETTER, "10"),
        (8, None, 4, Direction.LOWER_IS_BETTER, "5"),
        (5, 2, 4, Direction.LOWER_IS_BETTER, "8"),
        (1, 2, 4, Direction.LOWER_IS_BETTER, "10"),  # below the range
        # "At most 0" and a value above it: nothing reached, no division by zero.
        (2, None, 0, Direction.LOWER_IS_BETTER, "0"),
    ],
)
def test_suggested_points_follow_the_reached_share_of_the_target(
    value, low, high, direction, expected
):
    points = suggested_points(
        value=value, target_low=low, target_high=high, direction=direction, max_points=10
    )

    assert points == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [(None, 52, None), (40, None, None)],
)
def test_no_suggestion_without_a_value_or_a_target(value, low, high):
    assert (
        suggested_points(
            value=value,
            target_low=low,
            target_high=high,
            direction=Direction.HIGHER_IS_BETTER,
            max_points=10,
        )
        is None
    )
    assert (
        reached_fraction(
            value=value, target_low=low, target_high=high, direction=Direction.HIGHER_IS_BETTER
        )
        is None
    )


def test_suggested_points_never_exceed_an_odd_maximum():
    # 7,25 × 0,99 = 7,18 rounds to 7; the whole target gives exactly the maximum.
    assert suggested_points(
        value=99, target_low=100, target_high=None, direction="up", max_points=Decimal("7.25")
    ) == Decimal("7")
    assert suggested_points(
        value=100, target_low=100, target_high=None, direction="up", max_points=Decimal("7.25")
    ) == Decimal("7.25")


@pytest.mark.parametrize(
    ("points", "rounded"),
    [("6.24", "6"), ("6.25", "6.5"), ("6.74", "6.5"), ("6.75", "7"), ("0.2", "0")],
)
def test_points_round_to_the_nearest_half(points, rounded):
    assert round_to_half(Decimal(points)) == Decimal(rounded)


# --- Setup --------------------------------------------------------------------------------------


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def submit(y, submission):
    return campaign_services.submission_submit(
        submission=submission,
        by=y.officer,
        expected_version=submission.version,
        extra_checklist=services.report_checklist(submission=submission),
        extra_snapshot=services.report_snapshot(submission=submission),
    )


def sent(y):
    return submit(y, complete_draft(y))


def detail_url(submission):
    return reverse("board:review", kwargs={"pk": submission.pk})


def action_url(name, submission):
    return reverse(f"board:{name}", kwargs={"pk": submission.pk})


def score_data(y, submission, plain=("7", ""), evidenced=("10,5", "")):
    return {
        "version": str(submission.version),
        f"board-{y.plain.pk}-points": plain[0],
        f"board-{y.plain.pk}-justification": plain[1],
        f"board-{y.evidenced.pk}-points": evidenced[0],
        f"board-{y.evidenced.pk}-justification": evidenced[1],
    }


def board_points(submission):
    return dict(
        CriterionScore.objects.filter(submission=submission).values_list(
            "criterion__code", "board_points"
        )
    )


# --- The page: figures side by side -------------------------------------------------------------


def test_each_value_stands_beside_commitment_last_year_target_and_commune_statistics(
    client, year, board_staff
):
    registration = RegistrationFactory(period=year.period, unit=year.unit)
    RegisteredTargetFactory(registration=registration, indicator=year.labour, value=55)
    last_year = SubmissionFactory(
        period=PeriodFactory(campaign=year.period.campaign, year=2018),
        unit=year.unit,
        accepted=True,
    )
    ReportedValueFactory(
        submission=last_year, indicator=year.labour, numerator=4_500, denominator=10_000
    )
    road = IndicatorFactory(
        campaign=year.period.campaign,
        code="ROAD",
        measure=Measure.SHARE_OF_COMMUNES,
        commune_field="paved_road",
        target_low=100,
    )
    for paved in (True, False):
        CommuneStatisticsFactory(commune=CommuneFactory(parent=year.unit), paved_road=paved)
    CommuneFactory(parent=year.unit)  # no figures this year
    submission = sent(year)
    client.force_login(board_staff)

    response = client.get(detail_url(submission))

    assert response.status_code == 200
    rows = {row.indicator.code: row for row in response.context["page"].indicators}
    labour = rows["LABOUR"]
    assert (labour.reported, labour.commitment, labour.last_year) == (52.0, Decimal(55), 45.0)
    assert str(labour.target) == "≥ 52"
    assert rows["ROAD"].commune_value == 50.0
    assert (rows["ROAD"].coverage.reported, rows["ROAD"].coverage.expected) == (2, 3)
    html = response.content.decode()
    road_row = html[html.index('data-indicator="ROAD"') :]
    road_cell = road_row[road_row.index('data-col="communes"') :]
    road_cell = road_cell[: road_cell.index("</td>")]
    assert "50 %" in road_cell
    assert road.name in html


def test_last_years_value_counts_only_when_the_board_accepted_it(client, year, board_staff):
    earlier = SubmissionFactory(
        period=PeriodFactory(campaign=year.period.campaign, year=2018),
        unit=year.unit,
        submitted=True,
    )
    ReportedValueFactory(submission=earlier, indicator=year.labour, numerator=1, denominator=2)
    submission = sent(year)
    client.force_login(board_staff)

    page = client.get(detail_url(submission)).context["page"]

    assert {row.indicator.code: row.last_year for row in page.indicators}["LABOUR"] is None


def test_the_officers_explanation_of_a_soft_warning_is_shown(client, year, board_staff):
    last_year = SubmissionFactory(
        period=PeriodFactory(campaign=year.period.campaign, year=2018),
        unit=year.unit,
        accepted=True,
    )
    ReportedValueFactory(
        submission=last_year, indicator=year.labour, numerator=2_000, denominator=10_000
    )
    submission = complete_draft(year)
    ReportedValue.objects.filter(submission=submission, indicator=year.labour).update(
        warning_explanation="Mở thêm 3 lớp dạy nghề cho đồng bào."
    )
    submission = submit(year, submission)
    client.force_login(board_staff)

    response = client.get(detail_url(submission))

    assert [(w.key, w.explanation) for w in response.context["page"].warnings] == [
        ("value-LABOUR", "Mở thêm 3 lớp dạy nghề cho đồng bào.")
    ]
    assert "Mở thêm 3 lớp dạy nghề cho đồng bào." in response.content.decode()


def test_the_communication_work_is_listed_in_the_order_it_was_reported(client, year, board_staff):
    submission = sent(year)
    CommunicationItemFactory(
        submission=submission,
        kind=CommunicationKind.BROADCAST,
        title="Phóng sự trên Đài tỉnh",
        url="https://kontumtv.vn/phong-su",
        count=2,
    )
    CommunicationItemFactory(submission=submission, title="Bài viết trên báo Kon Tum")
    client.force_login(board_staff)

    response = client.get(detail_url(submission))

    items = response.context["page"].communication
    assert [(i.title, i.get_kind_display(), i.count) for i in items] == [
        ("Phóng sự trên Đài tỉnh", CommunicationKind.BROADCAST.label, 2),
        ("Bài viết trên báo Kon Tum", CommunicationKind.ARTICLE.label, 1),
    ]
    html = response.content.decode()
    assert '<a href="https://kontumtv.vn/phong-su" rel="noopener noreferrer"' in html
    assert html.index("Phóng sự trên Đài tỉnh") < html.index("Bài viết trên báo Kon Tum")


def test_evidence_files_are_listed_and_board_staff_may_download_them(
    client, year, board_staff, leader
):
    submission = sent(year)
    evidence = submission.evidence.get()
    link = reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk})

    client.force_login(board_staff)
    board_html = client.get(detail_url(submission)).content.decode()
    client.force_login(leader)
    leader_html = client.get(detail_url(submission)).content.decode()

    assert "quyet-dinh.pdf" in board_html and link in board_html
    assert "quyet-dinh.pdf" in leader_html and link not in leader_html


def test_self_assessed_points_stand_beside_board_points_with_a_suggestion(
    client, year, board_staff
):
    Criterion.objects.filter(pk=year.plain.pk).update(indicator_code="LABOUR")
    submission = complete_draft(year)
    # 26 % against "at least 52 %": half the target, half of 8 points.
    ReportedValue.objects.filter(submission=submission, indicator=year.labour).update(
        numerator=2_600
    )
    submission = submit(year, submission)
    client.force_login(board_staff)

    response = client.get(detail_url(submission))

    rows = {row.criterion.code: row for row in response.context["page"].scores}
    assert (rows["1.1"].self_points, rows["1.1"].suggestion) == (Decimal(7), Decimal(4))
    assert rows["1.2"].suggestion is None
    assert response.context["page"].totals.self_points == Decimal("17.5")
    assert 'id="score-form"' in response.content.decode()


def test_a_suggestion_from_commune_statistics_for_a_share_indicator(client, year, board_staff):
    IndicatorFactory(
        campaign=year.period.campaign,
        code="CULTURE",
        measure=Measure.SHARE_OF_COMMUNES,
        commune_field="cultural_house",
        target_low=50,
    )
    Criterion.objects.filter(pk=year.evidenced.pk).update(indicator_code="CULTURE")
    for house in (True, False, False, False):
        CommuneStatisticsFactory(commune=CommuneFactory(parent=year.unit), cultural_house=house)
    submission = sent(year)
    client.force_login(board_staff)

    rows = {r.criterion.code: r for r in client.get(detail_url(submission)).context["page"].scores}

    # 25 % of communes against "at least 50 %": half of 12 points.
    assert rows["1.2"].suggestion == Decimal(6)


def test_the_second_look_reuses_the_commune_figures_until_the_statistics_change(
    client, year, board_staff
):
    IndicatorFactory(
        campaign=year.period.campaign,
        code="ROAD",
        measure=Measure.SHARE_OF_COMMUNES,
        commune_field="paved_road",
        target_low=100,
    )
    paved = CommuneStatisticsFactory(commune=CommuneFactory(parent=year.unit), paved_road=True)
    CommuneStatisticsFactory(commune=CommuneFactory(parent=year.unit), paved_road=False)
    submission = sent(year)
    client.force_login(board_staff)
    cache.clear()  # a copy left by an earlier run of this test would answer the first look
    with CaptureQueriesContext(connection) as first:
        client.get(detail_url(submission))

    with CaptureQueriesContext(connection) as second:
        rows = {
            r.indicator.code: r
            for r in client.get(detail_url(submission)).context["page"].indicators
        }

    assert rows["ROAD"].commune_value == 50.0
    assert len(second) < len(first)  # the commune statistics are not read again

    paved.paved_road = False
    paved.save()  # an admin's correction
    page = client.get(detail_url(submission)).context["page"]
    assert {r.indicator.code: r for r in page.indicators}["ROAD"].commune_value == 0.0


def test_the_review_page_costs_the_same_queries_for_a_longer_report(
    client, year, board_staff, django_assert_max_num_queries
):
    campaign = year.period.campaign
    last_year = SubmissionFactory(
        period=PeriodFactory(campaign=campaign, year=2018), unit=year.unit, accepted=True
    )
    ReportedValueFactory(
        submission=last_year, indicator=year.labour, numerator=4_500, denominator=10_000
    )
    IndicatorFactory(campaign=campaign, code="INCOME", measure=Measure.GROWTH, target_low=15)
    IndicatorFactory(campaign=campaign, code="ESCAPE", measure=Measure.RATE, target_low=5)
    model = PovertyModelFactory(unit=year.unit)
    ModelResultFactory(model=model, year=2018, submission=last_year)
    submission = sent(year)
    ModelResultFactory(model=model, submission=submission, average_income_vnd=33_000_000)
    client.force_login(board_staff)

    def look() -> int:
        cache.clear()  # the commune figures computed, as on the first look at a report
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(submission)).status_code == 200
        return len(queries)  # now: the next request empties the log the context reads

    look()  # the criteria and indicators kept per process since the rubric last changed
    few = look()
    # Five more rates with values, commitments and last year's, three more models with their
    # results, four more criteria with points and evidence, and their history.
    registration = RegistrationFactory(period=year.period, unit=year.unit)
    for n in range(5):
        rate = IndicatorFactory(campaign=campaign, code=f"RATE{n}", measure=Measure.RATE)
        ReportedValueFactory(submission=submission, indicator=rate, numerator=n, denominator=10)
        ReportedValueFactory(submission=last_year, indicator=rate, numerator=9, denominator=10)
        RegisteredTargetFactory(registration=registration, indicator=rate, value=50)
    for _n in range(3):
        more = PovertyModelFactory(unit=year.unit)
        ModelResultFactory(model=more, year=2018, submission=last_year)
        ModelResultFactory(model=more, submission=submission, participating_households=90)
    for n in range(4):
        criterion = CriterionFactory(bloc=year.plain.bloc, code=f"2.{n}", order=10 + n)
        CriterionScoreFactory(submission=submission, criterion=criterion, self_points=5)
        EvidenceFactory(submission=submission, criterion=criterion)
    look()  # the rubric changed: read again, then kept
    cache.clear()

    with django_assert_max_num_queries(few):
        response = client.get(detail_url(submission))

    page = response.context["page"]
    assert (len(page.indicators), len(page.models), len(page.scores)) == (9, 4, 6)
    assert len(page.warnings) == 8  # five rates and three models' households moved a lot


# --- Diff after a return ------------------------------------------------------------------------


def returned_and_resent(y, board, *, narrative):
    submission = sent(y)
    submission = review_services.submission_return(
        submission=submission, by=board, expected_version=submission.version, reason="Bổ sung."
    )
    submission = campaign_services.submission_save_draft(
        submission=submission,
        by=y.officer,
        expected_version=submission.version,
        data=draft(y, narrative=narrative),
    )
    return submit(y, submission)


def test_after_a_return_the_page_shows_what_changed(client, year, board_staff):
    submission = returned_and_resent(year, board_staff, narrative="Đã bổ sung số liệu hộ nghèo.")
    client.force_login(board_staff)

    response = client.get(detail_url(submission))

    diff = response.context["page"].diff
    narrative = capfirst(str(Submission._meta.get_field("narrative").verbose_name))
    assert [(d.label, d.after) for d in diff] == [(narrative, "Đã bổ sung số liệu hộ nghèo.")]
    assert diff[0].before == "Năm 2019 huyện triển khai đầy đủ các nội dung phong trào."
    assert 'id="diff"' in response.content.decode()
    row = review_queue(period=year.period, filters={}, sort="", today=IN_2019.date()).rows[0]
    assert row.changed_since_return


def test_a_report_sent_again_unchanged_shows_no_diff(client, year, board_staff):
    submission = returned_and_resent(
        year, board_staff, narrative="Năm 2019 huyện triển khai đầy đủ các nội dung phong trào."
    )
    client.force_login(board_staff)

    response = client.get(detail_url(submission))

    assert response.context["page"].diff == []
    assert 'id="diff-none"' in response.content.decode()


# --- Scoring ------------------------------------------------------------------------------------


def test_board_points_equal_to_the_units_need_no_justification(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)

    response = client.post(action_url("score", submission), score_data(year, submission))

    assert response.status_code == 302
    assert response["Location"] == detail_url(submission)
    assert board_points(submission) == {"1.1": Decimal(7), "1.2": Decimal("10.5")}
    step = submission.steps.last()
    assert (step.action, step.by) == (StepAction.SCORE, board_staff)


def test_board_points_that_differ_need_a_justification(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)

    response = client.post(
        action_url("score", submission), score_data(year, submission, plain=("5", ""))
    )

    assert response.status_code == 422
    assert response.context["score_form"].has_error(
        f"board-{year.plain.pk}-justification", "justification_required"
    )
    assert board_points(submission) == {"1.1": None, "1.2": None}
    assert not submission.steps.filter(action=StepAction.SCORE).exists()

    response = client.post(
        action_url("score", submission),
        score_data(year, submission, plain=("5", "Thiếu biên bản kiểm tra thực tế.")),
    )

    assert response.status_code == 302
    assert board_points(submission)["1.1"] == Decimal(5)
    assert CriterionScore.objects.get(criterion=year.plain).board_justification == (
        "Thiếu biên bản kiểm tra thực tế."
    )


def test_refused_points_come_back_beside_the_suggestion_and_the_units_points(
    client, year, board_staff
):
    Criterion.objects.filter(pk=year.plain.pk).update(indicator_code="LABOUR")
    submission = complete_draft(year)
    ReportedValue.objects.filter(submission=submission, indicator=year.labour).update(
        numerator=2_600
    )
    submission = submit(year, submission)
    client.force_login(board_staff)

    response = client.post(
        action_url("score", submission), score_data(year, submission, plain=("5", ""))
    )

    assert response.status_code == 422
    rows = {
        row.criterion.code: row
        for row, _points, _why in response.context["score_form"].bound_rows()
    }
    assert (rows["1.1"].self_points, rows["1.1"].suggestion) == (Decimal(7), Decimal(4))
    assert response.context["score_form"][f"board-{year.plain.pk}-points"].value() == "5"


@pytest.mark.parametrize("points", ["9", "10.5", "-1", "bảy"])
def test_points_above_the_maximum_or_malformed_are_refused(client, year, board_staff, points):
    submission = sent(year)
    client.force_login(board_staff)

    response = client.post(
        action_url("score", submission), score_data(year, submission, plain=(points, "Lý do"))
    )

    assert response.status_code == 422
    assert response.context["score_form"].has_error(f"board-{year.plain.pk}-points")
    assert board_points(submission) == {"1.1": None, "1.2": None}


def test_a_criterion_left_out_of_the_post_keeps_its_points(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)
    client.post(action_url("score", submission), score_data(year, submission))
    submission.refresh_from_db()

    client.post(
        action_url("score", submission),
        {
            "version": str(submission.version),
            f"board-{year.plain.pk}-points": "6",
            f"board-{year.plain.pk}-justification": "Chưa đạt chỉ tiêu.",
        },
    )

    assert board_points(submission) == {"1.1": Decimal(6), "1.2": Decimal("10.5")}


def test_saving_the_boards_points_costs_the_same_queries_for_more_criteria(
    client, year, board_staff, django_assert_max_num_queries
):
    submission = sent(year)
    client.force_login(board_staff)
    client.get(detail_url(submission))  # the criteria kept, as after the page was read
    with CaptureQueriesContext(connection) as queries:
        client.post(action_url("score", submission), score_data(year, submission))
    few = len(queries)  # now: the next request empties the log the context reads
    submission.refresh_from_db()
    more = [
        CriterionFactory(bloc=year.plain.bloc, code=f"2.{n}", max_points=10, order=10 + n)
        for n in range(6)
    ]
    for criterion in more:
        CriterionScoreFactory(submission=submission, criterion=criterion, self_points=5)
    client.get(detail_url(submission))
    data = score_data(year, submission, plain=("6", "Chưa đạt."), evidenced=("9", "Thiếu."))
    for criterion in more:
        data |= {f"board-{criterion.pk}-points": "5", f"board-{criterion.pk}-justification": ""}

    with django_assert_max_num_queries(few):
        response = client.post(action_url("score", submission), data)

    assert response.status_code == 302
    assert board_points(submission) == {
        "1.1": Decimal(6),
        "1.2": Decimal(9),
        **{criterion.code: Decimal(5) for criterion in more},
    }
    # Each row created, then changed by the Board once or twice: one record per change.
    assert CriterionScore.history.filter(submission_id=submission.pk).count() == 2 + 2 + 6 + 8


# --- Returning ----------------------------------------------------------------------------------


def test_returning_needs_a_reason(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)

    response = client.post(
        action_url("return", submission), {"version": str(submission.version), "reason": "  "}
    )

    assert response.status_code == 422
    assert response.context["return_form"].has_error("reason", "return_needs_reason")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert not submission.steps.filter(action=StepAction.RETURN).exists()


def test_returning_with_an_overall_reason(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)

    response = client.post(
        action_url("return", submission),
        {"version": str(submission.version), "reason": "Thiếu số liệu lao động qua đào tạo."},
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    step = submission.steps.last()
    assert (step.action, step.comment, step.by) == (
        StepAction.RETURN,
        "Thiếu số liệu lao động qua đào tạo.",
        board_staff,
    )
    page = client.get(detail_url(submission)).content.decode()
    assert "Thiếu số liệu lao động qua đào tạo." in page  # in the timeline
    assert 'id="return-form"' not in page


def test_returning_with_comments_on_particular_fields_only(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)

    response = client.post(
        action_url("return", submission),
        {
            "version": str(submission.version),
            "reason": "",
            "comment-narrative": "Nêu rõ kết quả giảm nghèo.",
            "comment-LABOUR": "Ghi rõ nguồn số liệu.",
            f"comment-{year.evidenced.code}": "",
            "comment-unknown": "không có trường này",
        },
    )

    assert response.status_code == 302
    step = submission.steps.last()
    assert step.field_comments == {
        "narrative": "Nêu rõ kết quả giảm nghèo.",
        "LABOUR": "Ghi rõ nguồn số liệu.",
    }


# --- Accepting and the lock ---------------------------------------------------------------------


def test_accepting_is_refused_until_every_criterion_has_board_points(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)
    client.post(
        action_url("score", submission),
        {
            "version": str(submission.version),
            f"board-{year.plain.pk}-points": "7",
            f"board-{year.plain.pk}-justification": "",
        },
    )
    submission.refresh_from_db()

    response = client.post(action_url("accept", submission), {"version": submission.version})

    assert response.status_code == 422
    assert response.context["accept_form"].has_error("__all__", "unscored")
    assert "1.2" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_accepting_a_fully_scored_report_locks_it(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)
    client.post(action_url("score", submission), score_data(year, submission))
    submission.refresh_from_db()

    response = client.post(action_url("accept", submission), {"version": submission.version})

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.classification == Classification.NOT_COMPLETED  # 17,5 of 100
    assert list(submission.steps.values_list("action", flat=True)) == [
        StepAction.SUBMIT,
        StepAction.SCORE,
        StepAction.ACCEPT,
    ]

    page = client.get(detail_url(submission)).content.decode()
    assert 'id="review-locked"' in page
    assert 'id="score-form"' not in page and 'id="accept-form"' not in page

    rescored = client.post(
        action_url("score", submission),
        score_data(year, submission, plain=("1", "Chấm lại"), evidenced=("1", "Chấm lại")),
    )
    returned = client.post(
        action_url("return", submission), {"version": submission.version, "reason": "Mở lại"}
    )

    assert (rescored.status_code, returned.status_code) == (422, 422)
    assert rescored.context["score_form"].has_error("__all__", "not_submitted")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert board_points(submission) == {"1.1": Decimal(7), "1.2": Decimal("10.5")}


def test_a_stale_page_is_refused_with_409_and_a_clear_message(client, year, board_staff):
    submission = sent(year)
    opened_at = submission.version
    colleague = UserFactory(board=True, first_name="Lan", last_name="Nguyễn")
    review_services.board_scores_save(
        submission=submission,
        by=colleague,
        expected_version=opened_at,
        scores={year.plain.pk: campaign_services.ScoreInput(points=Decimal(7))},
    )
    client.force_login(board_staff)

    response = client.post(
        action_url("return", submission), {"version": opened_at, "reason": "Bổ sung"}
    )

    assert response.status_code == 409
    assert response.context["return_form"].has_error("__all__", "stale")
    assert 'id="review-refused"' in response.content.decode()
    assert "Lan" in response.content.decode()
    # The form now carries the version on screen: a second, knowing click goes through.
    assert response.context["return_form"]["version"].value() == str(opened_at + 1)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_a_draft_has_no_review_actions(client, year, board_staff):
    submission = complete_draft(year)
    client.force_login(board_staff)

    response = client.get(detail_url(submission))
    refused = client.post(action_url("accept", submission), {"version": submission.version})

    assert response.status_code == 200
    assert 'id="score-form"' not in response.content.decode()
    assert refused.status_code == 422
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT


# --- Who may do what ----------------------------------------------------------------------------


def test_leaders_read_the_review_page_without_forms(client, year, leader):
    submission = sent(year)
    client.force_login(leader)

    response = client.get(detail_url(submission))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Năm 2019 huyện triển khai" in html
    assert 'id="score-form"' not in html and 'id="return-form"' not in html
    assert 'id="accept-form"' not in html


@pytest.mark.parametrize("action", ["score", "return", "accept"])
def test_leaders_posting_an_action_get_403_and_change_nothing(client, year, leader, action):
    submission = sent(year)
    version = submission.version
    client.force_login(leader)

    response = client.post(
        action_url(action, submission),
        {**score_data(year, submission), "reason": "Trả lại"},
    )

    assert response.status_code == 403
    submission.refresh_from_db()
    assert (submission.status, submission.version) == (SubmissionStatus.SUBMITTED, version)
    assert board_points(submission) == {"1.1": None, "1.2": None}


@pytest.mark.parametrize("persona", ["unit_officer", "outsider", "admin_user"])
def test_officers_and_administrators_get_403_on_the_review_page(client, year, request, persona):
    submission = sent(year)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(detail_url(submission))
    posts = [
        client.post(action_url(a, submission), {**score_data(year, submission), "reason": "x"})
        for a in ("score", "return", "accept")
    ]

    assert response.status_code == 403
    assert "Năm 2019 huyện triển khai" not in response.content.decode()
    assert [p.status_code for p in posts] == [403, 403, 403]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_an_officer_never_sees_another_units_board_points(client, year, board_staff, outsider):
    submission = sent(year)
    review_services.board_scores_save(
        submission=submission,
        by=board_staff,
        expected_version=submission.version,
        scores={
            year.plain.pk: campaign_services.ScoreInput(
                points=Decimal("3.5"), justification="Điểm thẩm định riêng"
            )
        },
    )
    client.force_login(outsider)

    response = client.get(detail_url(submission))

    assert response.status_code == 403
    assert "Điểm thẩm định riêng" not in response.content.decode()


# 10**20: more than a bigint holds, as a mistyped or forged link may ask for.
@pytest.mark.parametrize("missing", [999_999, 10**20])
def test_a_missing_report_is_a_404_for_the_board(client, year, board_staff, missing):
    client.force_login(board_staff)

    assert client.get(reverse("board:review", kwargs={"pk": missing})).status_code == 404
    assert client.post(reverse("board:accept", kwargs={"pk": missing})).status_code == 404


def test_every_action_is_a_step_in_the_timeline(client, year, board_staff):
    submission = sent(year)
    client.force_login(board_staff)
    client.post(action_url("score", submission), score_data(year, submission, plain=("6", "Thiếu")))
    submission.refresh_from_db()
    client.post(
        action_url("return", submission),
        {"version": submission.version, "reason": "Bổ sung minh chứng."},
    )
    submission.refresh_from_db()

    response = client.get(detail_url(submission))

    timeline = response.context["page"].timeline
    actions = [entry.step.action for entry in timeline if entry.step]
    assert actions == [StepAction.SUBMIT, StepAction.SCORE, StepAction.RETURN]
    html = response.content.decode()
    assert html.count('data-action="') == 3
    assert "Bổ sung minh chứng." in html
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.RETURNED


def test_the_review_page_costs_the_same_queries_for_a_longer_rubric(
    client, year, board_staff, django_assert_max_num_queries
):
    submission = sent(year)
    client.force_login(board_staff)
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail_url(submission)).status_code == 200
    bloc = year.plain.bloc
    for n in range(6):
        criterion = CriterionFactory(bloc=bloc, parent=year.parent, code=f"1.{n + 3}", order=n + 3)
        CriterionScoreFactory(
            submission=submission, criterion=criterion, self_points=5, board_points=4
        )
        EvidenceFactory(submission=submission, criterion=criterion)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail_url(submission))

    assert len(response.context["page"].scores) == 8


def test_a_report_sent_before_snapshots_were_kept_is_not_called_unchanged(
    client, year, board_staff
):
    submission = returned_and_resent(year, board_staff, narrative="Đã sửa.")
    # As for reports sent before the portal kept what was sent (and the demo data).
    submission.steps.update(snapshot={})
    client.force_login(board_staff)

    response = client.get(detail_url(submission))

    assert response.context["page"].diff is None
    content = response.content.decode()
    assert 'id="diff-unknown"' in content
    assert 'id="diff-none"' not in content


# Scoring reads the report row and the criteria (kept per process once read), then under its
# lock the points it saves, written with their history in one round trip: 18 queries here, 23
# when each point was saved apart, and the review page it once read as well cost 26 more.
# Accepting reads the report row alone, its service reads the scores under its lock: 18 here,
# 4 fewer than with the report's contents. Both include the session, the user and the second
# factor; one more of headroom.
SCORE_QUERY_BUDGET = 19
ACCEPT_QUERY_BUDGET = 19


def test_scoring_and_accepting_cost_a_few_queries_without_the_review_page(
    client, year, board_staff, django_assert_max_num_queries
):
    submission = sent(year)
    client.force_login(board_staff)

    with django_assert_max_num_queries(SCORE_QUERY_BUDGET):
        scored = client.post(action_url("score", submission), score_data(year, submission))
    submission.refresh_from_db()
    with django_assert_max_num_queries(ACCEPT_QUERY_BUDGET):
        accepted = client.post(action_url("accept", submission), {"version": submission.version})

    assert (scored.status_code, accepted.status_code) == (302, 302)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
