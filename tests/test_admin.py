"""The Django admin: every model answers, lists stay cheap, bad input gets a message, not a 500."""

from datetime import date
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaigns.models import (
    Campaign,
    Criterion,
    CriterionScore,
    DeadlineExtension,
    ExtensionRequest,
    PeriodState,
    SubmissionStep,
)
from indicators.models import (
    CommuneStatistics,
    DistrictConfirmation,
    FiguresVersion,
    ReportFormVersion,
)
from reports.models import BoardDocument, DocumentSetup, NarrativeVersion
from tests.factories import (
    ApiTokenFactory,
    AppraisalFactory,
    AwardDecisionFactory,
    AwardFormFactory,
    AwardProposalFactory,
    AwardRecordFactory,
    BaselineChangeFactory,
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
    EvidenceFactory,
    ImportBatchFactory,
    IndicatorFactory,
    MilestoneFactory,
    ModelResultFactory,
    NomineeFactory,
    PeriodEventFactory,
    PeriodFactory,
    PovertyModelFactory,
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
    Notification,
    NotificationKind,
    ReminderSent,
    ReminderStage,
    Role,
    Unit,
    User,
)

pytestmark = pytest.mark.django_db

PORTAL_APPS = ("units", "campaigns", "indicators", "reports")

# One valid row per registered model, so changelists render real columns, not an empty table.
MAKERS = {
    "auth.group": lambda: Group.objects.create(name="Ban Thi đua – Khen thưởng"),
    # django-otp's own admin: where an administrator resets a person's lost second factor.
    "otp_totp.totpdevice": lambda: TOTPDevice.objects.create(user=UserFactory(), name="app"),
    "otp_static.staticdevice": lambda: StaticDevice.objects.create(
        user=UserFactory(), name="codes"
    ),
    "units.unit": CommuneFactory,
    "units.unitflag": UnitFlagFactory,
    "units.unitchange": UnitChangeFactory,
    "units.sponsorship": SponsorshipFactory,
    "units.user": UserFactory,
    "campaigns.campaign": CampaignFactory,
    "campaigns.reportingperiod": PeriodFactory,
    "campaigns.periodevent": PeriodEventFactory,
    "campaigns.appraisal": AppraisalFactory,
    "campaigns.deadlineextension": DeadlineExtensionFactory,
    "campaigns.emulationbloc": BlocFactory,
    "campaigns.blocmembership": BlocMembershipFactory,
    "campaigns.criterion": CriterionFactory,
    "campaigns.registration": RegistrationFactory,
    "campaigns.submission": SubmissionFactory,
    "campaigns.submissionstep": SubmissionStepFactory,
    "campaigns.evidence": EvidenceFactory,
    "campaigns.criterionscore": lambda: CriterionScoreFactory(self_points=5),
    "campaigns.awardproposal": AwardProposalFactory,
    "campaigns.awardform": AwardFormFactory,
    "campaigns.nominee": NomineeFactory,
    "campaigns.awarddecision": AwardDecisionFactory,
    "campaigns.awardrecord": AwardRecordFactory,
    "campaigns.sponsorshipsupport": SponsorshipSupportFactory,
    "campaigns.communicationitem": CommunicationItemFactory,
    "indicators.indicator": IndicatorFactory,
    "indicators.milestone": MilestoneFactory,
    "indicators.baseline": BaselineFactory,
    "indicators.baselinechange": BaselineChangeFactory,
    "indicators.communestatistics": CommuneStatisticsFactory,
    "indicators.povertymodel": PovertyModelFactory,
    "indicators.modelresult": ModelResultFactory,
    "indicators.reportedvalue": ReportedValueFactory,
    "indicators.registeredtarget": RegisteredTargetFactory,
    "indicators.importbatch": ImportBatchFactory,
    "indicators.figuresversion": lambda: FiguresVersion.objects.get_or_create(pk=1)[0],
    "indicators.reportformversion": lambda: ReportFormVersion.objects.get_or_create(pk=1)[0],
    "reports.reportjob": lambda: ReportJobFactory(done=True),
    "reports.apitoken": ApiTokenFactory,
    "reports.documentsetup": lambda: DocumentSetup.objects.create(
        kind="province",
        issuing_body="BAN THI ĐUA - KHEN THƯỞNG",
        issuer_code="BTĐKT",
        head_title="TRƯỞNG BAN",
        updated_by=UserFactory(board=True),
    ),
    "reports.boarddocument": lambda: BoardDocument.objects.create(
        campaign=CampaignFactory(), kind="final", year=2020
    ),
    "reports.narrativeversion": lambda: NarrativeVersion.objects.create(
        document=BoardDocument.objects.create(campaign=CampaignFactory(), kind="final", year=2020),
        number=1,
        lessons="Bài học",
        written_by=UserFactory(board=True),
    ),
    # django-axes' records of sign-ins; deleting an attempt there unlocks it.
    "axes.accessattempt": lambda: AccessAttempt.objects.create(
        username="ghost", ip_address="203.0.113.9", user_agent="test", failures_since_start=5
    ),
    "axes.accesslog": lambda: AccessLog.objects.create(
        username="board", ip_address="203.0.113.9", user_agent="test"
    ),
    "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(
        username="ghost", ip_address="203.0.113.9", user_agent="test"
    ),
    "units.accountchange": lambda: AccountChange.objects.create(
        account=UserFactory(), action=AccountAction.CREATED, by=UserFactory(board=True)
    ),
    # Value history: every save of a tracked row writes one record.
    "campaigns.historicalsubmission": lambda: SubmissionFactory().history.get(),
    "campaigns.historicalcriterionscore": lambda: CriterionScoreFactory(
        self_points=5
    ).history.get(),
    "indicators.historicalcommunestatistics": lambda: CommuneStatisticsFactory().history.get(),
    "indicators.historicalmodelresult": lambda: ModelResultFactory().history.get(),
    "indicators.historicalreportedvalue": lambda: ReportedValueFactory().history.get(),
    # Notices, reminders and e-mail choices: written by the portal and each person's page.
    "units.notification": lambda: Notification.objects.create(
        recipient=UserFactory(), kind=NotificationKind.PDF_READY, message="Báo cáo PDF"
    ),
    "units.remindersent": lambda: ReminderSent.objects.create(
        recipient=(officer := UserFactory()),
        unit=officer.unit,
        topic="period:1",
        stage=ReminderStage.DAYS_7,
        sent_on=date(2020, 1, 8),
    ),
    "units.emailoptout": lambda: EmailOptOut.objects.create(
        user=UserFactory(), kind=NotificationKind.PDF_READY
    ),
    "campaigns.extensionrequest": lambda: ExtensionRequest.objects.create(
        period=PeriodFactory(),
        unit=(officer := UserFactory()).unit,
        requested_deadline=date(2020, 2, 1),
        reason="Lũ lụt.",
        requested_by=officer,
    ),
    "indicators.districtconfirmation": lambda: DistrictConfirmation.objects.create(
        year=2019, district=(officer := UserFactory()).unit, confirmed_by=officer
    ),
}
# Rows only the workflow writes: the admin shows them but offers no "add".
ADD_REFUSED = {
    "campaigns.awarddecision",
    "campaigns.awardrecord",
    "campaigns.periodevent",
    # Written on DOLISA's pages only.
    "campaigns.appraisal",
    "campaigns.submissionstep",
    "campaigns.evidence",
    "indicators.importbatch",
    # Set on the Board's roadmap page, which keeps every change.
    "indicators.baseline",
    "indicators.baselinechange",
    "indicators.figuresversion",
    "indicators.reportformversion",
    "reports.reportjob",
    # Written on the Board's document pages, which keep every version.
    "reports.documentsetup",
    "reports.boarddocument",
    "reports.narrativeversion",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    # Written by the Board's account pages and by saves: read-only records.
    "units.accountchange",
    "campaigns.historicalsubmission",
    "campaigns.historicalcriterionscore",
    "indicators.historicalcommunestatistics",
    "indicators.historicalmodelresult",
    "indicators.historicalreportedvalue",
    "units.notification",
    "units.remindersent",
    "units.emailoptout",
    "campaigns.extensionrequest",
    "indicators.districtconfirmation",
}
REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)


