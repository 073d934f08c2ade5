"""Closing, locking, reopening a year (the Board) and unlocking it (an admin, with a reason)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from campaigns import ranking as ranking_module
from campaigns.board.forms import ReasonForm
from campaigns.board.guards import UNPROCESSABLE, period_or_404
from campaigns.models import (
    ReportingPeriod,
    Submission,
)
from campaigns.services import periods
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.models import Unit


@dataclass
class BlockingRow:
    unit: Unit
    submission: Submission | None
    state: str


def _blocking_rows(period: ReportingPeriod) -> list[BlockingRow]:
    units = periods.units_blocking_close(period=period)
    submissions = {s.unit_id: s for s in Submission.objects.filter(period=period, unit__in=units)}
    labels = ranking_module.state_labels()
    rows = []
    for unit in units:
        submission = submissions.get(unit.pk)
        rows.append(
            BlockingRow(
                unit=unit,
                submission=submission,
                state=labels[submission.status] if submission else labels["not_started"],
            )
        )
    return rows


def _render_year(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    *,
    failed: Form | None = None,
    failed_action: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    reopen_form = failed if failed_action == "reopen" else ReasonForm(auto_id="id_reopen_%s")
    unlock_form = failed if failed_action == "unlock" else ReasonForm(auto_id="id_unlock_%s")
    return render(
        request,
        "campaigns/board/year.html",
        {
            "period": period,
            "campaign": period.campaign,
            "events": period.events.select_related("by").order_by("at", "pk"),
            # Only the Board needs the list; the admin comes here to unlock.
            "blocking": _blocking_rows(period) if access.reads_board_pages(user) else [],
            "can_act": access.is_board(user),
            "can_review": access.reads_board_pages(user),
            "can_read": access.reads_board_pages(user),
            "can_unlock": access.is_admin(user),
            "error_form": failed,
            "reopen_form": reopen_form,
            "unlock_form": unlock_form,
            "tab": "year",
        },
        status=status,
    )


YEAR_DONE = {
    "close": gettext_lazy("The year %(year)s is closed."),
    "close_lock": gettext_lazy("The year %(year)s is closed and locked."),
    "lock": gettext_lazy("The year %(year)s is locked."),
    "reopen": gettext_lazy("The year %(year)s is open again."),
    "unlock": gettext_lazy("The year %(year)s is unlocked and closed again."),
}


def _year_action(
    request: AuthenticatedRequest, period: ReportingPeriod, action: str
) -> tuple[Form, ReportingPeriod | None]:
    """Run one action on the year; the period it returns is None when the service refused."""
    by = request.user
    form: Form = ReasonForm(request.POST) if action in ("reopen", "unlock") else Form(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if action == "close":
            return form, periods.period_close(period=period, by=by)
        if action == "close_lock":
            return form, periods.period_close(period=period, by=by, lock=True)
        if action == "lock":
            return form, periods.period_lock(period=period, by=by)
        if action == "reopen":
            return form, periods.period_reopen(period=period, by=by, reason=reason)
        return form, periods.period_unlock(period=period, by=by, reason=reason)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form, None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def year(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The year's state and history, what still blocks the close, and the close/lock actions."""
    user = request.user
    is_admin = access.is_admin(user)
    if not (access.reads_board_pages(user) or is_admin):
        raise PermissionDenied
    period = period_or_404(period_pk)
    if request.method != "POST":
        return _render_year(request, period)
    action = request.POST.get("action", "")
    # Unlocking is the admin's alone; every other change is the Board's.
    allowed = is_admin if action == "unlock" else access.is_board(user)
    if not allowed:
        raise PermissionDenied
    if action not in YEAR_DONE:
        form = Form(request.POST)
        form.is_valid()
        form.add_error(None, _("Unknown action."))
        return _render_year(request, period, failed=form, status=UNPROCESSABLE)
    form, done = _year_action(request, period, action)
    if done is None:
        return _render_year(
            request, period, failed=form, failed_action=action, status=UNPROCESSABLE
        )
    messages.success(request, str(YEAR_DONE[action]) % {"year": done.year})
    return redirect("board:year", period_pk=period.pk)
