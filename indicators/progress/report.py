"""One yearly report's own figures, by the engine's rules: what the Board reads when it reviews.

A scope's figures (`progress_overview`) count only accepted reports; a report under review is
read alone here, with the same aggregations: a rate is the ratio of its two counts, ESCAPE the
households that escaped poverty out of those participating in the report's models, INCOME each
model's average income against its accepted income of the year before, weighted by households.
Shares of communes come from commune statistics, never from a report, so they are not here.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from campaigns.models import Submission
from indicators.models import Indicator, ModelResult, ReportedValue
from indicators.progress.engine import model_annotations, model_value, with_previous_income
from indicators.progress.results import MODEL_SOURCES, Source, as_float, indicator_source, ratio
from kontum_poverty.compiled import CompiledQuery

if TYPE_CHECKING:
    from indicators.progress.engine import ResultWithPreviousIncome


def report_model_results(*, report: int) -> "QuerySet[ResultWithPreviousIncome]":
    """The report's model results, each with its model's accepted income of the year before."""
    return with_previous_income(ModelResult.objects.filter(submission_id=report))


# The Board's review page sums one report's results twice a load (this year's and the unit's
# last accepted report's): compiled once per process. Grouped by the one report, the same sums
# as an aggregate; no row when the report has no results.
_MODEL_TOTALS = CompiledQuery(
    lambda report: (
        report_model_results(report=report)
        .values("submission_id")
        .annotate(**model_annotations())
        .order_by()
    ),
    report=int,
)
_NO_RESULTS = {
    "escaped": None,
    "participating": None,
    "growth_weighted": None,
    "growth_households": None,
    "unaccepted": 0,
    "units": 0,
}


def report_figures(
    *,
    submission: Submission,
    indicators: list[Indicator],
    values: Iterable[ReportedValue] | None = None,
) -> dict[int, float | None]:
    """Each reported or model indicator's value in this report alone, by indicator id.

    A rate the report does not carry is absent; a model indicator is present, None when the
    report's results give nothing to compute it from. `values`: the report's reported values
    when the caller has just read them all."""
    sources = {i.pk: indicator_source(i) for i in indicators}
    figures: dict[int, float | None] = {}
    reported = {pk for pk, source in sources.items() if source == Source.REPORTED}
    if values is None:
        values = submission.values.filter(indicator_id__in=reported)
    for value in values:
        if value.indicator_id not in reported:
            continue
        if value.denominator is not None:
            figures[value.indicator_id] = ratio(value.numerator, value.denominator)
        else:
            # A bare value entered before rates carried their two counts.
            figures[value.indicator_id] = as_float(value.value)
    models = [pk for pk, source in sources.items() if source in MODEL_SOURCES]
    if models:
        found = _MODEL_TOTALS(report=submission.pk)
        totals = found[0] if found else _NO_RESULTS
        for pk in models:
            figures[pk] = model_value(sources[pk], totals)[0]
    return figures
