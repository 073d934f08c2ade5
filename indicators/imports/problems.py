"""What can go wrong with a file, a row or a confirmation, as codes with translated messages.

Problems are stored as plain dicts (code, params, row, column) so a preview can be shown later in
the reader's language; the message is rendered only when displayed.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from indicators.models import CommuneStatistics

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MESSAGES: dict[str, "StrOrPromise"] = {
    # The whole file is refused.
    "year_locked": _("The year %(year)s is locked: its figures can no longer be changed."),
    "too_large": _("The file is larger than %(limit_mb)s MB."),
    "too_many_rows": _("The file has more than %(limit)s rows."),
    "not_xlsx": _(
        "This is not an Excel workbook (.xlsx). Save it as “Excel Workbook (.xlsx)” and upload it "
        "again."
    ),
    "old_xls": _(
        "This is an old Excel 97–2003 file (.xls). Open it in Excel, save it as .xlsx and upload "
        "it again."
    ),
    "encrypted": _(
        "The workbook is protected with a password. Remove the password and upload it again."
    ),
    "macros": _("The workbook contains macros. Save it as a plain Excel workbook (.xlsx)."),
    "zip_bomb": _("The workbook unpacks to more than %(limit_mb)s MB and cannot be read safely."),
    "too_much_text": _(
        "The workbook's table of texts unpacks to more than %(limit_mb)s MB and cannot be read "
        "safely."
    ),
    "xml_entities": _("The workbook contains XML entity declarations, which are not allowed."),
    "unreadable": _("The workbook could not be read: it is damaged or not an Excel file."),
    "no_header": _(
        "No header row was found: the sheet needs a commune code or commune name column."
    ),
    "missing_column": _("A required column is missing: %(column)s."),
    "duplicate_column": _(
        "The column “%(column)s” appears twice (columns %(first)s and %(second)s)."
    ),
    "no_rows": _("The file has no commune rows."),
    "all_blank": _(
        "All %(count)s commune rows of the file are blank: there is nothing to import. Fill in "
        "the figures of the communes that reported and upload it again."
    ),
    "legacy_encoding": _(
        "The text in this file is typed in the old %(encoding)s encoding (fonts such as "
        "%(fonts)s), not in Unicode, so commune names and headers cannot be read. Convert the "
        "file to Unicode (for example with Unikey's converter, from %(encoding)s to Unicode), "
        "save it and upload it again."
    ),
    # One cell or row is wrong.
    "formula_without_value": _(
        "The cell holds a formula with no computed value. Open the file in Excel, let it "
        "calculate, save it and upload it again."
    ),
    "excel_error": _("The cell holds the Excel error %(value)s."),
    "not_a_whole_number": _("“%(value)s” is not a whole number."),
    "ambiguous_number": _(
        "“%(value)s” is ambiguous: write whole numbers with dots between thousands (1.234) or "
        "without separators."
    ),
    "negative": _("A number of households cannot be negative (%(value)s)."),
    "not_a_flag": _("“%(value)s” is not yes or no: use có/không, x, 1/0, yes/no or true/false."),
    "too_long": _("The text is longer than %(limit)s characters."),
    "unknown_code": _("No commune has the code %(code)s."),
    "unknown_name": _("No commune is named “%(name)s”. Add the commune code."),
    "ambiguous_name": _("Several communes are named “%(name)s”. Add the commune code."),
    "no_commune": _("The row has neither a commune code nor a commune name."),
    "duplicate_commune": _("The commune %(commune)s already appears in row %(first_row)s."),
    "outside_district": _(
        "The commune %(commune)s is not in your district: only your district's communes can "
        "be entered here."
    ),
    "above_total": _("%(label)s (%(value)s) cannot be more than all households (%(total)s)."),
    "kept_above_total": _(
        "%(label)s already stored for this commune (%(value)s) would be more than all "
        "households in the file (%(total)s): add that column to the file or correct the figures."
    ),
    "above_group": _("%(label)s (%(value)s) cannot be more than %(group)s (%(whole)s)."),
    "kept_above_group": _(
        "%(label)s already stored for this commune (%(value)s) would be more than %(group)s in "
        "the file (%(whole)s): add that column to the file or correct the figures."
    ),
    "poor_and_near_poor_above_total": _(
        "Poor and near-poor households together (%(value)s) cannot be more than all households "
        "(%(total)s)."
    ),
    # Warnings: the file is accepted, a person should look.
    "matched_by_name": _(
        "Matched to %(commune)s (code %(code)s) by its name; add the code to be sure."
    ),
    "balance": _(
        "Poor households do not add up: last year %(last)s − escaped %(escaped)s + newly poor "
        "%(newly)s + fell back %(fell)s = %(expected)s, but this year says %(actual)s."
    ),
    "blank_erases": _(
        "Stored figures left blank in the file: %(count)s (rows %(rows)s). A blank cell means "
        "“not reported”, so confirming erases them; fill the cells in to keep them."
    ),
    "converted_from_tcvn3": _(
        "The text of this file was typed in the old %(encoding)s encoding and was converted to "
        "Unicode. Check that the communes were recognised as you expect."
    ),
    "column_absent": _("The file has no column “%(column)s”: the figures already stored are kept."),
    "deprivations_absent": _(
        "The file has no columns of households lacking basic social services (the ten indicators "
        "of the multidimensional poverty standard): the figures already stored are kept."
    ),
    # Confirmation.
    "not_owner": _("Only the person who uploaded this file can confirm it."),
    "already_used": _(
        "This import was already confirmed or cancelled; it cannot be applied twice."
    ),
    "bad_token": _("This confirmation is out of date. Open the preview again and confirm from it."),
    "has_errors": _("The file has errors; correct them and upload it again."),
    "note_required": _(
        "Some figures do not add up: write a note explaining them before confirming."
    ),
    "unexpected": _(
        "The import stopped on an unexpected error; nothing was written. Try again, or tell the "
        "administrator if it happens again."
    ),
    "expired": _(
        "This preview expired: nobody confirmed it within a day, and the stored figures may have "
        "changed since. Upload the file again."
    ),
    "rows_refused": _(
        "Some rows break the rules for commune figures, so nothing was written. Correct the rows "
        "listed below and upload the file again."
    ),
    "stale": _(
        "The figures for this year changed after the preview. Upload the file again to see the "
        "new differences."
    ),
}


# The database's own rules, by their violation code: a row that still breaks one when it is
# written is shown with the same words the admin's forms use.
MESSAGES.update(
    {
        constraint.violation_error_code: constraint.violation_error_message
        for constraint in CommuneStatistics._meta.constraints
        if isinstance(constraint, CheckConstraint)
        and constraint.violation_error_code
        and constraint.violation_error_message
    }
)

# Parameters holding numbers of households: shown with thousand separators in the reader's
# language (1.234 in Vietnamese, 1,234 in English). Row numbers and years are not figures.
FIGURE_PARAMS = frozenset(
    {"value", "total", "whole", "last", "escaped", "newly", "fell", "expected", "actual", "count"}
)


class _Params(dict):
    # A stored problem from an older version may lack a parameter: show an ellipsis rather than
    # the raw placeholder or an error page.
    def __missing__(self, key: str) -> str:
        return "…"


def problem(
    code: str,
    /,
    *,
    row: int | None = None,
    column: str = "",
    field: str = "",
    params: dict[str, Any] | None = None,
    **more: Any,
) -> dict:
    """A stored problem: its code, where it is (row, column letter, field), and what the
    message needs. A message parameter named like a location (column) goes in `params`."""
    return {
        "code": code,
        "row": row,
        "column": column,
        "field": field,
        "params": {**(params or {}), **more},
    }


def _shown(name: str, value: Any) -> Any:
    if name in FIGURE_PARAMS and isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    return value


def message(code: str, params: dict | None = None) -> str:
    """The problem's message in the active language, every placeholder filled in."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    values = _Params({name: _shown(name, value) for name, value in (params or {}).items()})
    return str(template) % values


def refusal(code: str, /, **params: Any) -> ValidationError:
    """A ValidationError that refuses a whole file or confirmation."""
    return ValidationError(MESSAGES[code], code=code, params=params or None)
