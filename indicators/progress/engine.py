"""Aggregations: every indicator for a scope and year, and its breakdown by child unit."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf

from campaigns.models import Campaign, SubmissionStatus
from indicators.models import (
    CommuneStatistics,
    Indicator,
    ModelResult,
    PovertyModel,
    ReportedValue,
)
from indicators.progress.baselines import growth_series
from indicators.progress.results import (
    MODEL_SOURCES,
    SHARE_FIELDS,
    ChildProgress,
    Coverage,
    Overview,
    PovertyFigures,
    Progress,
    Source,
    Status,
    Target,
    YearValue,
    as_float,
    coverage_kind,
    indicator_source,
    ratio,
)
from indicators.progress.roadmap import Roadmap, milestones_for, milestones_of
from indicators.progress.scopes import (
    child_units,
    commune_child_key,
    communes_in_scope,
    communes_q,
    counted_statuses,
    districts_in_scope,
    kinds_counted,
    model_child_expression,
    models_q,
    reporting_q,
)
from kontum_poverty.numbers import round_half_up
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


def _share_annotations(fields: Iterable[tuple[str, str]]) -> dict[str, Aggregate]:
    """Communes with data and communes meeting, per (field, denominator): "xã" only or all."""
    annotations: dict[str, Aggregate] = {}
    for name, denominator in fields:
        counted = Q(commune__kind__in=kinds_counted(denominator))
        annotations[f"{name}__data"] = Count("pk", filter=counted & Q(**{f"{name}__isnull": False}))
        annotations[f"{name}__met"] = Count("pk", filter=counted & Q(**{name: True}))
    return annotations


class Point(NamedTuple):
    """One year of an indicator in a scope: the value, its two counts, and who gave data."""

    value: float | None
    numerator: float | None
    denominator: float | None
    unaccepted: int
    # Units of the denominator that gave data (communes, districts, units with models).
    reported: int


NO_POINT = Point(None, None, None, 0, 0)


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


class Quotient(Func):
    """a ÷ b: in numeric on PostgreSQL, and in reals on SQLite (the demo of `make run`), whose
    numeric division of two whole numbers is an integer division (26,8 M ÷ 21,8 M = 1)."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = DecimalField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sqlite(compiler, connection, arg_joiner=" * 1.0 / ", **extra_context)


