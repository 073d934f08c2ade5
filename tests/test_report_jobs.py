"""A report job's life without a worker: asked, rendered, reused, failed, retried, reconciled."""

import datetime

import kombu.exceptions
import pytest
from celery.exceptions import Retry
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from reports import documents, tasks
from reports.models import FailureCode, JobState, ReportJob, ReportKind
from reports.pdf import render as pdf_render_module
from reports.services import jobs, rendering
from tests.factories import DistrictFactory, ReportJobFactory

pytestmark = pytest.mark.django_db


class TinyReport:
    """A one-page report standing in for the real ones, which have tests of their own."""

    def __init__(self, text: str = "Báo cáo thử nghiệm") -> None:
        self.text = text

    def filename(self) -> str:
        return "bao-cao-thu.pdf"

    def main_html(self) -> str:
        head = '<head><link rel="stylesheet" href="reports/pdf.css"></head>'
        return f"<html>{head}<body><p>{self.text}</p></body></html>"

    def annex(self):
        return None


@pytest.fixture
def tiny(monkeypatch):
    """Every report is the tiny one; counts the renders."""
    renders = []
    real = pdf_render_module.pdf_render

    def counting(html):
        renders.append(html)
        return real(html)

    monkeypatch.setattr(documents, "document_for", lambda *, kind, params: TinyReport())
    monkeypatch.setattr(rendering, "pdf_render", counting)
    return renders


def ask(user, kind=ReportKind.PROVINCE, **params):
    return jobs.report_request(user=user, kind=kind, params={"year": 2019, **params})


