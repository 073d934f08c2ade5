"""The groups document 3198/UBND-TH names, against the rest, and falling back into poverty.

- ethnic-minority households against all households (the commune statistics' "of which
  ethnic-minority" counts, escapes, new poverty and re-poverty included);
- border communes against the other communes, and especially difficult (Program 135) communes
  against the other communes, by the flags in force during the year (`units.UnitFlag`);
- per district and year, the rates of re-poverty and of new poverty against the Board's warning
  threshold (`Campaign.falling_back_threshold`).

Every figure is summed by PostgreSQL in grouped queries, per district and for the scope, with
its coverage; below the Board's minimum coverage a rate is withheld, as everywhere else.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from indicators.models import CommuneStatistics, Denominator
from indicators.progress.results import Coverage, ratio
from indicators.progress.scopes import communes_in_scope, communes_q
from units.models import FlagSource, Unit, UnitFlag, UnitFlagKind, UnitLevel

Row = Mapping[str, Any]


class Group:
    ALL = "all"
    ETHNIC_MINORITY = "ethnic_minority"
    BORDER = "border"
    NOT_BORDER = "not_border"
    P135 = "p135"
    NOT_P135 = "not_p135"


# The comparisons shown: a group and what it is set against.
COMPARISONS = (
    (Group.ETHNIC_MINORITY, Group.ALL),
    (Group.BORDER, Group.NOT_BORDER),
    (Group.P135, Group.NOT_P135),
)
GROUPS = (
    Group.ETHNIC_MINORITY,
    Group.ALL,
    Group.BORDER,
    Group.NOT_BORDER,
    Group.P135,
    Group.NOT_P135,
)
GROUP_LABELS = {
    Group.ETHNIC_MINORITY: _("Ethnic-minority households"),
    Group.ALL: _("All households"),
    Group.BORDER: _("Border communes"),
    Group.NOT_BORDER: _("Other communes"),
    Group.P135: _("Especially difficult communes (Program 135)"),
    Group.NOT_P135: _("Other communes"),
}
FLAG_OF_GROUP = {
    Group.BORDER: UnitFlagKind.BORDER,
    Group.NOT_BORDER: UnitFlagKind.BORDER,
    Group.P135: UnitFlagKind.ESPECIALLY_DIFFICULT,
    Group.NOT_P135: UnitFlagKind.ESPECIALLY_DIFFICULT,
}


@dataclass(frozen=True)
class GroupFigures:
    """One group's poverty figures in a scope and year, with its coverage."""

    group: str
    communes: int
    communes_expected: int
    threshold: int
    households: int
    poor: int
    near_poor: int
    # None where no commune of the group reported the count.
    escaped: int | None
    newly_poor: int | None
    fell_back: int | None

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self.group])

    @property
    def coverage(self) -> Coverage:
        return Coverage(self.communes, self.communes_expected, Denominator.COMMUNE_LEVEL)

    @property
    def not_enough_data(self) -> bool:
        return not self.coverage.sufficient(self.threshold)

    def _rate(self, count: int | None) -> float | None:
        if self.not_enough_data or count is None:
            return None
        return ratio(count, self.households)

    @property
    def poverty_rate(self) -> float | None:
        return self._rate(self.poor)

    @property
    def near_poverty_rate(self) -> float | None:
        return self._rate(self.near_poor)

    @property
    def new_poverty_rate(self) -> float | None:
        return self._rate(self.newly_poor)

    @property
    def re_poverty_rate(self) -> float | None:
        return self._rate(self.fell_back)


@dataclass(frozen=True)
class GroupRow:
    """The groups of one scope: the province's or one district's."""

    unit_id: int
    code: str
    name: str
    figures: dict[str, GroupFigures]

    def pair(self, group: str, other: str) -> tuple[GroupFigures, GroupFigures]:
        return self.figures[group], self.figures[other]

    @property
    def pairs(self) -> list[tuple[GroupFigures, GroupFigures]]:
        return [self.pair(group, other) for group, other in COMPARISONS]


