"""Roadmaps: each target's yearly milestones, set by the Board or derived from the baseline.

A year's milestone is, in order: the Board's milestone for the scope, the Board's province-wide
one, or the derived one. Derived milestones need a baseline (the scope's own, else the
province-wide one) and run in a straight line from the baseline year's value to the target in
the target year: baseline 70 in 2017 and target 100 in 2020 give 80, 90 and 100. A target that
holds every year rather than at the end (INCOME's 15–20 % growth a year, ESCAPE's more than 10 %
of households a year) has itself as each year's milestone.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from indicators.models import Baseline, Direction, Indicator, Measure, Milestone
from indicators.progress.baselines import BaselineInput, baseline_set
from indicators.progress.results import MODEL_RATE_CODES, Target
from kontum_poverty.numbers import round_half_up
from units.models import Unit, User


def is_annual(indicator: Indicator) -> bool:
    """A target every year must reach (a yearly growth or a yearly rate), not a level by the end."""
    return indicator.measure == Measure.GROWTH or indicator.code in MODEL_RATE_CODES


def derived_milestone(indicator: Indicator, baseline: Baseline | None, year: int) -> Target | None:
    """The straight-line milestone of `year`, or None outside the baseline year–target year."""
    if baseline is None or not baseline.year < year <= indicator.target_year:
        return None
    target = Target.of(indicator, indicator.direction)
    # The last step is the target itself, strictness ("trên 52 %") included.
    if is_annual(indicator) or year == indicator.target_year:
        return target
    if target.line is None:
        return None
    start = baseline.value
    step = (Decimal(str(target.line)) - start) / (indicator.target_year - baseline.year)
    value = float(round_half_up(start + step * (year - baseline.year), 2))
    if indicator.direction == Direction.LOWER_IS_BETTER:
        return Target(low=None, high=value, direction=indicator.direction)
    return Target(low=value, high=None, direction=indicator.direction)


def _scope_q(scope: Unit | None) -> Q:
    # Province-wide rows hold everywhere; a scope's own rows only there.
    if scope is None:
        return Q(scope__isnull=True)
    return Q(scope__isnull=True) | Q(scope_id=scope.pk)


def _baselines(indicators: list[Indicator], scope: Unit | None) -> dict[int, Baseline]:
    rows = Baseline.objects.filter(_scope_q(scope), indicator__in=[i.pk for i in indicators])
    found: dict[int, Baseline] = {}
    # Province-wide rows first, so that the scope's own baseline replaces them.
    for baseline in sorted(rows, key=lambda b: b.scope_id is not None):
        found[baseline.indicator_id] = baseline
    return found


def _set_milestones(
    indicators: list[Indicator], scope: Unit | None, year: int | None = None
) -> dict[tuple[int, int], Milestone]:
    rows = Milestone.objects.filter(_scope_q(scope), indicator__in=[i.pk for i in indicators])
    if year is not None:
        rows = rows.filter(year=year)
    found: dict[tuple[int, int], Milestone] = {}
    # Province-wide rows first, so that a scope-specific milestone replaces them.
    for milestone in sorted(rows.select_related("set_by"), key=lambda m: m.scope_id is not None):
        if milestone.target_low is None and milestone.target_high is None:
            continue
        found[(milestone.indicator_id, milestone.year)] = milestone
    return found


def milestones_for(indicators: list[Indicator], scope: Unit, year: int) -> dict[int, Target]:
    """The year's milestone per indicator (set for the scope, set province-wide, else derived)."""
    set_rows = _set_milestones(indicators, scope, year)
    baselines = _baselines(indicators, scope)
    found: dict[int, Target] = {}
    for indicator in indicators:
        milestone = set_rows.get((indicator.pk, year))
        if milestone is not None:
            found[indicator.pk] = Target.of(milestone, indicator.direction)
            continue
        derived = derived_milestone(indicator, baselines.get(indicator.pk), year)
        if derived is not None:
            found[indicator.pk] = derived
    return found


def milestones_of(plans: "dict[int, Roadmap]", year: int) -> dict[int, Target]:
    """The year's milestone per indicator, read from roadmaps the caller built already for the
    same scope: what `milestones_for` reads again (a roadmap holds every year a milestone is
    set for and every year a derived one can fall in)."""
    found: dict[int, Target] = {}
    for pk, plan in plans.items():
        step = next((y for y in plan.years if y.year == year), None)
        if step is not None and step.milestone is not None:
            found[pk] = step.milestone
    return found


