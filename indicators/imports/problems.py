"""What can go wrong with a file, a row or a confirmation, as codes with translated messages.

Problems are stored as plain dicts (code, params, row, column) so a preview can be shown later in
the reader's language; the message is rendered only when displayed.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
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
    "above_total": _("%(label)s (%(value)s) cannot be more than all households (%(total)s)."),
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
    "column_absent": _("The file has no column “%(column)s”: the figures already stored are kept."),
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
    "stale": _(
        "The figures for this year changed after the preview. Upload the file again to see the "
        "new differences."
    ),
}


def problem(
    code: str, /, *, row: int | None = None, column: str = "", field: str = "", **params: Any
) -> dict:
    """A stored problem: its code, where it is, and what the message needs."""
    return {"code": code, "row": row, "column": column, "field": field, "params": params}


def message(code: str, params: dict | None = None) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % (params or {}) if params else str(template)


def refusal(code: str, /, **params: Any) -> ValidationError:
    """A ValidationError that refuses a whole file or confirmation."""
    return ValidationError(MESSAGES[code], code=code, params=params or None)
