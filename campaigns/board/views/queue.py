"""The Board's review queue of a year: every participating unit and its report, filtered and
sorted from the URL; the Board marks a unit as not reporting from here, leaders read."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns import access
from campaigns import queue as review_queue
from campaigns import selectors as campaign_selectors
from campaigns.board.forms import NotReportingForm, QueueFilterForm
from campaigns.board.guards import UNPROCESSABLE, board_action, board_page, period_or_404
from campaigns.models import Appraisal, ReportingPeriod
from campaigns.services import review as review_services
from indicators.progress import groups as poverty_groups
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units.models import Unit, UnitLevel


@board_page
@require_GET
def queue_current(request: AuthenticatedRequest) -> HttpResponse:
    """The queue of the year people work on now."""
    period = campaign_selectors.current_period()
    if period is None:
        return render(request, "campaigns/board/queue_empty.html")
    return redirect("board:queue", period_pk=period.pk)


@board_page
@require_GET
def queue(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Every participating unit of a year and its report, filtered and sorted from the URL."""
    period = period_or_404(period_pk)
    return _render_queue(request, period)


@board_action
@require_POST
def not_reporting(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Mark a unit as not reporting this year, or undo it; back to the queue as it was."""
    period = period_or_404(period_pk)
    form = NotReportingForm(request.POST)
    if form.is_valid():
        unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
        if unit is None:
            form.add_error(None, _("This unit does not take part in the year."))
        else:
            marking = form.cleaned_data["action"] == "mark"
            try:
                review_services.submission_mark_not_reporting(
                    period=period,
                    unit=unit,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    not_reporting=marking,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if marking:
                    text = _("%(unit)s is marked as not reporting this year.")
                else:
                    text = _("%(unit)s is marked as reporting again.")
                messages.success(request, text % {"unit": unit.name})
                url = reverse("board:queue", kwargs={"period_pk": period.pk})
                query = request.GET.urlencode()
                return redirect(f"{url}?{query}" if query else url)
    return _render_queue(request, period, not_reporting_form=form, status=UNPROCESSABLE)


def _sort_links(current: str, filters: dict[str, str]) -> dict[str, dict[str, str]]:
    """For each sortable column: the URL that sorts by it (again: the other way) and its arrow."""
    links = {}
    for key in review_queue.SORT_KEYS:
        ascending = current == key
        target = f"-{key}" if ascending else key
        arrow = "▲" if ascending else "▼" if current == f"-{key}" else ""
        links[key] = {"url": "?" + urlencode({**filters, "sort": target}), "arrow": arrow}
    return links


def _render_queue(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    *,
    not_reporting_form: NotReportingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    result = review_queue.review_queue(
        period=period,
        filters=request.GET,
        sort=request.GET.get("sort", ""),
        today=timezone.localdate(),
    )
    falling_back: set[int] = set()
    if period.campaign.falling_back_threshold is not None:
        province = Unit.objects.filter(level=UnitLevel.PROVINCE).order_by("code").first()
        if province is not None:
            falling_back = poverty_groups.districts_above_falling_back_threshold(
                campaign=period.campaign, scope=province, year=period.year
            )
    # Reports DOLISA appraised as they were last sent.
    appraised = set(
        Appraisal.objects.filter(
            submission__period=period, at__gte=F("submission__submitted_at")
        ).values_list("submission_id", flat=True)
    )
    return render(
        request,
        "campaigns/board/queue.html",
        {
            "period": period,
            "queue": result,
            "filter_form": QueueFilterForm(queue=result),
            "sort_links": _sort_links(result.sort, result.filters),
            "counts": [
                (
                    count,
                    "?" + urlencode({**result.filters, "state": count.state, "sort": result.sort}),
                )
                for count in result.counts
            ],
            "periods": ReportingPeriod.objects.select_related("campaign").order_by(
                "-year", "-campaign__issued_on"
            ),
            "can_act": access.board_may_act(request.user, period),
            "not_reporting_form": not_reporting_form,
            "query": request.GET.urlencode(),
            # Districts above the Board's warning threshold for falling back into poverty.
            "falling_back": falling_back,
            "appraised": appraised,
        },
        status=status,
    )
