"""What every spreadsheet the portal writes must do with text typed by people."""

from typing import TypeVar, overload

# A cell starting with one of these is read as a formula (or a DDE command) when the file is
# opened; a leading apostrophe makes spreadsheet programs show it as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


@overload
def escape_formula(value: str) -> str: ...
@overload
def escape_formula(value: T) -> T: ...
def escape_formula(value: object) -> object:
    """Text that could start a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
