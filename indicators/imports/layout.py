"""Finding the header in a sheet as people really lay it out.

Published tables put title rows above a header of one to three rows (a merged parent cell such
as "Hộ nghèo" over "Số hộ" and "Tỷ lệ"; the deprivation table's "Số hộ nghèo thiếu hụt …" over
each service, over its two indicators), then a row of column letters and numbers (A, B, 1, 2 …),
then data with district subtotals and a total row. The template has one header row.
"""

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from indicators.imports.columns import BY_FIELD, field_for_header, field_for_subheader

HEADER_SEARCH_ROWS = 30
# Column-number rows look like "A", "B", "1", "(2)", "3=1+2", "4 = 2/1".
_INDEX_TOKEN = re.compile(
    r"^\(?([a-z]{1,3}|\d{1,3})\)?(\s*[=+\-*/x:]\s*\(?([a-z]{1,3}|\d{1,3})\)?)*$", re.IGNORECASE
)


@dataclass
class Layout:
    header_row: int
    # Field → 0-based column index.
    columns: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)

    def letter(self, field_name: str) -> str:
        return get_column_letter(self.columns[field_name] + 1)


def _text(value: object) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    return ""


def _filled(values: list, width: int) -> list[str]:
    """Each cell's text, or the text of the nearest filled cell to its left (a merged parent),
    over `width` cells: the reader drops a row's empty trailing cells, which a parent merged
    over the last columns leaves ("Hộ tái nghèo" over "Tổng số" and "Trong đó hộ DTTS")."""
    filled: list[str] = []
    last = ""
    for index in range(max(width, len(values))):
        last = _at(values, index) or last
        filled.append(last)
    return filled


def _at(values: list, index: int) -> str:
    return _text(values[index]) if index < len(values) else ""


def _match_row(parent: list, child: list, grandparent: list | None = None) -> Layout:
    grandparent = grandparent or []
    width = max(len(parent), len(child))
    filled, filled_grand = _filled(parent, width), _filled(grandparent, width)
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    duplicates: list[tuple[str, int, int]] = []
    for index in range(width):
        own_child, own_parent = _at(child, index), _at(parent, index)
        above = filled[index] if index < len(filled) else ""
        top = filled_grand[index] if index < len(filled_grand) else ""
        if own_child:
            name = field_for_subheader(above, own_child, top)
            label = f"{above} › {own_child}" if above else own_child
        elif own_parent:
            # A header cell merged down over the lower header rows, read under its own parent
            # when the header has three rows ("Hộ nghèo" › "Tổng số").
            name = field_for_subheader(top, own_parent) if top else field_for_header(own_parent)
            label = f"{top} › {own_parent}" if top else own_parent
        elif _at(grandparent, index):
            # Merged down over all three header rows.
            name, label = field_for_header(_at(grandparent, index)), _at(grandparent, index)
        else:
            continue
        if name is None:
            continue
        if name in columns:
            duplicates.append((name, columns[name], index))
        else:
            columns[name] = index
            labels[name] = label
    return Layout(header_row=0, columns=columns, labels=labels, duplicates=duplicates)


def find_layout(rows: list[tuple[int, list]]) -> Layout | None:
    """The best header among the first rows: the one naming the most known columns."""
    best: Layout | None = None
    previous: tuple[int, list] | None = None
    before: tuple[int, list] | None = None
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        parent = previous[1] if previous and previous[0] == number - 1 else []
        grandparent = before[1] if parent and before and before[0] == number - 2 else []
        layout = _match_row(parent, values, grandparent)
        layout.header_row = number
        before, previous = previous, (number, values)
        if not ({"code", "name"} & layout.columns.keys()):
            continue
        # On a tie the lower row wins: it is the deeper level of a two-row header.
        if best is None or len(layout.columns) >= len(best.columns):
            best = layout
    return best


def is_index_row(values: list) -> bool:
    """A row of column letters and numbers printed under a published table's header."""
    tokens = 0
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, bool):
            return False
        if isinstance(value, int) and 0 <= value <= 200:
            tokens += 1
            continue
        if isinstance(value, str) and _INDEX_TOKEN.match(value.strip()):
            tokens += 1
            continue
        return False
    return tokens >= 2


def header_label(layout: Layout, field_name: str) -> str:
    return layout.labels.get(field_name) or BY_FIELD[field_name].header
