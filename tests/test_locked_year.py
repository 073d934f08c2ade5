"""A locked year refuses every change: the database refuses the write, the admin says why first.

The database guard (indicators migration 0005) is a PostgreSQL trigger; its tests are skipped on
SQLite. Each refusal is checked by the name the trigger reports, so a test cannot pass because some
other constraint happened to fail instead.
"""

import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

import psycopg2
import psycopg2.errors
import pytest
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils.html import escape

from campaigns.models import (
    AwardProposal,
    CriterionScore,
    PeriodEvent,
    PeriodEventKind,
    PeriodState,
    ReportingPeriod,
    Submission,
)
from campaigns.services import register
from indicators.models import CommuneStatistics, ModelResult, ReportedValue
from tests.factories import (
    AwardProposalFactory,
    CampaignFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    CommunicationItemFactory,
    CriterionFactory,
    CriterionScoreFactory,
    DeadlineExtensionFactory,
    DistrictFactory,
    EvidenceFactory,
    IndicatorFactory,
    ModelResultFactory,
    PeriodFactory,
    PovertyModelFactory,
    RegisteredTargetFactory,
    RegistrationFactory,
    ReportedValueFactory,
    SponsorshipSupportFactory,
    SubmissionFactory,
    SubmissionStepFactory,
)
from tests.sessions import other_session, wait_until_waiting_on_a_lock

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database guard is a PostgreSQL trigger"
)


def set_state(period: ReportingPeriod, state: str) -> None:
    # Straight to the column: closing and locking services are not what is tested here.
    ReportingPeriod.objects.filter(pk=period.pk).update(state=state)
    period.refresh_from_db()


def lock(period: ReportingPeriod) -> None:
    set_state(period, PeriodState.LOCKED)


@contextmanager
def refused_by_lock(table: str, year: int):
    """The write inside must fail in the database, on the locked-year guard."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    assert excinfo.value.__cause__.diag.constraint_name == "kontum_locked_year"
    assert f"{table}: the year {year} is locked" in str(excinfo.value)


# --- The database guard ---------------------------------------------------------------------


@dataclass
class Guarded:
    """One guarded table: how to build a row's parent in a year, a row under it, and a change."""

    table: str
    parent: Callable[[ReportingPeriod], Any]
    insert: Callable[[Any], models.Model]
    change: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.table


def _period(period):
    return period


def _submission(period):
    return SubmissionFactory(period=period)


def _registration(period):
    return RegistrationFactory(period=period)


GUARDED = [
    # Rows that name their period.
    Guarded(
        "campaigns_submission", _period, lambda p: SubmissionFactory(period=p), {"narrative": "x"}
    ),
    Guarded(
        "campaigns_registration",
        _period,
        lambda p: RegistrationFactory(period=p),
        {"other_commitments": "x"},
    ),
    Guarded(
        "campaigns_deadlineextension",
        _period,
        lambda p: DeadlineExtensionFactory(period=p),
        {"reason": "Mưa bão"},
    ),
    # Rows of a yearly report.
    Guarded(
        "campaigns_criterionscore",
        _submission,
        lambda s: CriterionScoreFactory(submission=s),
        {"self_points": Decimal("5")},
    ),
    Guarded(
        "indicators_reportedvalue",
        _submission,
        lambda s: ReportedValueFactory(submission=s),
        {"comment": "x"},
    ),
    Guarded(
        "campaigns_submissionstep",
        _submission,
        lambda s: SubmissionStepFactory(submission=s),
        {"comment": "x"},
    ),
    Guarded(
        "campaigns_evidence",
        _submission,
        lambda s: EvidenceFactory(submission=s),
        {"description": "x"},
    ),
    Guarded(
        "campaigns_sponsorshipsupport",
        _submission,
        lambda s: SponsorshipSupportFactory(submission=s),
        {"works": "x"},
    ),
    Guarded(
        "campaigns_communicationitem",
        _submission,
        lambda s: CommunicationItemFactory(submission=s),
        {"title": "x"},
    ),
    # Rows of a registration.
    Guarded(
        "indicators_registeredtarget",
        _registration,
        lambda r: RegisteredTargetFactory(registration=r),
        {"comment": "x"},
    ),
    # Figures kept by calendar year.
    Guarded(
        "indicators_communestatistics",
        _period,
        lambda p: CommuneStatisticsFactory(year=p.year),
        {"note": "x"},
    ),
    Guarded(
        "indicators_modelresult",
        _period,
        lambda p: ModelResultFactory(year=p.year),
        {"comment": "x"},
    ),
]


