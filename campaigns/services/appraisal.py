"""DOLISA's appraisal of poverty figures: of a yearly report, or of a district's commune
statistics for a year. DOLISA agrees, or gives an opinion, overall or per figure."""

from collections.abc import Collection, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    Appraisal,
    AppraisalVerdict,
    PeriodState,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)
from campaigns.services import notices
from units import access
from units.models import NotificationKind, Unit, UnitLevel, User

# Reports DOLISA appraises: those sent to the Board, before or after acceptance.
APPRAISABLE = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


def ensure_dolisa(user: User) -> None:
    if not access.is_dolisa(user):
        raise PermissionDenied


def _clean(
    *, verdict: str, comment: str, opinions: Mapping[str, str], figure_keys: Collection[str]
) -> tuple[str, dict[str, str]]:
    comment = comment.strip()
    # Only the figures the page offered: a key added by hand is ignored, like any stray field.
    kept = {k: v.strip() for k, v in opinions.items() if k in figure_keys and v.strip()}
    if verdict not in AppraisalVerdict.values:
        raise ValidationError({"verdict": ValidationError(_("Choose a verdict."), code="verdict")})
    if verdict == AppraisalVerdict.AGREED and kept:
        raise ValidationError(
            _("You agree with the figures but wrote opinions on some: choose “opinion” instead."),
            code="agreement_has_opinions",
        )
    if verdict == AppraisalVerdict.OPINION and not comment and not kept:
        raise ValidationError(
            {
                "comment": ValidationError(
                    _("Write the opinion, overall or on the figures concerned."),
                    code="opinion_needs_text",
                )
            }
        )
    return comment, kept


@transaction.atomic
def report_appraise(
    *,
    submission: Submission,
    by: User,
    verdict: str,
    comment: str = "",
    opinions: Mapping[str, str] | None = None,
    figure_keys: Collection[str] = (),
) -> Appraisal:
    """Record DOLISA's appraisal of the poverty figures of a report sent to the Board."""
    ensure_dolisa(by)
    # Locked so an appraisal is always of the version the report has when it is written.
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period")
        .get(pk=submission.pk)
    )
    if submission.status not in APPRAISABLE:
        raise ValidationError(
            _("This report has not been sent to the Board: there is nothing to appraise yet."),
            code="not_sent",
        )
    if submission.period.state == PeriodState.LOCKED:
        raise ValidationError(_("This year is locked."), code="period_locked")
    comment, kept = _clean(
        verdict=verdict, comment=comment, opinions=opinions or {}, figure_keys=figure_keys
    )
    appraisal = Appraisal.objects.create(
        period=submission.period,
        unit_id=submission.unit_id,
        submission=submission,
        submission_version=submission.version,
        verdict=verdict,
        comment=comment,
        opinions=kept,
        by=by,
    )
    _tell_appraised(submission, appraisal)
    return appraisal


def _tell_appraised(submission: Submission, appraisal: Appraisal) -> None:
    """DOLISA's opinion is a comment on the report: the Board and the unit both hear of it."""
    params = {
        "year": submission.period.year,
        "unit": submission.unit.name,
        "verdict": appraisal.get_verdict_display(),
        "opinion": appraisal.comment or "—",
        "figures": len(appraisal.opinions),
    }
    message = _(
        "DOLISA appraised the poverty figures of the yearly report %(year)s of %(unit)s: "
        "%(verdict)s.\n%(opinion)s\nOpinions on single figures: %(figures)s (on the report's "
        "page)."
    )
    kind = NotificationKind.REPORT_APPRAISED
    notices.tell_board(
        kind=kind,
        message=message,
        params=params,
        link=reverse("board:review", args=[submission.pk]),
    )
    notices.tell_unit(
        unit=submission.unit,
        kind=kind,
        message=message,
        params=params,
        link=notices.submission_link(submission),
    )


@transaction.atomic
def statistics_appraise(
    *,
    period: ReportingPeriod,
    district: Unit,
    by: User,
    verdict: str,
    comment: str = "",
    opinions: Mapping[str, str] | None = None,
    figure_keys: Collection[str] = (),
) -> Appraisal:
    """Record DOLISA's appraisal of a district's commune statistics for the year."""
    ensure_dolisa(by)
    if district.level != UnitLevel.DISTRICT:
        raise ValidationError(_("Commune statistics are appraised by district."), code="district")
    if period.state == PeriodState.LOCKED:
        raise ValidationError(_("This year is locked."), code="period_locked")
    comment, kept = _clean(
        verdict=verdict, comment=comment, opinions=opinions or {}, figure_keys=figure_keys
    )
    return Appraisal.objects.create(
        period=period,
        unit=district,
        submission=None,
        verdict=verdict,
        comment=comment,
        opinions=kept,
        by=by,
    )


def report_appraised(*, submission: Submission) -> bool:
    """Whether DOLISA appraised the report as it was last sent (a resubmission needs another)."""
    appraisals = Appraisal.objects.filter(submission=submission)
    if submission.submitted_at is not None:
        appraisals = appraisals.filter(at__gte=submission.submitted_at)
    return appraisals.exists()
