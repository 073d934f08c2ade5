"""What happens to a report, an import or a PDF reaches the person concerned as a notice."""

from decimal import Decimal

import pytest
from django.core import mail

from campaigns import services as campaign_services
from campaigns.services import review as review_services
from indicators.imports import services as import_services
from indicators.submissions import services
from reports.models import JobState
from reports.services import jobs
from tests.factories import ReportJobFactory, UserFactory
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row, upload
from tests.report_setup import IN_2019, complete_draft, year_build
from units.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def sent(y):
    submission = complete_draft(y)
    return campaign_services.submission_submit(
        submission=submission,
        by=y.officer,
        expected_version=submission.version,
        extra_checklist=services.report_checklist(submission=submission),
        extra_snapshot=services.report_snapshot(submission=submission),
    )


def test_a_returned_report_tells_every_officer_of_the_unit_the_boards_reason(
    year, board_staff, outsider, django_capture_on_commit_callbacks
):
    year.officer.email = "officer@example.invalid"
    year.officer.save()
    colleague = UserFactory(unit=year.unit)
    submission = sent(year)

    with django_capture_on_commit_callbacks(execute=True):
        review_services.submission_return(
            submission=submission,
            by=board_staff,
            expected_version=submission.version,
            reason="Bổ sung minh chứng quỹ.",
        )

    for person in (year.officer, colleague):
        notice = Notification.objects.get(recipient=person, kind=NotificationKind.REPORT_RETURNED)
        assert "Bổ sung minh chứng quỹ." in notice.message
        assert notice.link == f"/campaigns/submissions/{submission.pk}/"
    assert not Notification.objects.filter(recipient__in=[outsider, board_staff]).exists()
    (message,) = mail.outbox
    assert "Bổ sung minh chứng quỹ." in message.body


def test_scoring_and_accepting_tell_the_unit(year, board_staff):
    submission = sent(year)
    submission = review_services.board_scores_save(
        submission=submission,
        by=board_staff,
        expected_version=submission.version,
        scores={
            year.plain.pk: campaign_services.ScoreInput(points=Decimal(7)),
            year.evidenced.pk: campaign_services.ScoreInput(points=Decimal("10.5")),
        },
    )
    review_services.submission_accept(
        submission=submission, by=board_staff, expected_version=submission.version
    )
    kinds = set(Notification.objects.filter(recipient=year.officer).values_list("kind", flat=True))
    assert {NotificationKind.REPORT_SCORED, NotificationKind.REPORT_ACCEPTED} <= kinds


def test_a_finished_pdf_tells_the_person_who_asked(leader):
    job = ReportJobFactory(requested_by=leader, state=JobState.RUNNING, attempts=1)
    assert jobs.job_finish(job_id=job.pk, attempt=1, content=b"%PDF-1.4\n%%EOF\n")
    notice = Notification.objects.get(recipient=leader)
    assert notice.kind == NotificationKind.PDF_READY
    assert notice.link == f"/documents/jobs/{job.pk}/"


def test_a_finished_import_tells_the_person_who_confirmed_it(admin_user):
    communes = kon_tum_communes()
    rows = [template_row(c.code, c.name, total_households=100) for c in communes.values()]
    batch = import_services.batch_create(upload=upload(simple_file(rows)), year=2019, by=admin_user)
    batch = import_services.batch_preview(batch=batch)
    import_services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token, note="")

    notice = Notification.objects.get(recipient=admin_user)
    assert notice.kind == NotificationKind.IMPORT_FINISHED
    assert "2019" in notice.message
    assert notice.link == f"/import/{batch.pk}/"