def change(row: models.Model, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.save()


def test_the_tests_cover_every_guarded_table():
    guarded = import_module("indicators.migrations.0005_locked_year_guard").GUARDED
    unguarded = import_module(
        "indicators.migrations.0008_award_proposals_outside_the_year_lock"
    ).UNGUARDED
    assert set(guarded) - set(unguarded) == {case.table for case in GUARDED}


@pytest.mark.postgres
@postgres_only
def test_award_proposals_and_their_decisions_stay_writable_in_a_locked_year():
    period = PeriodFactory(year=2019)
    kept = AwardProposalFactory(period=period)
    lock(period)

    added = AwardProposalFactory(period=period)
    change(
        kept,
        {"status": "approved", "decision_number": "12/QĐ-UBND", "decision_date": date(2020, 3, 5)},
    )
    added.delete()

    kept.refresh_from_db()
    assert (kept.status, kept.decision_number) == ("approved", "12/QĐ-UBND")
    assert list(AwardProposal.objects.all()) == [kept]


@pytest.mark.parametrize("case", GUARDED, ids=str)
@pytest.mark.postgres
@postgres_only
def test_an_open_year_takes_inserts_updates_and_deletes(case):
    period = PeriodFactory(year=2019)
    parent = case.parent(period)

    row = case.insert(parent)
    change(row, case.change)
    type(row).objects.get(pk=row.pk).delete()

    assert not type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("case", GUARDED, ids=str)
@pytest.mark.postgres
@postgres_only
def test_a_locked_year_refuses_inserts_updates_and_deletes(case):
    period = PeriodFactory(year=2019)
    parent = case.parent(period)
    row = case.insert(parent)
    lock(period)
    model = type(row)
    before = model.objects.filter(pk=row.pk).values().get()

    with refused_by_lock(case.table, 2019):
        case.insert(parent)
    with refused_by_lock(case.table, 2019):
        change(model.objects.get(pk=row.pk), case.change)
    with refused_by_lock(case.table, 2019):
        model.objects.get(pk=row.pk).delete()

    assert list(model.objects.values()) == [before]


@pytest.mark.parametrize("case", GUARDED, ids=str)
@pytest.mark.postgres
@postgres_only
def test_once_unlocked_the_year_takes_writes_again(case):
    period = PeriodFactory(year=2019)
    parent = case.parent(period)
    row = case.insert(parent)
    lock(period)
    set_state(period, PeriodState.CLOSED)  # what unlocking leaves

    case.insert(parent)
    change(row, case.change)
    type(row).objects.get(pk=row.pk).delete()

    assert not type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.postgres
@postgres_only
def test_a_report_cannot_be_moved_into_a_locked_year():
    locked = PeriodFactory(year=2018)
    submission = SubmissionFactory(period=PeriodFactory(year=2019))
    lock(locked)

    submission.period = locked
    with refused_by_lock("campaigns_submission", 2018):
        submission.save()

    assert Submission.objects.get().period.year == 2019


@pytest.mark.postgres
@postgres_only
def test_a_score_cannot_be_moved_to_a_report_of_a_locked_year():
    locked_report = SubmissionFactory(period=PeriodFactory(year=2018))
    score = CriterionScoreFactory(submission__period=PeriodFactory(year=2019))
    lock(locked_report.period)

    with refused_by_lock("campaigns_criterionscore", 2018):
        CriterionScore.objects.filter(pk=score.pk).update(submission=locked_report)

    assert CriterionScore.objects.get().submission_id == score.submission_id


@pytest.mark.postgres
@postgres_only
def test_commune_figures_cannot_be_moved_into_a_locked_year():
    lock(PeriodFactory(year=2018))
    figures = CommuneStatisticsFactory(year=2019)

    with refused_by_lock("indicators_communestatistics", 2018):
        CommuneStatistics.objects.filter(pk=figures.pk).update(year=2018)

    assert CommuneStatistics.objects.get().year == 2019


@pytest.mark.postgres
@postgres_only
def test_a_calendar_year_is_locked_when_any_campaign_locked_it():
    PeriodFactory(year=2019)  # open in this campaign…
    other = CampaignFactory(number="01/KH-UBND", first_year=2019, last_year=2021)
    locked = PeriodFactory(campaign=other, year=2019)
    CommuneStatisticsFactory(year=2020)  # positive control: a year nobody locked
    lock(locked)  # …locked in the other

    with refused_by_lock("indicators_communestatistics", 2019):
        CommuneStatisticsFactory(year=2019)
    with refused_by_lock("indicators_modelresult", 2019):
        ModelResultFactory(year=2019)


# --- Writes and a lock in flight at the same moment -----------------------------------------
# Two sessions of their own, committed for real: what one holds must be seen to hold the other.


# A row of each kind of reference the guard follows to its year: a report's score (through the
# report), a model's result (by calendar year).
IN_FLIGHT = {
    "campaigns_criterionscore": (
        lambda p: CriterionScoreFactory(submission__period=p),
        "UPDATE campaigns_criterionscore SET self_justification = 'x' WHERE id = %s",
    ),
    "indicators_modelresult": (
        lambda p: ModelResultFactory(year=p.year),
        "UPDATE indicators_modelresult SET comment = 'x' WHERE id = %s",
    ),
}
LOCK_YEAR = "UPDATE campaigns_reportingperiod SET state = 'locked' WHERE id = %s"


@pytest.mark.parametrize("table", IN_FLIGHT)
@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_year_is_not_locked_while_a_write_into_it_is_in_flight(table):
    period = PeriodFactory(year=2019)
    make, write = IN_FLIGHT[table]
    row = make(period)
    writer, locker = other_session(), other_session()
    try:
        with writer.cursor() as cursor:
            cursor.execute(write, [row.pk])  # not committed yet
        with locker.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
            with pytest.raises(psycopg2.errors.LockNotAvailable):
                cursor.execute(LOCK_YEAR, [period.pk])
        locker.rollback()

        writer.commit()
        with locker.cursor() as cursor:
            cursor.execute(LOCK_YEAR, [period.pk])
        locker.commit()
    finally:
        writer.close()
        locker.close()

    period.refresh_from_db()
    assert period.state == PeriodState.LOCKED


@pytest.mark.parametrize("table", IN_FLIGHT)
@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_write_that_waited_for_a_lock_in_flight_is_refused_once_it_commits(table):
    period = PeriodFactory(year=2019)
    make, write = IN_FLIGHT[table]
    row = make(period)
    writer, locker = other_session(), other_session()
    outcome: dict[str, BaseException] = {}

    def write_row() -> None:
        try:
            with writer.cursor() as cursor:
                cursor.execute(write, [row.pk])
            writer.commit()
        except psycopg2.Error as exc:
            outcome["error"] = exc
            writer.rollback()

    try:
        with locker.cursor() as cursor:
            cursor.execute(LOCK_YEAR, [period.pk])  # not committed yet
        pid = writer.get_backend_pid()
        thread = threading.Thread(target=write_row)
        thread.start()
        wait_until_waiting_on_a_lock(pid, why="(the write)")
        locker.commit()
        thread.join(timeout=10)
    finally:
        writer.close()
        locker.close()

    # The write read the year as the lock committed it, not as it was when the write began.
    error = outcome.get("error")
    assert isinstance(error, psycopg2.errors.CheckViolation), error
    assert error.diag.constraint_name == "kontum_locked_year"
    assert f"{table}: the year 2019 is locked" in str(error)


@pytest.mark.postgres
@postgres_only
def test_deleting_a_report_of_an_open_year_deletes_its_rows():
    submission = SubmissionFactory(period=PeriodFactory(year=2019))
    CriterionScoreFactory(submission=submission)
    ReportedValueFactory(submission=submission)
    SubmissionStepFactory(submission=submission)
    lock(PeriodFactory(year=2018))  # another year's lock changes nothing here

    submission.delete()

    assert not CriterionScore.objects.exists()
    assert not ReportedValue.objects.exists()


@pytest.mark.postgres
@postgres_only
def test_deleting_a_report_of_a_locked_year_is_refused_with_its_rows():
    submission = SubmissionFactory(period=PeriodFactory(year=2019))
    CriterionScoreFactory(submission=submission)
    lock(submission.period)

    # The scores go first in Django's cascade, so they are the first to be refused.
    with refused_by_lock("campaigns_criterionscore", 2019):
        submission.delete()

    assert CriterionScore.objects.count() == 1
    assert Submission.objects.count() == 1


@pytest.mark.postgres
@postgres_only
def test_the_year_itself_and_its_events_stay_writable_so_it_can_be_unlocked(admin_user):
    period = PeriodFactory(year=2019)
    lock(period)

    PeriodEvent.objects.create(
        period=period, kind=PeriodEventKind.UNLOCKED, by=admin_user, reason="Sửa số liệu sai"
    )
    period.state = PeriodState.CLOSED
    period.save()

    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED
    assert period.events.count() == 1


# --- The admin ------------------------------------------------------------------------------


def admin_url(label: str, view: str, *args) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def inline_management(page) -> dict[str, str]:
    """Empty management forms for every inline of an admin change page."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def field_errors(response, name: str) -> list:
    return response.context["adminform"].form.errors.as_data().get(name, [])


def assert_locked_error(response, name: str, year: int) -> None:
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert [e.code for e in field_errors(response, name)] == ["year_locked"]
    assert str(year) in errors[name][0]
    assert escape(errors[name][0]) in response.content.decode()


def test_a_locked_years_report_opens_read_only(admin_client):
    open_report = SubmissionFactory(period=PeriodFactory(year=2019))
    locked_report = SubmissionFactory(period=PeriodFactory(year=2018))
    lock(locked_report.period)

    editable = admin_client.get(admin_url("campaigns.submission", "change", open_report.pk))
    read_only = admin_client.get(admin_url("campaigns.submission", "change", locked_report.pk))

    assert 'name="_save"' in editable.content.decode()  # positive control
    assert read_only.status_code == 200
    assert read_only.context["has_change_permission"] is False
    assert 'name="_save"' not in read_only.content.decode()
    assert read_only.context["has_delete_permission"] is False


def test_saving_a_locked_years_report_is_refused(admin_client):
    submission = SubmissionFactory(period=PeriodFactory(year=2018), narrative="Cũ")
    page = admin_client.get(admin_url("campaigns.submission", "change", submission.pk))
    lock(submission.period)

    response = admin_client.post(
        admin_url("campaigns.submission", "change", submission.pk),
        {
            "period": submission.period_id,
            "unit": submission.unit_id,
            "narrative": "Mới",
            "classification": "",
            **inline_management(page),
        },
    )

    assert response.status_code == 403
    submission.refresh_from_db()
    assert (submission.narrative, submission.version) == ("Cũ", 1)


def test_a_report_cannot_be_moved_into_a_locked_year_from_the_admin(admin_client):
    submission = SubmissionFactory(period=PeriodFactory(year=2019))
    locked = PeriodFactory(year=2018)
    lock(locked)
    page = admin_client.get(admin_url("campaigns.submission", "change", submission.pk))

    response = admin_client.post(
        admin_url("campaigns.submission", "change", submission.pk),
        {
            "period": locked.pk,
            "unit": submission.unit_id,
            "narrative": "",
            "classification": "",
            **inline_management(page),
        },
    )

    assert_locked_error(response, "period", 2018)
    assert Submission.objects.get().period.year == 2019


def test_deleting_a_locked_years_report_is_refused(admin_client):
    submission = SubmissionFactory(period=PeriodFactory(year=2018))
    lock(submission.period)

    page = admin_client.get(admin_url("campaigns.submission", "delete", submission.pk))
    response = admin_client.post(
        admin_url("campaigns.submission", "delete", submission.pk), {"post": "yes"}
    )

    assert (page.status_code, response.status_code) == (403, 403)
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_delete_selected_leaves_a_locked_years_rows_alone(admin_client):
    open_score = CriterionScoreFactory(submission__period=PeriodFactory(year=2019))
    locked_score = CriterionScoreFactory(submission__period=PeriodFactory(year=2018))
    lock(locked_score.submission.period)
    data = {
        "action": "delete_selected",
        "_selected_action": [open_score.pk, locked_score.pk],
    }

    confirm = admin_client.post(admin_url("campaigns.criterionscore", "changelist"), data)
    response = admin_client.post(
        admin_url("campaigns.criterionscore", "changelist"), {**data, "post": "yes"}
    )

    assert confirm.status_code == 200
    assert confirm.context["perms_lacking"]  # "Cannot delete", no confirm button
    assert response.status_code == 403
    assert CriterionScore.objects.count() == 2


def test_delete_selected_still_deletes_an_open_years_rows(admin_client):
    score = CriterionScoreFactory(submission__period=PeriodFactory(year=2019))
    lock(PeriodFactory(year=2018))

    response = admin_client.post(
        admin_url("campaigns.criterionscore", "changelist"),
        {"action": "delete_selected", "_selected_action": [score.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not CriterionScore.objects.exists()


def test_deleting_a_model_whose_results_are_in_a_locked_year_is_refused(admin_client):
    result = ModelResultFactory(year=2018)
    lock(PeriodFactory(year=2018))

    response = admin_client.post(
        admin_url("indicators.povertymodel", "delete", result.model_id), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ModelResult.objects.filter(pk=result.pk).exists()


def test_a_score_cannot_be_added_to_a_locked_years_report(admin_client):
    submission = SubmissionFactory(period=PeriodFactory(year=2018))
    criterion = CriterionFactory(max_points=15)
    lock(submission.period)

    response = admin_client.post(
        admin_url("campaigns.criterionscore", "add"),
        {
            "submission": submission.pk,
            "criterion": criterion.pk,
            "self_points": "10",
            "self_justification": "",
            "board_justification": "",
        },
    )

    assert_locked_error(response, "submission", 2018)
    assert not CriterionScore.objects.exists()


def test_a_score_can_be_added_to_an_open_years_report(admin_client):
    submission = SubmissionFactory(period=PeriodFactory(year=2019))
    criterion = CriterionFactory(max_points=15)
    lock(PeriodFactory(year=2018))

    response = admin_client.post(
        admin_url("campaigns.criterionscore", "add"),
        {
            "submission": submission.pk,
            "criterion": criterion.pk,
            "self_points": "10",
            "self_justification": "",
            "board_justification": "",
        },
    )

    assert response.status_code == 302
    assert CriterionScore.objects.get().self_points == 10


def test_a_value_cannot_be_added_to_a_locked_years_report(admin_client):
    submission = SubmissionFactory(period=PeriodFactory(year=2018))
    indicator = IndicatorFactory()
    lock(submission.period)

    response = admin_client.post(
        admin_url("indicators.reportedvalue", "add"),
        {
            "submission": submission.pk,
            "indicator": indicator.pk,
            "numerator": "5",
            "denominator": "10",
            "comment": "",
            "warning_explanation": "",
        },
    )

    assert_locked_error(response, "submission", 2018)
    assert not ReportedValue.objects.exists()


def test_an_award_proposal_can_be_added_to_a_locked_year(admin_client):
    # Awards and their decisions stay outside the year lock.
    period = PeriodFactory(year=2018)
    lock(period)
    unit = DistrictFactory()

    response = admin_client.post(
        admin_url("campaigns.awardproposal", "add"),
        {
            "period": period.pk,
            "unit": unit.pk,
            "nominee": register.collective_nominee(unit=unit).pk,
            "form": register.award_form(period=period, kind="certificate").pk,
            "award": "certificate",
            "status": "proposed",
            "reason": "",
            "decision_number": "",
        },
    )

    assert response.status_code == 302
    assert AwardProposal.objects.get().period == period


def test_commune_figures_cannot_be_added_to_a_locked_year(admin_client):
    lock(PeriodFactory(year=2018))

    response = admin_client.post(
        admin_url("indicators.communestatistics", "add"),
        {"commune": CommuneFactory().pk, "year": 2018, "note": "", "source": ""},
    )

    assert_locked_error(response, "year", 2018)
    assert not CommuneStatistics.objects.exists()


def test_a_locked_years_commune_figures_open_read_only(admin_client):
    figures = CommuneStatisticsFactory(year=2018, note="Cũ")
    lock(PeriodFactory(year=2018))

    page = admin_client.get(admin_url("indicators.communestatistics", "change", figures.pk))
    response = admin_client.post(
        admin_url("indicators.communestatistics", "change", figures.pk),
        {"commune": figures.commune_id, "year": 2018, "note": "Mới", "source": ""},
    )

    assert page.context["has_change_permission"] is False
    assert response.status_code == 403
    figures.refresh_from_db()
    assert figures.note == "Cũ"


def results_inline(model, rows: list[dict]) -> dict[str, Any]:
    data = {
        "unit": model.unit_id,
        "name": model.name,
        "start_year": model.start_year,
        "participating_households": model.participating_households,
        "description": "",
        "results-TOTAL_FORMS": str(len(rows)),
        "results-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
    }
    for i, row in enumerate(rows):
        data |= {f"results-{i}-{name}": value for name, value in {"comment": "", **row}.items()}
    return data


def test_a_models_result_for_a_locked_year_cannot_be_added_inline(admin_client):
    model = PovertyModelFactory()
    lock(PeriodFactory(year=2018))

    response = admin_client.post(
        admin_url("indicators.povertymodel", "change", model.pk),
        results_inline(
            model,
            [{"year": 2018, "participating_households": 40, "escaped_households": 2}],
        ),
    )

    assert response.status_code == 200
    (formset,) = [f.formset for f in response.context["inline_admin_formsets"]]
    assert [e.code for e in formset.forms[0].errors.as_data()["year"]] == ["year_locked"]
    assert not ModelResult.objects.exists()


# Typing another year into the row before ticking "delete" must not get it past the lock.
@pytest.mark.parametrize("typed_year", [2018, 2020])
def test_a_models_result_of_a_locked_year_cannot_be_deleted_inline(admin_client, typed_year):
    result = ModelResultFactory(year=2018)
    model = result.model
    lock(PeriodFactory(year=2018))

    response = admin_client.post(
        admin_url("indicators.povertymodel", "change", model.pk),
        results_inline(
            model,
            [
                {
                    "id": result.pk,
                    "model": model.pk,
                    "year": typed_year,
                    "participating_households": result.participating_households,
                    "escaped_households": result.escaped_households,
                    "average_income_vnd": result.average_income_vnd,
                    "DELETE": "on",
                }
            ],
        ),
    )

    assert response.status_code == 200
    (formset,) = [f.formset for f in response.context["inline_admin_formsets"]]
    assert [e.code for e in formset.non_form_errors().as_data()] == ["year_locked"]
    assert ModelResult.objects.filter(pk=result.pk).exists()


def test_a_locked_year_itself_opens_read_only(admin_client):
    period = PeriodFactory(year=2018)
    lock(period)

    page = admin_client.get(admin_url("campaigns.reportingperiod", "change", period.pk))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False


def campaign_form(campaign, period, **changes) -> dict[str, Any]:
    row = {
        "id": period.pk,
        "campaign": campaign.pk,
        "year": period.year,
        "opens_on": period.opens_on.strftime("%d/%m/%Y"),
        "deadline": period.deadline.strftime("%d/%m/%Y"),
        **changes,
    }
    return {
        "number": campaign.number,
        "title": campaign.title,
        "issuing_body": campaign.issuing_body,
        "issued_on": campaign.issued_on.strftime("%d/%m/%Y"),
        "first_year": campaign.first_year,
        "last_year": campaign.last_year,
        "source_document": "",
        "excellent_min": "90",
        "good_min": "70",
        "completed_min": "50",
        "coverage_threshold": "50",
        "periods-TOTAL_FORMS": "1",
        "periods-INITIAL_FORMS": "1",
        **{f"periods-0-{name}": value for name, value in row.items()},
    }


@pytest.mark.parametrize(
    ("state", "saved"), [(PeriodState.CLOSED, True), (PeriodState.LOCKED, False)]
)
def test_a_locked_years_deadline_cannot_change_from_its_campaigns_page(admin_client, state, saved):
    period = PeriodFactory(year=2018)
    set_state(period, state)

    response = admin_client.post(
        admin_url("campaigns.campaign", "change", period.campaign_id),
        campaign_form(period.campaign, period, deadline="31/01/2019"),
    )

    period.refresh_from_db()
    assert (period.deadline.isoformat() == "2019-01-31") is saved
    if not saved:
        (formset, *_) = [f.formset for f in response.context["inline_admin_formsets"]]
        assert [e.code for e in formset.non_form_errors().as_data()] == ["year_locked"]
