"""Baselines: each target's starting point, and the first reporting year's income growth.

INCOME is a growth: each model's average income against its own accepted result of the year
before. The campaign's first reporting year (2018) has no accepted year before it (2017 has no
report), so its growth is measured against the Board's baseline instead: the average income per
participating household in the baseline year, from an official document. The years after keep
the model-on-model rule.

A baseline holds for its own scope only when it feeds a growth: the province-wide one (no scope)
for the province, a district's for that district. Incomes of one district are not comparable with
the province's average.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import SubmissionStatus
from indicators.models import Baseline, BaselineChange, Indicator, ModelResult
from indicators.progress.cache import figures_changed
from indicators.progress.results import ratio
from indicators.progress.scopes import counted_statuses, models_q
from units.models import Unit, UnitLevel, User

# Figures that count poor households: what they mean changes with the poverty standard.
POVERTY_STANDARD_CODES = frozenset({"ESCAPE", "INCOME"})


def measured_under(indicator: Indicator) -> str:
    """The standard a value of `indicator` is measured under: the campaign's poverty standard
    for figures that count poor households, the campaign's own document for the others."""
    campaign = indicator.campaign
    if indicator.code in POVERTY_STANDARD_CODES and campaign.poverty_standard:
        return campaign.poverty_standard
    return campaign.number


# What a series holds for one year (the engine's Point): value, numerator, denominator,
# unaccepted reports, units that gave data.
SeriesRow = tuple[float | None, float | None, float | None, int, int]


def growth_baseline(*, indicator: Indicator, scope: Unit) -> Baseline | None:
    """The baseline a growth indicator's first year is measured against in `scope`, if any."""
    own = Q(scope_id=scope.pk)
    if scope.level == UnitLevel.PROVINCE:
        own |= Q(scope__isnull=True)
    # The scope's own row wins over the province-wide one.
    rows = Baseline.objects.filter(own, indicator=indicator)
    return max(rows, key=lambda b: b.scope_id is not None, default=None)


@dataclass(frozen=True)
class BaselineGrowth:
    """The first year's growth against the baseline, and what it was computed from."""

    year: int
    baseline: Baseline
    income_weighted: Decimal  # Σ participating households × average income
    households: int
    unaccepted: int
    units: int  # units running the models counted, the engine's coverage of model figures

    @property
    def average_income(self) -> float:
        return float(self.income_weighted / self.households)

    @property
    def growth(self) -> float | None:
        base = self.baseline.value * self.households
        return ratio(self.income_weighted - base, base) if base else None


def baseline_growth(
    *, indicator: Indicator, scope: Unit, year: int, include_submitted: bool = False
) -> BaselineGrowth | None:
    """The growth of the first year after the baseline year, if `year` reaches it."""
    baseline = growth_baseline(indicator=indicator, scope=scope)
    if baseline is None or year <= baseline.year:
        return None
    first_year = baseline.year + 1
    # Every counted result says its unit reported (as the engine counts coverage); only those
    # with an income enter the average.
    with_income = Q(average_income_vnd__isnull=False)
    row = (
        ModelResult.objects.filter(
            models_q(scope),
            submission__status__in=counted_statuses(include_submitted),
            year=first_year,
        )
        .order_by()
        .aggregate(
            income=Sum(F("participating_households") * F("average_income_vnd"), filter=with_income),
            households=Sum("participating_households", filter=with_income),
            unaccepted=Count(
                "submission", filter=Q(submission__status=SubmissionStatus.SUBMITTED), distinct=True
            ),
            units=Count("model__unit", distinct=True),
        )
    )
    if not row["households"]:
        return None
    return BaselineGrowth(
        year=first_year,
        baseline=baseline,
        income_weighted=Decimal(row["income"]),
        households=row["households"],
        unaccepted=row["unaccepted"] or 0,
        units=row["units"] or 0,
    )


def growth_series(
    *, indicator: Indicator, scope: Unit, year: int, include_submitted: bool
) -> dict[int, SeriesRow]:
    """The engine's series entry for the first year after the baseline (empty without one).

    Numerator and denominator keep the engine's meaning for a growth: the households weighed and
    their growth summed (Σ households × growth), so numerator ÷ denominator is the growth."""
    found = baseline_growth(
        indicator=indicator, scope=scope, year=year, include_submitted=include_submitted
    )
    if found is None or found.growth is None:
        return {}
    weighted = float(
        (found.income_weighted - found.baseline.value * found.households) / found.baseline.value
    )
    return {
        found.year: (
            found.growth,
            weighted,
            float(found.households),
            found.unaccepted,
            found.units,
        )
    }


# --- The Board sets baselines -------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineInput:
    year: int
    value: Decimal | None  # None removes the baseline
    source_document: str = ""
    note: str = ""


@transaction.atomic
def baseline_set(
    *, indicator: Indicator, scope: Unit | None, data: BaselineInput, by: User
) -> Baseline | None:
    """Set, change or remove (value None) a baseline; every change is kept with who and when."""
    # Lock the indicator: two Board members saving the first baseline at once must not both
    # insert one (the second would hit the unique constraint as a server error).
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    existing = Baseline.objects.filter(
        indicator=indicator, scope_id=scope.pk if scope else None
    ).first()
    source = data.source_document.strip()
    if data.value is not None and not source:
        raise ValidationError(
            _("Name the document the baseline comes from."), code="source_required"
        )
    if data.value is not None and data.value < 0:
        raise ValidationError(_("A baseline cannot be negative."), code="not_negative")
    now = timezone.now()
    if data.value is None:
        if existing is None:
            return None
        existing.delete()
        BaselineChange.objects.create(
            indicator=indicator, scope=scope, note=data.note, set_by=by, set_at=now
        )
        transaction.on_commit(figures_changed)
        return None
    fields = {
        "year": data.year,
        "value": data.value,
        "source_document": source,
        "note": data.note.strip(),
    }
    if (
        existing is not None
        and not existing.needs_reentry
        and all(getattr(existing, k) == v for k, v in fields.items())
    ):
        return existing  # nothing changed: no history row
    if existing is None:
        existing = Baseline(indicator=indicator, scope=scope)
    for name, value in fields.items():
        setattr(existing, name, value)
    # Entered by the Board now: measured under this campaign's standard, no longer to re-enter.
    existing.standard = measured_under(indicator)
    existing.needs_reentry = False
    existing.set_by, existing.set_at = by, now
    existing.full_clean()
    existing.save()
    BaselineChange.objects.create(indicator=indicator, scope=scope, set_by=by, set_at=now, **fields)
    transaction.on_commit(figures_changed)
    return existing


@transaction.atomic
def baselines_import(*, rows: list[tuple[Indicator, BaselineInput]], by: User) -> int:
    """Set the province-wide baselines of an imported file, all or nothing; returns the rows."""
    for indicator, data in rows:
        baseline_set(indicator=indicator, scope=None, data=data, by=by)
    return len(rows)
