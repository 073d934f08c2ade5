"""Report jobs through the real Redis to real Celery workers: parts spread, merged, survived."""

import datetime
import io
import os
import signal
import time
import zipfile

from django.urls import reverse
from django.utils import timezone

from reports.models import JobState, ReportJob, ReportKind
from reports.services import jobs
from tests.conftest import start_celery_worker
from tests.factories import UserFactory
from tests.pdf_tools import pdf_fonts, pdf_text
from tests.test_board_ranking import bloc_build, member, report


def _wait_for(job: ReportJob, *, seconds: float = 90) -> ReportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.in_flight:
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job stayed {job.state} at {job.progress}%")


def _year_with_three_units():
    b = bloc_build()
    for code, name in (
        ("610", "Huyện Đắk Glei"),
        ("611", "Huyện Ngọc Hồi"),
        ("612", "Huyện Đắk Tô"),
    ):
        report(b, member(b, name, code=code))
    return b


def _unzipped(job: ReportJob) -> dict[str, bytes]:
    with job.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_workers_make_every_unit_sheet_of_a_year_into_one_zip(client, celery_worker):
    _year_with_three_units()
    leader = UserFactory(username="leader-worker", leader=True)
    client.force_login(leader)

    response = client.post(reverse("documents:ask"), {"kind": "unit_zip", "unit_zip-year": "2019"})

    assert response.status_code == 302
    job = _wait_for(ReportJob.objects.get())
    assert job.state == JobState.DONE, job.error
    assert (job.parts_total, job.parts_done, job.progress) == (3, 3, 100)
    sheets = _unzipped(job)
    assert sorted(sheets) == [f"phieu-danh-gia-2019-{code}.pdf" for code in ("610", "611", "612")]
    for code, unit in (
        ("610", "Huyện Đắk Glei"),
        ("611", "Huyện Ngọc Hồi"),
        ("612", "Huyện Đắk Tô"),
    ):
        sheet = sheets[f"phieu-danh-gia-2019-{code}.pdf"]
        assert unit in pdf_text(sheet)
        assert all(font.startswith("Report-Serif") for font in pdf_fonts(sheet))
    # The parts were deleted once merged.
    assert not job.file.storage.exists(f"reports/parts/{job.pk}-1/0.pdf")

    download = client.get(reverse("documents:download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"


def test_a_job_whose_worker_is_killed_is_finished_by_another(settings, celery_worker):
    import redis

    _year_with_three_units()
    leader = UserFactory(username="leader-kill", leader=True)
    job = jobs.report_request(user=leader, kind=ReportKind.UNIT_SHEETS_ZIP, params={"year": 2019})

    deadline = time.monotonic() + 60
    while ReportJob.objects.get(pk=job.pk).state != JobState.RUNNING:
        assert time.monotonic() < deadline, "the worker never started the job"
        time.sleep(0.01)
    os.kill(celery_worker.pid, signal.SIGKILL)  # mid-render: no goodbye, no acknowledgement
    celery_worker.wait(timeout=10)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING  # the row still says what was asked

    second = start_celery_worker(media_root=str(settings.MEDIA_ROOT))
    try:
        # What Celery beat runs every minute, here as if the job had been silent for an hour.
        resent = jobs.jobs_reconcile(now=timezone.now() + datetime.timedelta(hours=1))
        assert resent == [job.pk]
        job = _wait_for(job)
    finally:
        second.terminate()
        second.wait(timeout=30)
        # The killed worker's unacknowledged message must not reach later tests' workers.
        redis.Redis.from_url(os.environ["REDIS_URL"]).delete("unacked", "unacked_index")

    assert job.state == JobState.DONE, job.error
    assert job.attempts == 2
    assert len(_unzipped(job)) == 3
