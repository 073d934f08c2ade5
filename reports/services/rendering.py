"""Turning a claimed job into its file: one render, or parts spread over the workers and merged.

A province report renders its main part first (its page count numbers the annex), then one task
per annex part; all unit sheets of a year render one task per unit. Parts are stored under the
job's attempt and assembled when the last one is done (a Celery chord). Without a worker (eager
mode, the `render_report` command) the same parts render one after the other in this process.
"""

import io
import traceback
import zipfile

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation

from reports import documents
from reports.models import FailureCode, ReportJob, ReportKind
from reports.pdf import pdf_merge, pdf_render, render_with_annex
from reports.services import jobs


def part_name(*, job_id: int, attempt: int, part: int | str) -> str:
    return f"reports/parts/{job_id}-{attempt}/{part}.pdf"


def _store_part(name: str, content: bytes) -> None:
    if not default_storage.exists(name):  # a redelivered part keeps the copy already stored
        default_storage.save(name, ContentFile(content))


def _guarded(job_id: int, attempt: int, work) -> None:
    """Run `work`; a failure that retrying cannot cure fails the job in words its user can read.

    Transient errors (database, storage, broker) propagate so that the task retries them.
    """
    from reports.tasks import TRANSIENT_ERRORS

    try:
        work()
    except TRANSIENT_ERRORS:
        raise
    except ValidationError as exc:
        jobs.job_fail(
            job_id=job_id,
            attempt=attempt,
            code=FailureCode.UNAVAILABLE,
            error="; ".join(exc.messages),
        )
    except SoftTimeLimitExceeded:
        jobs.job_fail(
            job_id=job_id, attempt=attempt, code=FailureCode.TOO_LONG, error=traceback.format_exc()
        )
    except Exception:
        jobs.job_fail(
            job_id=job_id, attempt=attempt, code=FailureCode.INTERNAL, error=traceback.format_exc()
        )


def job_run(*, job_id: int, fan_out: bool) -> None:
    """Claim the job and render it, inline or by sending its parts to the workers."""
    claim = jobs.job_claim(job_id=job_id)
    if claim is None:
        return
    job, attempt = claim.job, claim.attempt

    def work() -> None:
        with translation.override(job.params.get("lang")):
            if job.kind == ReportKind.UNIT_SHEETS_ZIP:
                _run_zip(job, attempt, fan_out=fan_out)
            else:
                _run_document(job, attempt, fan_out=fan_out)

    _guarded(job.pk, attempt, work)


def _send_parts(job: ReportJob, attempt: int, count: int, main_pages: int = 0) -> None:
    from celery import chord

    from reports import tasks

    jobs.job_progress(job_id=job.pk, attempt=attempt, progress=30, parts_total=count)
    header = [
        tasks.report_render_part.si(job_id=job.pk, attempt=attempt, index=i, main_pages=main_pages)
        for i in range(count)
    ]
    chord(header)(tasks.report_assemble.s(job_id=job.pk, attempt=attempt))


def _run_document(job: ReportJob, attempt: int, *, fan_out: bool) -> None:
    doc = documents.document_for(kind=job.kind, params=job.params)
    main = pdf_render(doc.main_html())
    annex = doc.annex()
    if annex is None or annex.count == 0:
        jobs.job_finish(job_id=job.pk, attempt=attempt, content=main.content)
        return
    if fan_out and annex.part_count > 1:
        _store_part(part_name(job_id=job.pk, attempt=attempt, part="main"), main.content)
        _send_parts(job, attempt, annex.part_count, main_pages=main.pages)
        return
    jobs.job_progress(job_id=job.pk, attempt=attempt, progress=30, parts_total=annex.part_count)
    contents = [main.content]
    for index in range(annex.part_count):
        contents.append(annex.render_part(index, main_pages=main.pages).content)
        jobs.job_part_done(job_id=job.pk, attempt=attempt)
    jobs.job_finish(job_id=job.pk, attempt=attempt, content=pdf_merge(contents))


def _unit_sheet(job: ReportJob, code: str) -> tuple[str, bytes]:
    params = {**job.params, "unit": code}
    doc = documents.document_for(kind=ReportKind.UNIT_SHEET, params=params)
    return doc.filename(), render_with_annex(doc.main_html(), doc.annex()).content


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def _run_zip(job: ReportJob, attempt: int, *, fan_out: bool) -> None:
    codes = documents.zip_unit_codes(year=job.params["year"])
    if not codes:
        raise ValidationError("no unit has a report for this year", code="unavailable")
    if fan_out and len(codes) > 1:
        _send_parts(job, attempt, len(codes))
        return
    jobs.job_progress(job_id=job.pk, attempt=attempt, progress=5, parts_total=len(codes))
    files = []
    for code in codes:
        files.append(_unit_sheet(job, code))
        jobs.job_part_done(job_id=job.pk, attempt=attempt, first=5, span=90)
    jobs.job_finish(job_id=job.pk, attempt=attempt, content=_zip(files))


def part_run(*, job_id: int, attempt: int, index: int, main_pages: int) -> str:
    """Render one part of a job into storage; returns the name to file it under ("" if stale)."""
    job = ReportJob.objects.filter(pk=job_id, attempts=attempt).first()
    if job is None or not job.in_flight:
        return ""
    result = {"name": ""}

    def work() -> None:
        name = part_name(job_id=job_id, attempt=attempt, part=index)
        with translation.override(job.params.get("lang")):
            if job.kind == ReportKind.UNIT_SHEETS_ZIP:
                code = documents.zip_unit_codes(year=job.params["year"])[index]
                result["name"], content = _unit_sheet(job, code)
            else:
                annex = documents.document_for(kind=job.kind, params=job.params).annex()
                assert annex is not None
                content = annex.render_part(index, main_pages=main_pages).content
        _store_part(name, content)
        first, span = (5, 90) if job.kind == ReportKind.UNIT_SHEETS_ZIP else (30, 65)
        jobs.job_part_done(job_id=job_id, attempt=attempt, first=first, span=span)

    _guarded(job_id, attempt, work)
    return result["name"]


def job_assemble(*, job_id: int, attempt: int, names: list[str]) -> None:
    """Merge the stored parts into the job's file, then delete them."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    stored = [part_name(job_id=job_id, attempt=attempt, part=i) for i in range(len(names))]
    if job.in_flight and job.attempts == attempt:

        def work() -> None:
            contents = [_read(name) for name in stored]
            if job.kind == ReportKind.UNIT_SHEETS_ZIP:
                content = _zip(list(zip(names, contents, strict=True)))
            else:
                main = _read(part_name(job_id=job_id, attempt=attempt, part="main"))
                content = pdf_merge([main, *contents])
            jobs.job_finish(job_id=job_id, attempt=attempt, content=content)

        # A transient error propagates before the parts are deleted: the retry needs them.
        _guarded(job_id, attempt, work)
    for name in [*stored, part_name(job_id=job_id, attempt=attempt, part="main")]:
        if default_storage.exists(name):
            default_storage.delete(name)


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()
