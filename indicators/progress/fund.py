"""The "For the Poor" fund (Quỹ "Vì người nghèo"): money mobilised against the pledges.

Mobilised money comes from the yearly reports the Board accepted (Board staff may include the
submitted ones); pledges from the units' registrations for the year. A scope's units are the
scope and every unit under it. Coverage counts the units that registered for the year and the
accepted reports among them that gave the fund's figure ("7/12 đơn vị"): a report without the
figure is missing, never zero.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Case, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Registration, Submission, SubmissionStatus
from indicators.progress.results import ratio
from indicators.progress.scopes import child_units, counted_statuses, unit_subtree_q
from units.models import Unit, UnitLevel

Row = Mapping[str, Any]


@dataclass(frozen=True)
class FundCoverage:
    """Reports giving the fund's figure among the units registered for the year."""

    reported: int
    expected: int

    def __str__(self) -> str:
        return str(_("%(reported)s/%(expected)s registered units")) % {
            "reported": self.reported,
            "expected": self.expected,
        }


@dataclass(frozen=True)
class FundFigures:
    """The fund in one scope and year."""

    year: int
    mobilised_vnd: int
    pledged_vnd: int
    # Counted reports that gave the figure, and units that registered for the year.
    reports: int
    registered: int
    unaccepted_reports: int = 0

    @property
    def coverage(self) -> FundCoverage:
        return FundCoverage(self.reports, self.registered)

    @property
    def has_figure(self) -> bool:
        """Whether any counted report gave the figure: without one, nothing is known, not zero."""
        return self.reports > 0

    @property
    def share_of_pledges(self) -> float | None:
        """Mobilised in percent of pledged; none without a pledge or without a figure."""
        if not self.pledged_vnd or not self.has_figure:
            return None
        return ratio(self.mobilised_vnd, self.pledged_vnd)


@dataclass(frozen=True)
class FundChild:
    """The fund in one district (its own units and its communes') or the province's own units."""

    unit_id: int | None
    code: str
    name: str
    figures: FundFigures


def _child_of(scope: Unit) -> Case | None:
    """The district a unit belongs to, for a province: itself, or its commune's parent."""
    if scope.level != UnitLevel.PROVINCE:
        return None
    return Case(
        When(unit__level=UnitLevel.DISTRICT, then=F("unit_id")),
        When(unit__level=UnitLevel.COMMUNE, then=F("unit__parent_id")),
        output_field=IntegerField(),
    )


def _mobilised(campaign: Campaign, scope: Unit, include_submitted: bool) -> QuerySet[Submission]:
    return Submission.objects.filter(
        unit_subtree_q(scope, "unit"),
        period__campaign=campaign,
        status__in=counted_statuses(include_submitted),
    )


def _pledged(campaign: Campaign, scope: Unit) -> QuerySet[Registration]:
    return Registration.objects.filter(unit_subtree_q(scope, "unit"), period__campaign=campaign)


def _sums() -> dict[str, Aggregate]:
    given = Q(fund_mobilised_vnd__isnull=False)
    return {
        "mobilised": Sum("fund_mobilised_vnd"),
        "reports": Count("pk", filter=given),
        "unaccepted": Count("pk", filter=given & Q(status=SubmissionStatus.SUBMITTED)),
    }


def _promises() -> dict[str, Aggregate]:
    return {"pledged": Sum("fund_pledge_vnd"), "registered": Count("unit", distinct=True)}


def _figures(year: int, given: Row, promised: Row) -> "FundFigures":
    return FundFigures(
        year=year,
        mobilised_vnd=given.get("mobilised") or 0,
        pledged_vnd=promised.get("pledged") or 0,
        reports=given.get("reports", 0),
        registered=promised.get("registered", 0),
        unaccepted_reports=given.get("unaccepted", 0),
    )


