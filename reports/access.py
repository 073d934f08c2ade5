"""Who may ask for and download which report: checked on the server at every request."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from campaigns.models import PeriodState, ReportingPeriod
from reports.models import ReportJob, ReportKind
from units.models import User

ALL_KINDS = [
    ReportKind.PROVINCE,
    ReportKind.AWARDS,
    ReportKind.UNIT_SHEET,
    ReportKind.UNIT_SHEETS_ZIP,
]


def sees_every_unit(user: User) -> bool:
    """The Board, leaders and administrators may have any report of any unit."""
    return user.is_board or user.is_leader or user.is_admin_role


def report_kinds(*, user: User) -> list[str]:
    """The kinds of report `user` may ask for, in the order the reports page offers them."""
    if sees_every_unit(user):
        return list(ALL_KINDS)
    if user.is_officer and user.unit_id is not None:
        return [ReportKind.UNIT_SHEET]
    return []


def closed_years() -> list[int]:
    """Years the Board has closed or locked: an officer's sheet carries its results only then."""
    years = ReportingPeriod.objects.filter(
        state__in=[PeriodState.CLOSED, PeriodState.LOCKED]
    ).values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def report_check(*, user: User, kind: str, params: dict[str, Any]) -> None:
    """Refuse a report `user` may not have: PermissionDenied, or ValidationError with a code."""
    if kind not in report_kinds(user=user):
        raise PermissionDenied
    if sees_every_unit(user):
        return
    # An officer: their own unit's sheet, once the year's classification and ranks are final.
    assert user.unit is not None  # report_kinds gave an officer without a unit nothing
    if str(params.get("unit", "")) != user.unit.code:
        raise PermissionDenied
    if params.get("year") not in closed_years():
        raise ValidationError(
            _("Your unit's evaluation sheet is ready once the Board has closed the year."),
            code="year_not_closed",
        )


def job_for_user(*, user: User, pk: int) -> ReportJob:
    """A job `user` asked for and may still have (rights are re-checked: roles and units change)."""
    job = ReportJob.objects.filter(pk=pk).select_related("requested_by").first()
    if job is None or (job.requested_by_id != user.pk and not user.is_admin_role):
        raise Http404
    try:
        report_check(user=user, kind=job.kind, params=job.params)
    except (PermissionDenied, ValidationError):
        raise Http404 from None
    return job
