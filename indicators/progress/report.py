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

if TYPE_CHECKING:
    from indicators.progress.engine import ResultWithPreviousIncome


def report_model_results(*, submission: Submission) -> "QuerySet[ResultWithPreviousIncome]":
    """The report's model results, each with its model's accepted income of the year before."""
    return with_previous_income(ModelResult.objects.filter(submission=submission))


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
        totals = report_model_results(submission=submission).aggregate(**model_annotations())
        for pk in models:
            figures[pk] = model_value(sources[pk], totals)[0]
    return figures
