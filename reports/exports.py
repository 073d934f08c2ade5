"""Dashboard tables as .xlsx files, with text that spreadsheet programs could run escaped."""

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from indicators import progress
from indicators.models import HouseholdGroup, Indicator
from kontum_poverty.spreadsheets import escape_formula
from reports import selectors

if TYPE_CHECKING:
    from reports.views.dashboard import DashboardPage

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | Decimal | date | datetime | bool | None


def safe_cell(value: object) -> Cell:
    """Numbers stay numbers; text that could start a formula is prefixed with an apostrophe."""
    if value is None or isinstance(value, int | float | Decimal | date | datetime | bool):
        return value
    return escape_formula(str(value))


def workbook_bytes(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    note: str = "",
    marks: Sequence[str] = (),
) -> bytes:
    """One sheet: a title line, an optional note and marks, a bold header row, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = (escape_formula(title) or "Sheet")[:31].replace("/", "-")
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    if note:
        sheet.append([safe_cell(note)])
    for mark in marks:
        sheet.append([safe_cell(mark)])
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for column, header in zip(sheet.columns, headers, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(10, min(len(header) + 4, 50))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    *,
    filename: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    note: str = "",
    marks: Sequence[str] = (),
) -> HttpResponse:
    response = HttpResponse(
        workbook_bytes(title=title, headers=headers, rows=rows, note=note, marks=marks),
        content_type=XLSX_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Dashboard tables -------------------------------------------------------------------------

Table = tuple[str, list[str], Sequence[Sequence[object]]]


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else str(_("yes") if value else _("no"))


def _indicators(page: "DashboardPage") -> Table:
    headers = [
        _("Code"), _("Indicator"), _("Value"), _("Value this year"), _("Unit"), _("Target"),
        _("Milestone"), _("Status"), _("Coverage"), _("Units with data"),
        _("Units counted"), _("Projection to the target year"), _("Count"), _("Out of"),
        _("Reports not yet accepted"), _("Target in the source document"),
    ]  # fmt: skip
    rows = [
        [
            p.code,
            p.name,
            _num(p.value),
            _num(p.year_value),
            p.unit_of_measure,
            str(p.target),
            str(p.milestone or ""),
            p.status_text,
            str(p.coverage),
            p.coverage.reported,
            p.coverage.expected,
            _num(p.projection),
            _num(p.numerator),
            _num(p.denominator),
            p.unaccepted_reports,
            p.wording,
        ]
        for p in (page.overview.indicators if page.overview else [])
    ]
    title = _("Indicators – %(scope)s – %(year)s") % {"scope": page.scope.name, "year": page.year}
    return title, headers, rows


def _breakdown(page: "DashboardPage") -> Table:
    headers = [
        _("Code"), page.children_label, _("Value"), _("Count"), _("Out of"),
        _("Coverage"), _("Units with data"), _("Units counted"), _("Target met"),
    ]  # fmt: skip
    rows = [
        [
            r.code,
            r.name,
            str(_("Not enough data")) if r.not_enough_data else _num(r.value),
            _num(r.numerator),
            _num(r.denominator),
            str(r.coverage),
            r.coverage.reported,
            r.coverage.expected,
            _yes_no(r.met),
        ]
        for r in page.breakdown
    ]
    title = _("%(indicator)s – %(scope)s – %(year)s") % {
        "indicator": page.selected.code if page.selected else "",
        "scope": page.scope.name,
        "year": page.year,
    }
    return title, headers, rows


def _sources(page: "DashboardPage") -> Table:
    sources: list[progress.SourceRow] = []
    if page.selected is not None:
        sources = progress.progress_sources(
            indicator=Indicator.objects.get(pk=page.selected.indicator_id),
            scope=page.scope,
            year=page.year,
            include_submitted=page.include_submitted,
        )
    headers = [_("Code"), _("Unit or model"), _("Status"), _("Count"), _("Out of"), _("Value")]
    rows = [
        [s.unit_code, s.unit_name, s.label, _num(s.numerator), _num(s.denominator), _num(s.value)]
        for s in sources
    ]
    title = _("Data behind %(indicator)s – %(scope)s – %(year)s") % {
        "indicator": page.selected.code if page.selected else "",
        "scope": page.scope.name,
        "year": page.year,
    }
    return title, headers, rows


def _completeness(page: "DashboardPage") -> Table:
    headers = [
        _("Emulation bloc"), _("Members"), _("Not reporting (excused)"), _("Reported"),
        _("Completeness (%)"), _("On time"), _("On-time rate (%)"), _("Accepted"),
    ]  # fmt: skip
    rows = [
        [
            b.name,
            b.members,
            b.excused,
            b.reported,
            b.completeness,
            b.on_time,
            b.on_time_rate,
            b.accepted,
        ]
        for b in page.completeness
    ]
    title = _("Reporting completeness – %(scope)s – %(year)s") % {
        "scope": page.scope.name,
        "year": page.year,
    }
    return title, headers, rows


def _sponsors(page: "DashboardPage") -> Table:
    sponsors = []
    if page.campaign is not None:
        sponsors = selectors.sponsor_ranking(
            campaign=page.campaign,
            year=page.year,
            scope=page.scope,
            include_submitted=page.include_submitted,
            limit=None,  # the file lists every sponsor, the page only the first ones
        )
    headers = [
        _("Rank"), _("Code"), _("Sponsor"), _("Communes"), _("Money (VND)"),
        _("Value in kind (VND)"), _("Total (VND)"),
    ]  # fmt: skip
    rows = [
        [s.rank, s.code, s.name, s.communes, s.money_vnd, s.in_kind_vnd, s.total_vnd]
        for s in sponsors
    ]
    title = _("Sponsors – %(scope)s – %(year)s") % {"scope": page.scope.name, "year": page.year}
    return title, headers, rows


def _poverty(page: "DashboardPage") -> Table:
    headers = [
        _("Year"), _("Coverage"), _("Communes with data"), _("Communes counted"),
        _("Households"), _("Poor households"), _("Poverty rate (%)"),
        _("Near-poor households"), _("Escaped poverty"), _("Newly poor"), _("Fell back"),
    ]  # fmt: skip
    rows = [
        [
            p.year,
            str(p.coverage),
            p.communes,
            p.communes_expected,
            p.total_households,
            p.poor_households,
            p.poverty_rate,
            p.near_poor_households,
            p.escaped_poverty,
            p.newly_poor,
            p.fell_back,
        ]
        for p in (page.overview.poverty if page.overview else [])
    ]
    return _("Poverty figures – %(scope)s") % {"scope": page.scope.name}, headers, rows


def _deprivation(page: "DashboardPage") -> Table:
    headers = [
        _("Year"), _("Group"), _("Service"), _("Indicator"), _("Households lacking"),
        _("Households of the group"), _("Rate (%)"), _("Coverage"), _("Communes with data"),
        _("Communes counted"),
    ]  # fmt: skip
    rows = [
        [
            y.year,
            str(HouseholdGroup(f.group).label),
            f.service_label,
            f.label,
            f.lacking if f.communes else None,
            f.households if f.communes else None,
            str(_("Not enough data")) if f.not_enough_data and f.communes else _num(f.rate),
            str(f.coverage),
            f.coverage.reported,
            f.coverage.expected,
        ]
        for y in (page.deprivation.years if page.deprivation else [])
        for f in y.figures
    ]
    title = _("Deprivation of basic social services – %(scope)s") % {"scope": page.scope.name}
    return title, headers, rows


def _fund(page: "DashboardPage") -> Table:
    headers = [
        _("Year"), _("Code"), _("Unit"), _("Mobilised (VND)"), _("Pledged (VND)"),
        _("Mobilised of pledged (%)"), _("Coverage"), _("Reports with the figure"),
        _("Registered units"),
    ]  # fmt: skip

    def line(year: int, code: str, name: str, f: progress.FundFigures) -> list[object]:
        return [
            year,
            code,
            name,
            f.mobilised_vnd if f.has_figure else None,
            f.pledged_vnd,
            _num(f.share_of_pledges),
            str(f.coverage),
            f.reports,
            f.registered,
        ]

    fund = page.fund
    rows = [line(f.year, page.scope.code, page.scope.name, f) for f in (fund.years if fund else [])]
    rows += [line(page.year, c.code, c.name, c.figures) for c in (fund.children if fund else [])]
    title = _("The “For the Poor” fund – %(scope)s") % {"scope": page.scope.name}
    return title, headers, rows


DASHBOARD_TABLES: dict[str, Callable[["DashboardPage"], Table]] = {
    "indicators": _indicators,
    "breakdown": _breakdown,
    "sources": _sources,
    "completeness": _completeness,
    "sponsors": _sponsors,
    "poverty": _poverty,
    "deprivation": _deprivation,
    "fund": _fund,
}


def dashboard_table(*, page: "DashboardPage", table: str) -> Table:
    """A dashboard table as a title, headers and rows of plain values."""
    title, headers, rows = DASHBOARD_TABLES[table](page)
    return title, [str(h) for h in headers], rows
