"""The annex of the province report: every commune's statistics, under its district's heading.

Thousands of lines (10,647 communes at national scale), rendered in parts by several workers, so
each part reads only its own lines and every line is a plain string tuple. WeasyPrint's cost is
about 0.7 ms per table cell: a district heading row replaces a district column, and the near-poor
rate (households ÷ near-poor households, both printed) is left to the reader.
"""

import datetime
from bisect import bisect_right
from itertools import accumulate
from typing import NamedTuple

from django.db.models import Count, FilteredRelation, Q
from django.utils import formats
from django.utils.translation import gettext as _

from indicators import progress
from indicators.imports.districts import unconfirmed_district_ids
from reports.documents.base import DocHeader
from reports.pdf import Annex
from units.models import Unit, UnitLevel

ANNEX_TEMPLATE = "reports/pdf/province_annex.html"
# Rows of 11.5 pt on an A4 landscape page under the annex's title and two header rows: measured
# with WeasyPrint, one row more spills onto a second page (tests/test_pdf_province.py checks).
ANNEX_ROWS_PER_PAGE = 35
# Parts of 4 pages (140 lines): about 1.1 s each. A page costs the same in small and large parts
# (0.38 s), large parts a little more (superlinear layout) and much more memory.
ANNEX_PAGES_PER_PART = 4

_FIELDS = (
    "code",
    "name",
    "year_stats__total_households",
    "year_stats__poor_households",
    "year_stats__near_poor_households",
    "year_stats__paved_road",
    "year_stats__adequate_schools",
    "year_stats__health_criteria_met",
    "year_stats__cultural_house",
)
_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


class AnnexRow(NamedTuple):
    """One line of the annex, every cell already a string: a district heading or a commune."""

    number: str
    code: str
    name: str
    households: str = ""
    poor: str = ""
    poor_rate: str = ""
    near_poor: str = ""
    road: str = ""
    school: str = ""
    health: str = ""
    culture: str = ""
    is_district: bool = False
    # A district heading whose communes' figures the district has not confirmed.
    unconfirmed: bool = False


def roman(number: int) -> str:
    """Districts are numbered I, II, III… and their communes 1, 2, 3…, as in official tables."""
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def scope_communes(scope: Unit | None):
    """The communes of `scope`; None is every commune (the national-scale benchmark)."""
    if scope is None:
        return Unit.objects.filter(level=UnitLevel.COMMUNE, is_active=True)
    return progress.communes_in_scope(scope)


class _Districts(NamedTuple):
    """Each district with communes in the scope, and where its lines start."""

    names: list[str]
    unconfirmed: list[bool]  # the district has not confirmed its communes' figures of the year
    sizes: list[int]  # communes per district
    first_line: list[int]  # line index of each district's heading
    first_commune: list[int]  # index, among all communes, of each district's first commune


def _districts(scope: Unit | None, year: int) -> _Districts:
    unconfirmed = unconfirmed_district_ids(year=year)
    counts = list(
        scope_communes(scope)
        .values_list("parent__code", "parent__name", "parent_id")
        .annotate(communes=Count("pk"))
        .order_by("parent__code")
    )
    sizes = [n for _code, _name, _pk, n in counts]
    first_commune = [0, *accumulate(sizes)][:-1]
    return _Districts(
        names=[name for _code, name, _pk, _n in counts],
        unconfirmed=[pk in unconfirmed for _code, _name, pk, _n in counts],
        sizes=sizes,
        first_line=[i + c for i, c in enumerate(first_commune)],
        first_commune=first_commune,
    )


def _commune_rows(*, scope: Unit | None, year: int, start: int, stop: int) -> list[tuple]:
    """Communes `start` to `stop` in district-then-commune code order, with the year's figures."""
    return list(
        scope_communes(scope)
        .annotate(year_stats=FilteredRelation("statistics", condition=Q(statistics__year=year)))
        .order_by("parent__code", "code")
        .values_list(*_FIELDS)[start:stop]
    )


def annex_rows(
    *, scope: Unit | None, year: int, start: int, stop: int, districts: _Districts | None = None
) -> list[AnnexRow]:
    """Lines `start` to `stop` (0-based, stop excluded) of the annex: headings and communes."""
    districts = districts or _districts(scope, year)
    # Line i is district k's heading when i == first_line[k], else commune i - k - 1.
    first_k = max(bisect_right(districts.first_line, start) - 1, 0)
    last_k = max(bisect_right(districts.first_line, stop - 1) - 1, 0)
    commune_lo = max(start - first_k - 1, 0)
    commune_hi = max(stop - last_k - 1, 0)
    communes = _commune_rows(scope=scope, year=year, start=commune_lo, stop=commune_hi)

    decimal = formats.get_format("DECIMAL_SEPARATOR")
    thousands = formats.get_format("THOUSAND_SEPARATOR")
    yes, no, missing = _("met"), _("not met"), "–"

    # Plain str formatting with the active language's separators: number_format per cell
    # would look the separators up again for each cell of ~10,000 lines.
    def count(value: int | None) -> str:
        return missing if value is None else f"{value:,}".replace(",", thousands)

    def rate(poor: int | None, households: int | None) -> str:
        # The engine's poverty rate, as a commune's own dashboard shows it.
        value = progress.poverty_rate(poor, households)
        return missing if value is None else f"{value:.2f}".replace(".", decimal)

    def flag(value: bool | None) -> str:
        return missing if value is None else (yes if value else no)

    lines = []
    for line in range(start, stop):
        k = bisect_right(districts.first_line, line) - 1
        if line == districts.first_line[k]:
            lines.append(
                AnnexRow(
                    roman(k + 1),
                    "",
                    districts.names[k],
                    is_district=True,
                    unconfirmed=districts.unconfirmed[k],
                )
            )
            continue
        within = line - districts.first_line[k] - 1
        code, name, total, poor, near_poor, road, school, health, culture = communes[
            districts.first_commune[k] + within - commune_lo
        ]
        lines.append(
            AnnexRow(
                str(within + 1),
                code,
                name,
                count(total),
                count(poor),
                rate(poor, total),
                count(near_poor),
                flag(road),
                flag(school),
                flag(health),
                flag(culture),
            )
        )
    return lines


def commune_annex(
    *,
    scope: Unit | None,
    year: int,
    header: DocHeader | None = None,
    on: datetime.date | None = None,
    rows_per_page: int = ANNEX_ROWS_PER_PAGE,
    pages_per_part: int = ANNEX_PAGES_PER_PART,
) -> Annex:
    """The annex listing every commune of `scope`, grouped by district, with `year`'s figures."""
    districts = _districts(scope, year)

    def rows(start: int, stop: int) -> list[AnnexRow]:
        return annex_rows(scope=scope, year=year, start=start, stop=stop, districts=districts)

    return Annex(
        template=ANNEX_TEMPLATE,
        count=len(districts.sizes) + sum(districts.sizes),
        rows=rows,
        rows_per_page=rows_per_page,
        pages_per_part=pages_per_part,
        context={
            "year": str(year),
            "doc": header,
            "on": formats.date_format(on, "SHORT_DATE_FORMAT") if on else "",
            "rows_per_page": rows_per_page,
        },
    )
