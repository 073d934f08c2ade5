"""The database refuses every row that breaks an invariant, whatever code path writes it.

Each refusal is checked by constraint name (PostgreSQL reports it), so a test cannot pass because
some other constraint, or a NOT NULL column, happened to fail instead. Positive controls show the
boundary values and "not reported" NULLs are accepted.
"""

import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import (
    AppraisalVerdict,
    AwardKind,
    AwardLevel,
    AwardStage,
    Campaign,
    Classification,
    Criterion,
    ExtensionRequest,
    NomineeKind,
    PeriodEventKind,
    ProposalStatus,
    ReportingPeriod,
    StepAction,
    SubmissionStatus,
)
from indicators.models import (
    CommuneStatistics,
    DistrictConfirmation,
    FiguresVersion,
    ImportState,
    Indicator,
    Milestone,
    ReportedValue,
)
from reports.models import (
    BoardDocument,
    DocumentSetup,
    FailureCode,
    JobState,
    NarrativeVersion,
    Signing,
)
from tests.factories import (
    ApiTokenFactory,
    AppraisalFactory,
    AwardDecisionFactory,
    AwardFormFactory,
    AwardProposalFactory,
    AwardRecordFactory,
    BaselineFactory,
    BlocFactory,
    BlocMembershipFactory,
    CampaignFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    CommunicationItemFactory,
    CriterionFactory,
    CriterionScoreFactory,
    DeadlineExtensionFactory,
    DistrictFactory,
    ImportBatchFactory,
    IndicatorFactory,
    MilestoneFactory,
    ModelResultFactory,
    NomineeFactory,
    PeriodEventFactory,
    PeriodFactory,
    PovertyModelFactory,
    ProvinceFactory,
    RegisteredTargetFactory,
    RegistrationFactory,
    ReportedValueFactory,
    ReportJobFactory,
    SponsorshipFactory,
    SponsorshipSupportFactory,
    SubmissionFactory,
    SubmissionStepFactory,
    UnitChangeFactory,
    UnitFlagFactory,
    UserFactory,
)
from units.models import (
    AccountAction,
    AccountChange,
    EmailOptOut,
    FlagSource,
    NotificationKind,
    ReminderSent,
    ReminderStage,
    Role,
    Unit,
    UnitKind,
    UnitLevel,
)

pytestmark = pytest.mark.django_db

CHECKED_APPS = ("units", "campaigns", "indicators", "reports")
# Cannot be broken on its own (id is the primary key): it exists as the target of the scores'
# composite foreign key, which the tests below exercise.
NOT_BREAKABLE = {"campaigns_criterion_id_max_points"}


