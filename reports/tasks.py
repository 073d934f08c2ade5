"""Celery tasks for report jobs: they take ids, and the services do the work (docs/ARCHITECTURE.md).

Late acknowledgement and reject-on-worker-lost (settings) put a message back if its worker dies;
time limits come from CELERY_TASK_*_TIME_LIMIT; transient errors retry with a growing delay.
"""

import kombu.exceptions
import redis.exceptions
from celery import shared_task
from django.db import InterfaceError, OperationalError

from reports.models import FailureCode

# Worth another try: the database, the file store or the broker hiccuped. Bad data is not.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    OSError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
MAX_RETRIES = 3


def _backoff(retries: int) -> int:
    return min(5 * 2**retries, 120)


def _retry_or_give_up(task, exc: Exception, job_id: int) -> None:
    from reports.services import jobs

    if task.request.retries >= MAX_RETRIES:
        jobs.job_fail(job_id=job_id, attempt=None, code=FailureCode.GAVE_UP, error=repr(exc))
        return
    raise task.retry(exc=exc, countdown=_backoff(task.request.retries))


@shared_task(bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def report_render(self, *, job_id: int) -> None:
    """Render a job's report (or send its parts to the workers)."""
    from reports.services import rendering

    try:
        rendering.job_run(job_id=job_id, fan_out=not self.request.is_eager)
    except TRANSIENT_ERRORS as exc:
        _retry_or_give_up(self, exc, job_id)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def report_render_part(self, *, job_id: int, attempt: int, index: int, main_pages: int) -> str:
    """Render one part of a long report, or one unit's sheet of a zip."""
    from reports.services import rendering

    try:
        return rendering.part_run(
            job_id=job_id, attempt=attempt, index=index, main_pages=main_pages
        )
    except TRANSIENT_ERRORS as exc:
        _retry_or_give_up(self, exc, job_id)
        return ""


@shared_task(bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def report_assemble(self, names: list[str], *, job_id: int, attempt: int) -> None:
    """Merge a job's parts once all are rendered."""
    from reports.services import rendering

    try:
        rendering.job_assemble(job_id=job_id, attempt=attempt, names=names)
    except TRANSIENT_ERRORS as exc:
        _retry_or_give_up(self, exc, job_id)


@shared_task(ignore_result=True)
def reports_reconcile() -> list[int]:
    """Re-send report jobs that nobody is working on (run every minute by Celery beat)."""
    from reports.services import jobs

    return jobs.jobs_reconcile()
