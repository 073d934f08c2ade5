"""Row rules shared by the import page, the command and the Django admin resource."""

import datetime
import re
from collections.abc import Callable
from typing import Any

from indicators.imports.columns import BY_FIELD, COLUMNS, Kind, fold
from indicators.imports.reader import FORMULA_WITHOUT_VALUE, CellError
from indicators.models import GROUP_TOTAL_FIELD, Deprivation, HouseholdGroup, deprivation_field

TEXT_LIMITS = {"note": 2000, "source": 200, "name": 200, "district": 200, "code": 20}
# Fields that can never exceed all households (the database checks the same).
PARTS_OF_TOTAL = ("poor_households", "near_poor_households", "ethnic_minority_households")

_PLAIN = re.compile(r"^\d+$")
_DOT_GROUPS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_SPACE_GROUPS = re.compile(r"^\d{1,3}( \d{3})+$")
_COMMA_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\t": " "})

_YES = {"co", "x", "1", "yes", "true", "dat"}
_NO = {"khong", "0", "no", "false", "chua dat", "khong dat"}


class CellProblem(ValueError):
    """A cell that breaks a rule: a code for tests, params for the message."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _check_special(value: object) -> None:
    if value is FORMULA_WITHOUT_VALUE:
        raise CellProblem("formula_without_value")
    if isinstance(value, CellError):
        raise CellProblem("excel_error", value=str(value))


def clean_count(value: object) -> int | None:
    """A whole number of households; empty means not reported, never zero."""
    if value is None:
        return None
    _check_special(value)
    if isinstance(value, bool | datetime.date | datetime.time):
        raise CellProblem("not_a_whole_number", value=str(value))
    number: int | None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellProblem("not_a_whole_number", value=_show(value))
        number = int(value)
    else:
        number = _count_from_text(str(value))
        if number is None:
            return None
    if number < 0:
        raise CellProblem("negative", value=number)
    return number


def _count_from_text(raw: str) -> int | None:
    text = raw.translate(_SPACES).strip()
    if not text:
        return None
    negative = text.startswith("-") and len(text) > 1
    digits = text[1:].strip() if negative else text
    if _PLAIN.match(digits):
        number = int(digits)
    elif _DOT_GROUPS.match(digits):
        # Vietnamese writing: dots between thousands.
        number = int(digits.replace(".", ""))
    elif _SPACE_GROUPS.match(digits):
        number = int(digits.replace(" ", ""))
    elif _COMMA_THOUSANDS.match(digits):
        # "1,234" is 1234 in English and 1.234 in Vietnamese: refuse to guess.
        raise CellProblem("ambiguous_number", value=raw.strip())
    elif text in {"-", "–", "—"}:
        # A dash means zero in some tables and "no data" in others.
        raise CellProblem("ambiguous_number", value=raw.strip())
    else:
        raise CellProblem("not_a_whole_number", value=raw.strip())
    return -number if negative else number


def clean_flag(value: object) -> bool | None:
    """Yes or no in Vietnamese or English; empty means not reported."""
    if value is None:
        return None
    _check_special(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value in (0, 1):
            return bool(value)
        raise CellProblem("not_a_flag", value=_show(value))
    if isinstance(value, datetime.date | datetime.time):
        raise CellProblem("not_a_flag", value=str(value))
    folded = fold(value)
    if not folded and not str(value).strip():
        return None
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellProblem("not_a_flag", value=str(value).strip())


def clean_text(value: object, *, field: str) -> str:
    if value is None:
        return ""
    _check_special(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        # The apostrophe an export puts before formula-like text.
        text = text[1:]
    limit = TEXT_LIMITS.get(field)
    if limit is not None and len(text) > limit:
        raise CellProblem("too_long", limit=limit)
    return text


def _show(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


CLEANERS: dict[Kind, Callable[..., Any]] = {
    Kind.COUNT: clean_count,
    Kind.FLAG: clean_flag,
}


def clean_value(field: str, value: object) -> Any:
    """Clean one cell for a field; raises CellProblem."""
    kind = BY_FIELD[field].kind
    cleaner = CLEANERS.get(kind)
    if cleaner is None:
        return clean_text(value, field=field)
    return cleaner(value)


# A part of a group of households, and the group it belongs to (the database checks the same):
# ethnic-minority households, and households lacking an indicator of the standard.
PARTS_OF_GROUP = (
    ("poor_ethnic_minority_households", "poor_households"),
    ("near_poor_ethnic_minority_households", "near_poor_households"),
    ("escaped_poverty_ethnic_minority", "escaped_poverty"),
    ("newly_poor_ethnic_minority", "newly_poor"),
    ("fell_back_ethnic_minority", "fell_back"),
    *(
        (deprivation_field(group, code), GROUP_TOTAL_FIELD[group])
        for group in HouseholdGroup
        for code in Deprivation
    ),
)


def check_totals(
    values: dict[str, Any], *, kept: frozenset[str] | set[str] = frozenset()
) -> list[tuple[str, CellProblem]]:
    """Parts of households that are larger than their whole.

    `values` are a row as it will be stored; `kept` names the fields whose value is already
    stored and not in the file, so the message can say the file does not show it.
    """
    found = []
    total = values.get("total_households")
    if total is not None:
        for field in PARTS_OF_TOTAL:
            part = values.get(field)
            if part is not None and part > total:
                code = "kept_above_total" if field in kept else "above_total"
                label = BY_FIELD[field].header
                found.append((field, CellProblem(code, label=label, value=part, total=total)))
    for field, group in PARTS_OF_GROUP:
        part, whole = values.get(field), values.get(group)
        if part is not None and whole is not None and part > whole:
            code = "kept_above_group" if field in kept else "above_group"
            problem = CellProblem(
                code,
                label=BY_FIELD[field].header,
                value=part,
                group=BY_FIELD[group].header,
                whole=whole,
            )
            found.append((field, problem))
    poor, near_poor = values.get("poor_households"), values.get("near_poor_households")
    if (
        not found
        and total is not None
        and poor is not None
        and near_poor is not None
        and poor + near_poor > total
    ):
        found.append(
            (
                "near_poor_households",
                CellProblem("poor_and_near_poor_above_total", value=poor + near_poor, total=total),
            )
        )
    return found


RowCleaner = Callable[[dict[str, object]], tuple[dict[str, Any], list[tuple[str, CellProblem]]]]


def row_cleaner(fields: list[str], *, with_totals: bool = True) -> RowCleaner:
    """clean_row() for a fixed set of columns, with the common case (a plain count) inlined.

    `with_totals=False` leaves the totals to the caller, who knows the stored figures.
    """
    plan = [
        (name, BY_FIELD[name].kind is Kind.COUNT, CLEANERS.get(BY_FIELD[name].kind))
        for name in fields
    ]

    def clean(raw: dict[str, object]) -> tuple[dict[str, Any], list[tuple[str, CellProblem]]]:
        values: dict[str, Any] = {}
        problems: list[tuple[str, CellProblem]] = []
        for name, is_count, cleaner in plan:
            value = raw[name]
            if value is None:
                values[name] = None if cleaner else ""
                continue
            if is_count and type(value) is int and value >= 0:
                values[name] = value
                continue
            try:
                values[name] = cleaner(value) if cleaner else clean_text(value, field=name)
            except CellProblem as exc:
                problems.append((name, exc))
        if with_totals:
            problems.extend(check_totals(values))
        return values, problems

    return clean


def clean_row(raw: dict[str, object]) -> tuple[dict[str, Any], list[tuple[str, CellProblem]]]:
    """Clean every present field of a row: cleaned values and (field, problem) pairs."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, CellProblem]] = []
    for field, value in raw.items():
        try:
            values[field] = clean_value(field, value)
        except CellProblem as exc:
            problems.append((field, exc))
    problems.extend(check_totals(values))
    return values, problems


__all__ = ["COLUMNS", "CellProblem", "check_totals", "clean_count", "clean_flag", "clean_row"]