def test_asking_records_a_job_and_renders_it_after_commit(
    leader, tiny, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(leader)
    assert job.state == JobState.QUEUED and not tiny  # nothing runs before the commit

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.progress == 100 and job.attempts == 1
    assert job.params["filename"] == "bao-cao-thu.pdf"
    with default_storage.open(job.file.name, "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_same_report_with_unchanged_data_is_ready_at_once(
    leader, board_staff, tiny, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(leader)
    assert len(tiny) == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = ask(board_staff)

    assert again.pk != first.pk and again.requested_by == board_staff
    assert again.state == JobState.DONE
    assert again.file.name == ReportJob.objects.get(pk=first.pk).file.name
    assert len(tiny) == 1 and not callbacks  # no second render, nothing queued


def test_changed_data_makes_a_new_report(leader, tiny, django_capture_on_commit_callbacks):
    district = DistrictFactory(name="Huyện Đắk Glei")
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(leader)

    district.name = "Huyện Đắk Glei (mới)"
    district.save(update_fields=["name"])  # an update, no new row: the fingerprint still moves
    with django_capture_on_commit_callbacks(execute=True):
        second = ask(leader)

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.fingerprint != first.fingerprint
    assert second.file.name != first.file.name
    assert len(tiny) == 2


def test_a_report_asked_for_twice_while_queued_is_one_job(leader, tiny, monkeypatch):
    monkeypatch.setattr(jobs, "job_enqueue", lambda *, job_id: True)  # no worker picks it up
    assert ask(leader).pk == ask(leader).pk
    assert ReportJob.objects.count() == 1


def test_with_the_broker_down_the_job_waits_for_the_reconciler(
    leader, tiny, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(**kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(tasks.report_render, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(leader)

    job.refresh_from_db()
    assert job.state == JobState.QUEUED  # the request is kept, not lost

    monkeypatch.undo()
    monkeypatch.setattr(documents, "document_for", lambda *, kind, params: TinyReport())
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert jobs.jobs_reconcile(now=later) == [job.pk]

    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_the_reconciler_resends_only_jobs_nobody_works_on(leader, monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "job_enqueue", lambda *, job_id: sent.append(job_id) or True)
    now = timezone.now()
    fresh = ReportJobFactory(state=JobState.QUEUED)
    silent = ReportJobFactory(state=JobState.RUNNING)
    waiting = ReportJobFactory(state=JobState.QUEUED)
    done = ReportJobFactory(done=True)
    ReportJob.objects.filter(pk=silent.pk).update(updated_at=now - datetime.timedelta(hours=1))
    ReportJob.objects.filter(pk__in=[waiting.pk, done.pk]).update(
        updated_at=now - datetime.timedelta(minutes=10)
    )

    assert jobs.jobs_reconcile(now=now) == sorted([silent.pk, waiting.pk])
    # Sent again: the silent one and the one queued too long; the fresh and the done ones not.
    assert sorted(sent) == sorted([silent.pk, waiting.pk])
    assert fresh.pk not in sent and done.pk not in sent


def test_a_transient_error_is_retried_and_the_report_still_arrives(
    leader, tiny, monkeypatch, django_capture_on_commit_callbacks
):
    failures = iter([OSError("storage hiccup")])
    real = rendering.pdf_render

    def flaky(html):
        for exc in failures:
            raise exc
        return real(html)

    monkeypatch.setattr(rendering, "pdf_render", flaky)
    with django_capture_on_commit_callbacks(execute=False):
        job = ask(leader)

    with pytest.raises(Retry) as retry:
        tasks.report_render.apply(kwargs={"job_id": job.pk})

    assert retry.value.when == 5  # a worker runs it again after the backoff
    job.refresh_from_db()
    assert (job.state, job.error_code) == (JobState.RUNNING, "")

    tasks.report_render.apply(kwargs={"job_id": job.pk})  # the retry

    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_retries_wait_longer_each_time():
    assert [tasks._backoff(n) for n in range(4)] == [5, 10, 20, 40]


def test_a_broken_report_fails_with_plain_words_for_the_user(
    client, leader, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    class Broken(TinyReport):
        def main_html(self):
            raise ZeroDivisionError("division by zero in the ranking")

    monkeypatch.setattr(documents, "document_for", lambda *, kind, params: Broken())
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(leader)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error_code == FailureCode.INTERNAL
    assert "ZeroDivisionError" in job.error and not job.file

    client.force_login(leader)
    page = client.get(reverse("documents:list")).content.decode()
    with translation.override("vi"):
        assert (
            gettext("The administrators can see what went wrong. Please try again later.") in page
        )
    assert "ZeroDivisionError" not in page  # tracebacks are for administrators


def test_a_report_whose_data_vanished_fails_as_unavailable(
    leader, tiny, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(leader)

    def gone(*, kind, params):
        raise ValidationError("no such year", code="unavailable")

    monkeypatch.setattr(documents, "document_for", gone)
    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert (job.state, job.error_code) == (JobState.FAILED, FailureCode.UNAVAILABLE)


def test_a_job_claimed_too_often_gives_up(leader):
    job = ReportJobFactory(state=JobState.RUNNING, attempts=jobs.MAX_ATTEMPTS)

    assert jobs.job_claim(job_id=job.pk) is None

    job.refresh_from_db()
    assert (job.state, job.error_code) == (JobState.FAILED, FailureCode.GAVE_UP)


def test_a_finished_or_failed_job_is_not_claimed_again():
    for job in (
        ReportJobFactory(done=True),
        ReportJobFactory(state=JobState.FAILED, error_code="internal"),
    ):
        assert jobs.job_claim(job_id=job.pk) is None


def test_an_overtaken_attempt_leaves_no_file_behind(tmp_path):
    job = ReportJobFactory(state=JobState.QUEUED)
    first = jobs.job_claim(job_id=job.pk)
    second = jobs.job_claim(job_id=job.pk)  # a redelivered message takes over
    before = (
        set(default_storage.listdir("reports")[1]) if default_storage.exists("reports") else set()
    )

    assert not jobs.job_finish(job_id=job.pk, attempt=first.attempt, content=b"%PDF-old")
    assert jobs.job_finish(job_id=job.pk, attempt=second.attempt, content=b"%PDF-new")

    job.refresh_from_db()
    with default_storage.open(job.file.name, "rb") as handle:
        assert handle.read() == b"%PDF-new"
    after = set(default_storage.listdir("reports")[1])
    assert after - before == {job.file.name.rsplit("/", 1)[1]}  # the old attempt's file is gone


def test_a_report_over_its_time_limit_fails_as_too_long(
    leader, monkeypatch, django_capture_on_commit_callbacks
):
    from celery.exceptions import SoftTimeLimitExceeded

    class Endless(TinyReport):
        def main_html(self):
            raise SoftTimeLimitExceeded()  # what Celery raises at CELERY_TASK_SOFT_TIME_LIMIT

    monkeypatch.setattr(documents, "document_for", lambda *, kind, params: Endless())
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(leader)

    job.refresh_from_db()
    assert (job.state, job.error_code) == (JobState.FAILED, FailureCode.TOO_LONG)
