"""The paper documents, built from job parameters: {"year", "date", "lang"[, "unit"]}.

`document_for` is what the Celery tasks, the `render_report` command and the tests call; the
modules behind it hold each report's queries and template.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reports.documents.base import (
    DocHeader,
    ReportDocument,
    doc_header,
    place_blank_date,
    place_date,
)
from reports.models import ReportKind


def _date(params: dict[str, Any]) -> datetime.date:
    raw = params.get("date")
    return datetime.date.fromisoformat(raw) if raw else datetime.date.today()


def document_for(*, kind: str, params: dict[str, Any]) -> ReportDocument:
    """The report of `kind` for `params`; ValidationError(code="unavailable") if it cannot exist."""
    on = _date(params)
    year = params.get("year")
    if not isinstance(year, int):
        raise ValidationError(_("Choose a year."), code="unavailable")
    if kind == ReportKind.UNIT_SHEET:
        from reports.documents.unit_sheet import UnitSheet

        return UnitSheet.build(year=year, unit_code=str(params.get("unit", "")), on=on)
    if kind == ReportKind.PROVINCE:
        from reports.documents.province import ProvinceReport

        return ProvinceReport.build(year=year, on=on)
    if kind in (ReportKind.INTERIM, ReportKind.FINAL):
        from reports.documents.province import ProvinceReport

        return ProvinceReport.build_review(kind=kind, year=year, on=on)
    if kind == ReportKind.AWARDS:
        from reports.documents.awards import AwardLetter

        return AwardLetter.build(year=year, on=on)
    raise ValidationError(_("This kind of report does not exist."), code="unavailable")


def document_filename(*, kind: str, params: dict[str, Any]) -> str:
    """The file name of a report that can exist; ValidationError(code="unavailable") if not.

    What asking for a report checks: a unit's sheet is checked without computing its figures.
    """
    if kind == ReportKind.UNIT_SHEET and isinstance(params.get("year"), int):
        from reports.documents.unit_sheet import sheet_filename

        return sheet_filename(year=params["year"], unit_code=str(params.get("unit", "")))
    return document_for(kind=kind, params=params).filename()


def zip_unit_codes(*, year: int) -> list[str]:
    """Codes of the units with a report in `year`, in the order their sheets are zipped."""
    from campaigns.models import Submission
    from reports.selectors import current_campaign

    campaign = current_campaign()
    if campaign is None:
        return []
    return list(
        Submission.objects.filter(period__campaign=campaign, period__year=year)
        .order_by("unit__code")
        .values_list("unit__code", flat=True)
    )


__all__ = [
    "DocHeader",
    "ReportDocument",
    "doc_header",
    "document_filename",
    "document_for",
    "place_blank_date",
    "place_date",
    "zip_unit_codes",
]
