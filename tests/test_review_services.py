"""The Board's rules as services: scoring, returning, accepting, ranking, awards, closing a year."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from campaigns.models import (
    AwardKind,
    AwardProposal,
    Classification,
    PeriodEvent,
    PeriodEventKind,
    PeriodState,
    ProposalStatus,
    ReportingPeriod,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from campaigns.ranking import bloc_rankings
from campaigns.services import awards, periods, review
from campaigns.services.submissions import ScoreInput, submission_lock_for_edit
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
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    """A bloc of districts scored on a 60-point results group and a 40-point organising group."""
    period = PeriodFactory(
        year=2019,
        campaign=CampaignFactory(),
        opens_on=date(2019, 1, 1),
        deadline=date(2099, 12, 31),
    )
    bloc = BlocFactory(campaign=period.campaign, name="Khối các huyện, thành phố")
    organising = CriterionFactory(bloc=bloc, code="1", name="Tổ chức", max_points=40, order=1)
    results = CriterionFactory(bloc=bloc, code="2", name="Kết quả chỉ tiêu", max_points=60, order=2)
    leaves = [
        CriterionFactory(bloc=bloc, parent=organising, code="1.1", max_points=40, order=1),
        CriterionFactory(bloc=bloc, parent=results, code="2.1", max_points=60, order=1),
    ]
    return period, bloc, leaves


def member(period, bloc, code, name=None):
    unit = DistrictFactory(code=code, name=name or f"Huyện {code}")
    BlocMembershipFactory(bloc=bloc, unit=unit)
    return unit


def submitted(period, unit, leaves, points=(30, 50), *, at=None):
    submission = SubmissionFactory(period=period, unit=unit, submitted=True)
    step = SubmissionStepFactory(submission=submission)
    if at is not None:
        SubmissionStep.objects.filter(pk=step.pk).update(at=at)
    for criterion, own in zip(leaves, points, strict=True):
        CriterionScoreFactory(submission=submission, criterion=criterion, self_points=own)
    return submission


def board_scores(leaves, *points, why=""):
    return {c.pk: ScoreInput(Decimal(p), why) for c, p in zip(leaves, points, strict=True)}


def accepted(period, unit, leaves, points, *, board, at=None):
    submission = submitted(period, unit, leaves, points, at=at)
    submission = review.board_scores_save(
        submission=submission,
        by=board,
        expected_version=submission.version,
        scores=board_scores(leaves, *points),
    )
    return review.submission_accept(
        submission=submission, by=board, expected_version=submission.version
    )


# --- scoring, returning, accepting -----------------------------------------------------------


def test_board_points_that_differ_from_the_self_assessment_need_a_justification(year, board_staff):
    period, bloc, leaves = year
    submission = submitted(period, member(period, bloc, "610"), leaves, points=(30, 50))

    with pytest.raises(ValidationError) as refused:
        review.board_scores_save(
            submission=submission,
            by=board_staff,
            expected_version=submission.version,
            scores=board_scores(leaves, 30, 45),
        )
    assert f"board-{leaves[1].pk}-justification" in refused.value.error_dict
    assert not submission.scores.filter(board_points__isnull=False).exists()

    saved = review.board_scores_save(
        submission=submission,
        by=board_staff,
        expected_version=submission.version,
        scores={
            leaves[0].pk: ScoreInput(Decimal(30)),
            leaves[1].pk: ScoreInput(Decimal(45), "Thiếu minh chứng 2.1"),
        },
    )
    step = saved.steps.get(action=StepAction.SCORE)
    assert step.by == board_staff
    assert step.field_comments["2.1"].endswith("Thiếu minh chứng 2.1")
    assert saved.version == submission.version + 1


def test_points_above_the_maximum_are_refused(year, board_staff):
    period, bloc, leaves = year
    submission = submitted(period, member(period, bloc, "610"), leaves)
    with pytest.raises(ValidationError) as refused:
        review.board_scores_save(
            submission=submission,
            by=board_staff,
            expected_version=submission.version,
            scores=board_scores(leaves, 41, 50, why="x"),
        )
    assert refused.value.error_dict[f"board-{leaves[0].pk}-points"][0].code == "points_above_max"


def test_only_board_staff_review(year, leader, unit_officer):
    period, bloc, leaves = year
    submission = submitted(period, member(period, bloc, "612"), leaves)
    for user in (leader, unit_officer):
        with pytest.raises(PermissionDenied):
            review.submission_return(
                submission=submission, by=user, expected_version=submission.version, reason="x"
            )


def test_a_return_needs_a_reason_overall_or_on_fields(year, board_staff):
    period, bloc, leaves = year
    submission = submitted(period, member(period, bloc, "610"), leaves)
    with pytest.raises(ValidationError) as refused:
        review.submission_return(
            submission=submission,
            by=board_staff,
            expected_version=submission.version,
            reason="  ",
            field_comments={"narrative": " "},
        )
    assert refused.value.error_dict["reason"][0].code == "return_needs_reason"

    returned = review.submission_return(
        submission=submission,
        by=board_staff,
        expected_version=submission.version,
        reason="",
        field_comments={"fund_mobilised_vnd": "Thiếu biên lai."},
    )
    assert returned.status == SubmissionStatus.RETURNED
    step = returned.steps.get(action=StepAction.RETURN)
    assert step.field_comments == {"fund_mobilised_vnd": "Thiếu biên lai."}
    assert step.from_status == SubmissionStatus.SUBMITTED


def test_a_returned_report_can_be_corrected_after_the_deadline(year, board_staff):
    period, bloc, leaves = year
    period.deadline = timezone.localdate() - timedelta(days=3)
    period.save()
    submission = submitted(period, member(period, bloc, "610"), leaves)
    review.submission_return(
        submission=submission, by=board_staff, expected_version=submission.version, reason="Sửa"
    )
    # The officer may open it for editing although the deadline has passed.
    assert submission_lock_for_edit(submission=submission).status == SubmissionStatus.RETURNED


def test_a_stale_review_is_refused(year, board_staff):
    period, bloc, leaves = year
    submission = submitted(period, member(period, bloc, "610"), leaves)
    opened_at = submission.version
    review.board_scores_save(
        submission=submission,
        by=board_staff,
        expected_version=opened_at,
        scores=board_scores(leaves, 30, 50),
    )
    with pytest.raises(ValidationError) as refused:
        review.submission_return(
            submission=submission, by=board_staff, expected_version=opened_at, reason="x"
        )
    assert refused.value.code == "stale"


def test_accepting_needs_board_points_everywhere_then_classifies_and_locks(year, board_staff):
    period, bloc, leaves = year
    submission = submitted(period, member(period, bloc, "610"), leaves, points=(38, 55))
    review.board_scores_save(
        submission=submission,
        by=board_staff,
        expected_version=submission.version,
        scores={leaves[0].pk: ScoreInput(Decimal(38))},
    )
    submission.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        review.submission_accept(
            submission=submission, by=board_staff, expected_version=submission.version
        )
    assert refused.value.code == "unscored"
    assert "2.1" in refused.value.messages[0]

    review.board_scores_save(
        submission=submission,
        by=board_staff,
        expected_version=submission.version,
        scores={leaves[1].pk: ScoreInput(Decimal(55))},
    )
    submission.refresh_from_db()
    done = review.submission_accept(
        submission=submission, by=board_staff, expected_version=submission.version
    )
    assert done.status == SubmissionStatus.ACCEPTED
    assert done.classification == Classification.EXCELLENT  # 93 ≥ 90
    assert done.steps.filter(action=StepAction.ACCEPT).count() == 1
    with pytest.raises(ValidationError) as locked:
        review.board_scores_save(
            submission=done,
            by=board_staff,
            expected_version=done.version,
            scores=board_scores(leaves, 10, 10, why="x"),
        )
    assert locked.value.code == "not_submitted"
    with pytest.raises(ValidationError):
        submission_lock_for_edit(submission=done)


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (Decimal("90"), Classification.EXCELLENT),
        (Decimal("89.99"), Classification.GOOD),
        (Decimal("70"), Classification.GOOD),
        (Decimal("69.5"), Classification.COMPLETED),
        (Decimal("50"), Classification.COMPLETED),
        (Decimal("49.75"), Classification.NOT_COMPLETED),
    ],
)
def test_classification_follows_the_campaign_thresholds(total, expected):
    assert review.classify(campaign=CampaignFactory.build(), total=total) == expected


def test_classification_uses_each_campaigns_own_thresholds():
    strict = CampaignFactory.build(excellent_min=95, good_min=80, completed_min=60)
    assert review.classify(campaign=strict, total=Decimal(92)) == Classification.GOOD
    assert review.classify(campaign=strict, total=Decimal(59)) == Classification.NOT_COMPLETED


# --- ranking --------------------------------------------------------------------------------


def test_ranking_orders_by_total_then_main_group_then_first_submission(year, board_staff):
    period, bloc, leaves = year
    early = timezone.now() - timedelta(days=20)
    late = timezone.now() - timedelta(days=5)
    accepted(period, member(period, bloc, "610", "Đắk Glei"), leaves, (40, 55), board=board_staff)
    # Same total of 85: more on the results group ranks first.
    accepted(period, member(period, bloc, "611", "Ngọc Hồi"), leaves, (30, 55), board=board_staff)
    accepted(period, member(period, bloc, "612", "Đắk Tô"), leaves, (35, 50), board=board_staff)
    # Same total and results points: the earlier submission ranks first.
    accepted(
        period,
        member(period, bloc, "613", "Kon Plông"),
        leaves,
        (30, 40),
        board=board_staff,
        at=late,
    )
    accepted(
        period,
        member(period, bloc, "614", "Kon Rẫy"),
        leaves,
        (30, 40),
        board=board_staff,
        at=early,
    )
    member(period, bloc, "615", "Đắk Hà")  # not started: listed, not ranked

    (ranking,) = bloc_rankings(period=period)

    assert ranking.main_group.code == "2"
    order = [(row.unit.code, row.rank) for row in ranking.rows]
    assert order == [
        ("610", 1), ("611", 2), ("612", 3), ("614", 4), ("613", 5), ("615", None),
    ]  # fmt: skip
    notes = {row.unit.code: " ".join(row.tie_notes) for row in ranking.rows}
    assert "Đắk Tô" in notes["611"] and "Kết quả chỉ tiêu" in notes["611"]
    assert "Kon Rẫy" in notes["613"]
    assert ranking.rows[-1].state == "not_started"


def test_units_equal_on_every_rule_share_the_rank(year, board_staff):
    period, bloc, leaves = year
    same = timezone.now() - timedelta(days=3)
    for code in ("610", "611"):
        accepted(period, member(period, bloc, code), leaves, (30, 50), board=board_staff, at=same)
    accepted(period, member(period, bloc, "612"), leaves, (20, 50), board=board_staff)

    (ranking,) = bloc_rankings(period=period)

    assert [row.rank for row in ranking.rows] == [1, 1, 3]
    assert all(row.tie_notes for row in ranking.rows[:2])


# --- awards ---------------------------------------------------------------------------------


def closed(period):
    """Straight to the column: awards wait for a closed year; closing's own rule is tested below."""
    ReportingPeriod.objects.filter(pk=period.pk).update(state=PeriodState.CLOSED)
    period.refresh_from_db()