def _grouped(
    campaign: Campaign,
    scope: Unit,
    years: list[int],
    include_submitted: bool,
    child: Case | None,
) -> tuple[dict[tuple[int, int | None], Row], dict[tuple[int, int | None], Row]]:
    """What was mobilised and pledged per (year, district) in `years`: one query each. Without
    `child`, per year alone (the district part of each key is None)."""
    keys = ["period__year"]
    mobilised = _mobilised(campaign, scope, include_submitted).filter(period__year__in=years)
    pledged = _pledged(campaign, scope).filter(period__year__in=years)
    if child is not None:
        keys.append("child")
        mobilised = mobilised.annotate(child=child)
        pledged = pledged.annotate(child=child)
    given = mobilised.values(*keys).annotate(**_sums()).order_by()
    promised = pledged.values(*keys).annotate(**_promises()).order_by()
    return (
        {(row["period__year"], row.get("child")): row for row in given},
        {(row["period__year"], row.get("child")): row for row in promised},
    )


def _summed(rows: list[Row], names: tuple[str, ...]) -> Row:
    # A unit belongs to one district (or none), so counts of distinct units add up too.
    return {name: sum(row.get(name) or 0 for row in rows) for name in names}


def fund_by_year(
    *, campaign: Campaign, scope: Unit, years: list[int], include_submitted: bool = False
) -> list[FundFigures]:
    """The fund in `scope` for each of `years` (two queries whatever the number of units)."""
    mobilised, pledged = _grouped(campaign, scope, years, include_submitted, child=None)
    return [
        _figures(year, mobilised.get((year, None), {}), pledged.get((year, None), {}))
        for year in sorted(years)
    ]


def _children(
    scope: Unit,
    year: int,
    mobilised: dict[tuple[int, int | None], Row],
    pledged: dict[tuple[int, int | None], Row],
) -> list[FundChild]:
    def figures(key: int | None) -> FundFigures:
        return _figures(year, mobilised.get((year, key), {}), pledged.get((year, key), {}))

    rows = [
        FundChild(unit_id=unit.pk, code=unit.code, name=unit.name, figures=figures(unit.pk))
        for unit in child_units(scope=scope).order_by("code")
    ]
    rows.append(
        FundChild(
            unit_id=None,
            code="",
            name=str(_("Provincial departments, organisations and enterprises")),
            figures=figures(None),
        )
    )
    return rows


def fund_by_child(
    *, campaign: Campaign, scope: Unit, year: int, include_submitted: bool = False
) -> list[FundChild]:
    """The fund per district of a province, then the province's own units (departments,
    organisations, enterprises, the province itself) on a line of their own."""
    child = _child_of(scope)
    if child is None:
        return []
    mobilised, pledged = _grouped(campaign, scope, [year], include_submitted, child=child)
    return _children(scope, year, mobilised, pledged)


def fund_by_year_and_child(
    *,
    campaign: Campaign,
    scope: Unit,
    years: list[int],
    year: int,
    include_submitted: bool = False,
) -> tuple[list[FundFigures], list[FundChild]]:
    """`fund_by_year(years)` and `fund_by_child(year)` together, from the same two grouped
    queries: each year's figures are the sums of its districts' and the province's own units'."""
    child = _child_of(scope)
    if child is None:
        by_year = fund_by_year(
            campaign=campaign, scope=scope, years=years, include_submitted=include_submitted
        )
        return by_year, []
    mobilised, pledged = _grouped(
        campaign, scope, sorted({*years, year}), include_submitted, child=child
    )
    by_year = []
    for y in sorted(years):
        given = [row for (row_year, _child), row in mobilised.items() if row_year == y]
        promised = [row for (row_year, _child), row in pledged.items() if row_year == y]
        by_year.append(
            _figures(
                y,
                _summed(given, ("mobilised", "reports", "unaccepted")),
                _summed(promised, ("pledged", "registered")),
            )
        )
    return by_year, _children(scope, year, mobilised, pledged)
