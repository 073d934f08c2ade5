"""The downloadable workbook admins fill in: one row per commune, headers in Vietnamese."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.imports.columns import COLUMNS, FLAG_FIELDS
from units.models import Unit, UnitLevel

TITLE = "SỐ LIỆU THỐNG KÊ CẤP XÃ NĂM %(year)s"
HEADER_ROW = 3
_WIDTHS = {"code": 10, "district": 22, "name": 24, "note": 30, "source": 24}


def template_communes(district: Unit | None = None) -> list[tuple[str, str, str]]:
    """(code, district, commune) for every active commune (of one district, if given),
    district by district."""
    communes = Unit.objects.filter(level=UnitLevel.COMMUNE, is_active=True)
    if district is not None:
        communes = communes.filter(parent=district)
    return list(
        communes.order_by("parent__code", "code").values_list("code", "parent__name", "name")
    )


def build_template(*, year: int, district: Unit | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"So lieu {year}"
    sheet.cell(row=1, column=1, value=TITLE % {"year": year}).font = Font(bold=True, size=13)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = _WIDTHS.get(column.field, 14)
    sheet.row_dimensions[HEADER_ROW].height = 60
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=4)
    row = HEADER_ROW
    for row, (code, district_name, name) in enumerate(
        template_communes(district), start=HEADER_ROW + 1
    ):
        # Codes as text: Excel would otherwise drop leading zeros.
        sheet.cell(row=row, column=1, value=str(code)).number_format = "@"
        sheet.cell(row=row, column=2, value=district_name)
        sheet.cell(row=row, column=3, value=name)
    flags = DataValidation(type="list", formula1='"có,không"', allow_blank=True)
    sheet.add_data_validation(flags)
    for index, column in enumerate(COLUMNS, start=1):
        if column.field in FLAG_FIELDS and row > HEADER_ROW:
            letter = sheet.cell(row=HEADER_ROW, column=index).column_letter
            flags.add(f"{letter}{HEADER_ROW + 1}:{letter}{row}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
