"""Aggregations: every indicator for a scope and year, and its breakdown by child unit."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf

from campaigns.models import Campaign, SubmissionStatus
from indicators.models import CommuneStatistics, Indicator, ModelResult, ReportedValue
from indicators.progress.baselines import growth_series
from indicators.progress.results import (
    MODEL_SOURCES,
    SHARE_FIELDS,
    ChildProgress,
    Overview,
    PovertyFigures,
    Progress,
    Source,
    Status,
    Target,
    YearValue,
    as_float,
    indicator_source,
    ratio,
)
from indicators.progress.roadmap import milestones_for
from indicators.progress.scopes import (
    child_units,
    commune_child_key,
    communes_in_scope,
    communes_q,
    counted_statuses,
    model_child_expression,
    models_q,
    reporting_q,
)
from units.models import Unit, UnitLevel

# A values() row with aggregates named at run time (a pair per share field): the type checker
# cannot know its keys, so it is read as a mapping.
Row = Mapping[str, Any]


class PreviousIncome(TypedDict):
    """What `with_previous_income` adds to each model result."""

    previous_income: int | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    ResultWithPreviousIncome = WithAnnotations[ModelResult, PreviousIncome]

# --- Aggregations -------------------------------------------------------------------------------


def _share_annotations(fields: Iterable[str]) -> dict[str, Aggregate]:
    annotations: dict[str, Aggregate] = {}
    for name in fields:
        annotations[f"{name}__data"] = Count("pk", filter=Q(**{f"{name}__isnull": False}))
        annotations[f"{name}__met"] = Count("pk", filter=Q(**{name: True}))
    return annotations


def _accepted_model_results(include_submitted: bool) -> Q:
    # A result without a report was never accepted by the Board: the foreign key is SET_NULL,
    # so deleting a draft or returned report would otherwise turn its results into official ones.
    return Q(submission__status__in=counted_statuses(include_submitted))


def with_previous_income(
    results: QuerySet[ModelResult], include_submitted: bool = False
) -> "QuerySet[ResultWithPreviousIncome]":
    """Each result with its model's counted average income of the year before (or None)."""
    # A join on the unique (model, year) row rather than a correlated subquery: the subquery,
    # repeated in each aggregate, made PostgreSQL's JIT compile the query for 300+ ms.
    previous_counts = Q(prev__submission__status__in=counted_statuses(include_submitted))
    return results.annotate(
        prev=FilteredRelation("model__results", condition=Q(model__results__year=F("year") - 1))
    ).annotate(previous_income=Case(When(previous_counts, then=F("prev__average_income_vnd"))))


def model_results(scope: Unit, include_submitted: bool) -> "QuerySet[ResultWithPreviousIncome]":
    """Counted model results in scope, each with its model's counted income of the year before."""
    return with_previous_income(
        ModelResult.objects.filter(_accepted_model_results(include_submitted)).filter(
            models_q(scope)
        ),
        include_submitted,
    )


# Incomes are whole VND. Their quotients are taken in decimal (numeric), not in binary floats,
# so a growth exactly halfway (6,125 %) is not 6,12499… by the time `ratio` rounds it.
WHOLE_VND = DecimalField(max_digits=20, decimal_places=0)


def model_annotations() -> dict[str, Aggregate]:
    both_years = Q(average_income_vnd__isnull=False, previous_income__gt=0)
    growth = Cast("average_income_vnd", WHOLE_VND) / Cast(
        NullIf("previous_income", 0), WHOLE_VND
    ) - Value(1, output_field=WHOLE_VND)
    return {
        "escaped": Sum("escaped_households"),
        "participating": Sum("participating_households"),
        "growth_weighted": Sum(
            F("participating_households") * growth, filter=both_years, output_field=DecimalField()
        ),
        "growth_households": Sum("participating_households", filter=both_years),
        "unaccepted": Count(
            "submission", filter=Q(submission__status=SubmissionStatus.SUBMITTED), distinct=True
        ),
    }


