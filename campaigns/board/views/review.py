"""The review page of one yearly report: the Board scores, returns or accepts it; leaders read
the same page, and it is read-only once the report is accepted or the year is closed."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns import access
from campaigns import selectors as campaign_selectors
from campaigns.board.forms import AcceptForm, ReturnForm, ScoreForm
from campaigns.board.guards import UNPROCESSABLE, board_action, board_page
from campaigns.models import Submission
from campaigns.services import review as review_services
from indicators.submissions import review as selectors
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest


@board_page
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One report as the Board reviews it; read-only for leaders and once it is accepted."""
    submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
    return _render_detail(request, selectors.review_page(submission=submission))


@board_action
@require_POST
def score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the Board's points; points that differ from the unit's need a justification."""
    # The whole report and page are read only to show the form again with its errors.
    submission = campaign_selectors.submission_for_user(
        user=request.user, pk=pk, with_contents=False
    )
    rows = selectors.score_rows(submission=submission)
    form = ScoreForm(request.POST, rows=rows, version=submission.version)
    if not form.is_valid():
        submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
        page = selectors.review_page(submission=submission)
        form = ScoreForm(request.POST, rows=page.scores, version=submission.version)
        form.is_valid()
        return _render_detail(request, page, bound={"score": form}, status=UNPROCESSABLE)
    try:
        review_services.board_scores_save(
            submission=submission,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            scores=form.score_inputs(),
            criteria=[row.criterion for row in rows],
        )
    except ValidationError as exc:
        return _refused(request, pk, "score", exc)
    messages.success(request, _("The Board's points are saved."))
    return redirect("board:review", pk=pk)


@board_action
@require_POST
def return_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send the report back to the unit with what to correct."""
    submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
    page = selectors.review_page(submission=submission)
    form = ReturnForm(request.POST, keys=page.comment_keys, version=submission.version)
    if not form.is_valid():
        return _render_detail(request, page, bound={"return": form}, status=UNPROCESSABLE)
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
    return redirect("board:review", pk=pk)


@board_action
@require_POST
def accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Accept a report scored in full; it is locked from then on."""
    # The acceptance reads the scores it checks under its own lock: the report row is enough.
    submission = campaign_selectors.submission_for_user(
        user=request.user, pk=pk, with_contents=False
    )
    form = AcceptForm(request.POST, version=submission.version)
    if not form.is_valid():
        submission = campaign_selectors.submission_for_user(user=request.user, pk=pk)
        page = selectors.review_page(submission=submission)
        return _render_detail(request, page, bound={"accept": form}, status=UNPROCESSABLE)
    try:
        review_services.submission_accept(
            submission=submission, by=request.user, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        return _refused(request, pk, "accept", exc)
    messages.success(request, _("The report is accepted."))
    return redirect("board:review", pk=pk)


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
    add_service_errors(form, exc)
    refused = " ".join(exc.messages) if not hasattr(exc, "error_dict") else ""
    return _render_detail(
        request,
        page,
        bound={which: form},
        refused=refused or _("Nothing was saved: correct the fields marked below."),
        status=409 if stale else UNPROCESSABLE,
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
    can_act = page.reviewable and access.board_may_act(request.user, submission.period)
    version = submission.version
    return render(
        request,
        "campaigns/board/review.html",
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
            "evidence_downloadable": access.evidence_downloadable(user=request.user),
        },
        status=status,
    )
