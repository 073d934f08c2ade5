"""Opening an uploaded workbook and streaming the rows of its worksheets.

openpyxl reads the package (manifest, shared strings, workbook, styles) with defusedxml; the
worksheets go through `sheetxml.SheetParser`, which keeps what openpyxl's value mode would lose:
a formula cell without a stored result is marked rather than read as "not reported", and Excel
error values (#REF!) stay apart from text.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from defusedxml import DefusedXmlException
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet

from indicators.imports.problems import refusal
from indicators.imports.safety import ensure_defusedxml
from indicators.imports.sheetxml import (
    FORMULA_WITHOUT_VALUE,
    CellError,
    EntitiesForbidden,
    SheetParser,
)

__all__ = ["FORMULA_WITHOUT_VALUE", "CellError", "Sheet", "open_sheets"]

_DIMENSION = re.compile(r'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def _caused_by_entities(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException | EntitiesForbidden):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


@dataclass
class Sheet:
    title: str
    # Rows announced by the sheet's <dimension>; None when the writer left it out.
    declared_rows: int | None
    rows: Iterator[tuple[int, list]]


def open_sheets(stream: IO[bytes]) -> Iterator[Sheet]:
    """Yield each worksheet with a lazy iterator of (row number, cell values)."""
    ensure_defusedxml()
    try:
        # load_workbook() minus what an import never needs (theme, properties, and the
        # read-only worksheet objects, which parse a sheet without <dimension> end to end).
        reader = ExcelReader(stream, read_only=True, data_only=True, keep_links=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    except Exception as exc:
        # A workbook damaged in any of a hundred ways surfaces as many exception types, and
        # openpyxl wraps the entity refusal in a ValueError.
        raise refusal("xml_entities" if _caused_by_entities(exc) else "unreadable") from None
    try:
        for title, target in sheets:
            yield Sheet(
                title=title,
                declared_rows=_declared_rows(reader, target),
                rows=_rows(reader, target),
            )
    finally:
        reader.archive.close()


def _declared_rows(reader: ExcelReader, target: str) -> int | None:
    with reader.archive.open(target) as source:
        head = source.read(4096).decode("utf-8", "replace")
    match = _DIMENSION.search(head)
    return int(match.group(1)) if match else None


def _rows(reader: ExcelReader, target: str) -> Iterator[tuple[int, list]]:
    workbook = reader.wb
    parser = SheetParser(
        reader.shared_strings, date_styles=workbook._date_formats, epoch=workbook.epoch
    )
    try:
        with reader.archive.open(target) as source:
            yield from parser.rows(source)
    except Exception as exc:
        raise refusal("xml_entities" if _caused_by_entities(exc) else "unreadable") from None