def model_value(source: str, row: Row) -> tuple[float | None, float | None, float | None]:
    if source == Source.MODEL_ESCAPE:
        return ratio(row["escaped"], row["participating"]), row["escaped"], row["participating"]
    households = row["growth_households"]
    if not households:
        return None, None, None
    return ratio(row["growth_weighted"], households), as_float(row["growth_weighted"]), households


def _projection(points: list[YearValue], target_year: int) -> float | None:
    """Least-squares line through the yearly values, read at the target year."""
    known = [(p.year, p.value) for p in points if p.value is not None]
    if len(known) < 2:
        return None
    n = len(known)
    mean_x = sum(x for x, _ in known) / n
    mean_y = sum(y for _, y in known) / n
    spread = sum((x - mean_x) ** 2 for x, _ in known)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in known) / spread
    return round(mean_y + slope * (target_year - mean_x), 2)


def progress_status(
    *,
    value: float | None,
    year: int,
    target_year: int,
    target: Target,
    milestone: Target | None,
    projection: float | None,
) -> str:
    """The status rules of the module docstring."""
    if value is None:
        return Status.NO_DATA
    if target.is_met(value):
        return Status.ACHIEVED
    if year >= target_year:
        return Status.OFF_TRACK
    signals = []
    if milestone is not None and milestone.line is not None:
        signals.append(milestone.is_met(value))
    if projection is not None:
        signals.append(target.is_met(projection))
    if signals and all(signals):
        return Status.ON_TRACK
    if signals and not any(signals):
        return Status.OFF_TRACK
    return Status.AT_RISK


def _build(
    indicator: Indicator,
    *,
    scope: Unit,
    year: int,
    series: dict[int, tuple[float | None, float | None, float | None, int]],
    milestone: Target | None,
    communes_expected: int | None,
) -> Progress:
    years = sorted(y for y in series if y <= year)
    trend = tuple(YearValue(y, series[y][0]) for y in years)
    value, numerator, denominator, unaccepted = series.get(year, (None, None, None, 0))
    target = Target.of(indicator, indicator.direction)
    projection = _projection(list(trend), indicator.target_year)
    missing = None
    if communes_expected is not None:
        missing = max(0, communes_expected - int(denominator or 0))
    return Progress(
        indicator_id=indicator.pk,
        code=indicator.code,
        name=indicator.name,
        unit_of_measure=indicator.unit_of_measure,
        source=indicator_source(indicator),
        scope_id=scope.pk,
        year=year,
        target_year=indicator.target_year,
        value=value,
        numerator=numerator,
        denominator=denominator,
        target=target,
        milestone=milestone,
        status=progress_status(
            value=value,
            year=year,
            target_year=indicator.target_year,
            target=target,
            milestone=milestone,
            projection=projection,
        ),
        projection=projection,
        trend=trend,
        communes_expected=communes_expected,
        communes_missing=missing,
        unaccepted_reports=unaccepted,
    )


