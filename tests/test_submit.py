"""Submitting: the checklist, the deadline, exactly one step per submission, returned reports."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.models import STATUS_ACTION, Evidence, Submission, SubmissionStatus, SubmissionStep
from campaigns.services import review as review_services
from indicators.submissions import services
from tests.factories import (
    CommuneFactory,
    DeadlineExtensionFactory,
    SponsorshipFactory,
    UserFactory,
)
from tests.report_setup import IN_2019, complete_draft, day, draft, pdf, post_data, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _submit(year, submission):
    return campaign_services.submission_submit(
        submission=submission,
        by=year.officer,
        expected_version=submission.version,
        extra_checklist=services.report_checklist(submission=submission),
        extra_snapshot=services.report_snapshot(submission=submission),
    )


def test_submitting_a_complete_report_records_one_step(year):
    submission = complete_draft(year)
    version = submission.version

    submitted = _submit(year, submission)

    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.version == version + 1
    step = submitted.steps.get()
    assert (step.from_status, step.to_status, step.by) == (
        SubmissionStatus.DRAFT,
        SubmissionStatus.SUBMITTED,
        year.officer,
    )
    assert step.version == submitted.version


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"points": (None, 5)}, "unscored"),
        ({"narrative": ""}, "incomplete"),
        ({"fund": None}, "incomplete"),
    ],
)
def test_an_incomplete_report_is_refused(year, change, code):
    submission = complete_draft(year)
    submission = campaign_services.submission_save_draft(
        submission=submission,
        by=year.officer,
        expected_version=submission.version,
        data=draft(year, **change),
    )

    with pytest.raises(ValidationError) as excinfo:
        _submit(year, submission)

    assert excinfo.value.code == code
    assert not SubmissionStep.objects.exists()


def test_a_criterion_that_needs_evidence_blocks_submitting_without_it(year):
    submission = complete_draft(year)
    Evidence.objects.all().delete()

    with pytest.raises(ValidationError) as excinfo:
        _submit(year, submission)

    assert excinfo.value.code == "missing_evidence"


def test_rates_must_be_reported_before_submitting(year):
    submission = complete_draft(year)
    submission.values.filter(indicator=year.edu).update(denominator=None)

    with pytest.raises(ValidationError) as excinfo:
        _submit(year, submission)

    assert excinfo.value.code == "incomplete"


def test_submitting_after_the_deadline_is_refused(year, time_machine):
    submission = complete_draft(year)
    time_machine.move_to(day(2020, 1, 16), tick=False)

    with pytest.raises(ValidationError) as excinfo:
        _submit(year, submission)

    assert excinfo.value.code == "period_closed"


def test_the_units_extension_allows_a_late_submission(year, time_machine):
    submission = complete_draft(year)
    DeadlineExtensionFactory(period=year.period, unit=year.unit, deadline=date(2020, 2, 1))
    time_machine.move_to(day(2020, 1, 31), tick=False)

    assert _submit(year, submission).status == SubmissionStatus.SUBMITTED


def test_another_units_extension_does_not_help(year, time_machine, outsider):
    submission = complete_draft(year)
    DeadlineExtensionFactory(period=year.period, unit=outsider.unit, deadline=date(2020, 2, 1))
    time_machine.move_to(day(2020, 1, 31), tick=False)

    with pytest.raises(ValidationError) as excinfo:
        _submit(year, submission)

    assert excinfo.value.code == "period_closed"


def test_a_second_submit_is_refused_and_records_no_step(year):
    submission = complete_draft(year)
    stale_copy = Submission.objects.get(pk=submission.pk)
    _submit(year, submission)

    with pytest.raises(ValidationError) as excinfo:
        _submit(year, stale_copy)

    assert excinfo.value.code == "not_editable"
    assert SubmissionStep.objects.count() == 1


def test_a_submitted_report_can_no_longer_be_saved(year):
    submission = complete_draft(year)
    submitted = _submit(year, submission)

    with pytest.raises(ValidationError) as excinfo:
        campaign_services.submission_save_draft(
            submission=submitted,
            by=year.officer,
            expected_version=submitted.version,
            data=draft(year),
        )

    assert excinfo.value.code == "not_editable"


def test_a_returned_report_is_corrected_and_resubmitted_with_its_whole_history(year, client):
    submission = _submit(year, complete_draft(year))
    board = UserFactory(board=True, first_name="Hà")
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.RETURNED, version=submission.version + 1
    )
    SubmissionStep.objects.create(
        submission=submission,
        from_status=SubmissionStatus.SUBMITTED,
        to_status=SubmissionStatus.RETURNED,
        action=STATUS_ACTION[SubmissionStatus.RETURNED],
        by=board,
        comment="Bổ sung số liệu Quỹ.",
        field_comments={"fund_mobilised_vnd": "Thiếu biên lai."},
        version=submission.version + 1,
    )
    submission.refresh_from_db()
    client.force_login(year.officer)

    response = client.post(
        reverse("report:form", kwargs={"period_pk": year.period.pk}),
        post_data(year, submission, fund_mobilised_vnd="260.000.000", action="submit"),
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.fund_mobilised_vnd == 260_000_000
    steps = list(submission.steps.order_by("at", "pk"))
    assert [(s.from_status, s.to_status) for s in steps] == [
        (SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED),
        (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED),
        (SubmissionStatus.RETURNED, SubmissionStatus.SUBMITTED),
    ]
    history = client.get(response.url).content.decode()
    assert "Bổ sung số liệu Quỹ." in history
    assert "Thiếu biên lai." in history


def test_the_submit_button_works_only_when_the_checklist_is_met(year, client):
    client.force_login(year.officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})

    empty = client.get(url)
    complete_draft(year)
    ready = client.get(url)

    assert not empty.context["ready"]
    assert 'value="submit" class="btn btn-success" disabled' in empty.content.decode()
    assert ready.context["ready"]
    assert 'value="submit" class="btn btn-success" >' in ready.content.decode()


def test_a_refused_submit_still_saves_the_draft(year, client):
    submission = complete_draft(year)
    client.force_login(year.officer)

    response = client.post(
        reverse("report:form", kwargs={"period_pk": year.period.pk}),
        post_data(year, submission, narrative="Sửa lại", action="submit")
        | {f"score-{year.plain.pk}-points": ""},
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.narrative == "Sửa lại"
    assert not SubmissionStep.objects.exists()


def test_a_report_sent_with_its_very_first_save_opens_as_sent(year, client):
    client.force_login(year.officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})
    unsaved = client.get(url).context["submission"]
    data = post_data(
        year,
        unsaved,
        action="submit",
        **{f"value-{year.labour.code}-comment": "", f"value-{year.edu.code}-comment": ""},
    )

    response = client.post(url, data | {f"evidence-{year.evidenced.pk}": pdf()})

    submission = Submission.objects.get(period=year.period, unit=year.unit)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert response.status_code == 302
    assert response.url == reverse("campaigns:submission-detail", kwargs={"pk": submission.pk})
    assert client.get(response.url).status_code == 200


def test_a_submit_reads_the_reports_figures_once(year, client):
    submission = complete_draft(year)
    client.force_login(year.officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, post_data(year, submission, action="submit"))

    assert response.status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SUBMITTED
    values = [q for q in queries if 'FROM "indicators_reportedvalue"' in q["sql"]]
    assert len(values) <= 3, len(values)  # compared by the save, sent, last year's (warnings)
    # The report is locked and read once, by the save; the submit goes on under that lock.
    locks = [q for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1, [q["sql"][:80] for q in locks]
    assert len(queries) <= 27


def test_a_double_click_on_submit_gives_one_submission(year, client):
    submission = complete_draft(year)
    client.force_login(year.officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})
    data = post_data(year, submission, action="submit")

    first = client.post(url, data)
    second = client.post(url, data)

    assert first.status_code == second.status_code == 302
    assert second.url == reverse("campaigns:submission-detail", kwargs={"pk": submission.pk})
    assert SubmissionStep.objects.filter(to_status=SubmissionStatus.SUBMITTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_give_exactly_one_step(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    submission = complete_draft(year)
    barrier = threading.Barrier(2)
    codes: list[str] = []

    def tab() -> None:
        try:
            barrier.wait()
            _submit(year, Submission.objects.get(pk=submission.pk))
            codes.append("ok")
        except ValidationError as exc:
            codes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(codes) == ["not_editable", "ok"]
    assert SubmissionStep.objects.filter(submission=submission).count() == 1
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_a_report_returned_late_is_corrected_after_the_deadline_but_a_draft_is_not(
    year, client, time_machine, outsider
):
    submission = _submit(year, complete_draft(year))
    board = UserFactory(board=True)
    # The Board returns the report on the deadline's last day; the unit answers a week later.
    time_machine.move_to(day(2020, 1, 15), tick=False)
    submission = review_services.submission_return(
        submission=submission, by=board, expected_version=submission.version, reason="Sửa Quỹ."
    )
    time_machine.move_to(day(2020, 1, 22), tick=False)
    client.force_login(year.officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})

    response = client.post(
        url, post_data(year, submission, fund_mobilised_vnd="270.000.000", action="submit")
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.fund_mobilised_vnd) == (
        SubmissionStatus.SUBMITTED,
        270_000_000,
    )
    # Another unit that never submitted cannot start its report after the deadline.
    year.plain.bloc.memberships.create(unit=outsider.unit)
    with pytest.raises(ValidationError) as refused:
        campaign_services.submission_get_or_create_draft(period=year.period, unit=outsider.unit)
    assert refused.value.code == "period_closed"


def test_the_submit_keeps_the_reports_content_by_code_for_the_boards_diff(year):
    commune = CommuneFactory(code="23500", parent=year.unit)
    SponsorshipFactory(sponsor=year.unit, commune=commune, first_year=2019, last_year=2019)
    submission = complete_draft(year)
    submission = campaign_services.submission_save_draft(
        submission=submission,
        by=year.officer,
        expected_version=submission.version,
        data=campaign_services.DraftInput(
            narrative="Đủ nội dung.",
            fund_mobilised_vnd=250_000_000,
            scores=draft(year).scores,
            support=[
                campaign_services.SupportInput(
                    commune_id=commune.pk, money_vnd=5_000_000, works="Nhà văn hoá"
                )
            ],
            communication=[
                campaign_services.CommunicationInput(
                    kind="article", title="Chung tay", url="https://baokontum.com.vn/a", count=3
                )
            ],
        ),
    )
    evidence = Evidence.objects.get(submission=submission)

    snapshot = _submit(year, submission).steps.get().snapshot

    assert snapshot["fields"] == {"narrative": "Đủ nội dung.", "fund_mobilised_vnd": "250000000"}
    assert snapshot["scores"] == {"1.1": "7.00 – Đạt", "1.2": "10.50 – Có QĐ"}
    assert snapshot["support"] == {"23500": "5000000 + 0  Nhà văn hoá"}
    assert snapshot["communication"] == {"article:Chung tay": "3  https://baokontum.com.vn/a"}
    assert snapshot["evidence"] == {f"1.2:{evidence.sha256[:12]}": "quyet-dinh.pdf"}
