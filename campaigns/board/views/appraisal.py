"""DOLISA's pages: the year's reports and districts to appraise, and the appraisal of one
report's poverty figures or of one district's commune statistics. DOLISA reads only what it
appraises and writes nothing but its appraisals."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from campaigns import selectors as campaign_selectors
from campaigns.board.forms import AppraisalForm
from campaigns.board.guards import UNPROCESSABLE, period_or_404
from campaigns.models import Appraisal, ReportingPeriod, Submission
from campaigns.services import appraisal as appraisal_services
from indicators import progress
from indicators.models import CommuneStatistics
from indicators.submissions import review as review_selectors
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.models import Unit, UnitLevel

View = Callable[..., HttpResponse]

# The commune statistics' poverty figures DOLISA gives an opinion on, in the published order.
STATISTICS_FIELDS = (
    "total_households",
    "poor_households",
    "near_poor_households",
    "ethnic_minority_households",
    "poor_ethnic_minority_households",
    "near_poor_ethnic_minority_households",
    "escaped_poverty",
    "newly_poor",
    "fell_back",
    "escaped_poverty_ethnic_minority",
    "newly_poor_ethnic_minority",
    "fell_back_ethnic_minority",
)


def _statistics_label(name: str) -> str:
    field = CommuneStatistics._meta.get_field(name)
    return capfirst(str(getattr(field, "verbose_name", name)))


def dolisa_page(view: View) -> View:
    """DOLISA's pages answer DOLISA only, whatever the method."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_dolisa(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _latest(**filters: Any) -> Subquery:
    latest = Appraisal.objects.filter(**filters).order_by("-at", "-pk")
    return Subquery(latest.values("verdict")[:1])


@dolisa_page
@require_safe
def appraisal_current(request: AuthenticatedRequest) -> HttpResponse:
    """The list of the year people work on now."""
    period = campaign_selectors.current_period()
    if period is None:
        return render(request, "campaigns/board/queue_empty.html")
    return redirect("board:appraisals", period_pk=period.pk)


@dolisa_page
@require_safe
def appraisal_list(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The year's reports sent to the Board, and the districts' commune statistics, each with
    DOLISA's latest verdict."""
    period = period_or_404(period_pk)
    reports = (
        Submission.objects.filter(period=period, status__in=appraisal_services.APPRAISABLE)
        .select_related("unit")
        .annotate(verdict=_latest(submission=OuterRef("pk")))
        .order_by("unit__code")
    )
    districts = (
        Unit.objects.filter(level=UnitLevel.DISTRICT, is_active=True)
        .annotate(
            verdict=_latest(period=period, unit=OuterRef("pk"), submission__isnull=True),
        )
        .order_by("code")
    )
    return render(
        request,
        "campaigns/board/appraisal_list.html",
        {
            "period": period,
            "periods": ReportingPeriod.objects.filter(campaign=period.campaign).order_by("year"),
            "reports": list(reports),
            "districts": list(districts),
        },
    )


def _report_keys(page: review_selectors.ReviewPage) -> list[tuple[str, str]]:
    keys = [
        (row.indicator.code, f"{row.indicator.code} – {row.indicator.name}")
        for row in page.indicators
    ]
    if page.poverty:
        keys.append(("poverty", campaign_selectors.field_label("poverty")))
    if page.models:
        keys.append(("models", campaign_selectors.field_label("models")))
    return keys


@dolisa_page
@require_http_methods(["GET", "HEAD", "POST"])
def appraise_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One report's poverty figures, and DOLISA's verdict on them."""
    submission = get_object_or_404(
        Submission.objects.select_related("period__campaign", "unit"),
        pk=pk,
        status__in=appraisal_services.APPRAISABLE,
    )
    page = review_selectors.review_page(submission=submission)
    keys = _report_keys(page)
    status = 200
    if request.method == "POST":
        form = AppraisalForm(request.POST, keys=keys)
        if form.is_valid():
            try:
                appraisal_services.report_appraise(
                    submission=submission,
                    by=request.user,
                    verdict=form.cleaned_data["verdict"],
                    comment=form.cleaned_data["comment"],
                    opinions=form.opinions(),
                    figure_keys=[key for key, _label in keys],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your appraisal is recorded; the Board sees it."))
                return redirect("board:appraise-report", pk=pk)
        status = UNPROCESSABLE
    else:
        form = AppraisalForm(keys=keys)
    return render(
        request,
        "campaigns/board/appraise_report.html",
        {"page": page, "submission": submission, "period": submission.period, "form": form},
        status=status,
    )


@dolisa_page
@require_http_methods(["GET", "HEAD", "POST"])
def appraise_statistics(
    request: AuthenticatedRequest, period_pk: int, district_pk: int
) -> HttpResponse:
    """One district's commune statistics for the year, and DOLISA's verdict on them."""
    period: ReportingPeriod = period_or_404(period_pk)
    district = Unit.objects.filter(pk=district_pk, level=UnitLevel.DISTRICT).first()
    if district is None:
        raise Http404
    keys = [(name, _statistics_label(name)) for name in STATISTICS_FIELDS]
    status = 200
    if request.method == "POST":
        form = AppraisalForm(request.POST, keys=keys)
        if form.is_valid():
            try:
                appraisal_services.statistics_appraise(
                    period=period,
                    district=district,
                    by=request.user,
                    verdict=form.cleaned_data["verdict"],
                    comment=form.cleaned_data["comment"],
                    opinions=form.opinions(),
                    figure_keys=STATISTICS_FIELDS,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your appraisal is recorded; the Board sees it."))
                return redirect(
                    "board:appraise-statistics", period_pk=period.pk, district_pk=district.pk
                )
        status = UNPROCESSABLE
    else:
        form = AppraisalForm(keys=keys)
    overview = progress.progress_overview(
        campaign=period.campaign, scope=district, year=period.year, indicators=[]
    )
    rows = [
        (stats.commune, [getattr(stats, name) for name in STATISTICS_FIELDS])
        for stats in CommuneStatistics.objects.filter(commune__parent=district, year=period.year)
        .select_related("commune")
        .order_by("commune__code")
    ]
    labels = dict(keys)
    appraisals = [
        (a, [(labels.get(k, k), text) for k, text in a.opinions.items()])
        for a in Appraisal.objects.filter(period=period, unit=district, submission__isnull=True)
        .select_related("by")
        .order_by("-at", "-pk")
    ]
    return render(
        request,
        "campaigns/board/appraise_statistics.html",
        {
            "period": period,
            "district": district,
            "poverty": overview.poverty_this_year,
            "rows": rows,
            "fields": keys,
            "form": form,
            "appraisals": appraisals,
        },
        status=status,
    )
