"""Soft warnings: figures that look odd next to last year's ask for an explanation, not a fix."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from campaigns.models import Submission
from campaigns.selectors import accepted_reports
from indicators.models import ModelResult, ReportedValue
from kontum_poverty.bulk import stored_rows
from kontum_poverty.compiled import CompiledQuery
from kontum_poverty.numbers import format_vn_number

# A value that moved by more than this share of last year's asks for an explanation.
CHANGE_WARNING_SHARE = Decimal("0.5")


@dataclass(frozen=True)
class SoftWarning:
    """A figure that looks odd next to last year's: it needs an explanation, not a correction."""

    key: str
    message: str
    explained: bool


def _changed_a_lot(new: Decimal, old: Decimal) -> bool:
    if old == 0:
        return new != 0
    return abs(new - old) / abs(old) > CHANGE_WARNING_SHARE


def _rate(numerator: int | None, denominator: int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) * 100 / Decimal(denominator)


# Read by every submission at the deadline: compiled once per process.
_PREVIOUS_VALUES = CompiledQuery(
    lambda unit, campaign, year: ReportedValue.objects.filter(
        submission__in=accepted_reports(unit=unit, campaign=campaign, year=year)
    ).order_by(),
    unit=int,
    campaign=int,
    year=int,
)


def report_warnings(
    *,
    submission: Submission,
    values: Iterable[ReportedValue] | None = None,
    results: Iterable[ModelResult] | None = None,
    previous_values: Iterable[ReportedValue] | None = None,
) -> list[SoftWarning]:
    """Figures that moved by over half since last year's accepted ones; model income that fell.

    `values` and `results`: the report's reported values with their indicators and its model
    results with their models, when the caller has just read them; `previous_values`: the
    values of the unit's accepted report of the year before in the same campaign, likewise."""
    warnings: list[SoftWarning] = []
    if submission.pk is None:  # a report not saved yet carries no figures
        return warnings
    last_year = submission.period.year - 1
    if previous_values is None:
        previous_values = _PREVIOUS_VALUES(
            unit=submission.unit_id, campaign=submission.period.campaign_id, year=last_year
        )
    before_by_indicator = {v.indicator_id: v for v in previous_values}
    if values is None:
        values = submission.values.select_related("indicator")
    for value in values:
        before = before_by_indicator.get(value.indicator_id)
        if before is None:
            continue
        new_rate = _rate(value.numerator, value.denominator)
        old_rate = _rate(before.numerator, before.denominator)
        if new_rate is None or old_rate is None or not _changed_a_lot(new_rate, old_rate):
            continue
        warnings.append(
            SoftWarning(
                key=f"value-{value.indicator.code}",
                message=str(
                    _("%(now)s%% this year against %(before)s%% last year: please explain.")
                    % {
                        "now": format_vn_number(new_rate, places=1),
                        "before": format_vn_number(old_rate, places=1),
                    }
                ),
                explained=bool(value.warning_explanation.strip()),
            )
        )
    if results is None:
        results = ModelResult.objects.filter(submission=submission).select_related("model")
    results = list(results)
    # A prepared statement, not an ORM query: every save and every review page reads these.
    previous_results = {
        r.model_id: r
        for r in stored_rows(ModelResult, model=[r.model_id for r in results], year=last_year)
    }
    for result in results:
        previous = previous_results.get(result.model_id)
        if previous is None:
            continue
        reasons = []
        if (
            result.average_income_vnd is not None
            and previous.average_income_vnd is not None
            and result.average_income_vnd < previous.average_income_vnd
        ):
            reasons.append(
                str(
                    _("average income fell from %(before)s to %(now)s VND")
                    % {
                        "before": format_vn_number(previous.average_income_vnd),
                        "now": format_vn_number(result.average_income_vnd),
                    }
                )
            )
        if _changed_a_lot(
            Decimal(result.participating_households), Decimal(previous.participating_households)
        ):
            reasons.append(
                str(
                    _("participating households went from %(before)s to %(now)s")
                    % {
                        "before": format_vn_number(previous.participating_households),
                        "now": format_vn_number(result.participating_households),
                    }
                )
            )
        if reasons:
            warnings.append(
                SoftWarning(
                    key=f"model-{result.model_id}",
                    message=str(_("Since last year, %(reasons)s: please explain."))
                    % {"reasons": "; ".join(reasons)},
                    explained=bool(result.comment.strip()),
                )
            )
    return warnings
