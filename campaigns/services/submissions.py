"""A unit's year: its registration, its yearly report as a draft, its submission and evidence."""

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from campaigns import access, deadlines, selectors
from campaigns.evidence import sniff
from campaigns.models import (
    CommunicationItem,
    Criterion,
    CriterionScore,
    Evidence,
    Registration,
    ReportingPeriod,
    SponsorshipSupport,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from kontum_poverty.bulk import Rows, rows_read_together, stored_rows, update_rows
from kontum_poverty.history import Changes
from units.models import Unit, User


@dataclass(frozen=True)
class ScoreInput:
    points: Decimal | None
    justification: str = ""


@dataclass(frozen=True)
class SupportInput:
    commune_id: int
    money_vnd: int = 0
    in_kind_value_vnd: int = 0
    in_kind: str = ""
    works: str = ""


@dataclass(frozen=True)
class CommunicationInput:
    kind: str
    title: str
    url: str = ""
    count: int = 1
    published_on: date | None = None


@dataclass(frozen=True)
class DraftInput:
    """Everything of a report the campaigns app keeps; the indicators app saves the rest."""

    narrative: str
    fund_mobilised_vnd: int | None
    scores: Mapping[int, ScoreInput]
    support: Sequence[SupportInput] = ()
    communication: Sequence[CommunicationInput] = ()


def _ensure_open(*, period: ReportingPeriod, unit: Unit) -> None:
    access.ensure_campaign_current(period.campaign)
    if not selectors.period_open_for_unit(period=period, unit=unit, on=timezone.localdate()):
        deadline = deadlines.unit_deadline(period=period, unit=unit)
        raise ValidationError(
            _("Reporting for %(year)s is closed (deadline %(deadline)s)."),
            code="period_closed",
            params={"year": period.year, "deadline": formats.date_format(deadline, "d/m/Y")},
        )


@transaction.atomic
def registration_save(
    *,
    period: ReportingPeriod,
    unit: Unit,
    by: User,
    fund_pledge_vnd: int | None,
    sponsorship_commitment: str,
    other_commitments: str,
) -> Registration:
    """Record or update the unit's emulation registration while the year is open to it."""
    _ensure_open(period=period, unit=unit)
    registration, _created = Registration.objects.select_for_update().get_or_create(
        period=period, unit=unit
    )
    registration.fund_pledge_vnd = fund_pledge_vnd
    registration.sponsorship_commitment = sponsorship_commitment
    registration.other_commitments = other_commitments
    registration.registered_at = timezone.now()
    registration.registered_by = by
    registration.save()
    return registration


def submission_get_or_new(*, period: ReportingPeriod, unit: Unit) -> Submission:
    """The unit's report for the year, or an unsaved draft while the year is open to it.

    Nothing is written: opening the report page must not create a report (it would count as
    started everywhere); the first save creates it with `submission_get_or_create_draft`."""
    existing = Submission.objects.filter(period=period, unit=unit).first()
    if existing is not None:
        # The caller's rows, not a second read of each when the page uses them.
        existing.period, existing.unit = period, unit
        return existing
    return submission_new(period=period, unit=unit)


def submission_new(*, period: ReportingPeriod, unit: Unit) -> Submission:
    """An unsaved draft of a report the caller has just found missing, while the year is open to
    the unit: `submission_get_or_new` without reading the report again. If another request
    starts the report meanwhile, the first save finds it (`submission_get_or_create_draft`)."""
    _ensure_open(period=period, unit=unit)
    return Submission(period=period, unit=unit)


def submission_get_or_create_draft(*, period: ReportingPeriod, unit: Unit) -> Submission:
    """The unit's report for the year; a new draft is started only while the year is open."""
    existing = Submission.objects.filter(period=period, unit=unit).first()
    if existing is not None:
        return existing
    _ensure_open(period=period, unit=unit)
    # get_or_create re-reads after a unique-constraint clash, so two first visits make one draft.
    submission, _created = Submission.objects.get_or_create(period=period, unit=unit)
    return submission


def submission_lock_for_edit(
    *, submission: Submission, expected_version: int | None = None
) -> Submission:
    """Lock the report row and check the unit may change it; call inside a transaction.

    Inside `rows_read_together(locked_report_row(submission), …)` the lock was taken, and the
    row read, in that round trip."""
    rows = locked_report_row(submission).read()
    if not rows:
        raise Submission.DoesNotExist(f"Report {submission.pk} no longer exists.")
    locked = rows[0]
    # Its year and unit never change: those read with `submission` serve, with no join here.
    # The last editor is read only to be named in a stale-version message.
    for name in ("period", "unit"):
        relation: Any = Submission._meta.get_field(name)
        if relation.is_cached(submission):
            relation.set_cached_value(locked, relation.get_cached_value(submission))
    if not locked.is_editable_by_unit:
        raise ValidationError(
            _("This report has been sent to the Board and can no longer be changed."),
            code="not_editable",
        )
    if not selectors.report_open_for_unit(submission=locked, on=timezone.localdate()):
        _ensure_open(period=locked.period, unit=locked.unit)  # raises, with the deadline
    if expected_version is not None and locked.version != expected_version:
        who = locked.updated_by
        raise ValidationError(
            _(
                "%(who)s changed this report at %(when)s, after you opened it. Your input is "
                "still below; saving again will replace their changes with it."
            ),
            code="stale",
            params={
                "who": (who.get_full_name() or who.get_username()) if who else _("Someone"),
                "when": formats.date_format(
                    timezone.localtime(locked.updated_at), "SHORT_DATETIME_FORMAT"
                ),
            },
        )
    return locked


def _score_rows(submission: Submission) -> Rows:
    return Rows.of(CriterionScore, history=True, submission=submission.pk)


def _support_rows(submission: Submission) -> Rows:
    return Rows.of(SponsorshipSupport, submission=submission.pk)


def _communication_rows(submission: Submission) -> Rows:
    return Rows.of(CommunicationItem, submission=submission.pk)


def locked_report_row(submission: Submission) -> Rows:
    """The report's row as `submission_lock_for_edit` locks and reads it."""
    return Rows.of(Submission, history=True, lock=True, id=submission.pk)


def draft_rows(submission: Submission) -> list[Rows]:
    """The stored rows `submission_save_draft` compares with: a caller that holds the lock may
    read them in one statement with its own (`kontum_poverty.bulk.rows_read_together`)."""
    return [_score_rows(submission), _support_rows(submission), _communication_rows(submission)]


# No savepoint of its own: its caller (the whole report's save) rolls back as one on any error.
@transaction.atomic(savepoint=False)
def submission_save_draft(
    *,
    submission: Submission,
    by: User,
    expected_version: int,
    data: DraftInput,
    criteria: Sequence[Criterion] | None = None,
    communes: Sequence[Unit] | None = None,
    locked: bool = False,
) -> Submission:
    """Save the report's own fields, scores, support and communication; bump its version.

    Only what differs from the stored rows is written (one read per table, one statement per
    kind of write), so an officer's save at the deadline stays cheap; history records only the
    values that really changed. `criteria` and `communes`, the unit's leaf criteria and
    sponsored communes for the year, are read here unless the caller has just read them.
    `locked`: the caller has just locked `submission` with `submission_lock_for_edit` and
    `expected_version` in this transaction."""
    if not locked:
        submission = submission_lock_for_edit(
            submission=submission, expected_version=expected_version
        )
    period, unit = submission.period, submission.unit
    if criteria is None:
        criteria = selectors.leaf_criteria(period=period, unit=unit)
    if communes is None:
        communes = selectors.sponsored_communes(period=period, unit=unit)
    _scores_save(
        submission=submission,
        criteria={criterion.pk: criterion for criterion in criteria},
        scores=data.scores,
        by=by,
    )
    allowed_communes = {commune.pk for commune in communes}
    _support_save(
        submission=submission,
        support=[item for item in data.support if item.commune_id in allowed_communes],
    )
    _communication_save(submission=submission, communication=data.communication)
    fields = Changes(Submission)
    fields.note(
        submission,
        {"narrative": data.narrative, "fund_mobilised_vnd": data.fund_mobilised_vnd},
        has_history=getattr(submission, "has_history", True),
    )
    submission.updated_by = by
    submission.version += 1
    # The history of its values is written only when they changed: the version and the time
    # move on every save, and history does not record them.
    submission.updated_at = timezone.now()
    fields.save_baselines()
    # One UPDATE without signals: a draft's own fields move no figure (the figures cache
    # listens for status changes only) and their history is written just below.
    update_rows(
        [submission], ["narrative", "fund_mobilised_vnd", "updated_by", "version", "updated_at"]
    )
    fields.save_changed(by=by)
    return submission


def _support_save(*, submission: Submission, support: Sequence[SupportInput]) -> None:
    """Sponsorship support per commune: rows for communes left out go, the others are written
    only when they changed."""
    stored = {row.commune_id: row for row in _support_rows(submission).read()}
    wanted = {item.commune_id: item for item in support}
    gone = [row.pk for commune_id, row in stored.items() if commune_id not in wanted]
    if gone:
        SponsorshipSupport.objects.filter(pk__in=gone).delete()
    changes = Changes(SponsorshipSupport)
    for commune_id, item in wanted.items():
        changes.note(
            stored.get(commune_id)
            or SponsorshipSupport(submission=submission, commune_id=commune_id),
            {
                "money_vnd": item.money_vnd,
                "in_kind_value_vnd": item.in_kind_value_vnd,
                "in_kind": item.in_kind,
                "works": item.works,
            },
        )
    if changes.new:
        SponsorshipSupport.objects.bulk_create(changes.new)
    if changes.changed:
        update_rows(changes.changed, ["money_vnd", "in_kind_value_vnd", "in_kind", "works"])


def _communication_save(
    *, submission: Submission, communication: Sequence[CommunicationInput]
) -> None:
    """The communication list, in the form's order: written again only when it changed."""

    def as_tuple(item: CommunicationItem | CommunicationInput) -> tuple:
        return (item.kind, item.title, item.url, item.count, item.published_on)

    stored = _communication_rows(submission).read()
    if [as_tuple(row) for row in stored] == [as_tuple(item) for item in communication]:
        return
    if stored:
        submission.communication.all().delete()
    CommunicationItem.objects.bulk_create(
        CommunicationItem(
            submission=submission,
            kind=item.kind,
            title=item.title,
            url=item.url,
            count=item.count,
            published_on=item.published_on,
        )
        for item in communication
    )


def _scores_save(
    *,
    submission: Submission,
    criteria: dict[int, Criterion],
    scores: Mapping[int, ScoreInput],
    by: User,
) -> None:
    existing = {s.criterion_id: s for s in _score_rows(submission).read()}
    errors: dict[str, ValidationError] = {}
    changes = Changes(CriterionScore)
    for criterion_id, score in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            continue  # not a criterion of this unit: ignored, like any field added by hand
        if score.points is not None and not 0 <= score.points <= criterion.max_points:
            errors[f"score-{criterion_id}-points"] = ValidationError(
                _("Points must be between 0 and %(max)s."),
                code="points_above_max",
                params={"max": criterion.max_points},
            )
            continue
        row = existing.get(criterion_id) or CriterionScore(
            submission=submission, criterion=criterion, max_points=criterion.max_points
        )
        changes.note(
            row,
            {"self_points": score.points, "self_justification": score.justification},
            has_history=getattr(row, "has_history", True),
        )
    if errors:
        raise ValidationError(errors)
    changes.save(fields=["self_points", "self_justification"], by=by)


@transaction.atomic
def submission_submit(
    *,
    submission: Submission,
    by: User,
    expected_version: int,
    extra_checklist: Sequence[selectors.ChecklistItem],
    extra_snapshot: Mapping[str, Mapping[str, str]],
    criteria: list[Criterion] | None = None,
    locked: bool = False,
) -> Submission:
    """Send a draft or returned report to the Board: checklist met, before the unit's deadline.

    The indicators app owns part of the report: its checklist items and its sections of the
    snapshot come in `extra_checklist` and `extra_snapshot` (from
    `indicators.submissions.services`), which every caller must pass, so no path submits a
    report that skipped them. The snapshot lets the Board see what changed after a return.
    `criteria`: the unit's leaf criteria for the year, when the caller has just read them.
    `locked`: `submission` is what `submission_lock_for_edit` returned to the caller in this
    transaction (the report's save, just before): it is not locked and read again."""
    if not locked:
        # The lock makes a double click or a second tab wait here, then find the report sent.
        submission = submission_lock_for_edit(
            submission=submission, expected_version=expected_version
        )
    content = _content(submission)
    checklist = selectors.submission_checklist(
        submission=submission,
        criteria=criteria,
        scored={s.criterion_id for s in content.scores if s.self_points is not None},
        with_evidence={e.criterion_id for e in content.evidence if e.criterion_id is not None},
    )
    unmet = [item for item in [*checklist, *extra_checklist] if not item.done]
    if unmet:
        raise ValidationError(
            _("The report is not complete: %(missing)s."),
            code=unmet[0].code,
            params={"missing": "; ".join(item.label for item in unmet)},
        )
    from_status = submission.status
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.updated_by = by
    submission.version += 1
    # History records values, not the status: the step below is the status's record.
    submission.save_without_historical_record(  # type: ignore[attr-defined]
        update_fields=["status", "submitted_at", "updated_by", "version", "updated_at"]
    )
    SubmissionStep.objects.create(
        submission=submission,
        from_status=from_status,
        to_status=SubmissionStatus.SUBMITTED,
        action=StepAction.SUBMIT,
        by=by,
        version=submission.version,
        snapshot={
            **submission_snapshot(submission=submission, content=content, criteria=criteria),
            **extra_snapshot,
        },
    )
    return submission


def _text(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class _Content:
    """A report's own rows: its scores, support, communication and evidence."""

    scores: list[CriterionScore]
    support: list[SponsorshipSupport]
    communication: list[CommunicationItem]
    evidence: list[Evidence]


def _content(submission: Submission) -> _Content:
    """The report's own rows in one statement: a submit's checklist and snapshot read them at
    the deadline, four ORM queries compiled at every submit before."""
    reads = [
        Rows.of(model, submission=submission.pk)
        for model in (CriterionScore, SponsorshipSupport, CommunicationItem, Evidence)
    ]
    with rows_read_together(*reads):
        scores, support, communication, evidence = (read.read() for read in reads)
    # As the model orders them: a file uploaded twice to one criterion shows its latest name.
    evidence.sort(key=lambda e: (e.uploaded_at, e.pk))
    return _Content(scores, support, communication, evidence)


def submission_snapshot(
    *,
    submission: Submission,
    content: _Content | None = None,
    criteria: Sequence[Criterion] | None = None,
) -> dict[str, dict[str, str]]:
    """The report's own content as plain strings by section and key, for diffs after a return.

    `content`: its rows, when the caller has just read them (`_content`); `criteria`: the
    unit's leaf criteria, likewise, to name scores and evidence without reading them again."""
    if content is None:
        content = _content(submission)
    codes = {c.pk: c.code for c in criteria or ()}
    named = {s.criterion_id for s in content.scores} | {
        e.criterion_id for e in content.evidence if e.criterion_id is not None
    }
    if missing := named - codes.keys():  # a criterion no longer the unit's, say
        codes |= {c.pk: c.code for c in stored_rows(Criterion, id=sorted(missing))}
    communes = {
        u.pk: u.code for u in stored_rows(Unit, id=sorted({s.commune_id for s in content.support}))
    }
    return {
        "fields": {
            "narrative": submission.narrative,
            "fund_mobilised_vnd": _text(submission.fund_mobilised_vnd),
        },
        "scores": {
            codes[s.criterion_id]: " – ".join(
                part for part in (_text(s.self_points), s.self_justification) if part
            )
            for s in content.scores
        },
        "support": {
            communes[s.commune_id]: (
                f"{s.money_vnd} + {s.in_kind_value_vnd} {s.in_kind} {s.works}".strip()
            )
            for s in content.support
        },
        "communication": {
            f"{c.kind}:{c.title}": f"{c.count} {_text(c.published_on)} {c.url}".strip()
            for c in content.communication
        },
        "evidence": {
            f"{codes[e.criterion_id] if e.criterion_id else '-'}:{e.sha256[:12]}": e.original_name
            for e in content.evidence
        },
    }


def _safe_name(name: str | None) -> str:
    # Control characters (NUL, line breaks) would break PostgreSQL or the download header.
    cleaned = "".join(ch for ch in PurePath(name or "").name if unicodedata.category(ch) != "Cc")
    return cleaned.strip()[:255] or "file"


@transaction.atomic
def evidence_add(
    *, submission: Submission, criterion_id: int, file: UploadedFile, by: User
) -> Evidence:
    """Attach a file to one of the report's criteria, after checking what it really is."""
    submission = submission_lock_for_edit(submission=submission)
    criterion = next(
        (
            c
            for c in selectors.leaf_criteria(period=submission.period, unit=submission.unit)
            if c.pk == criterion_id
        ),
        None,
    )
    if criterion is None:
        raise ValidationError(_("This criterion is not part of your report."), code="criterion")
    if file.size is None or file.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("A file can be at most %(megabytes)s MB."),
            code="file_too_large",
            params={"megabytes": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
        )
    kind = sniff(file)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    evidence = Evidence(
        submission=submission,
        criterion=criterion,
        original_name=_safe_name(file.name),
        content_type=kind.content_type,
        size=file.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    # The stored name comes from the sniffed kind; upload_to turns it into a random one.
    evidence.file.save(f"evidence{kind.extension}", file, save=False)
    stored_name = evidence.file.name
    try:
        evidence.save()
    except Exception:
        if stored_name:
            evidence.file.storage.delete(stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by: User) -> None:
    """Remove a file from a report the unit can still change; the stored file goes after commit."""
    submission_lock_for_edit(submission=evidence.submission)
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