def model_annotations() -> dict[str, Aggregate]:
    both_years = Q(average_income_vnd__isnull=False, previous_income__gt=0)
    growth = Quotient(
        Cast("average_income_vnd", WHOLE_VND), Cast(NullIf("previous_income", 0), WHOLE_VND)
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
        "units": Count("model__unit", distinct=True),
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
    """The status of a figure with complete coverage (the module docstring's rules)."""
    if value is None:
        return Status.NO_DATA
    if target.is_met(value):
        return Status.ACHIEVED
    if year >= target_year:
        return Status.OFF_TRACK
    projected_ok = projection is not None and target.is_met(projection)
    if milestone is not None and milestone.line is not None:
        if not milestone.is_met(value):
            return Status.BEHIND
        return Status.ON_TRACK if projection is None or projected_ok else Status.AT_RISK
    return Status.ON_TRACK if projected_ok else Status.AT_RISK


def _average(values: list[float]) -> float | None:
    """The mean of yearly percentages, rounded like every figure of the engine."""
    if not values:
        return None
    total = sum((Decimal(str(v)) for v in values), Decimal(0))
    return float(round_half_up(total / len(values), 2))


def _build(
    indicator: Indicator,
    *,
    scope: Unit,
    year: int,
    series: dict[int, Point],
    expected: Callable[[int], int],
    milestone: Target | None,
    threshold: int,
) -> Progress:
    """One indicator's figure with its coverage and status.

    A year whose coverage is below the Board's threshold has no value, in the trend as on the
    card: a figure from 4 of 102 communes is not the province's figure."""

    kind = coverage_kind(indicator)

    def coverage_of(y: int) -> Coverage:
        return Coverage(series.get(y, NO_POINT).reported, expected(y), kind)

    shown = {
        y: point.value if coverage_of(y).sufficient(threshold) else None
        for y, point in series.items()
        if y <= year
    }
    trend = tuple(YearValue(y, shown[y]) for y in sorted(shown))
    point = series.get(year, NO_POINT)
    coverage = coverage_of(year)
    year_value = shown.get(year)
    averaged = indicator_source(indicator) == Source.MODEL_ESCAPE
    value = year_value
    if averaged and year_value is not None:
        # "bình quân mỗi năm …": judged on the average of the years so far.
        value = _average([v for v in shown.values() if v is not None])
    target = Target.of(indicator, indicator.direction)
    projection = _projection(list(trend), indicator.target_year)
    if point.value is None:
        status = Status.NO_DATA
    elif value is None:
        status = Status.NOT_ENOUGH_DATA
    elif not coverage.complete:
        status = Status.PROVISIONAL
    else:
        status = progress_status(
            value=value,
            year=year,
            target_year=indicator.target_year,
            target=target,
            milestone=milestone,
            projection=projection,
        )
    withheld = value is None
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
        numerator=None if withheld else point.numerator,
        denominator=None if withheld else point.denominator,
        target=target,
        milestone=milestone,
        status=status,
        projection=projection,
        trend=trend,
        coverage=coverage,
        unaccepted_reports=point.unaccepted,
        wording=indicator.target_wording,
        averaged=averaged,
        year_value=year_value,
    )


def _every_year(count: int) -> Callable[[int], int]:
    # Units in scope are today's units: a figure of any year is measured against them.
    return lambda _year: count


def _year_count(counts: dict[int, int], year: int) -> int:
    return counts.get(year, 0)


def _models_expected(scope: Unit, year: int) -> dict[int, int]:
    """Per year up to `year`: the units in scope running a model that had started by then."""
    starts = sorted(
        PovertyModel.objects.filter(models_q(scope, ""), start_year__lte=year)
        .values_list("unit_id", "start_year")
        .order_by()
    )
    first_year: dict[int, int] = {}
    for unit_id, start in starts:
        first_year[unit_id] = min(start, first_year.get(unit_id, start))
    years = range(min(first_year.values(), default=year), year + 1)
    return {y: sum(1 for start in first_year.values() if start <= y) for y in years}


