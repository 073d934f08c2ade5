"""What the progress engine returns: targets, statuses and typed results."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from indicators.models import Direction, Indicator, Measure, Milestone
from kontum_poverty.numbers import percent

# CommuneStatistics booleans a share-of-communes indicator may count.
SHARE_FIELDS = ("paved_road", "adequate_schools", "health_criteria_met", "cultural_house")
# Rate indicators computed from model results rather than from values reported by districts.
MODEL_RATE_CODES = frozenset({"ESCAPE"})


class Source:
    COMMUNES = "communes"
    REPORTED = "reported"
    MODEL_GROWTH = "model_growth"
    MODEL_ESCAPE = "model_escape"


# Indicators computed from the results of poverty-reduction models.
MODEL_SOURCES = (Source.MODEL_GROWTH, Source.MODEL_ESCAPE)


class Status:
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"

    LABELS = {
        ACHIEVED: _("Achieved"),
        ON_TRACK: _("On track"),
        AT_RISK: _("At risk"),
        OFF_TRACK: _("Off track"),
        NO_DATA: _("No data"),
    }


def indicator_source(indicator: Indicator) -> str:
    if indicator.measure == Measure.SHARE_OF_COMMUNES:
        return Source.COMMUNES
    if indicator.measure == Measure.GROWTH:
        return Source.MODEL_GROWTH
    if indicator.code in MODEL_RATE_CODES:
        return Source.MODEL_ESCAPE
    return Source.REPORTED


# --- Results -----------------------------------------------------------------------------------


def as_float(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Target:
    """A target or milestone: "at least low", "at most high", or a range low–high."""

    low: float | None
    high: float | None
    direction: str = Direction.HIGHER_IS_BETTER

    @classmethod
    def of(cls, obj: Indicator | Milestone, direction: str) -> "Target":
        return cls(
            low=as_float(obj.target_low), high=as_float(obj.target_high), direction=direction
        )

    @property
    def bounds(self) -> tuple[float, float] | None:
        """(low, high) of a range; None for a target with one end."""
        if self.low is None or self.high is None or self.low == self.high:
            return None
        return self.low, self.high

    @property
    def is_range(self) -> bool:
        return self.bounds is not None

    @property
    def line(self) -> float | None:
        """The value a chart draws the target line at: the end that must be reached."""
        if self.direction == Direction.LOWER_IS_BETTER:
            return self.high if self.high is not None else self.low
        return self.low if self.low is not None else self.high

    def is_met(self, value: float | None) -> bool:
        # Beyond a range in the good direction counts as met (shown as "above the range").
        if value is None or self.line is None:
            return False
        if self.direction == Direction.LOWER_IS_BETTER:
            return value <= self.line
        return value >= self.line

    def is_beyond_range(self, value: float | None) -> bool:
        bounds = self.bounds
        if value is None or bounds is None:
            return False
        low, high = bounds
        if self.direction == Direction.LOWER_IS_BETTER:
            return value < low
        return value > high

    def __str__(self) -> str:
        def fmt(v: float) -> str:
            # Shortest form (15, 46.8) with the active language's decimal separator.
            return f"{v:g}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))

        bounds = self.bounds
        if bounds is not None:
            return f"{fmt(bounds[0])}–{fmt(bounds[1])}"
        sign = "≤" if self.direction == Direction.LOWER_IS_BETTER else "≥"
        return f"{sign} {fmt(self.line)}" if self.line is not None else "–"


@dataclass(frozen=True)
class YearValue:
    year: int
    value: float | None


@dataclass(frozen=True)
class Progress:
    """One indicator for one scope and year."""

    indicator_id: int
    code: str
    name: str
    unit_of_measure: str
    source: str
    scope_id: int
    year: int
    target_year: int
    value: float | None
    # The two counts behind the value: communes meeting / communes with data, trained / all
    # workers, escaped / participating households, or for growth the households weighed.
    numerator: float | None
    denominator: float | None
    target: Target
    milestone: Target | None
    status: str
    projection: float | None
    trend: tuple[YearValue, ...]
    # Share of communes only: communes in scope and those without data this year.
    communes_expected: int | None = None
    communes_missing: int | None = None
    unaccepted_reports: int = 0

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def beyond_range(self) -> bool:
        return self.target.is_beyond_range(self.value)


@dataclass(frozen=True)
class PovertyFigures:
    year: int
    communes: int
    total_households: int
    poor_households: int
    near_poor_households: int
    escaped_poverty: int
    newly_poor: int
    fell_back: int

    @property
    def poverty_rate(self) -> float | None:
        return poverty_rate(self.poor_households, self.total_households)


@dataclass(frozen=True)
class Overview:
    scope_id: int
    year: int
    include_submitted: bool
    communes_expected: int
    indicators: list[Progress]
    poverty: list[PovertyFigures] = field(default_factory=list)

    @property
    def poverty_this_year(self) -> PovertyFigures | None:
        return next((p for p in self.poverty if p.year == self.year), None)


@dataclass(frozen=True)
class ChildProgress:
    """One row of a per-district (or per-commune) breakdown of an indicator."""

    unit_id: int
    code: str
    name: str
    level: str
    value: float | None
    numerator: float | None
    denominator: float | None
    met: bool | None
    communes_expected: int | None = None
    communes_missing: int | None = None
    unaccepted_reports: int = 0


@dataclass(frozen=True)
class SourceRow:
    """One figure behind an indicator: a commune's status, a report's counts, a model's result."""

    unit_id: int
    unit_code: str
    unit_name: str
    label: str
    numerator: float | None
    denominator: float | None
    value: float | None
    met: bool | None
    submission_id: int | None = None
    submission_status: str = ""
    previous: float | None = None


def ratio(
    numerator: Decimal | float | int | None, denominator: Decimal | float | int | None
) -> float | None:
    """numerator ÷ denominator in percent, rounded half up to two decimals (27,125 → 27,13).

    The one rounding of every rate, share and growth the engine gives: the quotient is taken in
    decimal, so a figure exactly halfway is never cut or rounded to even by binary floats."""
    return percent(numerator, denominator, 2)


def income_growth(income: int | None, previous: int | None) -> float | None:
    """A model's average income against its accepted income of the year before, in percent,
    wherever one model's growth is shown (INCOME weighs the same quotients in SQL)."""
    if income is None or not previous:
        return None
    return ratio(income - previous, previous)


def poverty_rate(poor: int | None, households: int | None) -> float | None:
    """Poor households in percent of households: a scope's (`PovertyFigures`) or one commune's."""
    return ratio(poor, households)
