"""Deprivation by dimension: which basic social services poor and near-poor households lack.

The multidimensional standard (QĐ 59/2015/QĐ-TTg) measures ten indicators in five services.
For each indicator and group, a scope's rate is the households lacking it ÷ the group's
households, both summed over the communes that gave that count (a blank count is not zero, so
a commune without it is in neither sum). Coverage counts those communes, like the poverty rate's
("34/102 xã, phường, thị trấn"), and below the Board's minimum coverage the rate is withheld.

A household lacking both indicators of a service counts twice in the service's sum: the sums
say how the deprivations found divide between the services, not how many households lack each.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Count, Q, QuerySet, Sum

from campaigns.models import Campaign
from indicators.models import (
    DEPRIVATION_SERVICE,
    GROUP_TOTAL_FIELD,
    CommuneStatistics,
    Denominator,
    Deprivation,
    HouseholdGroup,
    Service,
    deprivation_field,
)
from indicators.progress.results import Coverage, ratio
from indicators.progress.scopes import (
    child_units,
    commune_child_key,
    communes_in_scope,
    communes_q,
)
from units.models import Unit, UnitLevel

Row = Mapping[str, Any]


@dataclass(frozen=True)
class DeprivationFigure:
    """One indicator for one group of households, in a scope and year."""

    deprivation: str
    group: str
    lacking: int
    # The group's households in the communes that gave this count.
    households: int
    communes: int
    communes_expected: int
    threshold: int

    @property
    def label(self) -> str:
        return str(Deprivation(self.deprivation).label)

    @property
    def service(self) -> str:
        return DEPRIVATION_SERVICE[self.deprivation]

    @property
    def service_label(self) -> str:
        return str(Service(self.service).label)

    @property
    def coverage(self) -> Coverage:
        return Coverage(self.communes, self.communes_expected, Denominator.COMMUNE_LEVEL)

    @property
    def not_enough_data(self) -> bool:
        return not self.coverage.sufficient(self.threshold)

    @property
    def rate(self) -> float | None:
        """Households lacking the indicator in percent of the group's; withheld below the
        Board's minimum coverage."""
        if self.not_enough_data:
            return None
        return ratio(self.lacking, self.households)


@dataclass(frozen=True)
class ServiceShare:
    """A service's part of all the deprivations counted for a group."""

    service: str
    lacking: int
    share: float | None

    @property
    def label(self) -> str:
        return str(Service(self.service).label)


@dataclass(frozen=True)
class DeprivationYear:
    """Every indicator for both groups in one year."""

    year: int
    figures: tuple[DeprivationFigure, ...]

    def group(self, group: str) -> list[DeprivationFigure]:
        """The group's ten indicators, in the standard's order."""
        return [f for f in self.figures if f.group == group]

    @property
    def poor(self) -> list[DeprivationFigure]:
        return self.group(HouseholdGroup.POOR)

    @property
    def near_poor(self) -> list[DeprivationFigure]:
        return self.group(HouseholdGroup.NEAR_POOR)

    @property
    def pairs(self) -> list[tuple[DeprivationFigure, DeprivationFigure]]:
        """(poor, near-poor) figures of each indicator, in the standard's order."""
        return list(zip(self.poor, self.near_poor, strict=True))

    def ranked(self, group: str = HouseholdGroup.POOR) -> list[DeprivationFigure]:
        """The group's indicators with a rate, the most lacked first: what weighs most."""
        shown = [f for f in self.group(group) if f.rate is not None]
        return sorted(shown, key=lambda f: (-(f.rate or 0), f.deprivation))

    def services(self, group: str = HouseholdGroup.POOR) -> list[ServiceShare]:
        """Each service's sum of deprivations and its share of the group's deprivations."""
        counted = [f for f in self.group(group) if not f.not_enough_data]
        total = sum(f.lacking for f in counted)
        shares = []
        for service in Service:
            lacking = sum(f.lacking for f in counted if f.service == service)
            shares.append(ServiceShare(service, lacking, ratio(lacking, total) if total else None))
        return shares

    @property
    def communes(self) -> int:
        """Communes that gave at least one count, for the section's coverage line."""
        return max((f.communes for f in self.figures), default=0)

    @property
    def coverage(self) -> Coverage:
        expected = self.figures[0].communes_expected if self.figures else 0
        return Coverage(self.communes, expected, Denominator.COMMUNE_LEVEL)

    @property
    def has_data(self) -> bool:
        return any(f.communes for f in self.figures)


