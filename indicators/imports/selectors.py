"""Reads for the import pages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from indicators.models import ImportBatch

_HEAVY = ("rows", "changes", "errors", "warnings")


def import_batches() -> QuerySet[ImportBatch]:
    """The import history, newest first, without the stored previews."""
    return ImportBatch.objects.select_related("uploaded_by", "applied_by").defer(*_HEAVY)


def import_batch(*, pk: int, light: bool = False) -> ImportBatch:
    """One import; light leaves out the preview, and the validated rows are never needed here."""
    queryset = (
        import_batches()
        if light
        else ImportBatch.objects.select_related("uploaded_by", "applied_by").defer("rows")
    )
    return get_object_or_404(queryset, pk=pk)