def admin_url(label: str, view: str, *args) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    """Logged in as the administrator persona from conftest."""
    client.force_login(admin_user)
    return client


def test_every_model_of_the_portal_has_an_admin():
    portal_models = {
        model._meta.label_lower
        for app in PORTAL_APPS
        for model in apps.get_app_config(app).get_models()
    }
    assert portal_models - set(REGISTERED) == set()
    assert set(MAKERS) == set(REGISTERED)


def test_only_workflow_records_refuse_the_add_page(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    refused = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if not model_admin.has_add_permission(request)
    }
    assert refused == ADD_REFUSED


@pytest.mark.parametrize("label", REGISTERED)
def test_changelist_lists_rows(admin_client, label):
    MAKERS[label]()
    expected = apps.get_model(label).objects.count()

    response = admin_client.get(admin_url(label, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == expected >= 1


@pytest.mark.parametrize("label", REGISTERED)
def test_add_page_opens_unless_only_the_workflow_writes_the_model(admin_client, label):
    response = admin_client.get(admin_url(label, "add"))

    assert response.status_code == (403 if label in ADD_REFUSED else 200)


@pytest.mark.parametrize("label", REGISTERED)
def test_change_page_opens(admin_client, label):
    obj = MAKERS[label]()

    response = admin_client.get(admin_url(label, "change", obj.pk))

    assert response.status_code == 200


def test_admin_pages_carry_the_portal_title_in_vietnamese(admin_client):
    response = admin_client.get(reverse("admin:index"))

    with translation.override("vi"):
        header = str(admin.site.site_header)
    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()
    assert header in response.content.decode()


# --- Lists stay cheap -----------------------------------------------------------------------


def many_units(count):
    districts = DistrictFactory.create_batch(3)
    return [CommuneFactory(parent=districts[i % 3]) for i in range(count)]


def many_scores(count):
    return [CriterionScoreFactory(self_points=5) for _ in range(count)]


def many_statistics(count):
    return CommuneStatisticsFactory.create_batch(count)


def many_values(count):
    return ReportedValueFactory.create_batch(count)


def many_users(count):
    return UserFactory.create_batch(count)


def many_submissions(count):
    return SubmissionFactory.create_batch(count)


@pytest.mark.parametrize(
    ("label", "make_rows"),
    [
        ("units.unit", many_units),
        ("units.user", many_users),
        ("campaigns.submission", many_submissions),
        ("campaigns.criterionscore", many_scores),
        ("indicators.communestatistics", many_statistics),
        ("indicators.reportedvalue", many_values),
    ],
)
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, label, make_rows
):
    make_rows(3)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(admin_url(label, "changelist"))
    make_rows(27)

    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(admin_url(label, "changelist"))

    assert response.context["cl"].result_count >= 30


def test_unit_changelist_of_thirty_units_takes_a_handful_of_queries(
    admin_client, django_assert_max_num_queries
):
    many_units(30)

    with django_assert_max_num_queries(8):
        response = admin_client.get(admin_url("units.unit", "changelist"))

    assert response.context["cl"].result_count == Unit.objects.count()


# --- Who gets in ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["unit_officer", "board_staff", "leader"])
@pytest.mark.parametrize("page", ["admin:index", "admin:units_unit_changelist"])
def test_non_admin_roles_are_sent_to_the_admin_login(client, request, persona, page):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_staff_flag_without_permissions_opens_no_model(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(admin_url("units.unit", "changelist"))

    assert response.status_code == 403


def test_an_officer_cannot_add_rows_through_the_admin(client, unit_officer):
    client.force_login(unit_officer)

    response = client.post(admin_url("campaigns.campaign", "add"), {"number": "1/X"})

    assert response.status_code == 302
    assert not Campaign.objects.exists()


# --- Bad input gets a message ---------------------------------------------------------------


def statistics_form(commune, **figures):
    return {"commune": commune.pk, "year": 2019, "note": "", "source": "", **figures}


def test_more_poor_than_all_households_is_refused_with_a_message(admin_client):
    commune = CommuneFactory()

    response = admin_client.post(
        admin_url("indicators.communestatistics", "add"),
        statistics_form(commune, total_households=100, poor_households=150),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    constraint = next(
        c
        for c in CommuneStatistics._meta.constraints
        if c.name == "indicators_communestats_poor_not_above_total"
    )
    assert errors == [constraint.get_violation_error_message()]
    assert constraint.get_violation_error_message() in response.content.decode()
    assert not CommuneStatistics.objects.exists()


def test_valid_commune_statistics_are_saved_from_the_admin(admin_client):
    commune = CommuneFactory()

    response = admin_client.post(
        admin_url("indicators.communestatistics", "add"),
        statistics_form(commune, total_households=100, poor_households=100),
    )

    assert response.status_code == 302
    assert CommuneStatistics.objects.get().poor_households == 100


def test_a_unit_officer_without_a_unit_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        admin_url("units.user", "add"),
        {
            "username": "officer-new",
            "usable_password": "false",
            "role": Role.OFFICER,
            "unit": "",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not User.objects.filter(username="officer-new").exists()


def test_board_staff_account_is_created_from_the_admin(admin_client):
    response = admin_client.post(
        admin_url("units.user", "add"),
        {"username": "board-new", "usable_password": "false", "role": Role.BOARD, "unit": ""},
    )

    assert response.status_code == 302
    assert User.objects.get(username="board-new").role == Role.BOARD


def score_form(submission, criterion, **points):
    return {
        "submission": submission.pk,
        "criterion": criterion.pk,
        "self_justification": "",
        "board_justification": "",
        **points,
    }


def test_a_score_takes_its_maximum_from_the_chosen_criterion(admin_client):
    submission = SubmissionFactory()
    criterion = CriterionFactory(max_points=15)

    response = admin_client.post(
        admin_url("campaigns.criterionscore", "add"),
        score_form(submission, criterion, self_points="15", board_points="12.5")
        | {"board_justification": "Thiếu minh chứng một phần."},
    )

    assert response.status_code == 302
    score = CriterionScore.objects.get()
    assert score.max_points == 15
    assert score.board_points == Decimal("12.5")


def test_moving_a_score_to_another_criterion_takes_the_new_maximum(admin_client):
    score = CriterionScoreFactory(criterion__max_points=20, self_points=18)
    other = CriterionFactory(max_points=30)

    response = admin_client.post(
        admin_url("campaigns.criterionscore", "change", score.pk),
        score_form(score.submission, other, self_points="25"),
    )

    assert response.status_code == 302
    score.refresh_from_db()
    assert (score.criterion, score.max_points, score.self_points) == (other, 30, 25)


@pytest.mark.parametrize("field", ["self_points", "board_points"])
def test_points_above_the_criterion_maximum_are_refused_with_a_message(admin_client, field):
    submission = SubmissionFactory()
    criterion = CriterionFactory(max_points=15)

    response = admin_client.post(
        admin_url("campaigns.criterionscore", "add"),
        score_form(submission, criterion, **{field: "15.5"}),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors[field]] == ["above_max"]
    assert not CriterionScore.objects.exists()


def test_a_criterion_cannot_sit_under_a_criterion_of_another_bloc(admin_client):
    parent = CriterionFactory()
    bloc = BlocFactory(campaign=parent.campaign)

    response = admin_client.post(
        admin_url("campaigns.criterion", "add"),
        {
            **criterion_form(parent.campaign, bloc, code="1.1"),
            "parent": parent.pk,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["parent"]] == ["other_bloc"]


def test_a_criterion_cannot_sit_under_its_own_sub_criterion(admin_client):
    root = CriterionFactory()
    child = CriterionFactory(bloc=root.bloc, parent=root)

    response = admin_client.post(
        admin_url("campaigns.criterion", "change", root.pk),
        {**criterion_form(root.campaign, root.bloc, code=root.code), "parent": child.pk},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["parent"]] == ["cycle"]


def criterion_form(campaign, bloc, *, code, children=()):
    data = {
        "campaign": campaign.pk,
        "bloc": bloc.pk,
        "parent": "",
        "code": code,
        "name": f"Tiêu chí {code}",
        "max_points": "20",
        "order": "0",
        "indicator_code": "",
        "children-TOTAL_FORMS": str(len(children)),
        "children-INITIAL_FORMS": "0",
    }
    for i, child_code in enumerate(children):
        data |= {
            f"children-{i}-code": child_code,
            f"children-{i}-name": f"Tiêu chí {child_code}",
            f"children-{i}-max_points": "10",
            f"children-{i}-order": str(i),
            f"children-{i}-indicator_code": "",
        }
    return data


def test_sub_criteria_take_their_parents_campaign_and_bloc(admin_client):
    bloc = BlocFactory()

    response = admin_client.post(
        admin_url("campaigns.criterion", "add"),
        criterion_form(bloc.campaign, bloc, code="1", children=["1.1", "1.2"]),
    )

    assert response.status_code == 302
    parent = Criterion.objects.get(code="1")
    children = list(parent.children.order_by("code"))
    assert [c.code for c in children] == ["1.1", "1.2"]
    assert {(c.bloc_id, c.campaign_id) for c in children} == {(bloc.pk, bloc.campaign_id)}


@pytest.mark.parametrize(
    ("existing", "children"),
    [
        pytest.param(None, ["1.1", "1.1"], id="twice-in-the-form"),
        pytest.param(None, ["1"], id="same-as-the-parent"),
        pytest.param("1.1", ["1.1"], id="already-in-the-bloc"),
    ],
)
def test_a_sub_criterion_code_already_used_in_the_bloc_is_refused(admin_client, existing, children):
    bloc = BlocFactory()
    if existing:
        CriterionFactory(bloc=bloc, code=existing)

    response = admin_client.post(
        admin_url("campaigns.criterion", "add"),
        criterion_form(bloc.campaign, bloc, code="1", children=children),
    )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    codes = [e.code for e in formset.non_form_errors().as_data()]
    codes += [e.code for form in formset.forms for e in form.errors.as_data().get("code", [])]
    assert codes == ["duplicate_code"]
    assert not Criterion.objects.filter(code="1").exists()


# --- Audit trails and jobs are read-only -----------------------------------------------------


def test_a_report_step_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    step = SubmissionStepFactory(comment="Nộp lần đầu")

    changed = admin_client.post(
        admin_url("campaigns.submissionstep", "change", step.pk), {"comment": "Sửa lịch sử"}
    )
    deleted = admin_client.post(
        admin_url("campaigns.submissionstep", "delete", step.pk), {"post": "yes"}
    )

    assert (changed.status_code, deleted.status_code) == (403, 403)
    step.refresh_from_db()
    assert step.comment == "Nộp lần đầu"


def test_a_period_event_cannot_be_changed_in_the_admin(admin_client):
    event = PeriodEventFactory(reason="Hết hạn")

    response = admin_client.post(
        admin_url("campaigns.periodevent", "change", event.pk), {"reason": "Khác"}
    )

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.reason == "Hết hạn"


def test_a_failed_report_job_shows_its_error(admin_client):
    job = ReportJobFactory(
        state="failed", error_code="internal", error="Traceback (most recent call last):\n  boom"
    )

    response = admin_client.get(admin_url("reports.reportjob", "change", job.pk))

    assert response.status_code == 200
    assert "Traceback (most recent call last):\n  boom" in response.content.decode()
    assert not response.context["has_change_permission"]


def test_editing_a_report_in_the_admin_moves_its_version_on(admin_client, admin_user):
    submission = SubmissionFactory(narrative="Cũ")
    page = admin_client.get(admin_url("campaigns.submission", "change", submission.pk))
    data = {
        "period": submission.period_id,
        "unit": submission.unit_id,
        "narrative": "Mới",
        "classification": "",
    }
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = admin_client.post(admin_url("campaigns.submission", "change", submission.pk), data)

    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.narrative, submission.version) == ("Mới", 2)
    assert submission.updated_by == admin_user
    assert not SubmissionStep.objects.exists()


def test_a_deadline_extension_records_who_granted_it(admin_client, admin_user):
    period = PeriodFactory()
    unit = DistrictFactory()

    response = admin_client.post(
        admin_url("campaigns.deadlineextension", "add"),
        {
            "period": period.pk,
            "unit": unit.pk,
            "deadline": period.deadline.strftime("%d/%m/%Y"),
            "reason": "Lũ lụt",
        },
    )

    assert response.status_code == 302
    assert DeadlineExtension.objects.get().granted_by == admin_user


def test_a_year_cannot_be_locked_from_its_admin_form(admin_client):
    period = PeriodFactory()

    response = admin_client.post(
        admin_url("campaigns.reportingperiod", "change", period.pk),
        {
            "campaign": period.campaign_id,
            "year": period.year,
            "opens_on": period.opens_on.strftime("%d/%m/%Y"),
            "deadline": period.deadline.strftime("%d/%m/%Y"),
            "state": PeriodState.LOCKED,
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
