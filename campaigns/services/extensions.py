"""Asking for more time: an officer asks for a later deadline with a reason; the Board approves
it with a date (the unit's `DeadlineExtension`) or refuses it with a reason. Both sides are
told, and every request is kept."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import access, deadlines
from campaigns.models import (
    DeadlineExtension,
    ExtensionRequest,
    ExtensionRequestStatus,
    PeriodState,
    ReportingPeriod,
)
from campaigns.selectors import participating_units, units_to_report
from campaigns.services import notices
from units import access as unit_access
from units.models import NotificationKind, Unit, User


def _ensure_open(period: ReportingPeriod) -> None:
    if period.state != PeriodState.OPEN:
        raise ValidationError(_("This year is closed."), code="period_closed")


@transaction.atomic
def extension_request(
    *, period: ReportingPeriod, unit: Unit, by: User, deadline: date, reason: str
) -> ExtensionRequest:
    """An officer asks the Board for a later deadline for their unit's report."""
    if not unit_access.is_unit_officer(by) or by.unit_id != unit.pk:
        raise PermissionDenied
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    _ensure_open(period)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Say why the unit needs more time."), code="has_reason")}
        )
    if not participating_units(period=period).filter(pk=unit.pk).exists():
        raise ValidationError(_("This unit does not take part in the year."), code="not_member")
    if not units_to_report(period=period).filter(pk=unit.pk).exists():
        raise ValidationError(_("This unit has already sent its report."), code="already_sent")
    current = deadlines.unit_deadline(period=period, unit=unit)
    if deadline <= current:
        raise ValidationError(
            {
                "deadline": ValidationError(
                    _("Ask for a day after the current deadline, %(deadline)s."),
                    code="not_later",
                    params={"deadline": current.strftime("%d/%m/%Y")},
                )
            }
        )
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                period=period,
                unit=unit,
                requested_deadline=deadline,
                reason=reason,
                requested_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("This unit already has a request waiting for the Board."), code="one_pending"
        ) from None
    notices.tell_board(
        kind=NotificationKind.EXTENSION_REQUESTED,
        message=_(
            "%(unit)s asks for more time for the yearly report %(year)s: until %(deadline)s. "
            "Reason: %(reason)s"
        ),
        params={
            "unit": unit.name,
            "year": period.year,
            "deadline": deadline.strftime("%d/%m/%Y"),
            "reason": reason,
        },
        link=reverse("board:follow-up", args=[period.pk]),
    )
    return request


def _pending(request: ExtensionRequest) -> ExtensionRequest:
    locked = (
        ExtensionRequest.objects.select_for_update(of=("self",))
        .select_related("period", "unit")
        .get(pk=request.pk)
    )
    if locked.status != ExtensionRequestStatus.PENDING:
        raise ValidationError(_("This request is already decided."), code="already_decided")
    _ensure_open(locked.period)
    return locked


def _tell_unit(request: ExtensionRequest) -> None:
    params = {
        "unit": request.unit.name,
        "year": request.period.year,
        "deadline": (request.approved_deadline or request.requested_deadline).strftime("%d/%m/%Y"),
        "reason": request.decision_reason,
    }
    if request.status == ExtensionRequestStatus.APPROVED:
        message = _(
            "The Board approved more time for the yearly report %(year)s of %(unit)s: "
            "the new deadline is %(deadline)s."
        )
    else:
        message = _(
            "The Board refused more time for the yearly report %(year)s of %(unit)s. "
            "Reason: %(reason)s"
        )
    notices.tell_unit(
        unit=request.unit,
        kind=NotificationKind.EXTENSION_DECIDED,
        message=message,
        params=params,
        link=reverse("report:extension", args=[request.period_id]),
    )


@transaction.atomic
def extension_approve(
    *, request: ExtensionRequest, by: User, deadline: date, reason: str = ""
) -> ExtensionRequest:
    """The Board grants the unit a new deadline: the request is approved and the unit's
    extension set to that day."""
    access.ensure_board(by)
    request = _pending(request)
    if deadline <= request.period.deadline:
        raise ValidationError(
            {
                "deadline": ValidationError(
                    _("The new deadline must be after the year's deadline, %(deadline)s."),
                    code="not_later",
                    params={"deadline": request.period.deadline.strftime("%d/%m/%Y")},
                )
            }
        )
    request.status = ExtensionRequestStatus.APPROVED
    request.approved_deadline = deadline
    request.decision_reason = reason.strip()
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save()
    DeadlineExtension.objects.update_or_create(
        period=request.period,
        unit=request.unit,
        defaults={"deadline": deadline, "reason": request.reason, "granted_by": by},
    )
    _tell_unit(request)
    return request


@transaction.atomic
def extension_refuse(*, request: ExtensionRequest, by: User, reason: str) -> ExtensionRequest:
    """The Board refuses the request and says why."""
    access.ensure_board(by)
    request = _pending(request)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Say why the request is refused."), code="has_reason")}
        )
    request.status = ExtensionRequestStatus.REFUSED
    request.decision_reason = reason
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save()
    _tell_unit(request)
    return request
