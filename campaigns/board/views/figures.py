"""How complete the year's figures are, and the Board's minimum coverage for showing them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.board.forms import CoverageThresholdForm
from campaigns.board.guards import UNPROCESSABLE, board_page, period_or_404
from campaigns.models import ReportingPeriod
from campaigns.services.figures import coverage_threshold_set
from indicators import progress
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.models import Unit, UnitLevel


def _render(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    form: CoverageThresholdForm,
    status: int = 200,
) -> HttpResponse:
    campaign = period.campaign
    province = (
        Unit.objects.filter(level=UnitLevel.PROVINCE, is_active=True).order_by("code").first()
    )
    overview = None
    if province is not None:
        overview = progress.progress_overview(campaign=campaign, scope=province, year=period.year)
    return render(
        request,
        "campaigns/board/coverage.html",
        {
            "period": period,
            "campaign": campaign,
            "form": form,
            "overview": overview,
            "can_act": access.is_board(request.user),
            "can_read": True,
            "tab": "coverage",
        },
        status=status,
    )


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def coverage(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Each target's coverage this year, what its denominator counts, and the threshold."""
    period = period_or_404(period_pk)
    if request.method != "POST":
        form = CoverageThresholdForm(initial={"threshold": period.campaign.coverage_threshold})
        return _render(request, period, form)
    form = CoverageThresholdForm(request.POST)
    if form.is_valid():
        try:
            coverage_threshold_set(
                campaign=period.campaign, threshold=form.cleaned_data["threshold"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Figures from fewer than %(threshold)s%% of their units are now withheld.")
                % {"threshold": form.cleaned_data["threshold"]},
            )
            return redirect("board:coverage", period_pk=period.pk)
    return _render(request, period, form, status=UNPROCESSABLE)
