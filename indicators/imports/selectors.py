"""Reads for the import pages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from campaigns.models import Campaign, PeriodState, ReportingPeriod
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


def current_campaign() -> Campaign | None:
    """The campaign imports are for: the one with an open year, else the latest issued."""
    open_period = (
        ReportingPeriod.objects.filter(state=PeriodState.OPEN)
        .select_related("campaign")
        .order_by("-campaign__issued_on", "-year")
        .first()
    )
    if open_period is not None:
        return open_period.campaign
    return Campaign.objects.order_by("-issued_on").first()


def import_years() -> list[int]:
    """Every year of the current campaign, newest first; last year's when there is none."""
    campaign = current_campaign()
    if campaign is None:
        return [timezone.localdate().year - 1]
    return list(range(campaign.last_year, campaign.first_year - 1, -1))


def default_import_year() -> int:
    """The year being reported now: the campaign's open year (the latest one if several),
    else the campaign's last year; last calendar year without a campaign."""
    campaign = current_campaign()
    if campaign is None:
        return timezone.localdate().year - 1
    open_year = (
        ReportingPeriod.objects.filter(campaign=campaign, state=PeriodState.OPEN)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return open_year if open_year is not None else campaign.last_year