@dataclass(frozen=True)
class FlagList:
    """Where a flag's list comes from in a year: its documents, and whether the Board added to
    the official list."""

    flag: str
    communes: int
    decisions: list[str]
    completed_by_board: bool

    @property
    def label(self) -> str:
        return str(UnitFlagKind(self.flag).label)


@dataclass(frozen=True)
class GroupComparison:
    year: int
    scope: GroupRow
    districts: list[GroupRow]
    lists: dict[str, FlagList] = field(default_factory=dict)

    @property
    def comparisons(self) -> list[dict[str, Any]]:
        """Each comparison with its list's provenance and its rows: the scope, then districts."""
        out = []
        for group, other in COMPARISONS:
            flag = FLAG_OF_GROUP.get(group)
            out.append(
                {
                    "key": group,
                    "title": GROUP_LABELS[group],
                    "list": self.lists.get(flag) if flag else None,
                    "scope": self.scope.pair(group, other),
                    "districts": [(row, row.pair(group, other)) for row in self.districts],
                }
            )
        return out


# --- Queries ------------------------------------------------------------------------------------


def flags_in_force(*, flag: str, year: int, unit_field: str = "pk") -> Exists:
    """Whether the row's commune carries `flag` at some time during `year`."""
    return Exists(
        UnitFlag.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__year__gte=year),
            unit_id=OuterRef(unit_field),
            flag=flag,
            valid_from__year__lte=year,
        )
    )


def _group_q(group: str) -> Q:
    if group in (Group.ALL, Group.ETHNIC_MINORITY):
        return Q()
    member = Q(**{f"in_{FLAG_OF_GROUP[group]}": True})
    return member if group in (Group.BORDER, Group.P135) else ~member


def _annotations() -> dict[str, Any]:
    both = Q(total_households__isnull=False, poor_households__isnull=False)
    em_both = Q(
        ethnic_minority_households__isnull=False, poor_ethnic_minority_households__isnull=False
    )
    out: dict[str, Any] = {}
    for group in (Group.ALL, Group.BORDER, Group.NOT_BORDER, Group.P135, Group.NOT_P135):
        q = _group_q(group)
        out[f"{group}__communes"] = Count("pk", filter=q & both)
        out[f"{group}__households"] = Sum("total_households", filter=q & both)
        out[f"{group}__poor"] = Sum("poor_households", filter=q & both)
        out[f"{group}__near_poor"] = Sum("near_poor_households", filter=q & both)
        out[f"{group}__escaped"] = Sum("escaped_poverty", filter=q & both)
        out[f"{group}__newly_poor"] = Sum("newly_poor", filter=q & both)
        out[f"{group}__fell_back"] = Sum("fell_back", filter=q & both)
    em = Group.ETHNIC_MINORITY
    out[f"{em}__communes"] = Count("pk", filter=em_both)
    out[f"{em}__households"] = Sum("ethnic_minority_households", filter=em_both)
    out[f"{em}__poor"] = Sum("poor_ethnic_minority_households", filter=em_both)
    out[f"{em}__near_poor"] = Sum("near_poor_ethnic_minority_households", filter=em_both)
    out[f"{em}__escaped"] = Sum("escaped_poverty_ethnic_minority", filter=em_both)
    out[f"{em}__newly_poor"] = Sum("newly_poor_ethnic_minority", filter=em_both)
    out[f"{em}__fell_back"] = Sum("fell_back_ethnic_minority", filter=em_both)
    return out


def _flagged_statistics(scope: Unit, year: int) -> QuerySet[CommuneStatistics]:
    return CommuneStatistics.objects.filter(communes_q(scope, "commune"), year=year).annotate(
        **{
            f"in_{flag}": flags_in_force(flag=flag, year=year, unit_field="commune_id")
            for flag in UnitFlagKind.values
        }
    )


