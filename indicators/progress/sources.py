"""The data behind a figure: which communes, which reports, which models."""

from datetime import datetime

from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from campaigns.models import Submission, SubmissionStatus
from indicators.models import CommuneStatistics, Indicator, ReportedValue
from indicators.progress.baselines import growth_baseline
from indicators.progress.engine import model_results
from indicators.progress.results import (
    SHARE_FIELDS,
    Source,
    SourceRow,
    Target,
    as_float,
    coverage_kind,
    income_growth,
    indicator_source,
    ratio,
)
from indicators.progress.scopes import (
    communes_in_scope,
    communes_q,
    counted_statuses,
    kinds_counted,
    reporting_q,
    unit_subtree_q,
)
from units.models import Unit


def progress_sources(
    *, indicator: Indicator, scope: Unit, year: int, include_submitted: bool = False
) -> list[SourceRow]:
    """The data behind an indicator's value: which communes, which reports, which models."""
    source = indicator_source(indicator)
    if source == Source.COMMUNES:
        return _commune_sources(indicator, scope, year)
    if source == Source.REPORTED:
        return _reported_sources(indicator, scope, year, include_submitted)
    return _model_sources(source, scope, year, include_submitted, indicator)


def _commune_sources(indicator: Indicator, scope: Unit, year: int) -> list[SourceRow]:
    name = indicator.commune_field
    if name not in SHARE_FIELDS:
        return []
    stats = CommuneStatistics.objects.filter(commune=OuterRef("pk"), year=year).order_by()
    communes = (
        communes_in_scope(scope)
        .filter(kind__in=kinds_counted(coverage_kind(indicator)))
        .annotate(flag=Subquery(stats.values(name)[:1]))
        .values("pk", "code", "name", "flag")
        .order_by("code")
    )
    rows = []
    for c in communes:
        flag = c["flag"]
        rows.append(
            SourceRow(
                unit_id=c["pk"],
                unit_code=c["code"],
                unit_name=c["name"],
                label=str(_("no data") if flag is None else (_("yes") if flag else _("no"))),
                numerator=None if flag is None else float(flag),
                denominator=None if flag is None else 1.0,
                value=None if flag is None else 100.0 * flag,
                met=flag,
            )
        )
    return rows


def _reported_sources(
    indicator: Indicator, scope: Unit, year: int, include_submitted: bool
) -> list[SourceRow]:
    target = Target.of(indicator, indicator.direction)
    rows = (
        ReportedValue.objects.filter(
            reporting_q(scope),
            indicator=indicator,
            submission__status__in=counted_statuses(include_submitted),
            submission__period__year=year,
        )
        .values(
            "submission_id",
            "submission__status",
            "submission__unit_id",
            "submission__unit__code",
            "submission__unit__name",
            "numerator",
            "denominator",
        )
        .order_by("submission__unit__code")
    )
    result = []
    for row in rows:
        value = ratio(row["numerator"], row["denominator"])
        result.append(
            SourceRow(
                unit_id=row["submission__unit_id"],
                unit_code=row["submission__unit__code"],
                unit_name=row["submission__unit__name"],
                label=str(SubmissionStatus(row["submission__status"]).label),
                numerator=as_float(row["numerator"]),
                denominator=as_float(row["denominator"]),
                value=value,
                met=None if value is None else target.is_met(value),
                submission_id=row["submission_id"],
                submission_status=row["submission__status"],
            )
        )
    return result


def _model_sources(
    source: str, scope: Unit, year: int, include_submitted: bool, indicator: Indicator
) -> list[SourceRow]:
    # The first year after the baseline is compared with the baseline, not the year before.
    baseline = None
    if source == Source.MODEL_GROWTH:
        baseline = growth_baseline(indicator=indicator, scope=scope)
        if baseline is not None and baseline.year + 1 != year:
            baseline = None
    rows = (
        model_results(scope, include_submitted)
        .filter(year=year)
        .values(
            "submission_id",
            "submission__status",
            "model__unit_id",
            "model__unit__code",
            "model__name",
            "participating_households",
            "escaped_households",
            "average_income_vnd",
            "previous_income",
        )
        .order_by("model__unit__code", "model__name")
    )
    result = []
    numerator: int | None
    denominator: int | None
    for row in rows:
        if source == Source.MODEL_ESCAPE:
            numerator, denominator = row["escaped_households"], row["participating_households"]
            value = ratio(numerator, denominator)
        else:
            numerator, denominator = row["average_income_vnd"], row["previous_income"]
            if baseline is not None:
                denominator = int(baseline.value)
            value = income_growth(numerator, denominator)
        label = str(SubmissionStatus(row["submission__status"]).label)
        if baseline is not None:
            label = _("%(status)s; compared with the %(year)s baseline (%(source)s)") % {
                "status": label,
                "year": baseline.year,
                "source": baseline.source_document,
            }
        result.append(
            SourceRow(
                unit_id=row["model__unit_id"],
                unit_code=row["model__unit__code"],
                unit_name=row["model__name"],
                label=label,
                numerator=as_float(numerator),
                denominator=as_float(denominator),
                value=value,
                met=None,
                submission_id=row["submission_id"],
                submission_status=row["submission__status"],
                previous=as_float(denominator if baseline else row["previous_income"]),
            )
        )
    return result


def figures_as_of(*, scope: Unit) -> datetime | None:
    """When the accepted figures of a scope last changed: last import or last acceptance."""
    stats = CommuneStatistics.objects.filter(communes_q(scope, "commune")).aggregate(
        at=Max("updated_at")
    )["at"]
    accepted = Submission.objects.filter(
        unit_subtree_q(scope, "unit"), status=SubmissionStatus.ACCEPTED
    ).aggregate(at=Max("accepted_at"))["at"]
    return max((d for d in (stats, accepted) if d is not None), default=None)