def _progress_for(
    indicators: list[Indicator], *, scope: Unit, year: int, include_submitted: bool
) -> tuple[list[Progress], list[PovertyFigures], int]:
    sources = {i.pk: indicator_source(i) for i in indicators}
    share_fields = sorted(
        {i.commune_field for i in indicators if sources[i.pk] == Source.COMMUNES}
        & set(SHARE_FIELDS)
    )
    communes_expected = communes_in_scope(scope).count()

    # One grouped query over the commune statistics of every year: shares and poverty figures.
    commune_rows: QuerySet[CommuneStatistics, Row] = (
        CommuneStatistics.objects.filter(communes_q(scope, "commune"), year__lte=year)
        .values("year")
        .annotate(
            communes=Count("pk"),
            **_share_annotations(share_fields),
            **_poverty_annotations(),
        )
        .order_by("year")
    )
    poverty = []
    commune_series: dict[str, dict[int, tuple]] = defaultdict(dict)
    for row in commune_rows:
        poverty.append(_poverty_figures(row))
        for name in share_fields:
            data, met = row[f"{name}__data"], row[f"{name}__met"]
            commune_series[name][row["year"]] = (ratio(met, data), met, data, 0)

    reported_series: dict[int, dict[int, tuple]] = defaultdict(dict)
    reported = [i.pk for i in indicators if sources[i.pk] == Source.REPORTED]
    if reported:
        reported_rows = (
            ReportedValue.objects.filter(
                reporting_q(scope),
                indicator_id__in=reported,
                submission__status__in=counted_statuses(include_submitted),
                submission__period__year__lte=year,
                numerator__isnull=False,
                denominator__isnull=False,
            )
            .values("indicator_id", "submission__period__year")
            .annotate(
                num=Sum("numerator"),
                den=Sum("denominator"),
                unaccepted=Count(
                    "submission", filter=Q(submission__status=SubmissionStatus.SUBMITTED)
                ),
            )
            .order_by()
        )
        for row in reported_rows:
            reported_series[row["indicator_id"]][row["submission__period__year"]] = (
                ratio(row["num"], row["den"]),
                row["num"],
                row["den"],
                row["unaccepted"],
            )

    model_rows: dict[int, Row] = {}
    if any(s in MODEL_SOURCES for s in sources.values()):
        year_rows: QuerySet[ModelResult, Row] = (
            model_results(scope, include_submitted)
            .filter(year__lte=year)
            .values("year")
            .annotate(**model_annotations())
            .order_by()
        )
        model_rows = {row["year"]: row for row in year_rows}

    milestones = milestones_for(indicators, scope, year)
    results = []
    for indicator in indicators:
        source = sources[indicator.pk]
        expected = None
        if source == Source.COMMUNES:
            series = commune_series.get(indicator.commune_field, {})
            expected = communes_expected
        elif source == Source.REPORTED:
            series = reported_series.get(indicator.pk, {})
        else:
            series = {
                y: (*model_value(source, row), row["unaccepted"]) for y, row in model_rows.items()
            }
            if source == Source.MODEL_GROWTH:  # the first year after the baseline
                series.update(
                    growth_series(
                        indicator=indicator,
                        scope=scope,
                        year=year,
                        include_submitted=include_submitted,
                    )
                )
        results.append(
            _build(
                indicator,
                scope=scope,
                year=year,
                series=series,
                milestone=milestones.get(indicator.pk),
                communes_expected=expected,
            )
        )
    return results, poverty, communes_expected


def _poverty_annotations() -> dict[str, Aggregate]:
    both = Q(total_households__isnull=False, poor_households__isnull=False)
    return {
        "sum_total_households": Sum("total_households", filter=both),
        "sum_poor_households": Sum("poor_households", filter=both),
        "sum_near_poor_households": Sum("near_poor_households"),
        "sum_escaped_poverty": Sum("escaped_poverty"),
        "sum_newly_poor": Sum("newly_poor"),
        "sum_fell_back": Sum("fell_back"),
    }


def _poverty_figures(row: Row) -> PovertyFigures:
    return PovertyFigures(
        year=row["year"],
        communes=row["communes"],
        total_households=row["sum_total_households"] or 0,
        poor_households=row["sum_poor_households"] or 0,
        near_poor_households=row["sum_near_poor_households"] or 0,
        escaped_poverty=row["sum_escaped_poverty"] or 0,
        newly_poor=row["sum_newly_poor"] or 0,
        fell_back=row["sum_fell_back"] or 0,
    )


# --- Public API ---------------------------------------------------------------------------------


def campaign_indicators(*, campaign: Campaign) -> list[Indicator]:
    return list(Indicator.objects.filter(campaign=campaign).order_by("order", "code"))


