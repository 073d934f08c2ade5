"""Who may see which dashboard scope, and ask for and download which PDF document: checked on
the server at every request."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from campaigns.models import PeriodState, ReportingPeriod
from reports import selectors
from reports.models import ReportJob, ReportKind
from units import access
from units.models import Unit, UnitLevel, User

ALL_KINDS = [
    ReportKind.PROVINCE,
    ReportKind.INTERIM,
    ReportKind.FINAL,
    ReportKind.AWARDS,
    ReportKind.UNIT_SHEET,
    ReportKind.UNIT_SHEETS_ZIP,
]


def report_kinds(*, user: User) -> list[str]:
    """The kinds of report `user` may ask for, in the order the reports page offers them."""
    if access.sees_every_unit(user):
        return list(ALL_KINDS)
    if access.is_unit_officer(user):
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
    if access.sees_every_unit(user):
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
    if job is None or (job.requested_by_id != user.pk and not access.is_admin(user)):
        raise Http404
    try:
        report_check(user=user, kind=job.kind, params=job.params)
    except (PermissionDenied, ValidationError):
        raise Http404 from None
    return job


# --- Dashboard scopes ----------------------------------------------------------------------------


def dashboard_scope(*, user: User, unit_id: int | None) -> Unit:
    """The unit a user asked to see, or 404: an officer sees only their unit and its communes."""
    units = Unit.objects.select_related("parent__parent")
    if access.sees_every_unit(user):
        if unit_id is None:
            province = selectors.public_province()
            if province is None:
                raise Http404
            return province
        try:
            return units.get(pk=unit_id)
        except Unit.DoesNotExist:
            raise Http404 from None
    if not access.is_unit_officer(user) or user.unit_id is None:
        raise Http404
    if unit_id is None or unit_id == user.unit_id:
        return units.get(pk=user.unit_id)
    try:
        return units.get(pk=unit_id, parent_id=user.unit_id, level=UnitLevel.COMMUNE)
    except Unit.DoesNotExist:
        raise Http404 from None


def scope_trail(*, scope: Unit, user: User) -> list[Unit]:
    """Breadcrumbs from the highest unit the user may see down to the scope."""
    trail = [scope]
    while trail[0].parent_id is not None and trail[0].parent is not None:
        trail.insert(0, trail[0].parent)
    if access.sees_every_unit(user):
        return trail
    return [u for u in trail if u.pk in (user.unit_id, scope.pk)]