def test_eligibility_explains_itself_and_derives_proposals(year, board_staff):
    period, bloc, leaves = year
    first = accepted(period, member(period, bloc, "610"), leaves, (38, 57), board=board_staff)
    second = accepted(period, member(period, bloc, "611"), leaves, (36, 56), board=board_staff)
    good = accepted(period, member(period, bloc, "612"), leaves, (30, 45), board=board_staff)
    pending = submitted(period, member(period, bloc, "613"), leaves)

    checks = awards.award_eligibility(period=period)

    assert checks[(first.unit_id, AwardKind.FLAG)].eligible
    assert "95" in checks[(first.unit_id, AwardKind.FLAG)].explanation
    assert not checks[(first.unit_id, AwardKind.CERTIFICATE)].eligible
    assert not checks[(second.unit_id, AwardKind.FLAG)].eligible
    assert "2" in checks[(second.unit_id, AwardKind.FLAG)].explanation
    assert checks[(second.unit_id, AwardKind.CERTIFICATE)].eligible
    assert not checks[(good.unit_id, AwardKind.CERTIFICATE)].eligible
    assert (
        str(Classification.GOOD.label) in checks[(good.unit_id, AwardKind.CERTIFICATE)].explanation
    )
    assert not checks[(pending.unit_id, AwardKind.FLAG)].eligible

    closed(period)
    created = awards.proposals_derive(period=period, by=board_staff)
    assert {(p.unit_id, p.award) for p in created} == {
        (first.unit_id, AwardKind.FLAG),
        (second.unit_id, AwardKind.CERTIFICATE),
    }
    # Deriving again keeps what the Board edited and adds nothing twice.
    flag = AwardProposal.objects.get(award=AwardKind.FLAG)
    awards.proposal_update(proposal=flag, reason="Dẫn đầu khối; 95 điểm.", by=board_staff)
    assert awards.proposals_derive(period=period, by=board_staff) == []
    flag.refresh_from_db()
    assert flag.reason == "Dẫn đầu khối; 95 điểm."


