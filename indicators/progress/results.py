"""What the progress engine returns: targets, statuses and typed results."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from indicators.models import Denominator, Direction, Indicator, Measure, Milestone
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
    PROVISIONAL = "provisional"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_ENOUGH_DATA = "not_enough_data"
    NO_DATA = "no_data"

    LABELS = {
        ACHIEVED: _("Achieved"),
        PROVISIONAL: _("Provisional"),
        ON_TRACK: _("On track"),
        BEHIND: _("Behind the roadmap"),
        AT_RISK: _("At risk"),
        OFF_TRACK: _("Off track"),
        NOT_ENOUGH_DATA: _("Not enough data"),
        NO_DATA: _("No data"),
    }
    ORDER = (
        ACHIEVED,
        PROVISIONAL,
        ON_TRACK,
        BEHIND,
        AT_RISK,
        OFF_TRACK,
        NOT_ENOUGH_DATA,
        NO_DATA,
    )


def indicator_source(indicator: Indicator) -> str:
    if indicator.measure == Measure.SHARE_OF_COMMUNES:
        return Source.COMMUNES
    if indicator.measure == Measure.GROWTH:
        return Source.MODEL_GROWTH
    if indicator.code in MODEL_RATE_CODES:
        return Source.MODEL_ESCAPE
    return Source.REPORTED


def coverage_kind(indicator: Indicator) -> str:
    """What a figure's coverage counts: its source decides, and for commune shares the
    indicator says whether wards and towns count too ("Xã, phường, thị trấn …") or not."""
    source = indicator_source(indicator)
    if source == Source.REPORTED:
        return Denominator.DISTRICTS
    if source in MODEL_SOURCES:
        return Denominator.MODEL_UNITS
    if indicator.denominator == Denominator.COMMUNES:
        return Denominator.COMMUNES
    return Denominator.COMMUNE_LEVEL


# --- Results -----------------------------------------------------------------------------------


def as_float(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Target:
    """A target or milestone: "at least low", "at most high", or a range low–high.

    A strict target ("trên 52 %", "hơn 10 %") is passed only beyond its line, not on it."""

    low: float | None
    high: float | None
    direction: str = Direction.HIGHER_IS_BETTER
    strict: bool = False

    @classmethod
    def of(cls, obj: Indicator | Milestone, direction: str) -> "Target":
        return cls(
            low=as_float(obj.target_low),
            high=as_float(obj.target_high),
            direction=direction,
            strict=isinstance(obj, Indicator) and obj.target_strict,
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
            return value < self.line if self.strict else value <= self.line
        return value > self.line if self.strict else value >= self.line

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
        if self.direction == Direction.LOWER_IS_BETTER:
            sign = "<" if self.strict else "≤"
        else:
            sign = ">" if self.strict else "≥"
        return f"{sign} {fmt(self.line)}" if self.line is not None else "–"


StrOrPromise = str | Promise

# How a coverage names its units, e.g. "34/102 xã".
_COVERAGE_NOUNS: dict[str, StrOrPromise] = {
    Denominator.COMMUNES: _("%(reported)s/%(expected)s communes"),
    Denominator.COMMUNE_LEVEL: _("%(reported)s/%(expected)s communes, wards and towns"),
    Denominator.DISTRICTS: _("%(reported)s/%(expected)s districts"),
    Denominator.MODEL_UNITS: _("%(reported)s/%(expected)s units with models"),
}


@dataclass(frozen=True)
class Coverage:
    """How many of the units a figure's denominator counts gave data: "34/102 xã"."""

    reported: int
    expected: int
    denominator: str = Denominator.COMMUNE_LEVEL

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.reported >= self.expected

    def sufficient(self, threshold: int) -> bool:
        """At least `threshold` percent of the expected units reported."""
        return self.reported > 0 and self.reported * 100 >= threshold * self.expected

    @property
    def percent(self) -> float | None:
        return percent(self.reported, self.expected, 0)

    @property
    def label(self) -> str:
        """What the denominator counts: "các xã, phường, thị trấn"."""
        return str(Denominator(self.denominator).label)

    def __str__(self) -> str:
        template = _COVERAGE_NOUNS.get(self.denominator, _COVERAGE_NOUNS[Denominator.COMMUNE_LEVEL])
        return str(template) % {"reported": self.reported, "expected": self.expected}


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
    # The units of the denominator that gave data this year: "34/102 xã".
    coverage: Coverage
    unaccepted_reports: int = 0
    # The indicator's words in the source document, and the document ("3198/UBND-TH").
    wording: str = ""
    # Judged on the average of the years so far (ESCAPE): `value` is that average, and
    # `year_value` this year's own figure; `trend` shows each year.
    averaged: bool = False
    year_value: float | None = None

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def status_text(self) -> str:
        """The status as people read it: "Tạm tính (34/102 xã)", "Chưa đủ số liệu (4/102 xã)"."""
        if self.status in (Status.PROVISIONAL, Status.NOT_ENOUGH_DATA):
            return f"{self.status_label} ({self.coverage})"
        return self.status_label

    @property
    def beyond_range(self) -> bool:
        return self.target.is_beyond_range(self.value)

    @property
    def communes_missing(self) -> int | None:
        """Units of the denominator without data, for commune-based figures."""
        if self.source != Source.COMMUNES:
            return None
        return max(0, self.coverage.expected - self.coverage.reported)


@dataclass(frozen=True)
class PovertyFigures:
    year: int
    # Communes, wards and towns that gave both households and poor households.
    communes: int
    total_households: int
    poor_households: int
    near_poor_households: int
    escaped_poverty: int
    newly_poor: int
    fell_back: int
    # Communes, wards and towns in scope, and the Board's minimum coverage in percent.
    communes_expected: int = 0
    threshold: int = 0

    @property
    def coverage(self) -> Coverage:
        return Coverage(self.communes, self.communes_expected, Denominator.COMMUNE_LEVEL)

    @property
    def not_enough_data(self) -> bool:
        return not self.coverage.sufficient(self.threshold)

    @property
    def poverty_rate(self) -> float | None:
        """The scope's rate; withheld below the Board's minimum coverage."""
        if self.not_enough_data:
            return None
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
    coverage: Coverage
    unaccepted_reports: int = 0
    # Below the Board's minimum coverage: the value is withheld.
    not_enough_data: bool = False

    @property
    def communes_missing(self) -> int | None:
        if self.coverage.denominator not in (Denominator.COMMUNES, Denominator.COMMUNE_LEVEL):
            return None
        return max(0, self.coverage.expected - self.coverage.reported)


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
