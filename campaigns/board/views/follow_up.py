"""The Board's follow-up of a year: who has not reported, when they were last reminded, who asks
for more time; remind a unit now, approve or refuse a request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from campaigns import access as campaign_access
from campaigns import selectors
from campaigns.board.forms import ExtensionDecideForm, RemindForm
from campaigns.board.guards import UNPROCESSABLE, board_action, board_page, period_or_404
from campaigns.models import ExtensionRequest, ReportingPeriod
from campaigns.services import extensions, reminders
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units.models import Unit


def _render(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    *,
    failed: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "period": period,
        "campaign": period.campaign,
        "can_read": True,
        "tab": "follow-up",
        "rows": selectors.follow_up(period=period),
        "pending": selectors.pending_extension_requests(period=period),
        "decided": selectors.decided_extension_requests(period=period),
        "may_act": campaign_access.board_may_act(request.user, period),
        "error_form": failed,
    }
    return render(request, "campaigns/board/follow_up.html", context, status=status)


@board_page
@require_GET
def follow_up(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    return _render(request, period_or_404(period_pk))


@board_action
@require_POST
def remind(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Remind one unit's officers now."""
    period = period_or_404(period_pk)
    form = RemindForm(request.POST)
    if form.is_valid():
        unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
        if unit is None:
            form.add_error(None, ValidationError(_("This unit does not take part in the year.")))
        else:
            try:
                count = reminders.reminder_send_now(period=period, unit=unit, by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d officer of %(unit)s is reminded.",
                        "%(count)d officers of %(unit)s are reminded.",
                        count,
                    )
                    % {"count": count, "unit": unit.name},
                )
                return redirect("board:follow-up", period_pk=period.pk)
    return _render(request, period, failed=form, status=UNPROCESSABLE)


@board_action
@require_POST
def decide(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Approve a request for more time with a date, or refuse it with a reason."""
    period = period_or_404(period_pk)
    form = ExtensionDecideForm(request.POST)
    if form.is_valid():
        # Only a request of this year: another year's id is simply not found.
        ask = ExtensionRequest.objects.filter(
            pk=form.cleaned_data["request"], period=period
        ).first()
        if ask is None:
            form.add_error(None, _("This request does not exist in this year."))
        else:
            try:
                if form.cleaned_data["decision"] == "approve":
                    extensions.extension_approve(
                        request=ask,
                        by=request.user,
                        deadline=form.cleaned_data["deadline"],
                        reason=form.cleaned_data["reason"],
                    )
                    text = _("The request of %(unit)s is approved.")
                else:
                    extensions.extension_refuse(
                        request=ask, by=request.user, reason=form.cleaned_data["reason"]
                    )
                    text = _("The request of %(unit)s is refused.")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, text % {"unit": ask.unit.name})
                return redirect("board:follow-up", period_pk=period.pk)
    return _render(request, period, failed=form, status=UNPROCESSABLE)
