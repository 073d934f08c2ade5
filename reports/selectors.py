"""Reads behind the dashboards: every figure is computed in the database."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils.text import capfirst

from campaigns.models import Campaign, Criterion, ReportingPeriod, SubmissionStatus
from indicators.models import CommuneStatistics, Indicator, Measure, ReportedValue
from reports.models import ReportJob, ReportKind
from units.models import Unit, User

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class IndicatorGlance:
    """One indicator's 2020 target beside the province's latest value."""

    code: str
    name: str
    measure: str
    unit_of_measure: str
    target_low: Decimal | None
    target_high: Decimal | None
    is_range: bool
    value: Decimal | None
    year: int | None
    # Share-of-communes indicators only: how the value was counted.
    communes_met: int | None = None
    communes_with_data: int | None = None
    communes_missing: int | None = None


@dataclass(frozen=True)
class AdminLink:
    label: str
    url: str


def _commune_boolean_field(name: str) -> bool:
    try:
        field = CommuneStatistics._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.BooleanField)


def _commune_counts(*, fields: set[str]) -> tuple[int | None, dict[str, tuple[int, int, int]]]:
    """Latest statistics year and, per field, (communes meeting it, with data, without data)."""
    year = CommuneStatistics.objects.aggregate(year=Max("year"))["year"]
    if year is None or not fields:
        return year, {}
    in_year = Q(statistics__year=year)
    aggregates: dict[str, Count] = {"communes": Count("pk", distinct=True)}
    for field in fields:
        aggregates[f"{field}__met"] = Count(
            "statistics", filter=in_year & Q(**{f"statistics__{field}": True})
        )
        aggregates[f"{field}__data"] = Count(
            "statistics", filter=in_year & Q(**{f"statistics__{field}__isnull": False})
        )
    # Communes that take part are the denominator of "missing": one without a row for the year
    # is missing just like one whose row leaves the field empty.
    totals = Unit.objects.communes().filter(is_active=True).aggregate(**aggregates)
    counts = {
        field: (
            totals[f"{field}__met"],
            totals[f"{field}__data"],
            totals["communes"] - totals[f"{field}__data"],
        )
        for field in fields
    }
    return year, counts


def _with_rate_sums(indicators: models.QuerySet[Indicator]) -> models.QuerySet[Indicator]:
    """Annotate the latest year with accepted counts, and the sums of both counts in that year."""
    accepted = ReportedValue.objects.filter(
        indicator=OuterRef("pk"),
        submission__status=SubmissionStatus.ACCEPTED,
        numerator__isnull=False,
        denominator__isnull=False,
    )
    in_latest_year = accepted.filter(submission__period__year=OuterRef("rate_year")).order_by()

    def summed(field: str) -> Subquery:
        return Subquery(
            in_latest_year.values("indicator").annotate(total=Sum(field)).values("total")[:1]
        )

    return indicators.annotate(
        rate_year=Subquery(
            accepted.order_by("-submission__period__year").values("submission__period__year")[:1]
        ),
    ).annotate(rate_numerator=summed("numerator"), rate_denominator=summed("denominator"))


def indicators_at_a_glance(*, campaign: Campaign) -> list[IndicatorGlance]:
    """The campaign's indicators with the province's latest value where one can be computed."""
    indicators = list(
        _with_rate_sums(Indicator.objects.filter(campaign=campaign)).order_by("order", "code")
    )
    share_fields = {
        indicator.commune_field
        for indicator in indicators
        if indicator.measure == Measure.SHARE_OF_COMMUNES
        and _commune_boolean_field(indicator.commune_field)
    }
    stats_year, commune_counts = _commune_counts(fields=share_fields)

    rows = []
    for indicator in indicators:
        extra: dict[str, int | None] = {}
        value: Decimal | None = None
        year: int | None = None
        if indicator.measure == Measure.SHARE_OF_COMMUNES and indicator.commune_field in (
            commune_counts
        ):
            met, with_data, missing = commune_counts[indicator.commune_field]
            extra = {
                "communes_met": met,
                "communes_with_data": with_data,
                "communes_missing": missing,
            }
            year = stats_year
            value = Decimal(met) * HUNDRED / with_data if with_data else None
        elif indicator.measure == Measure.RATE and indicator.rate_denominator:
            year = indicator.rate_year
            value = Decimal(indicator.rate_numerator) * HUNDRED / indicator.rate_denominator
        rows.append(
            IndicatorGlance(
                code=indicator.code,
                name=indicator.name,
                measure=indicator.measure,
                unit_of_measure=indicator.unit_of_measure,
                target_low=indicator.target_low,
                target_high=indicator.target_high,
                is_range=indicator.is_range,
                value=value,
                year=year,
                **extra,
            )
        )
    return rows


def leader_campaign(*, period: ReportingPeriod | None) -> Campaign | None:
    """The campaign a leader's dashboard shows: the current year's, else the newest one."""
    if period is not None:
        return period.campaign
    return Campaign.objects.order_by("-issued_on").first()


def admin_setup_links(*, user: User) -> list[AdminLink]:
    """Links to the admin pages that set up the portal, for those the admin site offers."""
    setup_models: list[type[models.Model]] = [
        Campaign,
        ReportingPeriod,
        Criterion,
        Unit,
        User,
        CommuneStatistics,
    ]
    links = []
    for model in setup_models:
        if not admin.site.is_registered(model):
            continue
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        links.append(
            AdminLink(
                label=capfirst(str(opts.verbose_name_plural)),
                url=reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            )
        )
    return links


def jobs_for_user(*, user: User, limit: int = 30) -> list[ReportJob]:
    """The reports `user` asked for, newest first."""
    return list(ReportJob.objects.filter(requested_by=user).order_by("-created_at")[:limit])


def job_filename(job: ReportJob) -> str:
    """The name the browser saves a report under ("bao-cao-...-2019.pdf")."""
    suffix = ".zip" if job.kind == ReportKind.UNIT_SHEETS_ZIP else ".pdf"
    return job.params.get("filename") or f"report-{job.pk}{suffix}"