def _expected(scope: Unit, year: int, key: str | None) -> dict[Any, dict[str, int]]:
    """Communes in scope per group (and per district when `key` is given)."""
    units = communes_in_scope(scope).annotate(
        **{f"in_{flag}": flags_in_force(flag=flag, year=year) for flag in UnitFlagKind.values}
    )
    counts: dict[str, Any] = {}
    for group in (Group.ALL, Group.BORDER, Group.NOT_BORDER, Group.P135, Group.NOT_P135):
        counts[group] = Count("pk", filter=_group_q(group))
    rows = units.values(key).annotate(**counts).order_by() if key else [units.aggregate(**counts)]
    out: dict[Any, dict[str, int]] = {}
    for row in rows:
        row = dict(row)
        row[Group.ETHNIC_MINORITY] = row[Group.ALL]
        out[row.get(key) if key else None] = row
    return out


def _movement(row: Row, group: str, name: str) -> int | None:
    """A count of the year's movements. The ethnic-minority counts came later to the statistics:
    where no covered commune gave one, it is "not reported" (None), never zero."""
    value = row.get(f"{group}__{name}")
    if group == Group.ETHNIC_MINORITY:
        return value
    return value or 0


def _figures(row: Row, expected: Mapping[str, int], threshold: int) -> dict[str, GroupFigures]:
    figures = {}
    for group in GROUPS:
        figures[group] = GroupFigures(
            group=group,
            communes=row.get(f"{group}__communes") or 0,
            communes_expected=expected.get(group, 0),
            threshold=threshold,
            households=row.get(f"{group}__households") or 0,
            poor=row.get(f"{group}__poor") or 0,
            near_poor=row.get(f"{group}__near_poor") or 0,
            escaped=_movement(row, group, "escaped"),
            newly_poor=_movement(row, group, "newly_poor"),
            fell_back=_movement(row, group, "fell_back"),
        )
    return figures


def flag_lists(*, year: int) -> dict[str, FlagList]:
    """Each flag's list in force during `year`: how many communes, under which documents, and
    whether the Board completed it."""
    flags = UnitFlag.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__year__gte=year), valid_from__year__lte=year
    )
    rows = flags.values("flag", "decision", "source").annotate(n=Count("unit", distinct=True))
    communes = dict(
        flags.values("flag").annotate(n=Count("unit", distinct=True)).values_list("flag", "n")
    )
    decisions: dict[str, list[str]] = defaultdict(list)
    by_board: dict[str, bool] = defaultdict(bool)
    for row in rows.order_by("flag", "decision"):
        if row["decision"] not in decisions[row["flag"]]:
            decisions[row["flag"]].append(row["decision"])
        by_board[row["flag"]] |= row["source"] == FlagSource.BOARD
    return {
        flag: FlagList(
            flag=flag,
            communes=communes.get(flag, 0),
            decisions=decisions.get(flag, []),
            completed_by_board=by_board[flag],
        )
        for flag in UnitFlagKind.values
    }


# --- Public API ---------------------------------------------------------------------------------


def poverty_by_group(*, campaign: Campaign, scope: Unit, year: int) -> GroupComparison:
    """The named groups against the rest, for a province (and each district) or a district."""
    threshold = campaign.coverage_threshold
    statistics = _flagged_statistics(scope, year)
    whole = statistics.aggregate(**_annotations())
    expected_whole = _expected(scope, year, None)[None]
    scope_row = GroupRow(
        unit_id=scope.pk,
        code=scope.code,
        name=scope.name,
        figures=_figures(whole, expected_whole, threshold),
    )
    districts: list[GroupRow] = []
    if scope.level == UnitLevel.PROVINCE:
        by_district = {
            row["commune__parent_id"]: row
            for row in statistics.values("commune__parent_id").annotate(**_annotations()).order_by()
        }
        expected = _expected(scope, year, "parent_id")
        for district in Unit.objects.filter(
            parent_id=scope.pk, level=UnitLevel.DISTRICT, is_active=True
        ).order_by("code"):
            districts.append(
                GroupRow(
                    unit_id=district.pk,
                    code=district.code,
                    name=district.name,
                    figures=_figures(
                        by_district.get(district.pk, {}), expected.get(district.pk, {}), threshold
                    ),
                )
            )
    return GroupComparison(
        year=year, scope=scope_row, districts=districts, lists=flag_lists(year=year)
    )


