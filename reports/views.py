from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from campaigns import selectors as campaign_selectors
from campaigns.models import PeriodState, ReportingPeriod
from kontum_poverty.http import AuthenticatedRequest
from reports import dashboard, selectors


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Each role lands on its own page."""
    user = request.user
    if user.is_board:
        return _board_home(request)
    if user.is_leader:
        return _leader_home(request)
    if user.is_officer and user.unit_id is not None:
        return _officer_home(request)
    if user.is_admin_role:
        return _admin_home(request)
    raise PermissionDenied


def _officer_home(request: AuthenticatedRequest) -> HttpResponse:
    unit = request.user.unit
    assert unit is not None  # the database refuses an officer without a unit
    period = campaign_selectors.current_period()
    submissions = campaign_selectors.unit_submissions(unit=unit)
    current = None
    if period is not None:
        current = next((s for s in submissions if s.period_id == period.pk), None)
    return render(
        request,
        "reports/home_officer.html",
        {"unit": unit, "period": period, "current": current, "submissions": submissions},
    )


def _board_home(request: AuthenticatedRequest) -> HttpResponse:
    period = campaign_selectors.current_period()
    context: dict[str, object] = {"period": period}
    if period is not None:
        context["status_counts"] = campaign_selectors.submission_status_counts(period=period)
        context["participation"] = campaign_selectors.participation_counts(period=period)
    return render(request, "reports/home_board.html", context)


def _leader_home(request: AuthenticatedRequest) -> HttpResponse:
    try:
        page = dashboard.leader_glance(user=request.user)
    except Http404:  # no province loaded yet: a portal being set up
        page = None
    return render(
        request,
        "reports/home_leader.html",
        {"page": page, "period": campaign_selectors.current_period()},
    )


def _admin_home(request: AuthenticatedRequest) -> HttpResponse:
    links = selectors.admin_setup_links(user=request.user)
    locked = ReportingPeriod.objects.filter(state=PeriodState.LOCKED).select_related("campaign")
    return render(
        request, "reports/home_admin.html", {"links": links, "locked_periods": list(locked)}
    )