def _progress_for(
    indicators: list[Indicator],
    *,
    scope: Unit,
    year: int,
    include_submitted: bool,
    threshold: int,
    plans: dict[int, Roadmap] | None = None,
) -> tuple[list[Progress], list[PovertyFigures], int]:
    sources = {i.pk: indicator_source(i) for i in indicators}
    share_fields = sorted(
        {
            (i.commune_field, coverage_kind(i))
            for i in indicators
            if sources[i.pk] == Source.COMMUNES and i.commune_field in SHARE_FIELDS
        }
    )
    kinds_in_scope = dict(
        communes_in_scope(scope).values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    communes_expected = sum(kinds_in_scope.values())

    # One grouped query over the commune statistics of every year: shares and poverty figures.
    commune_rows: QuerySet[CommuneStatistics, Row] = (
        CommuneStatistics.objects.filter(communes_q(scope, "commune"), year__lte=year)
        .values("year")
        .annotate(
            communes=Count(
                "pk", filter=Q(total_households__isnull=False, poor_households__isnull=False)
            ),
            **_share_annotations(share_fields),
            **_poverty_annotations(),
        )
        .order_by("year")
    )
    poverty = []
    commune_series: dict[tuple[str, str], dict[int, Point]] = defaultdict(dict)
    for row in commune_rows:
        poverty.append(_poverty_figures(row, communes_expected, threshold))
        for name, denominator in share_fields:
            data, met = row[f"{name}__data"], row[f"{name}__met"]
            commune_series[(name, denominator)][row["year"]] = Point(
                ratio(met, data), met, data, 0, data
            )

    reported_series: dict[int, dict[int, Point]] = defaultdict(dict)
    reported = [i.pk for i in indicators if sources[i.pk] == Source.REPORTED]
    districts_expected = districts_in_scope(scope).count() if reported else 0
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
                units=Count("submission__unit", distinct=True),
            )
            .order_by()
        )
        for row in reported_rows:
            reported_series[row["indicator_id"]][row["submission__period__year"]] = Point(
                ratio(row["num"], row["den"]),
                row["num"],
                row["den"],
                row["unaccepted"],
                row["units"],
            )

    model_rows: dict[int, Row] = {}
    models_expected: dict[int, int] = {}
    if any(s in MODEL_SOURCES for s in sources.values()):
        year_rows: QuerySet[ModelResult, Row] = (
            model_results(scope, include_submitted)
            .filter(year__lte=year)
            .values("year")
            .annotate(**model_annotations())
            .order_by()
        )
        model_rows = {row["year"]: row for row in year_rows}
        models_expected = _models_expected(scope, year)

    if plans is not None and all(i.pk in plans for i in indicators):
        milestones = milestones_of(plans, year)
    else:
        milestones = milestones_for(indicators, scope, year)
    results = []
    for indicator in indicators:
        source = sources[indicator.pk]
        if source == Source.COMMUNES:
            series = commune_series.get((indicator.commune_field, coverage_kind(indicator)), {})
            counted = kinds_counted(coverage_kind(indicator))
            communes = sum(n for kind, n in kinds_in_scope.items() if kind in counted)
            expected = _every_year(communes)
        elif source == Source.REPORTED:
            series = reported_series.get(indicator.pk, {})
            expected = _every_year(districts_expected)
        else:
            series = {
                y: Point(*model_value(source, row), row["unaccepted"], row["units"])
                for y, row in model_rows.items()
            }
            if source == Source.MODEL_GROWTH:  # the first year after the baseline
                first = growth_series(
                    indicator=indicator, scope=scope, year=year, include_submitted=include_submitted
                )
                series.update({y: Point(*row) for y, row in first.items()})
            expected = partial(_year_count, models_expected)
        results.append(
            _build(
                indicator,
                scope=scope,
                year=year,
                series=series,
                expected=expected,
                milestone=milestones.get(indicator.pk),
                threshold=threshold,
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


def _poverty_figures(row: Row, expected: int, threshold: int) -> PovertyFigures:
    return PovertyFigures(
        communes_expected=expected,
        threshold=threshold,
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
    indicators = list(Indicator.objects.filter(campaign=campaign).order_by("order", "code"))
    for indicator in indicators:
        # Read just now with the campaign: its minimum coverage needs no query. Noted on these
        # fresh rows only, not as their cached campaign, which an indicator kept longer (a
        # report form's) would carry past a change of the threshold.
        indicator._coverage_threshold = campaign.coverage_threshold  # type: ignore[attr-defined]
    return indicators


def _threshold(indicator: Indicator) -> int:
    if hasattr(indicator, "_coverage_threshold"):
        return indicator._coverage_threshold or 0
    return (
        Campaign.objects.filter(pk=indicator.campaign_id)
        .values_list("coverage_threshold", flat=True)
        .first()
        or 0
    )


def progress_overview(
    *,
    campaign: Campaign,
    scope: Unit,
    year: int,
    include_submitted: bool = False,
    indicators: list[Indicator] | None = None,
    plans: dict[int, Roadmap] | None = None,
) -> Overview:
    """Every indicator of the campaign for a scope and year, with trends and poverty figures.

    `plans`: the indicators' roadmaps in `scope` (`roadmap.roadmaps`) when the caller has built
    them already; the year's milestones are read from them instead of again."""
    if indicators is None:
        indicators = campaign_indicators(campaign=campaign)
    results, poverty, expected = _progress_for(
        indicators,
        scope=scope,
        year=year,
        include_submitted=include_submitted,
        threshold=campaign.coverage_threshold,
        plans=plans,
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
        [indicator],
        scope=scope,
        year=year,
        include_submitted=include_submitted,
        threshold=_threshold(indicator),
    )
    return results[0]


def _child_expected(indicator: Indicator, scope: Unit, year: int) -> dict[int, int]:
    """Per child unit: how many units of the indicator's denominator it holds."""
    source = indicator_source(indicator)
    if source == Source.COMMUNES:
        key = "parent_id" if scope.level == UnitLevel.PROVINCE else "pk"
        rows = (
            communes_in_scope(scope)
            .filter(kind__in=kinds_counted(coverage_kind(indicator)))
            .values(key)
            .annotate(n=Count("pk"))
            .values_list(key, "n")
            .order_by()
        )
        return dict(rows)
    if source == Source.REPORTED:
        return dict.fromkeys(districts_in_scope(scope).values_list("pk", flat=True), 1)
    expression = model_child_expression(scope, "")
    if expression is None:
        return {}
    rows = (
        PovertyModel.objects.filter(models_q(scope, ""), start_year__lte=year)
        .annotate(child=expression)
        .values("child")
        .annotate(n=Count("unit", distinct=True))
        .values_list("child", "n")
        .order_by()
    )
    return {child: n for child, n in rows if child is not None}


def progress_by_child(
    *, indicator: Indicator, scope: Unit, year: int, include_submitted: bool = False
) -> list[ChildProgress]:
    """The indicator per district of a province, or per commune of a district.

    Each row has its coverage; below the Board's threshold its value is withheld."""
    source = indicator_source(indicator)
    # Rates are reported by districts only: a district has no per-commune figure to show.
    if source == Source.REPORTED and scope.level != UnitLevel.PROVINCE:
        return []
    children = list(child_units(scope=scope).order_by("code"))
    if not children:
        return []
    target = Target.of(indicator, indicator.direction)
    threshold = _threshold(indicator)
    values: dict[int, Point] = {}
    if source == Source.COMMUNES and indicator.commune_field in SHARE_FIELDS:
        name = indicator.commune_field
        key = commune_child_key(scope, "commune")
        if key is not None:
            share_rows: QuerySet[CommuneStatistics, Row] = (
                CommuneStatistics.objects.filter(communes_q(scope, "commune"), year=year)
                .values(key)
                .annotate(**_share_annotations([(name, coverage_kind(indicator))]))
                .order_by()
            )
            for row in share_rows:
                met, data = row[f"{name}__met"], row[f"{name}__data"]
                values[row[key]] = Point(ratio(met, data), met, data, 0, data)
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
            values[row["submission__unit_id"]] = Point(
                ratio(row["numerator"], row["denominator"]),
                row["numerator"],
                row["denominator"],
                unaccepted,
                1,
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
                    values[row["child"]] = Point(
                        *model_value(source, row), row["unaccepted"], row["units"]
                    )
    expected = _child_expected(indicator, scope, year)
    rows_out = []
    for child in children:
        point = values.get(child.pk, NO_POINT)
        coverage = Coverage(point.reported, expected.get(child.pk, 0), coverage_kind(indicator))
        withheld = point.value is not None and not coverage.sufficient(threshold)
        value = None if withheld else point.value
        rows_out.append(
            ChildProgress(
                unit_id=child.pk,
                code=child.code,
                name=child.name,
                level=child.level,
                value=value,
                numerator=None if withheld else point.numerator,
                denominator=None if withheld else point.denominator,
                met=None if value is None else target.is_met(value),
                coverage=coverage,
                unaccepted_reports=point.unaccepted,
                not_enough_data=withheld,
            )
        )
    return rows_out