def test_a_unit_outside_the_rule_needs_a_reason_and_decisions_need_number_and_date(
    year, board_staff
):
    period, bloc, leaves = year
    good = accepted(period, member(period, bloc, "612"), leaves, (30, 45), board=board_staff)
    closed(period)
    with pytest.raises(ValidationError) as refused:
        awards.proposal_add(
            period=period, unit=good.unit, award=AwardKind.CERTIFICATE, reason="", by=board_staff
        )
    assert refused.value.error_dict["reason"][0].code == "needs_reason"
    proposal = awards.proposal_add(
        period=period,
        unit=good.unit,
        award=AwardKind.CERTIFICATE,
        reason="Điển hình về huy động nguồn lực.",
        by=board_staff,
    )
    with pytest.raises(ValidationError) as incomplete:
        awards.proposal_decide(
            proposal=proposal, by=board_staff, status=ProposalStatus.APPROVED, decision_number="12"
        )
    assert set(incomplete.value.error_dict) == {"decision_date"}
    approved = awards.proposal_decide(
        proposal=proposal,
        by=board_staff,
        status=ProposalStatus.APPROVED,
        decision_number="125/QĐ-UBND",
        decision_date=date(2020, 3, 2),
        signer_name="Nguyễn Văn Hòa",
    )
    assert approved.status == ProposalStatus.APPROVED
    with pytest.raises(ValidationError):
        awards.proposal_remove(proposal=approved, by=board_staff)


