"""Commune statistics out to .xlsx and .csv, with every formula-like cell neutralised.

A cell starting with = + - @ or a tab would run as a formula when the file is opened; a leading
apostrophe makes spreadsheet programs show it as text. The import strips that apostrophe again.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook

from indicators.imports.columns import COLUMNS, FLAG_FIELDS, STORED_FIELDS
from indicators.models import CommuneStatistics
from kontum_poverty.spreadsheets import escape_formula

FLAG_TEXT = {True: "có", False: "không", None: None}


def export_rows(*, year: int) -> Iterator[list]:
    """Header, then one row per commune with figures for the year, as the import reads them."""
    yield [column.header for column in COLUMNS]
    queryset = (
        CommuneStatistics.objects.filter(year=year)
        .order_by("commune__parent__code", "commune__code")
        .values_list("commune__code", "commune__parent__name", "commune__name", *STORED_FIELDS)
    )
    flag_positions = {3 + STORED_FIELDS.index(name) for name in FLAG_FIELDS}
    for row in queryset.iterator(chunk_size=2_000):
        yield [
            FLAG_TEXT[value] if position in flag_positions else escape_formula(value)
            for position, value in enumerate(row)
        ]


def _escaped(rows: Iterable[list]) -> Iterator[list]:
    for row in rows:
        yield [escape_formula(value) for value in row]


def to_xlsx(*, year: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"So lieu {year}")
    for row in _escaped(export_rows(year=year)):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(*, year: int) -> str:
    buffer = io.StringIO()
    # A BOM so Excel opens the Vietnamese text as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows(_escaped(export_rows(year=year)))
    return buffer.getvalue()
