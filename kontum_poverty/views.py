"""The home page: each role lands on its own page, built from the apps' figures and links."""

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst

from campaigns import deadlines
from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign, Criterion, PeriodState, ReportingPeriod
from indicators.models import CommuneStatistics
from kontum_poverty.http import AuthenticatedRequest
from reports import access as report_access
from reports import selectors as report_selectors
from units import access
from units.models import Unit, User
from units.notifications import services as notification_services


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Each role lands on its own page."""
    user = request.user
    if access.is_board(user):
        return _board_home(request)
    if access.is_leader(user):
        return _leader_home(request)
    if access.is_unit_officer(user):
        return _officer_home(request)
    if access.is_dolisa(user):
        # DOLISA's one task in the portal: its home is the year's appraisal list.
        return redirect("board:appraisal-home")
    if access.is_admin(user):
        return _admin_home(request)
    raise PermissionDenied


def _officer_home(request: AuthenticatedRequest) -> HttpResponse:
    unit = request.user.unit
    assert unit is not None  # the database refuses an officer without a unit
    period = campaign_selectors.current_period()
    submissions = campaign_selectors.unit_submissions(unit=unit)
    current = None
    deadline = None
    if period is not None:
        current = next((s for s in submissions if s.period_id == period.pk), None)
        # The unit's own deadline: an extension the Board granted moves it.
        deadline = deadlines.unit_deadline(period=period, unit=unit)
    return render(
        request,
        "home/officer.html",
        {
            "unit": unit,
            "period": period,
            "deadline": deadline,
            "current": current,
            "submissions": submissions,
            "notices": notification_services.notifications_for(user=request.user, limit=5),
        },
    )


def _board_home(request: AuthenticatedRequest) -> HttpResponse:
    period = campaign_selectors.current_period()
    context: dict[str, object] = {"period": period}
    if period is not None:
        context["status_counts"] = campaign_selectors.submission_status_counts(period=period)
        context["participation"] = campaign_selectors.participation_counts(period=period)
    return render(request, "home/board.html", context)


def _leader_home(request: AuthenticatedRequest) -> HttpResponse:
    try:
        scope = report_access.dashboard_scope(user=request.user, unit_id=None)
    except Http404:  # no province loaded yet: a portal being set up
        page = None
    else:
        page = report_selectors.glance(scope=scope)
    return render(
        request,
        "home/leader.html",
        {"page": page, "period": campaign_selectors.current_period()},
    )


@dataclass(frozen=True)
class AdminLink:
    label: str
    url: str


def admin_setup_links(*, user: User) -> list[AdminLink]:
    """Links to the admin pages that set up the portal, for those the admin site offers."""
    setup_models: list[type[models.Model]] = [
        Campaign,
        ReportingPeriod,
        Criterion,
        Unit,
        User,
        CommuneStatistics,
    ]
    links = []
    for model in setup_models:
        if not admin.site.is_registered(model):
            continue
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        links.append(
            AdminLink(
                label=capfirst(str(opts.verbose_name_plural)),
                url=reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            )
        )
    return links


def _admin_home(request: AuthenticatedRequest) -> HttpResponse:
    locked = ReportingPeriod.objects.filter(state=PeriodState.LOCKED).select_related("campaign")
    return render(
        request,
        "home/admin.html",
        {"links": admin_setup_links(user=request.user), "locked_periods": list(locked)},
    )