@dataclass(frozen=True)
class RoadmapYear:
    """One year of a roadmap: the milestone in force, the derived one beside it, who set it."""

    year: int
    milestone: Target | None
    derived: Target | None
    set_milestone: Milestone | None = None

    @property
    def is_set(self) -> bool:
        return self.set_milestone is not None

    @property
    def set_by(self) -> User | None:
        return self.set_milestone.set_by if self.set_milestone else None

    @property
    def set_at(self) -> datetime | None:
        return self.set_milestone.set_at if self.set_milestone else None

    @property
    def line(self) -> float | None:
        return self.milestone.line if self.milestone else None


@dataclass(frozen=True)
class Roadmap:
    indicator: Indicator
    baseline: Baseline | None
    years: list[RoadmapYear]

    @property
    def target(self) -> Target:
        return Target.of(self.indicator, self.indicator.direction)

    @property
    def is_annual(self) -> bool:
        return is_annual(self.indicator)

    def line_points(self) -> list[tuple[int, float]]:
        """(year, value) of every milestone, the baseline year first: what a chart draws."""
        points = [(y.year, y.line) for y in self.years if y.line is not None]
        if self.baseline is not None and not is_annual(self.indicator):
            points.insert(0, (self.baseline.year, float(self.baseline.value)))
        return points


def roadmaps(
    indicators: list[Indicator], scope: Unit | None, years: Iterable[int] = ()
) -> dict[int, Roadmap]:
    """Each indicator's roadmap in `scope` (None: province-wide only), in two queries.

    The years are those after the baseline year up to the target year, any year a milestone
    is set for, and `years`."""
    set_rows = _set_milestones(indicators, scope)
    baselines = _baselines(indicators, scope)
    found = {}
    for indicator in indicators:
        baseline = baselines.get(indicator.pk)
        wanted = set(years) | {y for (pk, y) in set_rows if pk == indicator.pk}
        if baseline is not None:
            wanted |= set(range(baseline.year + 1, indicator.target_year + 1))
        rows = []
        for year in sorted(wanted):
            derived = derived_milestone(indicator, baseline, year)
            milestone = set_rows.get((indicator.pk, year))
            shown = Target.of(milestone, indicator.direction) if milestone else derived
            rows.append(RoadmapYear(year, shown, derived, milestone))
        found[indicator.pk] = Roadmap(indicator=indicator, baseline=baseline, years=rows)
    return found


def roadmap(indicator: Indicator, scope: Unit | None) -> list[RoadmapYear]:
    """Each year's milestone of one indicator, set or derived, with who set it and when."""
    return roadmaps([indicator], scope)[indicator.pk].years


# --- The Board sets milestones ------------------------------------------------------------------


@transaction.atomic
def milestone_set(
    *, indicator: Indicator, scope: Unit | None, year: int, value: Decimal | None, by: User
) -> Milestone | None:
    """Set the Board's milestone of a year, or (value None) go back to the derived one."""
    # Lock the indicator, as `baseline_set` does: one writer at a time per indicator.
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    existing = Milestone.objects.filter(
        indicator=indicator, scope_id=scope.pk if scope else None, year=year
    ).first()
    if value is None:
        if existing is not None:
            existing.delete()  # the post_delete receiver moves the figures' cache key
        return None
    low, high = (None, value) if indicator.direction == Direction.LOWER_IS_BETTER else (value, None)
    if existing is not None and (existing.target_low, existing.target_high) == (low, high):
        return existing
    milestone = existing or Milestone(indicator=indicator, scope=scope, year=year)
    milestone.target_low, milestone.target_high = low, high
    milestone.set_by, milestone.set_at = by, timezone.now()
    milestone.full_clean()
    milestone.save()
    return milestone


@dataclass(frozen=True)
class RoadmapInput:
    """What the Board's roadmap page sends for one indicator."""

    indicator: Indicator
    baseline: BaselineInput
    # Year -> the Board's milestone; None goes back to the derived one.
    milestones: dict[int, Decimal | None]


@transaction.atomic
def roadmap_save(*, rows: list[RoadmapInput], scope: Unit | None = None, by: User) -> None:
    """Save the Board's baselines and milestones of every indicator, all or nothing."""
    for row in rows:
        baseline_set(indicator=row.indicator, scope=scope, data=row.baseline, by=by)
        for year, value in row.milestones.items():
            milestone_set(indicator=row.indicator, scope=scope, year=year, value=value, by=by)
