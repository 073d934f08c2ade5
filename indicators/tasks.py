"""Background jobs for commune-statistics imports; the ImportBatch row holds the job's state."""

from celery import shared_task
from django.core.exceptions import ValidationError

from indicators.imports import services
from indicators.models import ImportBatch
from units.models import User


@shared_task(ignore_result=True)
def preview_import(*, batch_id: int) -> None:
    """Read an uploaded file and store its preview."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        services.batch_preview(batch=batch)


@shared_task(ignore_result=True)
def apply_import(*, batch_id: int, user_id: int | None) -> None:
    """Apply a confirmed import in one transaction."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    by = User.objects.filter(pk=user_id).first() if user_id is not None else None
    try:
        services.batch_apply(batch=batch, by=by)
    except ValidationError:
        # Recorded on the batch (stale figures, locked year): nothing to retry.
        return


@shared_task(ignore_result=True)
def expire_import_previews() -> int:
    """Expire previews nobody confirmed within a day (Celery beat)."""
    return services.batches_expire()
