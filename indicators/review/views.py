"""The Board's review: a year's queue of reports, and the review page of one report.

Board staff act (score, return, accept, mark a unit as not reporting); leaders read the same
pages, and any POST of theirs is refused; officers and administrators get 403 on every page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns import queue as review_queue
from campaigns import selectors as campaign_selectors
from campaigns.models import PeriodState, ReportingPeriod, Submission
from campaigns.services import review as review_services
from indicators.review import selectors
from indicators.review.forms import (
    AcceptForm,
    NotReportingForm,
    QueueFilterForm,
    ReturnForm,
    ScoreForm,
)
from kontum_poverty.http import AuthenticatedRequest
from units.models import Unit

View = Callable[..., HttpResponse]


def readers_only(view: View) -> View:
    """Board staff and leaders read the review pages; nobody else opens them."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_board or request.user.is_leader):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def board_only(view: View) -> View:
    """Only Board staff act on reports; a leader's POST is refused like anyone else's."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_board:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- Queue --------------------------------------------------------------------------------------


@readers_only
@require_GET
def queue_current(request: AuthenticatedRequest) -> HttpResponse:
    """The queue of the year people work on now."""
    period = campaign_selectors.current_period()
    if period is None:
        return render(request, "indicators/review/queue_empty.html")
    return redirect("review:queue", period_pk=period.pk)


@readers_only
@require_GET
def queue(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Every participating unit of a year and its report, filtered and sorted from the URL."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("campaign"), pk=period_pk)
    return _render_queue(request, period)


@board_only
@require_POST
def not_reporting(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Mark a unit as not reporting this year, or undo it; back to the queue as it was."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("campaign"), pk=period_pk)
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
                _add_errors(form, exc)
            else:
                if marking:
                    text = _("%(unit)s is marked as not reporting this year.")
                else:
                    text = _("%(unit)s is marked as reporting again.")
                messages.success(request, text % {"unit": unit.name})
                url = reverse("review:queue", kwargs={"period_pk": period.pk})
                query = request.GET.urlencode()
                return redirect(f"{url}?{query}" if query else url)
    return _render_queue(request, period, not_reporting_form=form, status=422)


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
    return render(
        request,
        "indicators/review/queue.html",
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
            "can_act": request.user.is_board and period.state == PeriodState.OPEN,
            "not_reporting_form": not_reporting_form,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


# --- Review page --------------------------------------------------------------------------------


@readers_only
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One report as the Board reviews it; read-only for leaders and once it is accepted."""
    submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
    return _render_detail(request, selectors.review_page(submission=submission))


@board_only
@require_POST
def score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the Board's points; points that differ from the unit's need a justification."""
    submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
    page = selectors.review_page(submission=submission)
    form = ScoreForm(request.POST, rows=page.scores, version=submission.version)
    if not form.is_valid():
        return _render_detail(request, page, bound={"score": form}, status=422)
    try:
        review_services.board_scores_save(
            submission=submission,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            scores=form.score_inputs(),
        )
    except ValidationError as exc:
        return _refused(request, pk, "score", exc)
    messages.success(request, _("The Board's points are saved."))
    return redirect("review:detail", pk=pk)


@board_only
@require_POST
def return_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send the report back to the unit with what to correct."""
    submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
    page = selectors.review_page(submission=submission)
    form = ReturnForm(request.POST, keys=page.comment_keys, version=submission.version)
    if not form.is_valid():
        return _render_detail(request, page, bound={"return": form}, status=422)
    try:
        review_services.submission_return(
            submission=submission,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            field_comments=form.field_comments(),
        )
    except ValidationError as exc:
        return _refused(request, pk, "return", exc)
    messages.success(request, _("The report is returned to the unit for correction."))
    return redirect("review:detail", pk=pk)


@board_only
@require_POST
def accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Accept a report scored in full; it is locked from then on."""
    submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
    form = AcceptForm(request.POST, version=submission.version)
    if not form.is_valid():
        page = selectors.review_page(submission=submission)
        return _render_detail(request, page, bound={"accept": form}, status=422)
    try:
        review_services.submission_accept(
            submission=submission, by=request.user, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        return _refused(request, pk, "accept", exc)
    messages.success(request, _("The report is accepted."))
    return redirect("review:detail", pk=pk)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _refused(
    request: AuthenticatedRequest, pk: int, which: str, exc: ValidationError
) -> HttpResponse:
    """The page as it stands now, with the refused form and why; 409 when someone got there
    first, so the Board looks again before acting."""
    submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
    page = selectors.review_page(submission=submission)
    stale = getattr(exc, "code", None) == "stale"
    data = request.POST.copy()
    if stale:
        # What was typed stays; acting again, now on what the page shows, is a knowing choice.
        data["version"] = str(submission.version)
    form: forms.Form
    if which == "score":
        form = ScoreForm(data, rows=page.scores, version=submission.version)
    elif which == "return":
        form = ReturnForm(data, keys=page.comment_keys, version=submission.version)
    else:
        form = AcceptForm(data, version=submission.version)
    form.is_valid()
    _add_errors(form, exc)
    refused = " ".join(exc.messages) if not hasattr(exc, "error_dict") else ""
    return _render_detail(
        request,
        page,
        bound={which: form},
        refused=refused or _("Nothing was saved: correct the fields marked below."),
        status=409 if stale else 422,
    )


def _render_detail(
    request: AuthenticatedRequest,
    page: selectors.ReviewPage,
    *,
    bound: dict[str, forms.Form] | None = None,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    submission: Submission = page.submission
    bound = bound or {}
    can_act = (
        request.user.is_board and page.reviewable and submission.period.state == PeriodState.OPEN
    )
    version = submission.version
    return render(
        request,
        "indicators/review/review_detail.html",
        {
            "page": page,
            "submission": submission,
            "can_act": can_act,
            "score_form": bound["score"]
            if "score" in bound
            else ScoreForm(rows=page.scores, version=version),
            "return_form": bound["return"]
            if "return" in bound
            else ReturnForm(keys=page.comment_keys, version=version),
            "accept_form": bound["accept"] if "accept" in bound else AcceptForm(version=version),
            "refused": refused,
            "evidence_downloadable": campaign_selectors.evidence_downloadable(user=request.user),
        },
        status=status,
    )
