"""The Board's review of a yearly report: score it, return it with reasons, accept it."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from campaigns import access, selectors
from campaigns.models import (
    Campaign,
    Classification,
    Criterion,
    CriterionScore,
    PeriodState,
    ReportingPeriod,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from campaigns.services import notices
from campaigns.services.appraisal import report_appraised
from campaigns.services.submissions import ScoreInput
from kontum_poverty.bulk import stored_rows, writes_batched
from kontum_poverty.compiled import CompiledQuery
from kontum_poverty.history import Changes
from units.models import NotificationKind, Unit, User


def ensure_reviewable(period: ReportingPeriod) -> None:
    access.ensure_campaign_current(period.campaign)
    if period.state != PeriodState.OPEN:
        raise ValidationError(
            _("The year %(year)s is closed: its reports can no longer be reviewed."),
            code="period_closed",
            params={"year": period.year},
        )


def classify(*, campaign: Campaign, total: Decimal) -> Classification:
    """The classification a total of Board points earns under the campaign's thresholds."""
    if total >= campaign.excellent_min:
        return Classification.EXCELLENT
    if total >= campaign.good_min:
        return Classification.GOOD
    if total >= campaign.completed_min:
        return Classification.COMPLETED
    return Classification.NOT_COMPLETED


# Every score, acceptance and return locks the report first: compiled once per process.
_LOCKED = CompiledQuery(
    lambda pk: (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period__campaign", "unit", "updated_by")
        .filter(pk=pk)
    ),
    pk=int,
)


def _lock_for_review(*, submission: Submission, expected_version: int | None) -> Submission:
    """Lock the report row; it must be waiting for the Board and unchanged since it was read."""
    found = _LOCKED(pk=submission.pk)
    if not found:
        raise Submission.DoesNotExist
    locked = found[0]
    ensure_reviewable(locked.period)
    if locked.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(
            _("This report is %(status)s, not waiting for review."),
            code="not_submitted",
            params={"status": locked.get_status_display().lower()},
        )
    if expected_version is not None and locked.version != expected_version:
        who = locked.updated_by
        raise ValidationError(
            _("%(who)s acted on this report at %(when)s, after you opened it. Look again."),
            code="stale",
            params={
                "who": (who.get_full_name() or who.get_username()) if who else _("Someone"),
                "when": formats.date_format(
                    timezone.localtime(locked.updated_at), "SHORT_DATETIME_FORMAT"
                ),
            },
        )
    return locked


def _step(
    submission: Submission,
    *,
    by: User,
    action: StepAction,
    from_status: str,
    comment: str = "",
    field_comments: Mapping[str, str] | None = None,
) -> SubmissionStep:
    return SubmissionStep.objects.create(
        submission=submission,
        from_status=from_status,
        to_status=submission.status,
        action=action,
        by=by,
        comment=comment,
        field_comments=dict(field_comments or {}),
        version=submission.version,
    )


def _bump(submission: Submission, by: User, *fields: str) -> None:
    submission.updated_by = by
    submission.version += 1
    submission.save(update_fields=[*fields, "updated_by", "version", "updated_at"])


@transaction.atomic
def board_scores_save(
    *,
    submission: Submission,
    by: User,
    expected_version: int,
    scores: Mapping[int, ScoreInput],
    criteria: Sequence[Criterion] | None = None,
) -> Submission:
    """Record the Board's points per criterion; points that differ from the unit's need a why.

    `criteria`: the unit's leaf criteria for the year, when the caller has just read them."""
    access.ensure_board(by)
    submission = _lock_for_review(submission=submission, expected_version=expected_version)
    if criteria is None:
        criteria = selectors.leaf_criteria(period=submission.period, unit=submission.unit)
    by_pk = {c.pk: c for c in criteria}
    # Read under the lock, with whether each row has history yet: the changed rows are then
    # written with one UPDATE and their history with one INSERT, however many criteria.
    existing = {
        s.criterion_id: s
        for s in stored_rows(CriterionScore, history=True, submission=submission.pk)
    }
    errors: dict[str, ValidationError] = {}
    changed: dict[str, str] = {}
    changes = Changes(CriterionScore)
    now = timezone.now()
    for criterion_id, score in scores.items():
        criterion = by_pk.get(criterion_id)
        if criterion is None:
            continue  # not a criterion of this unit: ignored, like any field added by hand
        row = existing.get(criterion_id) or CriterionScore(
            submission=submission, criterion=criterion, max_points=criterion.max_points
        )
        justification = score.justification.strip()
        if score.points is not None and not 0 <= score.points <= criterion.max_points:
            errors[f"board-{criterion_id}-points"] = ValidationError(
                _("Points must be between 0 and %(max)s."),
                code="points_above_max",
                params={"max": formats.number_format(criterion.max_points, use_l10n=True)},
            )
            continue
        if score.points is not None and score.points != row.self_points and not justification:
            errors[f"board-{criterion_id}-justification"] = ValidationError(
                _("Say why the Board's points differ from the self-assessed points."),
                code="justification_required",
            )
            continue
        if row.pk and (row.board_points, row.board_justification) == (score.points, justification):
            continue
        changes.note(
            row,
            {
                "board_points": score.points,
                "board_justification": justification,
                "board_scored_by_id": by.pk if score.points is not None else None,
                "board_scored_at": now if score.points is not None else None,
            },
            has_history=getattr(row, "has_history", True),
        )
        shown = "—" if score.points is None else formats.number_format(score.points)
        changed[criterion.code] = f"{shown} – {justification}" if justification else shown
    if errors:
        raise ValidationError(errors)
    with writes_batched():
        changes.save(
            fields=["board_points", "board_justification", "board_scored_by", "board_scored_at"],
            by=by,
        )
    if changed:
        _bump(submission, by)
        _step(
            submission,
            by=by,
            action=StepAction.SCORE,
            from_status=submission.status,
            field_comments=changed,
        )
        notices.tell_unit(
            unit=submission.unit,
            kind=NotificationKind.REPORT_SCORED,
            message=_("The Board scored the yearly report %(year)s of %(unit)s."),
            params={"year": submission.period.year, "unit": submission.unit.name},
            link=notices.submission_link(submission),
        )
    return submission


