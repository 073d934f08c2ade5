"""The two-step import of commune statistics: upload and preview, then confirm and apply."""

import hashlib
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy

from campaigns.models import PeriodState, ReportingPeriod
from indicators.imports.apply import apply_rows, rows_breaking_rules
from indicators.imports.preview import Preview, build_preview
from indicators.imports.problems import refusal
from indicators.imports.safety import check_upload
from indicators.models import ImportBatch, ImportState
from indicators.progress.cache import figures_changed
from units.models import NotificationKind, Unit, User
from units.notifications.services import notify

logger = logging.getLogger(__name__)

# Larger uploads are read and applied by a Celery job while the page shows progress.
ASYNC_MIN_BYTES = 256 * 1024
# A preview compares the file with the figures stored when it was read; left unconfirmed for
# longer, it is likely abandoned or out of date, so it expires.
PREVIEW_LIFETIME = timedelta(days=1)


def year_is_locked(*, year: int) -> bool:
    return ReportingPeriod.objects.filter(year=year, state=PeriodState.LOCKED).exists()


def ensure_year_open(*, year: int) -> None:
    if year_is_locked(year=year):
        raise refusal("year_locked", year=year)


def batch_create(
    *, upload: File, year: int, by: User | None, district: Unit | None = None
) -> ImportBatch:
    """Check an upload and keep it privately; nothing is stored when it is refused.

    With `district`, the upload may only write that district's communes."""
    ensure_year_open(year=year)
    size = upload.size or 0
    check_upload(upload, size=size)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    batch = ImportBatch(
        year=year,
        uploaded_by=by,
        district=district,
        original_name=(upload.name or "upload.xlsx").rsplit("/", 1)[-1][:255],
        size=size,
        sha256=digest.hexdigest(),
    )
    batch.file.save("upload.xlsx", upload, save=False)
    batch.save()
    return batch


def is_large(batch: ImportBatch) -> bool:
    return batch.size >= ASYNC_MIN_BYTES


def batch_start_preview(*, batch: ImportBatch) -> ImportBatch:
    """Preview now, or in a Celery job when the file is large."""
    from indicators import tasks

    if is_large(batch):
        transaction.on_commit(lambda: _enqueue(tasks.preview_import, batch_id=batch.pk))
        return batch
    return batch_preview(batch=batch)


def _enqueue(task: Any, *, batch_id: int, **kwargs: Any) -> None:
    # Recorded before the job can finish, so the history shows which job handled the file.
    job_id = uuid.uuid4().hex
    ImportBatch.objects.filter(pk=batch_id).update(task_id=job_id)
    task.apply_async(kwargs={"batch_id": batch_id, **kwargs}, task_id=job_id)


