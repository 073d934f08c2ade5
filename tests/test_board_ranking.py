"""The Board's ranking page: classification, order inside a bloc, the tie-break rule and its notes.

The builders here (`bloc_build`, `member`, `report`) are shared by the other test_board_* modules.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from campaigns.models import (
    Campaign,
    Classification,
    Criterion,
    EmulationBloc,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from campaigns.ranking import tie_break_rule
from campaigns.services import review
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CampaignFactory,
    CriterionFactory,
    CriterionScoreFactory,
    DistrictFactory,
    PeriodFactory,
    SubmissionFactory,
    SubmissionStepFactory,
)
from units.models import Unit

pytestmark = pytest.mark.django_db

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Bloc:
    """A bloc whose rubric has a main group (1: 1.1 + 1.2, 60 points) and a criterion 2 (40)."""

    period: ReportingPeriod
    bloc: EmulationBloc
    main: Criterion
    main_a: Criterion
    main_b: Criterion
    other: Criterion

    @property
    def campaign(self) -> Campaign:
        return self.period.campaign


def bloc_build(
    *, period: ReportingPeriod | None = None, name: str = "Khối các huyện, thành phố"
) -> Bloc:
    period = period or PeriodFactory(year=2019)
    bloc = BlocFactory(campaign=period.campaign, name=name)
    main = CriterionFactory(
        bloc=bloc, code="1", name="Kết quả thực hiện mục tiêu", max_points=60, order=1
    )
    return Bloc(
        period=period,
        bloc=bloc,
        main=main,
        main_a=CriterionFactory(bloc=bloc, parent=main, code="1.1", max_points=30, order=1),
        main_b=CriterionFactory(bloc=bloc, parent=main, code="1.2", max_points=30, order=2),
        other=CriterionFactory(bloc=bloc, code="2", name="Công tác tuyên truyền", max_points=40),
    )


def member(b: Bloc, name: str, **kwargs: object) -> Unit:
    unit = DistrictFactory(name=name, **kwargs)
    BlocMembershipFactory(bloc=b.bloc, unit=unit)
    return unit


def report(
    b: Bloc,
    unit: Unit,
    *,
    main: Decimal | int | str = 50,
    other: Decimal | int | str = 30,
    submitted_at: datetime | None = None,
    status: str = SubmissionStatus.ACCEPTED,
) -> Submission:
    """A report with Board points (main split over 1.1 and 1.2) and its first submit step."""
    main, other = Decimal(str(main)), Decimal(str(other))
    submitted_at = submitted_at or datetime(2020, 1, 10, 9, tzinfo=VN_TZ)
    traits = {"accepted": True} if status == SubmissionStatus.ACCEPTED else {"submitted": True}
    submission = SubmissionFactory(period=b.period, unit=unit, **traits)
    half = (main / 2).quantize(Decimal("0.01"))
    for criterion, points in ((b.main_a, half), (b.main_b, main - half), (b.other, other)):
        CriterionScoreFactory(
            submission=submission, criterion=criterion, self_points=points, board_points=points
        )
    step = SubmissionStepFactory(submission=submission)
    # `at` is set on insert; the tie-break reads it, so put it where the test needs it.
    SubmissionStep.objects.filter(pk=step.pk).update(at=submitted_at)
    if status == SubmissionStatus.ACCEPTED:
        submission.classification = review.classify(campaign=b.campaign, total=main + other)
        submission.save(update_fields=["classification"])
    return submission


def ranking_page(client, user, b: Bloc):
    client.force_login(user)
    response = client.get(reverse("board:ranking", kwargs={"period_pk": b.period.pk}))
    assert response.status_code == 200
    return response


def only_bloc(response):
    (bloc,) = response.context["blocs"]
    return bloc


# --- Classification ---------------------------------------------------------------------------


def _accept_through_the_board(b: Bloc, unit: Unit, board, *, main: str, other: str) -> Submission:
    submission = report(b, unit, main=main, other=other, status=SubmissionStatus.SUBMITTED)
    return review.submission_accept(
        submission=submission, by=board, expected_version=submission.version
    )


@pytest.mark.parametrize(
    ("main", "other", "expected"),
    [
        ("50", "35", Classification.EXCELLENT),  # 85: on the Excellent threshold
        ("50", "34.99", Classification.GOOD),  # just under it
        ("40", "25", Classification.GOOD),  # 65: on the Good threshold
        ("40", "24.99", Classification.COMPLETED),
        ("30", "15", Classification.COMPLETED),  # 45: on the Completed threshold
        ("30", "14.99", Classification.NOT_COMPLETED),
    ],
)
def test_accepting_classifies_by_the_campaigns_own_thresholds_boundaries_included(
    client, board_staff, main, other, expected
):
    campaign = CampaignFactory(number="99/KH-UBND", excellent_min=85, good_min=65, completed_min=45)
    b = bloc_build(period=PeriodFactory(campaign=campaign, year=2019))
    unit = member(b, "Huyện Kon Plông")

    submission = _accept_through_the_board(b, unit, board_staff, main=main, other=other)

    assert submission.classification == expected
    row = only_bloc(ranking_page(client, board_staff, b)).ranked[0]
    assert row.classification == expected


def test_the_same_total_is_classified_differently_under_another_campaigns_thresholds(
    client, board_staff
):
    strict = bloc_build()  # 3198/UBND-TH with the default 90 / 70 / 50
    lenient_campaign = CampaignFactory(
        number="99/KH-UBND", excellent_min=85, good_min=65, completed_min=45
    )
    lenient = bloc_build(period=PeriodFactory(campaign=lenient_campaign, year=2019))

    in_strict = _accept_through_the_board(
        strict, member(strict, "Huyện Đắk Tô"), board_staff, main="50", other="37"
    )
    in_lenient = _accept_through_the_board(
        lenient, member(lenient, "Huyện Tu Mơ Rông"), board_staff, main="50", other="37"
    )

    assert in_strict.classification == Classification.GOOD
    assert in_lenient.classification == Classification.EXCELLENT


def test_the_page_shows_the_campaigns_thresholds(client, board_staff):
    campaign = CampaignFactory(
        number="99/KH-UBND", excellent_min="87.5", good_min=66, completed_min=44
    )
    b = bloc_build(period=PeriodFactory(campaign=campaign, year=2019))

    response = ranking_page(client, board_staff, b)

    content = response.content.decode()
    section = content[content.index('id="thresholds"') :][:1200]
    # Vietnamese number format: 87,50.
    assert ">87,50<" in section and ">66<" in section and ">44<" in section


# --- Order and tie-break ----------------------------------------------------------------------


def test_units_are_ranked_by_total_board_points(client, board_staff):
    b = bloc_build()
    middle = member(b, "Huyện Sa Thầy")
    top = member(b, "Thành phố Kon Tum")
    bottom = member(b, "Huyện Ia H'Drai")
    report(b, middle, main=50, other=30)
    report(b, top, main=58, other=37)
    report(b, bottom, main=40, other=30)

    response = ranking_page(client, board_staff, b)

    ranked = only_bloc(response).ranked
    assert [(r.rank, r.unit, r.total) for r in ranked] == [
        (1, top, Decimal(95)),
        (2, middle, Decimal(80)),
        (3, bottom, Decimal(70)),
    ]
    assert [r.classification for r in ranked] == [
        Classification.EXCELLENT,
        Classification.GOOD,
        Classification.GOOD,
    ]
    assert all(r.tie_notes == [] for r in ranked)
    content = response.content.decode()
    positions = [content.index(escape(unit.name)) for unit in (top, middle, bottom)]
    assert positions == sorted(positions)


def test_an_equal_total_is_broken_by_the_main_group_and_the_note_says_so(client, board_staff):
    b = bloc_build()
    fewer = member(b, "Huyện Đắk Hà")
    more = member(b, "Huyện Ngọc Hồi")
    report(b, fewer, main=50, other=30, submitted_at=datetime(2020, 1, 5, tzinfo=VN_TZ))
    report(b, more, main=55, other=25, submitted_at=datetime(2020, 1, 9, tzinfo=VN_TZ))

    response = ranking_page(client, board_staff, b)

    first, second = only_bloc(response).ranked
    assert (first.unit, first.rank, first.main_points) == (more, 1, Decimal(55))
    assert (second.unit, second.rank, second.main_points) == (fewer, 2, Decimal(50))
    # Each note names the other unit and the main group that decided.
    assert fewer.name in first.tie_notes[0] and b.main.name in first.tie_notes[0]
    assert more.name in second.tie_notes[0] and b.main.name in second.tie_notes[0]
    content = response.content.decode()
    assert escape(first.tie_notes[0]) in content
    assert escape(second.tie_notes[0]) in content


def test_equal_total_and_main_group_are_broken_by_the_earlier_first_submission(client, board_staff):
    b = bloc_build()
    later = member(b, "Huyện Kon Rẫy")
    earlier = member(b, "Huyện Đắk Glei")
    report(b, later, submitted_at=datetime(2020, 1, 12, 8, tzinfo=VN_TZ))
    report(b, earlier, submitted_at=datetime(2020, 1, 11, 16, tzinfo=VN_TZ))

    response = ranking_page(client, board_staff, b)

    first, second = only_bloc(response).ranked
    assert (first.unit, first.rank) == (earlier, 1)
    assert (second.unit, second.rank) == (later, 2)
    assert first.tie_notes != second.tie_notes
    assert later.name in first.tie_notes[0]
    assert earlier.name in second.tie_notes[0]
    content = response.content.decode()
    assert escape(first.tie_notes[0]) in content and escape(second.tie_notes[0]) in content
    # The first submission's time is on the page, to the minute.
    assert "16:00 11/01/2020" in content and "08:00 12/01/2020" in content


def test_units_equal_on_every_rule_share_the_rank_and_the_next_rank_is_skipped(client, board_staff):
    b = bloc_build()
    same_time = datetime(2020, 1, 10, 9, tzinfo=VN_TZ)
    one = member(b, "Huyện Đắk Tô")
    two = member(b, "Huyện Tu Mơ Rông")
    after = member(b, "Huyện Kon Plông")
    report(b, one, submitted_at=same_time)
    report(b, two, submitted_at=same_time)
    report(b, after, main=40)

    response = ranking_page(client, board_staff, b)

    ranked = only_bloc(response).ranked
    assert [(r.unit, r.rank) for r in ranked] == [(one, 1), (two, 1), (after, 3)]
    assert two.name in ranked[0].tie_notes[0] and one.name in ranked[1].tie_notes[0]
    assert escape(ranked[0].tie_notes[0]) in response.content.decode()


def test_the_tie_break_rule_is_shown_with_the_blocs_main_group(client, board_staff):
    b = bloc_build()

    response = ranking_page(client, board_staff, b)

    rule = only_bloc(response).rule
    assert rule == tie_break_rule(b.main)
    assert b.main.name in rule
    assert escape(rule) in response.content.decode()


def test_units_without_an_accepted_report_are_listed_unranked_with_their_state(client, board_staff):
    b = bloc_build()
    ranked = member(b, "Thành phố Kon Tum")
    waiting = member(b, "Huyện Sa Thầy")
    drafting = member(b, "Huyện Ia H'Drai")
    excused = member(b, "Huyện Kon Rẫy")
    silent = member(b, "Huyện Đắk Hà")
    member(b, "Huyện đã sáp nhập", is_active=False)
    report(b, ranked)
    report(b, waiting, status=SubmissionStatus.SUBMITTED)
    SubmissionFactory(period=b.period, unit=drafting)
    SubmissionFactory(period=b.period, unit=excused, not_reporting=True)

    response = ranking_page(client, board_staff, b)

    bloc = only_bloc(response)
    assert [r.unit for r in bloc.ranked] == [ranked]
    states = {row.unit: (row.state, label) for row, label in bloc.unranked}
    assert set(states) == {waiting, drafting, excused, silent}
    assert states[waiting][0] == "submitted"
    assert states[drafting][0] == "draft"
    assert states[excused][0] == "not_reporting"
    assert states[silent][0] == "not_started"
    assert len({label for _state, label in states.values()}) == 4
    content = response.content.decode()
    unranked_part = content[content.index(escape(ranked.name)) :]
    for unit in (waiting, drafting, excused, silent):
        assert escape(unit.name) in unranked_part
    assert "Huyện đã sáp nhập" not in content


def test_each_bloc_is_ranked_on_its_own(client, board_staff):
    districts = bloc_build()
    departments = bloc_build(period=districts.period, name="Khối các sở, ban, ngành")
    district = member(districts, "Huyện Ngọc Hồi")
    department = member(departments, "Sở Nội vụ")
    report(districts, district, main=40)
    report(departments, department, main=30)

    response = ranking_page(client, board_staff, districts)

    blocs = {b.ranking.bloc: b for b in response.context["blocs"]}
    assert [(r.unit, r.rank) for r in blocs[districts.bloc].ranked] == [(district, 1)]
    assert [(r.unit, r.rank) for r in blocs[departments.bloc].ranked] == [(department, 1)]


# --- Access -----------------------------------------------------------------------------------


def _url(period) -> str:
    return reverse("board:ranking", kwargs={"period_pk": period.pk})


@pytest.mark.parametrize("persona", ["unit_officer", "outsider", "admin_user"])
def test_only_the_board_and_leaders_open_the_ranking(client, request, persona):
    period = PeriodFactory()
    client.force_login(request.getfixturevalue(persona))

    assert client.get(_url(period)).status_code == 403


def test_a_leader_reads_the_ranking_but_cannot_post_to_it(client, leader):
    b = bloc_build()
    report(b, member(b, "Huyện Đắk Glei"))
    client.force_login(leader)

    page = client.get(_url(b.period))

    assert page.status_code == 200
    assert page.context["can_act"] is False
    assert client.post(_url(b.period)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    period = PeriodFactory()

    response = client.get(_url(period))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_missing_year_is_a_404(client, board_staff):
    client.force_login(board_staff)

    assert client.get(reverse("board:ranking", kwargs={"period_pk": 999_999})).status_code == 404


def test_the_ranking_page_makes_as_many_queries_for_many_units_as_for_few(client, board_staff):
    b = bloc_build()
    client.force_login(board_staff)
    report(b, member(b, "Huyện Đắk Glei"))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(b.period))
    for n in range(6):
        report(b, member(b, f"Huyện Thử thêm {n}"), main=40 + n)
    member(b, "Huyện chưa nộp")

    with CaptureQueriesContext(connection) as many:
        client.get(_url(b.period))

    assert len(many) == len(few)
