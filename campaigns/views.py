import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from campaigns import selectors
from kontum_poverty.http import AuthenticatedRequest

logger = logging.getLogger(__name__)


@login_required
def submission_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A yearly report, read-only; another unit's report is a 404 like a missing one."""
    submission = selectors.submission_for_user(user=request.user, pk=pk)
    show_board_points = selectors.board_points_visible(user=request.user, submission=submission)
    return render(
        request,
        "campaigns/submission_detail.html",
        {
            "submission": submission,
            "timeline": selectors.submission_timeline(submission=submission),
            "scores": submission.scores.all(),
            "values": submission.values.all(),
            "totals": selectors.submission_score_totals(submission=submission),
            "show_board_points": show_board_points,
            "evidence": submission.evidence.all(),
            "evidence_downloadable": selectors.evidence_downloadable(user=request.user),
            "can_edit": request.user.is_officer
            and request.user.unit_id == submission.unit_id
            and submission.is_editable_by_unit,
        },
    )


@login_required
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """An evidence file, checked now against who asks: never a public URL."""
    evidence = selectors.evidence_for_user(user=request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        # The row outlived its stored file (removed by hand, a lost volume): nothing to serve.
        logger.warning("Evidence %s has no stored file %s", evidence.pk, evidence.file.name)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response