def progress_overview(
    *,
    campaign: Campaign,
    scope: Unit,
    year: int,
    include_submitted: bool = False,
    indicators: list[Indicator] | None = None,
) -> Overview:
    """Every indicator of the campaign for a scope and year, with trends and poverty figures."""
    if indicators is None:
        indicators = campaign_indicators(campaign=campaign)
    results, poverty, expected = _progress_for(
        indicators, scope=scope, year=year, include_submitted=include_submitted
    )
    return Overview(
        scope_id=scope.pk,
        year=year,
        include_submitted=include_submitted,
        communes_expected=expected,
        indicators=results,
        poverty=poverty,
    )


def indicator_progress(
    *, indicator: Indicator, scope: Unit, year: int, include_submitted: bool = False
) -> Progress:
    """One indicator for one scope and year."""
    results, _poverty, _expected = _progress_for(
        [indicator], scope=scope, year=year, include_submitted=include_submitted
    )
    return results[0]


def progress_by_child(
    *, indicator: Indicator, scope: Unit, year: int, include_submitted: bool = False
) -> list[ChildProgress]:
    """The indicator per district of a province, or per commune of a district."""
    source = indicator_source(indicator)
    # Rates are reported by districts only: a district has no per-commune figure to show.
    if source == Source.REPORTED and scope.level != UnitLevel.PROVINCE:
        return []
    children = list(child_units(scope=scope).order_by("code"))
    if not children:
        return []
    target = Target.of(indicator, indicator.direction)
    values: dict[int, tuple[float | None, float | None, float | None, int]] = {}
    if source == Source.COMMUNES and indicator.commune_field in SHARE_FIELDS:
        name = indicator.commune_field
        key = commune_child_key(scope, "commune")
        if key is not None:
            share_rows: QuerySet[CommuneStatistics, Row] = (
                CommuneStatistics.objects.filter(communes_q(scope, "commune"), year=year)
                .values(key)
                .annotate(**_share_annotations([name]))
                .order_by()
            )
            for row in share_rows:
                met, data = row[f"{name}__met"], row[f"{name}__data"]
                values[row[key]] = (ratio(met, data), met, data, 0)
    elif source == Source.REPORTED and scope.level == UnitLevel.PROVINCE:
        reported_rows = (
            ReportedValue.objects.filter(
                reporting_q(scope),
                indicator=indicator,
                submission__status__in=counted_statuses(include_submitted),
                submission__period__year=year,
                numerator__isnull=False,
                denominator__isnull=False,
            )
            .values("submission__unit_id", "numerator", "denominator", "submission__status")
            .order_by()
        )
        for row in reported_rows:
            unaccepted = int(row["submission__status"] == SubmissionStatus.SUBMITTED)
            values[row["submission__unit_id"]] = (
                ratio(row["numerator"], row["denominator"]),
                row["numerator"],
                row["denominator"],
                unaccepted,
            )
    elif source in MODEL_SOURCES:
        expression = model_child_expression(scope)
        if expression is not None:
            child_rows: QuerySet[ModelResult, Row] = (
                model_results(scope, include_submitted)
                .filter(year=year)
                .annotate(child=expression)
                .values("child")
                .annotate(**model_annotations())
                .order_by()
            )
            for row in child_rows:
                if row["child"] is not None:
                    values[row["child"]] = (*model_value(source, row), row["unaccepted"])
    rows_out = []
    for child in children:
        value, numerator, denominator, unaccepted = values.get(child.pk, (None, None, None, 0))
        expected = missing = None
        if source == Source.COMMUNES:
            expected = child.communes
            missing = max(0, expected - int(denominator or 0))
        rows_out.append(
            ChildProgress(
                unit_id=child.pk,
                code=child.code,
                name=child.name,
                level=child.level,
                value=value,
                numerator=numerator,
                denominator=denominator,
                met=None if value is None else target.is_met(value),
                communes_expected=expected,
                communes_missing=missing,
                unaccepted_reports=unaccepted,
            )
        )
    return rows_out