@dataclass(frozen=True)
class DeprivationChild:
    """One district of a province (or commune of a district) for one group and year."""

    unit_id: int
    code: str
    name: str
    figures: tuple[DeprivationFigure, ...]

    @property
    def poor(self) -> list[DeprivationFigure]:
        return [f for f in self.figures if f.group == HouseholdGroup.POOR]

    @property
    def coverage(self) -> Coverage:
        """Communes of this unit that gave at least one count."""
        communes = max((f.communes for f in self.figures), default=0)
        expected = self.figures[0].communes_expected if self.figures else 0
        return Coverage(communes, expected, Denominator.COMMUNE_LEVEL)


def _pairs() -> Iterable[tuple[str, str]]:
    return ((group, code) for group in HouseholdGroup.values for code in Deprivation.values)


def _annotations() -> dict[str, Aggregate]:
    """Per group and indicator: households lacking, the group's households, communes counted."""
    annotations: dict[str, Aggregate] = {}
    for group, code in _pairs():
        name, total = deprivation_field(group, code), GROUP_TOTAL_FIELD[group]
        both = Q(**{f"{name}__isnull": False, f"{total}__isnull": False})
        annotations[f"{name}__lacking"] = Sum(name, filter=both)
        annotations[f"{name}__households"] = Sum(total, filter=both)
        annotations[f"{name}__communes"] = Count("pk", filter=both)
    return annotations


def _figures(row: Row, expected: int, threshold: int) -> tuple[DeprivationFigure, ...]:
    figures = []
    for group, code in _pairs():
        name = deprivation_field(group, code)
        figures.append(
            DeprivationFigure(
                deprivation=code,
                group=group,
                lacking=row[f"{name}__lacking"] or 0,
                households=row[f"{name}__households"] or 0,
                communes=row[f"{name}__communes"],
                communes_expected=expected,
                threshold=threshold,
            )
        )
    return tuple(figures)


def deprivation_by_year(*, campaign: Campaign, scope: Unit, year: int) -> list[DeprivationYear]:
    """Every indicator for both groups in `scope`, each year up to `year`, in one query."""
    expected = communes_in_scope(scope).count()
    rows: QuerySet[CommuneStatistics, Row] = (
        CommuneStatistics.objects.filter(communes_q(scope, "commune"), year__lte=year)
        .values("year")
        .annotate(**_annotations())
        .order_by("year")
    )
    return [
        DeprivationYear(
            year=row["year"], figures=_figures(row, expected, campaign.coverage_threshold)
        )
        for row in rows
    ]


def deprivation_this_year(years: list[DeprivationYear], year: int) -> DeprivationYear | None:
    return next((y for y in years if y.year == year), None)


def deprivation_by_child(*, campaign: Campaign, scope: Unit, year: int) -> list[DeprivationChild]:
    """Every indicator per district of a province, or per commune of a district, in one query."""
    key = commune_child_key(scope, "commune")
    children = list(child_units(scope=scope).order_by("code"))
    if key is None or not children:
        return []
    rows: QuerySet[CommuneStatistics, Row] = (
        CommuneStatistics.objects.filter(communes_q(scope, "commune"), year=year)
        .values(key)
        .annotate(**_annotations())
        .order_by()
    )
    by_child = {row[key]: row for row in rows}
    empty: Row = dict.fromkeys(_annotations()) | {
        f"{deprivation_field(g, c)}__communes": 0 for g, c in _pairs()
    }
    # A province's district holds its communes; a district's commune is one commune.
    per_commune = scope.level == UnitLevel.DISTRICT
    return [
        DeprivationChild(
            unit_id=child.pk,
            code=child.code,
            name=child.name,
            figures=_figures(
                by_child.get(child.pk, empty),
                1 if per_commune else child.communes,
                campaign.coverage_threshold,
            ),
        )
        for child in children
    ]
