"""The ranking and the award proposals of a year as one .xlsx file.

Unit names, reasons and decision numbers are typed by people: every text cell goes through
`escape_formula`, so a name like "=HYPERLINK(...)" reads as text, never runs as a formula.
"""

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from campaigns.models import AwardProposal, ReportingPeriod
from campaigns.ranking import bloc_rankings, state_labels, tie_break_rule
from kontum_poverty.spreadsheets import escape_formula

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_STYLE = "DD/MM/YYYY"
POINTS_STYLE = "0.00"

Cell = str | int | float | Decimal | date | datetime | None


def safe_cell(value: object) -> Cell:
    """Numbers and dates stay as they are; any text is escaped if it could start a formula."""
    if value is None or isinstance(value, int | float | Decimal | date | datetime):
        return value
    return escape_formula(str(value))


def filename(period: ReportingPeriod) -> str:
    """ASCII only, so every browser keeps it: xep-hang-khen-thuong-3198ubnd-th-2019.xlsx."""
    return f"xep-hang-khen-thuong-{slugify(period.campaign.number)}-{period.year}.xlsx"


def _append(sheet: Worksheet, row: Sequence[object], *, bold: bool = False) -> None:
    sheet.append([safe_cell(value) for value in row])
    for cell in sheet[sheet.max_row]:
        if bold:
            cell.font = Font(bold=True)
        if isinstance(cell.value, date | datetime):
            cell.number_format = DATE_STYLE
        elif isinstance(cell.value, Decimal):
            cell.number_format = POINTS_STYLE


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def _sheet_title(text: str) -> str:
    # Excel refuses these characters and more than 31 characters in a sheet's name.
    return "".join("-" if ch in "\\/*?:[]" else ch for ch in text)[:31]


def _ranking_sheet(sheet: Worksheet, period: ReportingPeriod) -> None:
    campaign = period.campaign
    sheet.title = _sheet_title(_("Ranking"))
    _append(
        sheet,
        [_("Ranking of the emulation blocs – %(year)s") % {"year": period.year}],
        bold=True,
    )
    sheet["A1"].font = Font(bold=True, size=13)
    _append(
        sheet,
        [
            _(
                "Classification on total Board points: Excellent from %(excellent)s, Good from "
                "%(good)s, Completed from %(completed)s, otherwise Not completed."
            )
            % {
                "excellent": floatformat(campaign.excellent_min, -2),
                "good": floatformat(campaign.good_min, -2),
                "completed": floatformat(campaign.completed_min, -2),
            }
        ],
    )
    _append(
        sheet,
        [
            _("Emulation bloc"),
            _("Rank"),
            _("Code"),
            _("Unit"),
            _("Total Board points"),
            _("Classification"),
            _("Points on the main group"),
            _("State"),
            _("Tie notes"),
        ],  # fmt: skip
        bold=True,
    )
    labels = state_labels()
    rankings = bloc_rankings(period=period)
    for ranking in rankings:
        for row in ranking.rows:
            _append(
                sheet,
                [
                    ranking.bloc.name,
                    row.rank,
                    row.unit.code,
                    row.unit.name,
                    row.total if row.rank is not None else None,
                    row.get_classification_display(),
                    row.main_points if row.rank is not None else None,
                    labels.get(row.state, row.state),
                    " ".join(row.tie_notes),
                ],
            )
    _append(sheet, [])
    _append(sheet, [_("Tie-break rule")], bold=True)
    for ranking in rankings:
        _append(sheet, [ranking.bloc.name, tie_break_rule(ranking.main_group)])
    _widths(sheet, [28, 7, 10, 36, 12, 18, 12, 22, 60])
    for row_cells in sheet.iter_rows(min_row=4, min_col=9, max_col=9):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _proposals_sheet(sheet: Worksheet, period: ReportingPeriod) -> None:
    sheet.title = _sheet_title(_("Award proposals"))
    _append(sheet, [_("Award proposals – %(year)s") % {"year": period.year}], bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    _append(
        sheet,
        [
            _("Code"),
            _("Unit"),
            _("Award"),
            _("Status"),
            _("Reason"),
            _("Decision number"),
            _("Decision date"),
            _("Nominee"),
            _("Nominee kind"),
            _("Summary of achievements"),
        ],  # fmt: skip
        bold=True,
    )
    proposals = (
        AwardProposal.objects.filter(period=period)
        .select_related("unit", "nominee")
        .order_by("award", "unit__code", "nominee__name")
    )
    for proposal in proposals:
        _append(
            sheet,
            [
                proposal.unit.code,
                proposal.unit.name,
                proposal.get_award_display(),
                proposal.get_status_display(),
                proposal.reason,
                proposal.decision_number,
                proposal.decision_date,
                proposal.nominee.name,
                proposal.nominee.get_kind_display(),
                proposal.summary,
            ],
        )
    _widths(sheet, [10, 36, 40, 14, 60, 20, 14, 40, 14, 60])


def board_workbook(*, period: ReportingPeriod) -> bytes:
    """Two sheets: the ranking of every bloc with the rule, then the award proposals."""
    book = Workbook()
    _ranking_sheet(book.active, period)
    _proposals_sheet(book.create_sheet(), period)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