def batch_preview(*, batch: ImportBatch) -> ImportBatch:
    """Read the stored file and record what confirming it would change."""
    # Claim the batch: a job delivered twice must not read the file twice.
    claimed = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.UPLOADED).update(
        state=ImportState.PREVIEWING, progress=1
    )
    batch.refresh_from_db()
    if not claimed:
        return batch

    def on_progress(done: int, total: int | None) -> None:
        if total:
            percent = max(1, min(95, done * 95 // total))
            ImportBatch.objects.filter(pk=batch.pk).update(progress=percent)

    try:
        with batch.file.open("rb") as stream:
            preview = build_preview(
                stream, year=batch.year, on_progress=on_progress, district_id=batch.district_id
            )
    except ValidationError as exc:
        batch.state = ImportState.REFUSED
        batch.refusal = {"code": exc.code, "params": exc.params or {}}
        batch.progress = 100
        batch.save(update_fields=["state", "refusal", "progress"])
        return batch
    except Exception:
        logger.exception("Reading import batch %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.FAILED, refusal={"code": "unexpected", "params": {}}, progress=100
        )
        raise
    _store_preview(batch, preview)
    return batch


def _store_preview(batch: ImportBatch, preview: Preview) -> None:
    batch.state = ImportState.PREVIEWED
    batch.progress = 100
    batch.previewed_at = timezone.now()
    for name in (
        "columns",
        "rows",
        "errors",
        "warnings",
        "changes",
        "total_rows",
        "new_count",
        "changed_count",
        "unchanged_count",
        "error_count",
        "skipped_count",
        "blank_count",
        "needs_note",
        "fingerprint",
    ):
        setattr(batch, name, getattr(preview, name))
    batch.confirm_token = "" if preview.error_count else secrets.token_urlsafe(32)
    batch.save()


def batch_confirm(
    *, batch: ImportBatch, by: User | None, token: str, note: str = "", background: bool = True
) -> ImportBatch:
    """Accept a preview; the rows are applied now, or by a Celery job for a large file.

    `background=False` applies at once whatever the size: the command line has no page to come
    back to and must not report success before the rows are in.
    """
    from indicators import tasks

    batches_expire()
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.uploaded_by_id != (by.pk if by is not None else None):
            raise refusal("not_owner")
        if batch.state == ImportState.EXPIRED:
            raise refusal("expired")
        if batch.state != ImportState.PREVIEWED:
            raise refusal("already_used")
        if batch.error_count:
            raise refusal("has_errors")
        if not batch.confirm_token:
            raise refusal("already_used")
        if not constant_time_compare(token or "", batch.confirm_token):
            raise refusal("bad_token")
        ensure_year_open(year=batch.year)
        if batch.needs_note and not note.strip():
            raise refusal("note_required")
        batch.state = ImportState.APPLYING
        batch.confirm_token = ""
        batch.note = note.strip()
        batch.progress = 0
        batch.save(update_fields=["state", "confirm_token", "note", "progress"])
        in_job = background and is_large(batch)
        if in_job:
            user_id = by.pk if by is not None else None
            transaction.on_commit(
                lambda: _enqueue(tasks.apply_import, batch_id=batch.pk, user_id=user_id)
            )
    if not in_job:
        batch = batch_apply(batch=batch, by=by)
    return batch


def _tell_failed(batch: ImportBatch, by: User | None) -> None:
    if by is not None:
        notify(
            users=[by],
            kind=NotificationKind.IMPORT_FINISHED,
            message=gettext_lazy(
                "The import of the commune statistics %(year)s from %(file)s failed: "
                "nothing was written. The import page says why."
            ),
            params={"year": batch.year, "file": batch.original_name},
            link=reverse("indicators:import-detail", args=[batch.pk]),
        )


def batch_apply(*, batch: ImportBatch, by: User | None) -> ImportBatch:
    """Write a confirmed preview in one transaction; on any failure nothing is written."""
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.state != ImportState.APPLYING:
                return batch
            ensure_year_open(year=batch.year)
            apply_rows(
                year=batch.year,
                columns=batch.columns,
                rows=batch.rows,
                expected=batch.fingerprint,
                by=by,
            )
            # Marked applied in the same transaction: a crash leaves the batch to retry.
            batch.state = ImportState.APPLIED
            batch.applied_at = timezone.now()
            batch.applied_by = by
            batch.progress = 100
            # The validated rows were only needed to apply them; the file and changes remain.
            batch.rows = []
            batch.save(update_fields=["state", "applied_at", "applied_by", "progress", "rows"])
            # Dashboards cache their figures; they must be recomputed once the rows are in.
            transaction.on_commit(figures_changed)
            if by is not None:
                notify(
                    users=[by],
                    kind=NotificationKind.IMPORT_FINISHED,
                    message=gettext_lazy(
                        "The commune statistics %(year)s from %(file)s are imported."
                    ),
                    params={"year": batch.year, "file": batch.original_name},
                    link=reverse("indicators:import-detail", args=[batch.pk]),
                )
    except ValidationError as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.FAILED,
            refusal={"code": exc.code, "params": exc.params or {}},
            progress=100,
        )
        batch.refresh_from_db()
        _tell_failed(batch, by)
        raise
    except IntegrityError:
        # A database rule the preview did not foresee: the transaction is rolled back, and the
        # rows that break a rule become row errors instead of an error page.
        logger.warning("Import batch %s broke a database rule", batch.pk, exc_info=True)
        errors = rows_breaking_rules(year=batch.year, columns=batch.columns, rows=batch.rows)
        code = "rows_refused" if errors else "unexpected"
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.FAILED,
            refusal={"code": code, "params": {}},
            errors=errors,
            error_count=len({error["row"] for error in errors}),
            confirm_token="",
            progress=100,
        )
        batch.refresh_from_db()
        _tell_failed(batch, by)
        raise refusal(code) from None
    except Exception:
        logger.exception("Import batch %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.FAILED, refusal={"code": "unexpected", "params": {}}, progress=100
        )
        raise
    return batch


def batches_expire(*, now: datetime | None = None) -> int:
    """Mark previews left unconfirmed for longer than PREVIEW_LIFETIME as expired."""
    cutoff = (now or timezone.now()) - PREVIEW_LIFETIME
    return ImportBatch.objects.filter(state=ImportState.PREVIEWED, previewed_at__lt=cutoff).update(
        state=ImportState.EXPIRED, confirm_token=""
    )