@dataclass(frozen=True)
class FallingBackYear:
    """A district's households that fell back into poverty and became newly poor in a year."""

    year: int
    figures: GroupFigures
    threshold: Decimal | None

    @property
    def re_poverty_rate(self) -> float | None:
        return self.figures.re_poverty_rate

    @property
    def new_poverty_rate(self) -> float | None:
        return self.figures.new_poverty_rate

    @property
    def above_threshold(self) -> bool:
        if self.threshold is None:
            return False
        line = float(self.threshold)
        return any(
            rate is not None and rate > line
            for rate in (self.re_poverty_rate, self.new_poverty_rate)
        )


@dataclass(frozen=True)
class FallingBackRow:
    unit_id: int
    code: str
    name: str
    years: list[FallingBackYear]
    year: int

    @property
    def this_year(self) -> FallingBackYear | None:
        return next((y for y in self.years if y.year == self.year), None)

    @property
    def above_threshold(self) -> bool:
        return self.this_year is not None and self.this_year.above_threshold

    def by_year(self, years: list[int]) -> list[FallingBackYear | None]:
        """The row's years lined up under `years`, None where the district has no figures."""
        known = {y.year: y for y in self.years}
        return [known.get(y) for y in years]


def falling_back_years(rows: list[FallingBackRow]) -> list[int]:
    """Every year that any row has figures for, in order."""
    return sorted({y.year for row in rows for y in row.years})


def falling_back_by_district(*, campaign: Campaign, scope: Unit, year: int) -> list[FallingBackRow]:
    """Re-poverty and new-poverty rates per district (a province's, or the district itself) and
    year up to `year`, each against the Board's warning threshold."""
    if scope.level == UnitLevel.PROVINCE:
        districts = Unit.objects.filter(
            parent_id=scope.pk, level=UnitLevel.DISTRICT, is_active=True
        )
    elif scope.level == UnitLevel.DISTRICT:
        districts = Unit.objects.filter(pk=scope.pk)
    else:
        return []
    both = Q(total_households__isnull=False, poor_households__isnull=False)
    rows = (
        CommuneStatistics.objects.filter(
            communes_q(scope, "commune"), year__lte=year, year__gte=campaign.first_year
        )
        .values("commune__parent_id", "year")
        .annotate(
            communes=Count("pk", filter=both),
            households=Sum("total_households", filter=both),
            newly=Sum("newly_poor", filter=both),
            fell=Sum("fell_back", filter=both),
        )
        .order_by()
    )
    expected: dict[int | None, int] = dict(
        communes_in_scope(scope)
        .values("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
        .order_by()
    )
    series: dict[int | None, list[FallingBackYear]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["year"]):
        series[row["commune__parent_id"]].append(
            FallingBackYear(
                year=row["year"],
                threshold=campaign.falling_back_threshold,
                figures=GroupFigures(
                    group=Group.ALL,
                    communes=row["communes"],
                    communes_expected=expected.get(row["commune__parent_id"], 0),
                    threshold=campaign.coverage_threshold,
                    households=row["households"] or 0,
                    poor=0,
                    near_poor=0,
                    escaped=None,
                    newly_poor=row["newly"] or 0,
                    fell_back=row["fell"] or 0,
                ),
            )
        )
    return [
        FallingBackRow(
            unit_id=d.pk, code=d.code, name=d.name, years=series.get(d.pk, []), year=year
        )
        for d in districts.order_by("code")
    ]


def districts_above_falling_back_threshold(
    *, campaign: Campaign, scope: Unit, year: int
) -> set[int]:
    """The districts whose re-poverty or new-poverty rate this year is above the threshold."""
    if campaign.falling_back_threshold is None:
        return set()
    return {
        row.unit_id
        for row in falling_back_by_district(campaign=campaign, scope=scope, year=year)
        if row.above_threshold
    }