@transaction.atomic
def submission_return(
    *,
    submission: Submission,
    by: User,
    expected_version: int,
    reason: str,
    field_comments: Mapping[str, str] | None = None,
) -> Submission:
    """Send the report back to the unit with what to correct: overall, on fields, or both."""
    access.ensure_board(by)
    submission = _lock_for_review(submission=submission, expected_version=expected_version)
    reason = reason.strip()
    comments = {key: text.strip() for key, text in (field_comments or {}).items() if text.strip()}
    if not reason and not comments:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Say what the unit must correct, overall or on particular fields."),
                    code="return_needs_reason",
                )
            }
        )
    submission.status = SubmissionStatus.RETURNED
    _bump(submission, by, "status")
    _step(
        submission,
        by=by,
        action=StepAction.RETURN,
        from_status=SubmissionStatus.SUBMITTED,
        comment=reason,
        field_comments=comments,
    )
    labels = selectors.comment_labels(submission=submission)
    detail = "\n".join(
        [reason, *(f"- {labels.get(key, key)}: {text}" for key, text in comments.items())]
    ).strip()
    notices.tell_unit(
        unit=submission.unit,
        kind=NotificationKind.REPORT_RETURNED,
        message=_(
            "The Board returned the yearly report %(year)s of %(unit)s for correction. "
            "What to correct:\n%(reason)s"
        ),
        params={"year": submission.period.year, "unit": submission.unit.name, "reason": detail},
        link=notices.submission_link(submission),
    )
    return submission


# Read by every acceptance: compiled once per process.
_BOARD_SCORED = CompiledQuery(
    lambda report: CriterionScore.objects.filter(
        submission_id=report, board_points__isnull=False
    ).values("criterion_id"),
    report=int,
)


@transaction.atomic
# Batched: the figures counter (`figures_changed`) is counted last, so its row, which every
# submission and acceptance locks, is locked the least.
@writes_batched()
def submission_accept(*, submission: Submission, by: User, expected_version: int) -> Submission:
    """Accept a report the Board has scored in full; it is then locked and classified."""
    access.ensure_board(by)
    submission = _lock_for_review(submission=submission, expected_version=expected_version)
    criteria = selectors.leaf_criteria(period=submission.period, unit=submission.unit)
    scored = {row["criterion_id"] for row in _BOARD_SCORED(report=submission.pk)}
    unscored = [c.code for c in criteria if c.pk not in scored]
    if unscored:
        raise ValidationError(
            _("Score every criterion before accepting; still without Board points: %(codes)s."),
            code="unscored",
            params={"codes": ", ".join(unscored)},
        )
    if submission.period.campaign.appraisal_required and not report_appraised(
        submission=submission
    ):
        raise ValidationError(
            _("DOLISA has not yet appraised the figures of this report as it was sent."),
            code="appraisal_required",
        )
    total = selectors.submission_score_totals(submission=submission).board_points or Decimal(0)
    submission.status = SubmissionStatus.ACCEPTED
    submission.accepted_at = timezone.now()
    submission.classification = classify(campaign=submission.period.campaign, total=total)
    _bump(submission, by, "status", "accepted_at", "classification")
    _step(
        submission,
        by=by,
        action=StepAction.ACCEPT,
        from_status=SubmissionStatus.SUBMITTED,
    )
    notices.tell_unit(
        unit=submission.unit,
        kind=NotificationKind.REPORT_ACCEPTED,
        message=_(
            "The Board accepted the yearly report %(year)s of %(unit)s, "
            "classified as: %(classification)s."
        ),
        params={
            "year": submission.period.year,
            "unit": submission.unit.name,
            "classification": submission.get_classification_display(),
        },
        link=notices.submission_link(submission),
    )
    return submission


@transaction.atomic
def submission_mark_not_reporting(
    *, period: ReportingPeriod, unit: Unit, by: User, reason: str, not_reporting: bool = True
) -> Submission:
    """Record that a unit will not report this year (or, with `not_reporting=False`, undo it)."""
    access.ensure_board(by)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    ensure_reviewable(period)
    if not selectors.participating_units(period=period).filter(pk=unit.pk).exists():
        raise ValidationError(_("This unit does not take part in the year."), code="not_member")
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason."), code="needs_reason")}
        )
    submission, _created = Submission.objects.get_or_create(period=period, unit=unit)
    submission = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
    if submission.status == SubmissionStatus.ACCEPTED:
        raise ValidationError(_("This unit's report is already accepted."), code="already_accepted")
    if submission.not_reporting == not_reporting:
        return submission
    submission.not_reporting = not_reporting
    _bump(submission, by, "not_reporting")
    _step(
        submission,
        by=by,
        action=StepAction.NOT_REPORTING if not_reporting else StepAction.REPORTING,
        from_status=submission.status,
        comment=reason,
    )
    return submission
