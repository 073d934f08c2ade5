"""A report job's life: asked for, queued after commit, claimed, finished or failed, reconciled.

The ReportJob row in PostgreSQL is the truth; a Celery message is only a nudge. Every step locks the
row and checks the attempt number, so a message delivered twice, a retry, a worker killed
mid-render or a reconciler re-sending a job all end with one complete file on one job.
"""

import datetime
import logging
import traceback
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import access
from reports.fingerprint import report_fingerprint
from reports.models import FailureCode, JobState, ReportJob, ReportKind
from units.models import NotificationKind, User
from units.notifications.services import notify

logger = logging.getLogger(__name__)

# A first try and three retries (tasks.MAX_RETRIES); a reconciler re-send is an attempt too.
MAX_ATTEMPTS = 4


def _normalised(*, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters a kind uses, typed, with today's date and the asker's language."""
    try:
        year = int(params.get("year", ""))
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a year."), code="unavailable") from None
    clean: dict[str, Any] = {
        "year": year,
        "date": timezone.localdate().isoformat(),
        "lang": params.get("lang") or translation.get_language() or settings.LANGUAGE_CODE,
    }
    if kind == ReportKind.UNIT_SHEET:
        clean["unit"] = str(params.get("unit", "")).strip()
    return clean


def _file_name(*, kind: str, params: dict[str, Any]) -> str:
    """The file's name for the browser; refuses at once a report that cannot be made."""
    from reports import documents

    if kind == ReportKind.UNIT_SHEETS_ZIP:
        if not documents.zip_unit_codes(year=params["year"]):
            raise ValidationError(_("No unit has a report for this year."), code="unavailable")
        return f"phieu-danh-gia-{params['year']}.zip"
    with translation.override(params["lang"]):
        return documents.document_filename(kind=kind, params=params)


def report_request(*, user: User, kind: str, params: dict[str, Any]) -> ReportJob:
    """Record a request for a report and queue its rendering once the row is committed.

    The same report with unchanged inputs is answered at once with the file already made.
    """
    params = _normalised(kind=kind, params=params)
    access.report_check(user=user, kind=kind, params=params)
    filename = _file_name(kind=kind, params=params)
    fingerprint = report_fingerprint(kind=kind, params=params)
    params["filename"] = filename
    now = timezone.now()
    with transaction.atomic():
        made = (
            ReportJob.objects.filter(kind=kind, fingerprint=fingerprint, state=JobState.DONE)
            .order_by("-finished_at")
            .first()
        )
        if made is not None and made.file.name and default_storage.exists(made.file.name):
            # Each asker gets a row of their own: downloads check the rights of whoever asked.
            return ReportJob.objects.create(
                kind=kind,
                params=params,
                requested_by=user,
                fingerprint=fingerprint,
                state=JobState.DONE,
                progress=100,
                file=made.file.name,
                started_at=now,
                finished_at=now,
            )
        pending = ReportJob.objects.filter(
            kind=kind,
            fingerprint=fingerprint,
            requested_by=user,
            state__in=[JobState.QUEUED, JobState.RUNNING],
        ).first()
        if pending is not None:  # a double click, or asking again while it renders
            return pending
        job = ReportJob.objects.create(
            kind=kind, params=params, requested_by=user, fingerprint=fingerprint
        )
        transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    return job


def job_enqueue(*, job_id: int) -> bool:
    """Publish the job's task; with the broker down the row stays queued for the reconciler."""
    from reports import tasks

    try:
        tasks.report_render.delay(job_id=job_id)
    except Exception:  # kombu/redis raise many kinds; none of them may lose the request
        logger.warning(
            "Report job %s not published; the reconciler will retry", job_id, exc_info=True
        )
        return False
    return True


@dataclass(frozen=True)
class Claim:
    job: ReportJob
    attempt: int


def job_claim(*, job_id: int) -> Claim | None:
    """Start an attempt at a queued or running job; None if there is nothing left to do."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.in_flight:
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job, code=FailureCode.GAVE_UP, error=f"gave up after {job.attempts} attempts")
            return None
        # A running job claimed again is a redelivery (worker lost) or a reconciler re-send: the
        # new attempt takes over and the old one's result, if any, is thrown away on finishing.
        job.attempts += 1
        job.state = JobState.RUNNING
        job.progress = 5
        job.parts_total = job.parts_done = 0
        job.started_at = timezone.now()
        job.save()
        return Claim(job=job, attempt=job.attempts)


def _current(job_id: int, attempt: int) -> ReportJob | None:
    """The locked job row if `attempt` is still its live attempt (call inside a transaction)."""
    job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state != JobState.RUNNING or job.attempts != attempt:
        return None
    return job


def job_progress(
    *, job_id: int, attempt: int, progress: int, parts_total: int | None = None
) -> None:
    """Move the progress bar (and the reconciler's sign of life)."""
    updates: dict[str, Any] = {"progress": min(progress, 99), "updated_at": timezone.now()}
    if parts_total is not None:
        updates["parts_total"] = parts_total
    ReportJob.objects.filter(pk=job_id, attempts=attempt, state=JobState.RUNNING).update(**updates)


def job_part_done(*, job_id: int, attempt: int, first: int = 30, span: int = 65) -> None:
    """Count one more part rendered; progress moves from `first` to `first + span` percent."""
    with transaction.atomic():
        job = _current(job_id, attempt)
        if job is None or job.parts_done >= job.parts_total:
            return
        job.parts_done = F("parts_done") + 1
        job.save(update_fields=["parts_done", "updated_at"])
        job.refresh_from_db(fields=["parts_done", "parts_total"])
        job.progress = first + span * job.parts_done // max(job.parts_total, 1)
        job.save(update_fields=["progress", "updated_at"])


def job_finish(*, job_id: int, attempt: int, content: bytes) -> bool:
    """Store the complete file, then attach it; False if this attempt was overtaken."""
    kind = ReportJob.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    suffix = ".zip" if kind == ReportKind.UNIT_SHEETS_ZIP else ".pdf"
    # The file is written in full under a fresh name before any row points at it.
    name = default_storage.save(f"reports/{uuid.uuid4().hex}{suffix}", ContentFile(content))
    with transaction.atomic():
        job = _current(job_id, attempt)
        if job is None:
            default_storage.delete(name)
            return False
        job.file.name = name
        job.state = JobState.DONE
        job.progress = 100
        job.error = ""
        job.error_code = ""
        job.finished_at = timezone.now()
        job.save()
        notify(
            users=[job.requested_by],
            kind=NotificationKind.PDF_READY,
            message=gettext_lazy("The PDF report you asked for is ready: %(kind)s."),
            params={"kind": job.get_kind_display()},
            link=reverse("documents:job", args=[job.pk]),
        )
    return True


def _fail(job: ReportJob, *, code: str, error: str) -> None:
    job.state = JobState.FAILED
    job.error_code = code
    job.error = error
    job.finished_at = timezone.now()
    job.save()


def job_fail(*, job_id: int, attempt: int | None, code: str, error: str = "") -> None:
    """Mark the job failed with a reason its requester can read and details for admins."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.in_flight or (attempt is not None and job.attempts != attempt):
            return
        _fail(job, code=code, error=error or traceback.format_exc())
    logger.error("Report job %s failed (%s): %s", job_id, code, error[:500])


def stale_jobs(*, now: datetime.datetime | None = None) -> list[int]:
    """Jobs nobody is working on: queued and never picked up, or running without a sign of life."""
    now = now or timezone.now()
    queued_before = now - datetime.timedelta(seconds=settings.REPORT_JOB_QUEUED_STALE_SECONDS)
    running_before = now - datetime.timedelta(seconds=settings.REPORT_JOB_RUNNING_STALE_SECONDS)
    # One filter, not a UNION: SQLite (the demo's database) refuses a UNION of ordered queries.
    stale = ReportJob.objects.filter(
        Q(state=JobState.QUEUED, updated_at__lt=queued_before)
        | Q(state=JobState.RUNNING, updated_at__lt=running_before)
    )
    return list(stale.order_by("pk").values_list("pk", flat=True))


def jobs_reconcile(*, now: datetime.datetime | None = None) -> list[int]:
    """Re-send every stale job (a lost message, a dead worker, Redis down when it was asked for)."""
    resent = []
    for job_id in stale_jobs(now=now):
        # Touch the row first so the next pass waits a full period before re-sending again.
        ReportJob.objects.filter(pk=job_id).update(updated_at=timezone.now())
        if job_enqueue(job_id=job_id):
            resent.append(job_id)
    if resent:
        logger.warning("Re-sent stuck report jobs: %s", resent)
    return resent
