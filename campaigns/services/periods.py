"""Closing, locking and unlocking a year: the end of the Board's yearly cycle."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns import access, selectors
from campaigns.models import (
    PeriodEvent,
    PeriodEventKind,
    PeriodState,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)
from units.models import Unit, User


def ensure_not_locked(period: ReportingPeriod) -> None:
    """Refuse any change to a locked year; services call this before writing."""
    if period.state == PeriodState.LOCKED:
        raise ValidationError(
            _("The year %(year)s is locked: nothing in it can change until an admin unlocks it."),
            code="year_locked",
            params={"year": period.year},
        )


def units_blocking_close(*, period: ReportingPeriod) -> list[Unit]:
    """Participating units whose report is neither accepted nor marked as not reporting."""
    settled = Submission.objects.filter(period=period).filter(
        Q(status=SubmissionStatus.ACCEPTED) | Q(not_reporting=True)
    )
    return list(
        selectors.participating_units(period=period)
        .exclude(pk__in=settled.values("unit_id"))
        .order_by("code")
    )


def _locked_row(period: ReportingPeriod) -> ReportingPeriod:
    locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    access.ensure_campaign_current(locked.campaign)
    return locked


def _ensure_all_settled(period: ReportingPeriod) -> None:
    blocking = units_blocking_close(period=period)
    if blocking:
        names = ", ".join(unit.name for unit in blocking[:5])
        more = len(blocking) - 5
        raise ValidationError(
            ngettext(
                "%(count)s unit is neither accepted nor marked as not reporting: "
                "%(names)s%(more)s.",
                "%(count)s units are neither accepted nor marked as not reporting: "
                "%(names)s%(more)s.",
                len(blocking),
            ),
            code="not_settled",
            params={
                "count": len(blocking),
                "names": names,
                "more": f" (+{more})" if more > 0 else "",
            },
        )


@transaction.atomic
def period_close(*, period: ReportingPeriod, by: User, lock: bool = False) -> ReportingPeriod:
    """Close an open year once every unit is settled; with `lock`, lock it in the same step."""
    access.ensure_board(by)
    period = _locked_row(period)
    if period.state != PeriodState.OPEN:
        raise ValidationError(
            _("The year %(year)s is already closed."), code="not_open", params={"year": period.year}
        )
    _ensure_all_settled(period)
    period.state = PeriodState.CLOSED
    period.save(update_fields=["state"])
    PeriodEvent.objects.create(period=period, kind=PeriodEventKind.CLOSED, by=by)
    if lock:
        return period_lock(period=period, by=by)
    return period


@transaction.atomic
def period_lock(*, period: ReportingPeriod, by: User) -> ReportingPeriod:
    """Lock a closed year: from now on nothing in it changes, from anywhere."""
    access.ensure_board(by)
    period = _locked_row(period)
    if period.state != PeriodState.CLOSED:
        raise ValidationError(
            _("Only a closed year can be locked."), code="not_closed", params={"year": period.year}
        )
    _ensure_all_settled(period)
    period.state = PeriodState.LOCKED
    period.save(update_fields=["state"])
    PeriodEvent.objects.create(period=period, kind=PeriodEventKind.LOCKED, by=by)
    return period


@transaction.atomic
def period_unlock(*, period: ReportingPeriod, by: User, reason: str) -> ReportingPeriod:
    """An admin unlocks a locked year, with a reason; it stands closed again."""
    access.ensure_admin(by)
    period = _locked_row(period)
    if period.state != PeriodState.LOCKED:
        raise ValidationError(_("This year is not locked."), code="not_locked")
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for unlocking."), code="needs_reason")}
        )
    period.state = PeriodState.CLOSED
    period.save(update_fields=["state"])
    PeriodEvent.objects.create(period=period, kind=PeriodEventKind.UNLOCKED, by=by, reason=reason)
    return period


@transaction.atomic
def period_reopen(*, period: ReportingPeriod, by: User, reason: str) -> ReportingPeriod:
    """Reopen a closed (not locked) year for more review, with a reason."""
    access.ensure_board(by)
    period = _locked_row(period)
    if period.state != PeriodState.CLOSED:
        raise ValidationError(_("Only a closed year can be reopened."), code="not_closed")
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for reopening."), code="needs_reason")}
        )
    period.state = PeriodState.OPEN
    period.save(update_fields=["state"])
    PeriodEvent.objects.create(period=period, kind=PeriodEventKind.REOPENED, by=by, reason=reason)
    return period