# --- closing and locking a year -------------------------------------------------------------


def test_a_year_closes_only_when_every_unit_is_settled(year, board_staff, admin_user):
    period, bloc, leaves = year
    accepted(period, member(period, bloc, "610"), leaves, (30, 50), board=board_staff)
    late = member(period, bloc, "611", "Huyện Ngọc Hồi")

    with pytest.raises(ValidationError) as refused:
        periods.period_close(period=period, by=board_staff)
    assert "Huyện Ngọc Hồi" in refused.value.messages[0]
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN

    with pytest.raises(ValidationError):
        review.submission_mark_not_reporting(period=period, unit=late, by=board_staff, reason="")
    marked = review.submission_mark_not_reporting(
        period=period, unit=late, by=board_staff, reason="Sáp nhập đơn vị."
    )
    assert marked.steps.get(action=StepAction.NOT_REPORTING).comment == "Sáp nhập đơn vị."

    locked = periods.period_close(period=period, by=board_staff, lock=True)
    assert locked.state == PeriodState.LOCKED
    assert list(PeriodEvent.objects.values_list("kind", flat=True)) == [
        PeriodEventKind.CLOSED,
        PeriodEventKind.LOCKED,
    ]


def test_only_an_admin_unlocks_a_locked_year_with_a_reason_and_awards_stay_outside_the_lock(
    year, board_staff, admin_user
):
    period, bloc, leaves = year
    done = accepted(period, member(period, bloc, "610"), leaves, (38, 57), board=board_staff)
    periods.period_close(period=period, by=board_staff, lock=True)

    # The Council decides on awards after the year's reports are locked.
    assert awards.proposals_derive(period=period, by=board_staff)[0].unit_id == done.unit_id
    with pytest.raises(PermissionDenied):
        periods.period_unlock(period=period, by=board_staff, reason="Sửa số liệu")
    with pytest.raises(ValidationError):
        periods.period_unlock(period=period, by=admin_user, reason=" ")

    unlocked = periods.period_unlock(period=period, by=admin_user, reason="Sửa quyết định khen")
    assert unlocked.state == PeriodState.CLOSED
    event = PeriodEvent.objects.get(kind=PeriodEventKind.UNLOCKED)
    assert (event.by, event.reason) == (admin_user, "Sửa quyết định khen")


def test_a_closed_year_is_no_longer_reviewed_and_can_be_reopened_with_a_reason(year, board_staff):
    period, bloc, leaves = year
    unit = member(period, bloc, "610")
    review.submission_mark_not_reporting(period=period, unit=unit, by=board_staff, reason="x")
    periods.period_close(period=period, by=board_staff)
    submission = Submission.objects.get(unit=unit)
    with pytest.raises(ValidationError) as refused:
        review.submission_mark_not_reporting(
            period=period, unit=unit, by=board_staff, reason="y", not_reporting=False
        )
    assert refused.value.code == "period_closed"

    reopened = periods.period_reopen(period=period, by=board_staff, reason="Bổ sung hồ sơ")
    assert reopened.state == PeriodState.OPEN
    assert submission.pk == Submission.objects.get(unit=unit).pk
    assert PeriodEvent.objects.filter(kind=PeriodEventKind.REOPENED, reason="Bổ sung hồ sơ")


def test_another_board_user_is_recorded_as_scorer(year):
    period, bloc, leaves = year
    board = UserFactory(board=True, username="thuy")
    submission = submitted(period, member(period, bloc, "610"), leaves, points=(30, 50))
    review.board_scores_save(
        submission=submission,
        by=board,
        expected_version=submission.version,
        scores=board_scores(leaves, 30, 50),
    )
    assert set(submission.scores.values_list("board_scored_by__username", flat=True)) == {"thuy"}
