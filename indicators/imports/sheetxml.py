"""A lean streaming parser for worksheet XML, about twice as fast as openpyxl's.

openpyxl builds an ElementTree element and a dict for every cell; an import only needs values.
This parser drives expat directly, refuses any DOCTYPE (so no entity can be declared, let alone
expanded, as defusedxml would) and yields one list of cell values per row. Formula cells without
a stored result and Excel error values are marked, not turned into empty cells or text.
"""

from collections.abc import Iterator
from typing import IO, Any
from xml.parsers import expat

from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel, from_ISO8601

CHUNK = 64 * 1024
# Excel's last column, XFD. A row is a list as wide as its last cell: a reference such as
# "ZZZZZZ1" in a tiny file would otherwise ask for gigabytes.
MAX_COLUMN = 16_384


class EntitiesForbidden(ValueError):
    """The worksheet declares a DOCTYPE: the way into entity-expansion attacks."""


class FormulaWithoutValue:
    def __repr__(self) -> str:
        return "FORMULA_WITHOUT_VALUE"


FORMULA_WITHOUT_VALUE = FormulaWithoutValue()


class CellError(str):
    """An Excel error value such as #REF! or #DIV/0!."""

    __slots__ = ()


def _column(ref: str) -> int:
    """1-based column of a cell reference such as "AB12"."""
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        else:
            break
    return number


class SheetParser:
    def __init__(
        self,
        shared_strings: Any,
        *,
        date_styles: set[int] | frozenset[int] = frozenset(),
        epoch: Any = WINDOWS_EPOCH,
    ) -> None:
        self.shared_strings = shared_strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.finished: list[tuple[int, list]] = []
        self._row_number = 0
        self._cells: dict[int, Any] = {}
        self._column = 0
        self._type = "n"
        self._style = 0
        self._text: list[str] | None = None
        self._value: str | None = None
        self._inline: list[str] | None = None
        self._has_formula = False
        self._in_inline = False

    def rows(self, source: IO[bytes]) -> Iterator[tuple[int, list]]:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        while True:
            chunk = source.read(CHUNK)
            parser.Parse(chunk, not chunk)
            if self.finished:
                yield from self.finished
                self.finished = []
            if not chunk:
                return

    def _doctype(self, *args: Any) -> None:
        raise EntitiesForbidden("DOCTYPE in worksheet")

    def _entity(self, *args: Any) -> None:
        raise EntitiesForbidden("entity declaration in worksheet")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "c":
            ref = attrs.get("r")
            self._column = _column(ref) if ref else self._column + 1
            if self._column > MAX_COLUMN:
                raise ValueError(f"cell beyond column {MAX_COLUMN} in row {self._row_number}")
            self._type = attrs.get("t", "n")
            style = attrs.get("s")
            self._style = int(style) if style else 0
            self._value = None
            self._inline = None
            self._has_formula = False
        elif tag == "v":
            self._text = []
        elif tag == "f":
            self._has_formula = True
        elif tag == "is":
            self._in_inline = True
            self._inline = []
        elif tag == "t" and self._in_inline:
            self._text = []
        elif tag == "row":
            ref = attrs.get("r")
            self._row_number = int(ref) if ref else self._row_number + 1
            self._cells = {}
            self._column = 0

    def _characters(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _end(self, name: str) -> None:
        tag = name.rpartition(":")[2]
        if tag == "v":
            self._value = "".join(self._text or ())
            self._text = None
        elif tag == "t" and self._in_inline:
            if self._inline is not None:
                self._inline.append("".join(self._text or ()))
            self._text = None
        elif tag == "is":
            self._in_inline = False
        elif tag == "c":
            value = self._cell_value()
            if value is not None:
                self._cells[self._column] = value
        elif tag == "row" and self._cells:
            values: list = [None] * max(self._cells)
            for column, value in self._cells.items():
                values[column - 1] = value
            self.finished.append((self._row_number, values))

    def _cell_value(self) -> Any:
        raw = self._value
        kind = self._type
        if kind == "inlineStr":
            return "".join(self._inline) if self._inline is not None else None
        if raw is None or (raw == "" and kind != "str"):
            return FORMULA_WITHOUT_VALUE if self._has_formula else None
        if kind == "n":
            number: int | float = (
                float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
            )
            if self._style in self.date_styles:
                try:
                    return from_excel(number, self.epoch)
                except (OverflowError, ValueError):
                    return CellError("#VALUE!")
            return number
        if kind == "s":
            return self.shared_strings[int(raw)]
        if kind == "str":
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "e":
            return CellError(raw)
        if kind == "d":
            return from_ISO8601(raw)
        return raw
