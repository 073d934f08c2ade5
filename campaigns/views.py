import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from campaigns import access, deadlines, selectors
from campaigns.models import SubmissionStatus
from campaigns.ranking import bloc_rankings
from kontum_poverty.http import AuthenticatedRequest

logger = logging.getLogger(__name__)


@login_required
def submission_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A yearly report, read-only; another unit's report is a 404 like a missing one."""
    submission = selectors.submission_for_user(user=request.user, pk=pk)
    show_board_points = access.board_points_visible(user=request.user, submission=submission)
    placings = []
    if show_board_points and submission.status == SubmissionStatus.ACCEPTED:
        placings = [
            (ranking, row)
            for ranking in bloc_rankings(period=submission.period)
            for row in ranking.ranked
            if row.unit.pk == submission.unit_id
        ]
    return render(
        request,
        "campaigns/submission_detail.html",
        {
            "submission": submission,
            "deadline": deadlines.unit_deadline(period=submission.period, unit=submission.unit),
            "timeline": selectors.submission_timeline(
                submission=submission, show_board_points=show_board_points
            ),
            "scores": submission.scores.all(),
            "values": submission.values.all(),
            "totals": selectors.submission_score_totals(submission=submission),
            "show_board_points": show_board_points,
            "placings": placings,
            "evidence": submission.evidence.all(),
            "evidence_downloadable": access.evidence_downloadable(user=request.user),
            "can_edit": access.may_edit_report(user=request.user, submission=submission),
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