@contextmanager
def refused_by(constraint: str):
    """The write inside must fail in the database, on this very constraint."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    assert excinfo.value.__cause__.diag.constraint_name == constraint


def test_every_declared_constraint_has_a_refusal_test():
    declared = {
        constraint.name
        for app in CHECKED_APPS
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
    }
    tested = set(re.findall(r'refused_by\(\s*"([a-z0-9_]+)"', Path(__file__).read_text()))
    assert declared - NOT_BREAKABLE - tested == set()


# --- units ----------------------------------------------------------------------------------


def test_nobody_deactivates_their_own_account():
    board = UserFactory(board=True)
    AccountChange.objects.create(  # positive control: someone else's account
        account=UserFactory(),
        action=AccountAction.DEACTIVATED,
        by=board,
        before={"is_active": True},
        after={"is_active": False},
    )
    with refused_by("units_accountchange_not_own_deactivation"):
        AccountChange.objects.create(
            account=board,
            action=AccountAction.DEACTIVATED,
            by=board,
            before={"is_active": True},
            after={"is_active": False},
        )


def test_a_move_names_both_units():
    with refused_by("units_accountchange_move_names_units"):
        AccountChange.objects.create(
            account=UserFactory(),
            action=AccountAction.MOVED,
            by=UserFactory(board=True),
            before={},
            after={"unit": 1},
        )


def test_a_deactivation_names_the_state_before_and_after():
    with refused_by("units_accountchange_activation_names_state"):
        AccountChange.objects.create(
            account=UserFactory(),
            action=AccountAction.REACTIVATED,
            by=UserFactory(board=True),
            before={"is_active": False},
            after={},
        )


def test_unit_codes_are_unique():
    DistrictFactory(code="601")
    with refused_by("units_unit_code_key"):
        DistrictFactory(code="601")


def test_only_the_province_may_have_no_parent():
    ProvinceFactory()  # positive control: the root itself
    with refused_by("units_unit_only_province_is_root"):
        DistrictFactory(parent=None)


def test_the_province_cannot_have_a_parent():
    province = ProvinceFactory()
    with refused_by("units_unit_only_province_is_root"):
        Unit.objects.create(
            code="99",
            name="Tỉnh thứ hai",
            level=UnitLevel.PROVINCE,
            kind=UnitKind.PROVINCE,
            parent=province,
        )


def test_a_unit_kind_must_belong_to_its_level():
    CommuneFactory(kind=UnitKind.WARD)  # positive control: a ward is commune level
    with refused_by("units_unit_kind_fits_level"):
        CommuneFactory(kind=UnitKind.DISTRICT)


def test_a_unit_cannot_be_its_own_parent():
    district = DistrictFactory()
    district.parent = district
    with refused_by("units_unit_not_own_parent"):
        district.save()


def test_there_is_only_one_province():
    ProvinceFactory()
    with refused_by("units_unit_one_province"):
        Unit.objects.create(
            code="64", name="Tỉnh khác", level=UnitLevel.PROVINCE, kind=UnitKind.PROVINCE
        )


def test_a_unit_flag_starts_only_once_per_day():
    flag = UnitFlagFactory()
    UnitFlagFactory(unit=flag.unit, valid_from=date(2021, 1, 1), valid_to=None)  # another start
    with refused_by("units_unitflag_unique_start"):
        UnitFlagFactory(unit=flag.unit, valid_from=flag.valid_from)


def test_a_unit_flag_cannot_end_before_it_starts():
    UnitFlagFactory(valid_from=date(2018, 1, 1), valid_to=date(2018, 1, 1))  # same day is fine
    UnitFlagFactory(valid_to=None)  # open-ended is fine
    with refused_by("units_unitflag_valid_to_after_from"):
        UnitFlagFactory(valid_from=date(2018, 1, 1), valid_to=date(2017, 12, 31))


def test_a_flag_the_board_added_names_its_document_who_and_when():
    board = UserFactory(board=True)
    traced = {"source": FlagSource.BOARD, "added_by": board, "added_at": timezone.now()}
    UnitFlagFactory(decision="QĐ 12/QĐ-UBND", **traced)  # positive control
    with refused_by("units_unitflag_board_flag_traced"):
        UnitFlagFactory(decision="", **traced)
    with refused_by("units_unitflag_board_flag_traced"):
        UnitFlagFactory(source=FlagSource.BOARD)


def test_a_unit_has_at_most_one_change_per_day():
    change = UnitChangeFactory()
    with refused_by("units_unitchange_one_per_day"):
        UnitChangeFactory(unit=change.unit, effective_on=change.effective_on)


def test_a_sponsorship_is_recorded_once():
    sponsorship = SponsorshipFactory()
    with refused_by("units_sponsorship_unique_start"):
        SponsorshipFactory(sponsor=sponsorship.sponsor, commune=sponsorship.commune)


def test_a_sponsorship_cannot_end_before_it_starts():
    SponsorshipFactory(first_year=2019, last_year=2019)  # positive control: one year
    with refused_by("units_sponsorship_years_in_order"):
        SponsorshipFactory(first_year=2020, last_year=2019)


def test_a_commune_cannot_sponsor_itself():
    commune = CommuneFactory()
    with refused_by("units_sponsorship_not_self"):
        SponsorshipFactory(sponsor=commune, commune=commune)


def test_a_unit_officer_must_belong_to_a_unit():
    UserFactory(board=True)  # positive control: Board staff need no unit
    with refused_by("units_user_officer_has_unit"):
        UserFactory(role=Role.OFFICER, unit=None)


# --- campaigns ------------------------------------------------------------------------------


def test_campaign_numbers_are_unique():
    CampaignFactory()
    with refused_by("campaigns_campaign_number_key"):
        Campaign.objects.create(
            number="3198/UBND-TH",
            title="Bản sao",
            issuing_body="UBND tỉnh Kon Tum",
            issued_on=date(2017, 11, 28),
            first_year=2018,
            last_year=2020,
        )


def test_a_campaign_cannot_end_before_it_starts():
    CampaignFactory(number="1/A", first_year=2020, last_year=2020)  # positive control
    with refused_by("campaigns_campaign_years_in_order"):
        CampaignFactory(number="2/B", first_year=2021, last_year=2020)


def test_equal_classification_thresholds_are_accepted():
    campaign = CampaignFactory(number="1/A", excellent_min=80, good_min=80, completed_min=0)
    campaign.refresh_from_db()
    assert campaign.completed_min == 0


@pytest.mark.parametrize(
    "thresholds",
    [
        pytest.param({"excellent_min": 69, "good_min": 70}, id="excellent-below-good"),
        pytest.param({"good_min": 49, "completed_min": 50}, id="good-below-completed"),
        pytest.param({"completed_min": -1}, id="completed-below-zero"),
    ],
)
def test_classification_thresholds_must_go_down_from_excellent_to_completed(thresholds):
    with refused_by("campaigns_campaign_thresholds_in_order"):
        CampaignFactory(number="9/X", **thresholds)


def test_the_minimum_coverage_is_a_percentage():
    CampaignFactory(number="9/Y", coverage_threshold=100)  # positive control: every unit
    with refused_by("campaigns_campaign_coverage_threshold_percent"):
        CampaignFactory(number="9/X", coverage_threshold=101)


def test_the_falling_back_threshold_is_a_percentage():
    CampaignFactory(number="9/Z", falling_back_threshold=Decimal("0.5"))  # positive control
    with refused_by("campaigns_campaign_falling_back_threshold_percent"):
        CampaignFactory(number="9/W", falling_back_threshold=Decimal("100.5"))


def test_an_appraisal_opinion_has_text_and_an_agreement_has_none():
    AppraisalFactory(verdict=AppraisalVerdict.OPINION, comment="Chưa khớp")  # positive control
    AppraisalFactory(verdict=AppraisalVerdict.OPINION, opinions={"LABOUR": "Chưa khớp"})
    with refused_by("campaigns_appraisal_opinion_has_text"):
        AppraisalFactory(verdict=AppraisalVerdict.OPINION)
    with refused_by("campaigns_appraisal_agreement_has_no_opinions"):
        AppraisalFactory(verdict=AppraisalVerdict.AGREED, opinions={"LABOUR": "Chưa khớp"})


def test_an_appraisal_of_a_report_keeps_the_version_it_read():
    with refused_by("campaigns_appraisal_report_version_kept"):
        AppraisalFactory(submission_version=None)


def test_a_campaign_cannot_succeed_itself():
    campaign = CampaignFactory()
    campaign.successor = campaign
    with refused_by("campaigns_campaign_not_own_successor"):
        campaign.save()


def test_a_campaign_has_each_year_once():
    period = PeriodFactory()
    with refused_by("campaigns_period_one_per_year"):
        ReportingPeriod.objects.create(
            campaign=period.campaign,
            year=period.year,
            opens_on=period.opens_on,
            deadline=period.deadline,
        )


def test_a_year_deadline_cannot_be_before_it_opens():
    PeriodFactory(year=2018, opens_on=date(2018, 1, 1), deadline=date(2018, 1, 1))  # same day
    with refused_by("campaigns_period_deadline_after_opening"):
        PeriodFactory(year=2019, opens_on=date(2019, 1, 1), deadline=date(2018, 12, 31))


def test_unlocking_a_year_needs_a_reason():
    PeriodEventFactory(kind=PeriodEventKind.LOCKED, reason="")  # positive: locking needs none
    with refused_by("campaigns_periodevent_unlock_has_reason"):
        PeriodEventFactory(kind=PeriodEventKind.UNLOCKED, reason="")


def test_a_unit_gets_one_deadline_extension_per_year():
    extension = DeadlineExtensionFactory()
    with refused_by("campaigns_extension_one_per_unit_period"):
        DeadlineExtensionFactory(period=extension.period, unit=extension.unit)


def test_a_deadline_extension_needs_a_reason():
    with refused_by("campaigns_extension_has_reason"):
        DeadlineExtensionFactory(reason="")


def test_bloc_codes_are_unique_within_a_campaign():
    bloc = BlocFactory()
    with refused_by("campaigns_bloc_unique_code"):
        BlocFactory(campaign=bloc.campaign, code=bloc.code)


def test_a_unit_is_in_a_bloc_once():
    membership = BlocMembershipFactory()
    with refused_by("campaigns_blocmembership_unique"):
        BlocMembershipFactory(bloc=membership.bloc, unit=membership.unit)


def test_a_criterion_cannot_be_its_own_parent():
    criterion = CriterionFactory()
    CriterionFactory(bloc=criterion.bloc, parent=criterion)  # positive control: a real child
    criterion.parent = criterion
    with refused_by("campaigns_criterion_not_own_parent"):
        criterion.save()


def test_criterion_codes_are_unique_within_a_bloc():
    criterion = CriterionFactory()
    CriterionFactory(code=criterion.code)  # positive control: same code in another bloc
    with refused_by("campaigns_criterion_unique_code"):
        CriterionFactory(bloc=criterion.bloc, code=criterion.code)


@pytest.mark.parametrize("max_points", [0, -5])
def test_a_criterion_maximum_must_be_above_zero(max_points):
    CriterionFactory(max_points=Decimal("0.25"))  # positive control: small but above zero
    with refused_by("campaigns_criterion_max_points_positive"):
        CriterionFactory(max_points=max_points)


def test_a_unit_registers_once_per_year():
    registration = RegistrationFactory()
    with refused_by("campaigns_registration_one_per_unit_period"):
        RegistrationFactory(period=registration.period, unit=registration.unit)


def test_a_unit_has_one_yearly_report_per_year():
    submission = SubmissionFactory()
    with refused_by("campaigns_submission_one_per_unit_period"):
        SubmissionFactory(period=submission.period, unit=submission.unit)


def test_a_draft_needs_no_submission_time():
    submission = SubmissionFactory(status=SubmissionStatus.DRAFT, submitted_at=None)
    submission.refresh_from_db()
    assert submission.submitted_at is None


@pytest.mark.parametrize(
    "status", [SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.ACCEPTED]
)
def test_a_report_past_draft_needs_its_submission_time(status):
    with refused_by("campaigns_submission_submitted_has_time"):
        SubmissionFactory(status=status, submitted_at=None, accepted_at=timezone.now())


def test_an_accepted_report_needs_its_acceptance_time():
    SubmissionFactory(accepted=True)  # positive control: both times set
    with refused_by("campaigns_submission_accepted_has_time"):
        SubmissionFactory(
            status=SubmissionStatus.ACCEPTED, submitted_at=timezone.now(), accepted_at=None
        )


def test_a_report_version_starts_at_one():
    with refused_by("campaigns_submission_version_positive"):
        SubmissionFactory(version=0)


def test_returning_a_report_needs_a_reason_overall_or_on_a_field():
    SubmissionStepFactory(to_status=SubmissionStatus.SUBMITTED, comment="")  # positive control
    SubmissionStepFactory(
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.RETURNED,
        field_comments={"narrative": "Bổ sung kết quả quý IV."},
    )
    with refused_by("campaigns_step_return_has_reason"):
        SubmissionStepFactory(to_status=SubmissionStatus.RETURNED, comment="")


@pytest.mark.parametrize(
    ("action", "from_status", "to_status"),
    [
        (StepAction.SUBMIT, SubmissionStatus.DRAFT, SubmissionStatus.ACCEPTED),
        (StepAction.ACCEPT, SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED),
        (StepAction.SCORE, SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED),
    ],
)
def test_a_step_action_matches_the_status_it_leaves(action, from_status, to_status):
    SubmissionStepFactory(  # positive control: scoring leaves the status as it was
        action=StepAction.SCORE,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.SUBMITTED,
    )
    with refused_by("campaigns_step_action_matches_status"):
        SubmissionStepFactory(
            action=action, from_status=from_status, to_status=to_status, comment="x"
        )


def test_marking_a_unit_as_not_reporting_needs_a_reason():
    SubmissionStepFactory(
        action=StepAction.NOT_REPORTING,
        from_status=SubmissionStatus.DRAFT,
        to_status=SubmissionStatus.DRAFT,
        comment="Đơn vị giải thể từ tháng 6.",
    )
    with refused_by("campaigns_step_not_reporting_has_reason"):
        SubmissionStepFactory(
            action=StepAction.NOT_REPORTING,
            from_status=SubmissionStatus.DRAFT,
            to_status=SubmissionStatus.DRAFT,
            comment="",
        )


@pytest.mark.parametrize("status", [SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED])
def test_only_an_accepted_report_is_classified(status):
    SubmissionFactory(accepted=True, classification=Classification.GOOD)  # positive control
    with refused_by("campaigns_submission_classified_when_accepted"):
        SubmissionFactory(status=status, submitted=True, classification=Classification.GOOD)


def test_board_points_that_differ_from_the_units_need_a_justification():
    CriterionScoreFactory(self_points=8, board_points=8, board_justification="")  # agree
    CriterionScoreFactory(self_points=8, board_points=6, board_justification="Thiếu minh chứng.")
    with refused_by("campaigns_score_board_difference_justified"):
        CriterionScoreFactory(self_points=8, board_points=6, board_justification="")
    with refused_by("campaigns_score_board_difference_justified"):
        CriterionScoreFactory(self_points=None, board_points=6, board_justification="")


def test_a_criterion_is_scored_once_per_report():
    score = CriterionScoreFactory()
    with refused_by("campaigns_score_one_per_criterion"):
        CriterionScoreFactory(submission=score.submission, criterion=score.criterion)


@pytest.mark.parametrize("field", ["self_points", "board_points"])
def test_points_at_the_maximum_and_unscored_points_are_accepted(field):
    at_max = CriterionScoreFactory(criterion__max_points=15, **{field: 15})
    unscored = CriterionScoreFactory(**{field: None})
    at_max.refresh_from_db()
    unscored.refresh_from_db()
    assert getattr(at_max, field) == 15
    assert getattr(unscored, field) is None


def test_self_assessed_points_cannot_exceed_the_criterion_maximum():
    with refused_by("campaigns_score_self_points_within_max"):
        CriterionScoreFactory(criterion__max_points=15, self_points=Decimal("15.01"))


def test_self_assessed_points_cannot_be_negative():
    with refused_by("campaigns_score_self_points_within_max"):
        CriterionScoreFactory(self_points=-1)


def test_board_points_cannot_exceed_the_criterion_maximum():
    with refused_by("campaigns_score_board_points_within_max"):
        CriterionScoreFactory(criterion__max_points=15, board_points=Decimal("15.01"))


def test_board_points_cannot_be_negative():
    with refused_by("campaigns_score_board_points_within_max"):
        CriterionScoreFactory(board_points=-1)


@pytest.mark.postgres
def test_a_score_maximum_must_be_its_criterions_maximum():
    criterion = CriterionFactory(max_points=15)
    with refused_by("campaigns_score_max_points_follow_criterion"):
        CriterionScoreFactory(criterion=criterion, max_points=30, self_points=20)


@pytest.mark.postgres
def test_lowering_a_criterion_maximum_below_given_points_is_refused():
    score = CriterionScoreFactory(criterion__max_points=20, self_points=18)
    criterion = score.criterion
    criterion.max_points = 15
    with refused_by("campaigns_score_self_points_within_max"):
        criterion.save()


@pytest.mark.postgres
def test_changing_a_criterion_maximum_carries_over_to_its_scores():
    score = CriterionScoreFactory(criterion__max_points=20, self_points=18, board_points=10)
    Criterion.objects.filter(pk=score.criterion_id).update(max_points=25)
    score.refresh_from_db()
    assert score.max_points == 25
    Criterion.objects.filter(pk=score.criterion_id).update(max_points=18)  # still ≥ the points
    score.refresh_from_db()
    assert score.max_points == 18


def test_a_unit_is_proposed_once_per_award_and_year():
    proposal = AwardProposalFactory()
    with refused_by("campaigns_proposal_one_per_nominee_form"):
        AwardProposalFactory(period=proposal.period, unit=proposal.unit, award=proposal.award)


def test_an_approved_proposal_with_its_decision_is_accepted():
    proposal = AwardProposalFactory(
        status=ProposalStatus.APPROVED,
        decision_number="123/QĐ-UBND",
        decision_date=date(2020, 5, 1),
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED


@pytest.mark.parametrize(
    "decision",
    [
        pytest.param({"decision_number": "", "decision_date": date(2020, 5, 1)}, id="no-number"),
        pytest.param({"decision_number": "123/QĐ-UBND", "decision_date": None}, id="no-date"),
    ],
)
def test_an_approved_proposal_needs_the_decision_number_and_date(decision):
    with refused_by("campaigns_proposal_approved_has_decision"):
        AwardProposalFactory(status=ProposalStatus.APPROVED, **decision)


def test_support_to_a_commune_is_listed_once_per_report():
    support = SponsorshipSupportFactory()
    with refused_by("campaigns_support_one_per_commune"):
        SponsorshipSupportFactory(submission=support.submission, commune=support.commune)


def test_sponsorship_support_money_cannot_be_negative():
    with refused_by("campaigns_sponsorshipsupport_money_vnd_check"):
        SponsorshipSupportFactory(money_vnd=-1)


def test_a_communication_count_cannot_be_negative():
    CommunicationItemFactory(count=0)  # positive control: zero is a count
    with refused_by("campaigns_communicationitem_count_check"):
        CommunicationItemFactory(count=-1)


def test_a_campaign_has_one_form_of_each_kind_per_stage():
    form = AwardFormFactory()
    AwardFormFactory(campaign=form.campaign, stage=AwardStage.FINAL)  # positive control
    with refused_by("campaigns_awardform_one_per_kind_stage"):
        AwardFormFactory(campaign=form.campaign)


def test_a_forms_quota_is_at_least_one():
    AwardFormFactory(quota=1)  # positive control
    with refused_by("campaigns_awardform_quota_positive"):
        AwardFormFactory(quota=0)


def test_a_giay_khen_is_recorded_not_proposed_by_the_board():
    AwardFormFactory(kind=AwardKind.COMMENDATION, level=AwardLevel.LOCAL, board_proposes=False)
    with refused_by("campaigns_awardform_local_not_proposed"):
        AwardFormFactory(kind=AwardKind.COMMENDATION, level=AwardLevel.LOCAL, board_proposes=True)


def test_a_form_names_itself_and_who_grants_it():
    with refused_by("campaigns_awardform_named"):
        AwardFormFactory(authority="")


def test_a_unit_has_one_nominee_of_a_name_and_kind():
    nominee = NomineeFactory()
    NomineeFactory(unit=nominee.unit, name=nominee.name, kind=NomineeKind.HOUSEHOLD)
    with refused_by("campaigns_nominee_unique_name"):
        NomineeFactory(unit=nominee.unit, name=nominee.name)


def test_a_unit_has_one_collective_nominee():
    collective = NomineeFactory(kind=NomineeKind.COLLECTIVE, name="Nhân dân và cán bộ huyện A")
    with refused_by("campaigns_nominee_one_collective_per_unit"):
        NomineeFactory(kind=NomineeKind.COLLECTIVE, unit=collective.unit, name="Khác")


def test_a_nominee_has_a_name():
    with refused_by("campaigns_nominee_named"):
        NomineeFactory(name="")


def test_a_decision_number_is_registered_once_a_year():
    decision = AwardDecisionFactory(number="15/QĐ-UBND", signed_on=date(2020, 4, 1))
    AwardDecisionFactory(number="15/QĐ-UBND", signed_on=date(2021, 4, 1), period=decision.period)
    with refused_by("campaigns_awarddecision_unique_number_year"):
        AwardDecisionFactory(
            number="15/QĐ-UBND", signed_on=date(2020, 9, 1), period=decision.period
        )


def test_a_decision_has_its_number_and_signer():
    with refused_by("campaigns_awarddecision_number_and_signer"):
        AwardDecisionFactory(signer_name="")


def test_one_achievement_earns_one_form_in_the_history():
    period = PeriodFactory()
    record = AwardRecordFactory(period=period)
    AwardRecordFactory(nominee=record.nominee, period=None)  # positive control: no achievement
    with refused_by("campaigns_awardrecord_one_form_per_achievement"):
        AwardRecordFactory(nominee=record.nominee, period=period, form=record.form)


def test_no_two_state_awards_to_one_nominee_in_one_year():
    state = AwardFormFactory(kind=AwardKind.PM_CERTIFICATE, level=AwardLevel.STATE)
    record = AwardRecordFactory(form=state, decided_on=date(2021, 3, 1))
    AwardRecordFactory(nominee=record.nominee, form=state, decided_on=date(2022, 3, 1))
    with refused_by("campaigns_awardrecord_one_state_award_a_year"):
        AwardRecordFactory(nominee=record.nominee, form=state, decided_on=date(2021, 11, 1))


def test_an_award_in_the_history_names_its_decision():
    with refused_by("campaigns_awardrecord_has_decision"):
        AwardRecordFactory(decision_number="")


# --- indicators -----------------------------------------------------------------------------


def test_indicator_codes_are_unique_within_a_campaign():
    indicator = IndicatorFactory()
    with refused_by("indicators_indicator_unique_code"):
        IndicatorFactory(campaign=indicator.campaign, code=indicator.code)


def test_single_value_and_open_ended_targets_are_accepted():
    made = [
        IndicatorFactory(target_low=15, target_high=15),
        IndicatorFactory(target_low=52, target_high=None),
        IndicatorFactory(target_low=None, target_high=5),
    ]

    stored = Indicator.objects.filter(pk__in=[i.pk for i in made]).order_by("pk")
    assert list(stored.values_list("target_low", "target_high")) == [
        (Decimal(15), Decimal(15)),
        (Decimal(52), None),
        (None, Decimal(5)),
    ]


def test_a_target_range_cannot_run_backwards():
    with refused_by("indicators_indicator_target_range_in_order"):
        IndicatorFactory(target_low=20, target_high=15)


def test_an_indicator_needs_a_target():
    with refused_by("indicators_indicator_has_target"):
        IndicatorFactory(target_low=None, target_high=None)


def test_an_indicator_has_one_province_milestone_per_year():
    milestone = MilestoneFactory()
    MilestoneFactory(indicator=milestone.indicator, year=milestone.year, scope=DistrictFactory())
    with refused_by("indicators_milestone_one_per_year"):
        Milestone.objects.create(indicator=milestone.indicator, year=milestone.year, target_low=1)


def test_an_indicator_has_one_milestone_per_year_and_scope():
    milestone = MilestoneFactory(scope=DistrictFactory())
    MilestoneFactory(indicator=milestone.indicator, year=milestone.year, scope=DistrictFactory())
    with refused_by("indicators_milestone_one_per_year_scope"):
        MilestoneFactory(indicator=milestone.indicator, year=milestone.year, scope=milestone.scope)


def test_a_milestone_range_cannot_run_backwards():
    MilestoneFactory(year=2018, target_low=10, target_high=10)  # positive control
    with refused_by("indicators_milestone_range_in_order"):
        MilestoneFactory(year=2019, target_low=20, target_high=15)


def test_an_indicator_has_one_province_baseline():
    baseline = BaselineFactory()
    BaselineFactory(indicator=baseline.indicator, scope=DistrictFactory())  # positive control
    with refused_by("indicators_baseline_one_per_indicator"):
        BaselineFactory(indicator=baseline.indicator)


def test_an_indicator_has_one_baseline_per_scope():
    baseline = BaselineFactory(scope=DistrictFactory())
    with refused_by("indicators_baseline_one_per_indicator_scope"):
        BaselineFactory(indicator=baseline.indicator, scope=baseline.scope)


def test_a_baseline_names_its_source_document():
    with refused_by("indicators_baseline_has_source"):
        BaselineFactory(source_document="")


def test_a_baseline_is_not_negative():
    BaselineFactory(value=0)  # positive control
    with refused_by("indicators_baseline_not_negative"):
        BaselineFactory(value=-1)


def test_a_commune_has_one_set_of_figures_per_year():
    stats = CommuneStatisticsFactory()
    with refused_by("indicators_communestats_one_per_commune_year"):
        CommuneStatisticsFactory(commune=stats.commune, year=stats.year)


def test_households_at_the_total_and_unreported_figures_are_accepted():
    at_total = CommuneStatisticsFactory(
        total_households=500,
        poor_households=300,
        near_poor_households=200,
        ethnic_minority_households=500,
    )
    no_total = CommuneStatisticsFactory(total_households=None, poor_households=80)
    nothing = CommuneStatisticsFactory(total_households=None, poor_households=None)
    assert (
        CommuneStatistics.objects.filter(pk__in=[at_total.pk, no_total.pk, nothing.pk]).count() == 3
    )


def test_poor_households_cannot_exceed_total_households():
    with refused_by("indicators_communestats_poor_not_above_total"):
        CommuneStatisticsFactory(total_households=500, poor_households=501)


def test_near_poor_households_cannot_exceed_total_households():
    with refused_by("indicators_communestats_near_poor_not_above_total"):
        CommuneStatisticsFactory(total_households=500, near_poor_households=501)


def test_poor_and_near_poor_households_together_cannot_exceed_total_households():
    CommuneStatisticsFactory(total_households=500, poor_households=200, near_poor_households=300)
    with refused_by("indicators_communestats_poor_and_near_poor_not_above_total"):
        CommuneStatisticsFactory(
            total_households=500, poor_households=200, near_poor_households=301
        )


def test_ethnic_minority_households_cannot_exceed_total_households():
    with refused_by("indicators_communestats_ethnic_not_above_total"):
        CommuneStatisticsFactory(total_households=500, ethnic_minority_households=501)


def test_poor_ethnic_minority_households_cannot_exceed_poor_households():
    CommuneStatisticsFactory(poor_households=200, poor_ethnic_minority_households=200)
    with refused_by("indicators_communestats_poor_ethnic_not_above_poor"):
        CommuneStatisticsFactory(poor_households=200, poor_ethnic_minority_households=201)


def test_near_poor_ethnic_minority_households_cannot_exceed_near_poor_households():
    CommuneStatisticsFactory(near_poor_households=90, near_poor_ethnic_minority_households=90)
    with refused_by("indicators_communestats_near_poor_ethnic_not_above_near_poor"):
        CommuneStatisticsFactory(near_poor_households=90, near_poor_ethnic_minority_households=91)


def test_ethnic_minority_escapes_cannot_exceed_all_escapes():
    CommuneStatisticsFactory(escaped_poverty=40, escaped_poverty_ethnic_minority=40)
    # Either count alone is fine: the other was not reported.
    CommuneStatisticsFactory(escaped_poverty=None, escaped_poverty_ethnic_minority=40)
    with refused_by("indicators_communestats_escaped_ethnic_not_above_escaped"):
        CommuneStatisticsFactory(escaped_poverty=40, escaped_poverty_ethnic_minority=41)


def test_newly_poor_ethnic_minority_households_cannot_exceed_all_newly_poor():
    CommuneStatisticsFactory(newly_poor=7, newly_poor_ethnic_minority=7)
    with refused_by("indicators_communestats_newly_poor_ethnic_not_above_newly_poor"):
        CommuneStatisticsFactory(newly_poor=7, newly_poor_ethnic_minority=8)


def test_ethnic_minority_re_poverty_cannot_exceed_all_re_poverty():
    CommuneStatisticsFactory(fell_back=3, fell_back_ethnic_minority=3)
    with refused_by("indicators_communestats_fell_back_ethnic_not_above_fell_back"):
        CommuneStatisticsFactory(fell_back=3, fell_back_ethnic_minority=4)


@pytest.mark.parametrize(
    "field",
    [
        "total_households",
        "poor_households",
        "near_poor_households",
        "escaped_poverty",
        "newly_poor",
        "fell_back",
    ],
)
def test_household_counts_cannot_be_negative(field):
    # Without the comparisons to the total, only the non-negativity check can fail.
    figures = {"total_households": None, "poor_households": None, field: -1}
    with refused_by(f"indicators_communestatistics_{field}_check"):
        CommuneStatisticsFactory(**figures)


def test_households_lacking_a_service_are_never_more_than_their_group():
    """Each of the standard's ten indicators, for poor and near-poor households alike."""
    CommuneStatisticsFactory(  # positive control: as many as the group, and blank
        near_poor_households=5, poor_lacking_latrine=200, near_poor_lacking_latrine=5
    )

    def lacking(field: str, group: str = "poor_households") -> None:
        CommuneStatisticsFactory(**{group: 10, field: 11, "near_poor_households": 10})

    with refused_by("indicators_communestats_poor_lacking_health_services_le"):
        lacking("poor_lacking_health_services")
    with refused_by("indicators_communestats_poor_lacking_health_insurance_le"):
        lacking("poor_lacking_health_insurance")
    with refused_by("indicators_communestats_poor_lacking_adult_schooling_le"):
        lacking("poor_lacking_adult_schooling")
    with refused_by("indicators_communestats_poor_lacking_child_schooling_le"):
        lacking("poor_lacking_child_schooling")
    with refused_by("indicators_communestats_poor_lacking_housing_quality_le"):
        lacking("poor_lacking_housing_quality")
    with refused_by("indicators_communestats_poor_lacking_housing_area_le"):
        lacking("poor_lacking_housing_area")
    with refused_by("indicators_communestats_poor_lacking_clean_water_le"):
        lacking("poor_lacking_clean_water")
    with refused_by("indicators_communestats_poor_lacking_latrine_le"):
        lacking("poor_lacking_latrine")
    with refused_by("indicators_communestats_poor_lacking_telecom_le"):
        lacking("poor_lacking_telecom")
    with refused_by("indicators_communestats_poor_lacking_information_assets_le"):
        lacking("poor_lacking_information_assets")
    with refused_by("indicators_communestats_near_poor_lacking_health_services_le"):
        lacking("near_poor_lacking_health_services", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_health_insurance_le"):
        lacking("near_poor_lacking_health_insurance", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_adult_schooling_le"):
        lacking("near_poor_lacking_adult_schooling", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_child_schooling_le"):
        lacking("near_poor_lacking_child_schooling", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_housing_quality_le"):
        lacking("near_poor_lacking_housing_quality", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_housing_area_le"):
        lacking("near_poor_lacking_housing_area", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_clean_water_le"):
        lacking("near_poor_lacking_clean_water", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_latrine_le"):
        lacking("near_poor_lacking_latrine", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_telecom_le"):
        lacking("near_poor_lacking_telecom", "near_poor_households")
    with refused_by("indicators_communestats_near_poor_lacking_information_assets_le"):
        lacking("near_poor_lacking_information_assets", "near_poor_households")


def test_model_names_are_unique_within_a_unit():
    model = PovertyModelFactory()
    PovertyModelFactory(name=model.name)  # positive control: same name in another unit
    with refused_by("indicators_povertymodel_unique_name"):
        PovertyModelFactory(unit=model.unit, name=model.name)


def test_participating_households_of_a_model_cannot_be_negative():
    with refused_by("indicators_povertymodel_participating_households_check"):
        PovertyModelFactory(participating_households=-1)


def test_a_model_has_one_result_per_year():
    result = ModelResultFactory()
    with refused_by("indicators_modelresult_one_per_year"):
        ModelResultFactory(model=result.model, year=result.year)


def test_households_that_escaped_poverty_cannot_exceed_participating_households():
    ModelResultFactory(year=2018, participating_households=40, escaped_households=40)  # boundary
    with refused_by("indicators_modelresult_escaped_not_above_participating"):
        ModelResultFactory(year=2019, participating_households=40, escaped_households=41)


def test_an_indicator_is_reported_once_per_report():
    value = ReportedValueFactory()
    with refused_by("indicators_reportedvalue_one_per_indicator"):
        ReportedValueFactory(submission=value.submission, indicator=value.indicator)


def test_a_reported_count_at_its_total_or_without_total_is_accepted():
    made = [
        ReportedValueFactory(numerator=100, denominator=100),
        ReportedValueFactory(numerator=52, denominator=None),
        ReportedValueFactory(numerator=None, denominator=None, value=Decimal("12.5")),
    ]

    stored = ReportedValue.objects.filter(pk__in=[v.pk for v in made]).order_by("pk")
    assert list(stored.values_list("numerator", "denominator", "value")) == [
        (100, 100, None),
        (52, None, None),
        (None, None, Decimal("12.5")),
    ]


def test_a_reported_count_cannot_exceed_its_total():
    with refused_by("indicators_reportedvalue_count_not_above_total"):
        ReportedValueFactory(numerator=101, denominator=100)


def test_a_reported_total_must_be_above_zero():
    ReportedValueFactory(numerator=None, denominator=None)  # not reported yet
    with refused_by("indicators_reportedvalue_total_positive"):
        ReportedValueFactory(numerator=0, denominator=0)


def test_an_indicator_is_in_a_registration_once():
    target = RegisteredTargetFactory()
    with refused_by("indicators_registeredtarget_one_per_indicator"):
        RegisteredTargetFactory(registration=target.registration, indicator=target.indicator)


def test_an_import_progress_is_at_most_100():
    ImportBatchFactory(progress=100)  # positive control
    with refused_by("indicators_importbatch_progress_at_most_100"):
        ImportBatchFactory(progress=101)


def test_an_applied_import_records_when_it_was_applied():
    ImportBatchFactory(state=ImportState.APPLIED, applied_at=timezone.now())  # positive control
    with refused_by("indicators_importbatch_applied_has_time"):
        ImportBatchFactory(state=ImportState.APPLIED, applied_at=None)


def test_the_figures_version_is_one_row():
    FiguresVersion.objects.get_or_create(pk=1)  # positive control
    with refused_by("indicators_figuresversion_one_row"):
        FiguresVersion.objects.create(id=2)


# --- reports --------------------------------------------------------------------------------


def test_a_report_job_progress_is_at_most_100():
    ReportJobFactory(progress=100)  # positive control
    with refused_by("reports_reportjob_progress_at_most_100"):
        ReportJobFactory(progress=101)


def test_a_finished_report_job_has_its_file():
    ReportJobFactory(done=True)  # positive control
    with refused_by("reports_reportjob_done_has_file"):
        ReportJobFactory(state=JobState.DONE, file="")


def test_an_unfinished_report_job_needs_no_file():
    job = ReportJobFactory(state=JobState.RUNNING, file="")
    job.refresh_from_db()
    assert not job.file


def test_a_report_job_counts_no_more_parts_than_it_has():
    ReportJobFactory(state=JobState.RUNNING, parts_total=3, parts_done=3)  # positive control
    with refused_by("reports_reportjob_parts_done_at_most_total"):
        ReportJobFactory(state=JobState.RUNNING, parts_total=3, parts_done=4)


def test_a_failed_report_job_says_why():
    ReportJobFactory(state=JobState.FAILED, error_code=FailureCode.INTERNAL)  # positive control
    with refused_by("reports_reportjob_failed_has_reason"):
        ReportJobFactory(state=JobState.FAILED, error_code="")


def test_a_revoked_api_token_keeps_when_it_was_revoked():
    admin = UserFactory(admin=True)
    ApiTokenFactory(revoked_at=timezone.now(), revoked_by=admin)  # positive control
    with refused_by("reports_apitoken_revoked_has_time"):
        ApiTokenFactory(revoked_at=None, revoked_by=admin)


# --- The Board's documents ----------------------------------------------------------------------


def _setup(**fields):
    return DocumentSetup.objects.create(
        issuing_body="BAN THI ĐUA - KHEN THƯỞNG",
        issuer_code="BTĐKT",
        head_title="TRƯỞNG BAN",
        updated_by=UserFactory(board=True),
        **fields,
    )


def test_a_deputy_signs_under_their_own_title():
    _setup(kind="province", signing=Signing.DEPUTY, signer_title="PHÓ TRƯỞNG BAN")  # control
    with refused_by("reports_documentsetup_signer_title_when_not_head"):
        _setup(kind="awards", signing=Signing.DEPUTY, signer_title="")


def test_a_document_is_one_per_kind_and_year():
    campaign = CampaignFactory()
    BoardDocument.objects.create(campaign=campaign, kind="province", year=2019)
    BoardDocument.objects.create(campaign=campaign, kind="province", year=2018)  # control
    with refused_by("reports_boarddocument_one_per_kind_year"):
        BoardDocument.objects.create(campaign=campaign, kind="province", year=2019)


def test_a_campaign_has_one_mid_term_review():
    campaign = CampaignFactory()
    BoardDocument.objects.create(campaign=campaign, kind="interim", year=2019)
    with refused_by("reports_boarddocument_one_review_per_campaign"):
        BoardDocument.objects.create(campaign=campaign, kind="interim", year=2018)


def test_an_approval_names_its_approver():
    campaign = CampaignFactory()
    BoardDocument.objects.create(  # positive control
        campaign=campaign,
        kind="province",
        year=2018,
        approved_at=timezone.now(),
        approved_by=UserFactory(board=True),
    )
    with refused_by("reports_boarddocument_approval_has_approver"):
        BoardDocument.objects.create(
            campaign=campaign, kind="province", year=2019, approved_at=timezone.now()
        )


def test_a_registered_number_comes_with_its_date():
    campaign = CampaignFactory()
    BoardDocument.objects.create(  # positive control
        campaign=campaign,
        kind="province",
        year=2018,
        registered_number="12/BC-BTĐKT",
        issued_on=date(2019, 1, 10),
    )
    with refused_by("reports_boarddocument_number_with_date"):
        BoardDocument.objects.create(
            campaign=campaign, kind="province", year=2019, registered_number="13/BC-BTĐKT"
        )


def test_versions_are_numbered_once_from_one():
    document = BoardDocument.objects.create(campaign=CampaignFactory(), kind="final", year=2020)
    writer = UserFactory(board=True)
    NarrativeVersion.objects.create(document=document, number=1, written_by=writer)  # control
    with refused_by("reports_narrativeversion_one_number"):
        NarrativeVersion.objects.create(document=document, number=1, written_by=writer)
    with refused_by("reports_narrativeversion_number_from_one"):
        NarrativeVersion.objects.create(document=document, number=0, written_by=writer)


# --- notices, reminders, requests for more time, district confirmations ----------------------


def test_an_e_mail_opt_out_is_recorded_once_per_kind():
    person = UserFactory()
    EmailOptOut.objects.create(user=person, kind=NotificationKind.PDF_READY)
    with refused_by("units_emailoptout_once"):
        EmailOptOut.objects.create(user=person, kind=NotificationKind.PDF_READY)


def test_a_reminder_is_sent_once_a_day_per_stage():
    officer = UserFactory()
    row = {
        "recipient": officer,
        "unit": officer.unit,
        "topic": "period:1",
        "stage": ReminderStage.DAYS_7,
        "sent_on": date(2020, 1, 8),
    }
    ReminderSent.objects.create(**row)
    ReminderSent.objects.create(**{**row, "sent_on": date(2020, 1, 9)})  # positive control
    with refused_by("units_remindersent_once_a_day"):
        ReminderSent.objects.create(**row)


def _extension_request(**fields):
    officer = fields.pop("officer", None) or UserFactory()
    values = {
        "period": fields.pop("period", None) or PeriodFactory(),
        "unit": officer.unit,
        "requested_deadline": date(2020, 2, 1),
        "reason": "Lũ lụt.",
        "requested_by": officer,
        **fields,
    }
    return ExtensionRequest.objects.create(**values)


def test_one_request_for_more_time_waits_at_a_time():
    officer = UserFactory()
    first = _extension_request(officer=officer)
    with refused_by("campaigns_extensionrequest_one_pending"):
        _extension_request(officer=officer, period=first.period)


def test_a_request_for_more_time_has_a_reason():
    with refused_by("campaigns_extensionrequest_has_reason"):
        _extension_request(reason="")


def test_a_decided_request_says_who_when_and_the_date_or_the_reason():
    board = UserFactory(board=True)
    _extension_request(  # positive control: a complete approval
        status="approved",
        approved_deadline=date(2020, 2, 1),
        decided_by=board,
        decided_at=timezone.now(),
    )
    with refused_by("campaigns_extensionrequest_decision_complete"):
        _extension_request(status="approved", decided_by=board, decided_at=timezone.now())
    with refused_by("campaigns_extensionrequest_decision_complete"):
        _extension_request(status="refused", decided_by=board, decided_at=timezone.now())


def test_a_district_confirms_a_year_once():
    officer = UserFactory()
    DistrictConfirmation.objects.create(year=2019, district=officer.unit, confirmed_by=officer)
    with refused_by("indicators_districtconfirmation_once_a_year"):
        DistrictConfirmation.objects.create(year=2019, district=officer.unit, confirmed_by=officer)
