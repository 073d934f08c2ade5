"""Reads of campaigns, years and yearly reports; every per-unit read is scoped by who asks."""

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Field,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaigns import access, deadlines
from campaigns.history import ValueChange, net_changes, submission_value_changes
from campaigns.models import (
    Appraisal,
    BlocMembership,
    Criterion,
    CriterionScore,
    Evidence,
    ExtensionRequest,
    PeriodState,
    Registration,
    ReportingPeriod,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from kontum_poverty.bulk import stored_row_with
from kontum_poverty.compiled import CompiledQuery, attach
from units.access import EVERY_UNIT, get_for_user_or_404, units_seen
from units.models import ReminderSent, Role, Unit, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class ParticipationCounts:
    participating: int
    not_started: int


@dataclass(frozen=True)
class FieldComment:
    label: str
    comment: str


@dataclass(frozen=True)
class TimelineEntry:
    """A step of the report's life, or (without a step) changes of its values made together:
    one person's sitting at the form (see CHANGES_TOGETHER), each "what – field: old → new"."""

    step: SubmissionStep | None
    field_comments: list[FieldComment]
    at: datetime | None = None
    by: User | None = None
    changes: list[ValueChange] = field(default_factory=list)
    # The sitting's last change, when it came more than a minute after the first.
    until: datetime | None = None
    # DOLISA's appraisal of the report's figures (then without a step).
    appraisal: Appraisal | None = None


@dataclass(frozen=True)
class ScoreTotals:
    max_points: Decimal | None
    self_points: Decimal | None
    board_points: Decimal | None


def current_period() -> ReportingPeriod | None:
    """The year people work on now: the latest open year, else the latest year of all."""
    return (
        ReportingPeriod.objects.select_related("campaign")
        .annotate(
            not_open=Case(When(state=PeriodState.OPEN, then=Value(0)), default=Value(1)),
        )
        .order_by("not_open", "-year", "-campaign__issued_on")
        .first()
    )


# Read by an officer's first visit to the report form and by the Board's year pages: compiled
# once per process.
_PERIOD = CompiledQuery(
    lambda pk: ReportingPeriod.objects.select_related("campaign").filter(pk=pk), pk=int
)


def period_or_404(period_pk: int) -> ReportingPeriod:
    """The year with its campaign; 404 when there is no such year."""
    found = _PERIOD(pk=period_pk)
    if not found:
        raise Http404
    return found[0]


def accepted_reports(*, unit: int, campaign: int, year: int) -> QuerySet[Submission]:
    """The unit's report of `year` in the campaign, if the Board accepted it: what this year's
    figures are compared with."""
    return Submission.objects.filter(
        unit_id=unit,
        period__campaign_id=campaign,
        period__year=year,
        status=SubmissionStatus.ACCEPTED,
    )


def unit_submissions(*, unit: Unit) -> list[Submission]:
    """A unit's yearly reports, newest year first."""
    return list(
        Submission.objects.filter(unit=unit)
        .select_related("period__campaign")
        .order_by("-period__year", "-period__campaign__issued_on")
    )


def submission_status_counts(*, period: ReportingPeriod) -> list[StatusCount]:
    """How many reports of a year are in each status, every status listed (zero included)."""
    counts = dict(
        Submission.objects.filter(period=period)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [
        StatusCount(status=status.value, label=str(status.label), count=counts.get(status.value, 0))
        for status in SubmissionStatus
    ]


def participating_units(*, period: ReportingPeriod) -> QuerySet[Unit]:
    """Units that take part in a year: active members of one of the campaign's emulation blocs."""
    return Unit.objects.filter(
        is_active=True,
        pk__in=BlocMembership.objects.filter(bloc__campaign_id=period.campaign_id).values(
            "unit_id"
        ),
    )


def participation_counts(*, period: ReportingPeriod) -> ParticipationCounts:
    """Participating units, and how many of them have no report at all for the year."""
    totals = (
        participating_units(period=period)
        .annotate(
            started=Exists(Submission.objects.filter(unit=OuterRef("pk"), period=period)),
        )
        .aggregate(
            participating=Count("pk"),
            not_started=Count("pk", filter=Q(started=False)),
        )
    )
    return ParticipationCounts(**totals)


def _report(pk: int, unit: int | None = None) -> QuerySet[Submission]:
    """One report with its year, campaign and unit, and its registration's pledges."""
    reports = Submission.objects.select_related("period__campaign", "unit").filter(pk=pk)
    if unit is not None:
        reports = reports.filter(unit_id=unit)
    registration = Registration.objects.filter(unit=OuterRef("unit"), period=OuterRef("period"))
    return reports.annotate(
        pledge_vnd=Subquery(registration.values("fund_pledge_vnd")[:1]),
        sponsorship_commitment=Subquery(registration.values("sponsorship_commitment")[:1]),
        other_commitments=Subquery(registration.values("other_commitments")[:1]),
    )


# The Board's review page reads one report and four kinds of its rows on every load (twice per
# report at the deadline): compiled once per process, not on every request (`compiled`).
_ANY_REPORT = CompiledQuery(_report, pk=int)
_UNIT_REPORT = CompiledQuery(_report, pk=int, unit=int)
_REPORT_STEPS = CompiledQuery(
    lambda report: (
        SubmissionStep.objects.select_related("by")
        .filter(submission_id=report)
        .order_by("at", "pk")
    ),
    report=int,
)
_REPORT_SCORES = CompiledQuery(
    # Sub-criteria follow their parent; a scored top-level criterion stands in its place.
    lambda report: (
        CriterionScore.objects.select_related("criterion__parent")
        .filter(submission_id=report)
        .annotate(group_order=Coalesce("criterion__parent__order", "criterion__order"))
        .order_by(
            "group_order",
            F("criterion__parent__code").asc(nulls_first=True),
            "criterion__order",
            "criterion__code",
        )
    ),
    report=int,
)
_REPORT_VALUES = CompiledQuery(
    lambda report: _values_with_targets().filter(submission_id=report), report=int
)
_REPORT_EVIDENCE = CompiledQuery(
    lambda report: (
        Evidence.objects.select_related("criterion")
        .filter(submission_id=report)
        .order_by("criterion__order", "uploaded_at", "pk")
    ),
    report=int,
)


def submission_for_user(*, user: User, pk: int, with_contents: bool = True) -> Submission:
    """One yearly report with its steps, scores and values; 404 for rows the user may not see.

    Without `with_contents`, the report row alone (with its year and unit), for an action whose
    service reads what it needs under its own lock."""
    # Scoped as `units.access.scope_for_user` scopes: every report, one unit's, or none.
    seen = units_seen(user)
    if seen is None:
        raise Http404
    if not with_contents:
        # Read as a unit's report is on every save: a statement built once per process.
        related = ["period__campaign", "unit"]
        row = (
            stored_row_with(Submission, related, id=pk)
            if seen == EVERY_UNIT
            else stored_row_with(Submission, related, id=pk, unit=seen)
        )
        if row is None:
            raise Http404
        return row
    found = _ANY_REPORT(pk=pk) if seen == EVERY_UNIT else _UNIT_REPORT(pk=pk, unit=int(seen))
    if not found:
        raise Http404
    submission = found[0]
    # Reported values and registered targets belong to the indicators app, which sits above
    # this one: reached through relations rather than imported.
    attach(submission, "steps", _REPORT_STEPS(report=pk))
    attach(submission, "scores", _REPORT_SCORES(report=pk))
    attach(submission, "values", _REPORT_VALUES(report=pk))
    attach(submission, "evidence", _REPORT_EVIDENCE(report=pk))
    return submission


def _values_with_targets() -> QuerySet:
    """Reported values, each with the target its unit registered for the year, in one query."""
    value_model = Submission._meta.get_field("values").related_model
    target_model = Registration._meta.get_field("targets").related_model
    target = target_model._default_manager.filter(
        registration__unit=OuterRef("submission__unit"),
        registration__period=OuterRef("submission__period"),
        indicator=OuterRef("indicator"),
    ).values("value")[:1]
    return value_model._default_manager.select_related("indicator").annotate(
        target=Subquery(target)
    )


def _score_sums(scores: QuerySet[CriterionScore]) -> QuerySet:
    """Per report among `scores`: the sums `score_totals` gives."""
    return (
        scores.values("submission_id")
        .annotate(
            max_points=Sum("max_points"),
            self_points=Sum("self_points"),
            board_points=Sum("board_points"),
        )
        .order_by()
    )


def _totals(row: Mapping) -> ScoreTotals:
    return ScoreTotals(
        max_points=row["max_points"],
        self_points=row["self_points"],
        board_points=row["board_points"],
    )


def score_totals(*, submissions: Iterable[int]) -> dict[int, ScoreTotals]:
    """Per report: the sums of maximum, self-assessed and Board points over its scored criteria.

    The one total of a report's points: its page, the review page, classification, ranking,
    the exports and the PDFs all read it here."""
    rows = _score_sums(CriterionScore.objects.filter(submission_id__in=submissions))
    return {row["submission_id"]: _totals(row) for row in rows}


# The same sums for one report, as its page and the review page read them on every load.
_REPORT_TOTALS = CompiledQuery(
    lambda report: _score_sums(CriterionScore.objects.filter(submission_id=report)), report=int
)


def submission_score_totals(*, submission: Submission) -> ScoreTotals:
    """One report's point totals (see `score_totals`); None where nothing is scored."""
    found = _REPORT_TOTALS(report=submission.pk)
    if found:
        return _totals(found[0])
    return ScoreTotals(max_points=None, self_points=None, board_points=None)


# Parts of a report that are rows rather than fields: the Board comments on each as a whole.
REPORT_PARTS = {
    "models": _("Poverty-reduction models"),
    "sponsorship_support": _("Sponsorship support"),
    "communication": _("Communication work"),
}


# Figures DOLISA gives an opinion on that are neither report fields nor indicators.
APPRAISAL_PARTS = {
    "poverty": _("Poverty figures from the commune statistics"),
}


def field_label(key: str) -> str:
    """A report field's or part's name as people read it; other keys (codes) as they are."""
    if key in REPORT_PARTS:
        return str(REPORT_PARTS[key])
    if key in APPRAISAL_PARTS:
        return str(APPRAISAL_PARTS[key])
    try:
        field = Submission._meta.get_field(key)
    except FieldDoesNotExist:
        # Keys that are not report fields (a criterion code, an indicator code) read as they are.
        return key
    return capfirst(str(field.verbose_name)) if isinstance(field, Field) else key


def comment_labels(*, submission: Submission) -> dict[str, str]:
    """The names the Board's return form gives the keys it comments on, for this report: its
    fields and parts, its criteria ("1.2 Name") and its indicators ("LABOUR – Name")."""
    labels = {key: field_label(key) for key in ("narrative", "fund_mobilised_vnd", *REPORT_PARTS)}
    criteria = leaf_criteria(period=submission.period, unit=submission.unit)
    labels |= {criterion.code: str(criterion) for criterion in criteria}
    # Indicators belong to the app above this one: reached through the campaign's relation.
    indicators = submission.period.campaign.indicators.values_list("code", "name")
    labels |= {code: f"{code} – {name}" for code, name in indicators}
    return labels


def submission_timeline(
    *,
    submission: Submission,
    show_board_points: bool = True,
    labels: dict[str, str] | None = None,
) -> list[TimelineEntry]:
    """The report's steps and the changes of its values, oldest first. Step comments go under
    the names the Board's return form gave them (`labels`, read with `comment_labels` when not
    given); value changes read "what – field: old → new", with who and when.

    A Board scoring step's comments carry the Board's points: without `show_board_points` (a unit
    before the year is closed) the step shows, its points do not; nor do the Board's points and
    classification among the value changes."""
    steps = list(submission.steps.all())
    changes = submission_value_changes(submission=submission, show_board_points=show_board_points)
    appraisals = report_appraisals(submission=submission)
    if labels is None and (
        any(step.field_comments for step in steps) or any(a.opinions for a in appraisals)
    ):
        labels = comment_labels(submission=submission)
    labels = labels or {}
    entries = [
        TimelineEntry(
            step=step,
            at=step.at,
            by=step.by,
            field_comments=[
                FieldComment(
                    label=labels.get(str(key)) or field_label(str(key)), comment=str(comment)
                )
                for key, comment in (step.field_comments or {}).items()
            ]
            if show_board_points or step.action != StepAction.SCORE
            else [],
        )
        for step in steps
    ]
    entries += _change_entries(changes, steps=[step.at for step in steps])
    entries += [
        TimelineEntry(
            step=None,
            at=appraisal.at,
            by=appraisal.by,
            appraisal=appraisal,
            field_comments=[
                FieldComment(label=labels.get(key) or field_label(key), comment=str(text))
                for key, text in appraisal.opinions.items()
            ],
        )
        for appraisal in appraisals
    ]
    # A step and the save it ended share a moment: the values' changes come first.
    entries.sort(key=lambda entry: (entry.at, entry.step is not None))
    return entries


_APPRAISALS = CompiledQuery(
    lambda report: (
        Appraisal.objects.select_related("by").filter(submission_id=report).order_by("at", "pk")
    ),
    report=int,
)


def report_appraisals(*, submission: Submission) -> list[Appraisal]:
    """DOLISA's appraisals of a report, oldest first; the last one is DOLISA's word."""
    return _APPRAISALS(report=submission.pk)


# One person's changes with no more than this between one and the next, and no step of the report
# between them, read as one entry: a sitting at the form, its autosaves included.
CHANGES_TOGETHER = timedelta(minutes=10)
# A save writes its rows a few milliseconds apart: an entry shows a time span only beyond this.
ONE_SAVE = timedelta(minutes=1)


def _change_entries(changes: list[ValueChange], *, steps: list[datetime]) -> list[TimelineEntry]:
    """The changes (oldest first) as one entry per sitting, each field once with its net change;
    a sitting whose changes all came back to where they started leaves no entry."""
    steps = sorted(steps)
    sittings: list[list[ValueChange]] = []
    for change in changes:
        last = sittings[-1][-1] if sittings else None
        if (
            last is not None
            and last.by == change.by
            and change.at - last.at <= CHANGES_TOGETHER
            and not _step_between(steps, last.at, change.at)
        ):
            sittings[-1].append(change)
        else:
            sittings.append([change])
    entries = []
    for sitting in sittings:
        net = net_changes(sitting)
        if not net:
            continue
        began, ended = sitting[0].at, sitting[-1].at
        entries.append(
            TimelineEntry(
                step=None,
                field_comments=[],
                at=began,
                by=sitting[0].by,
                changes=net,
                until=ended if ended - began > ONE_SAVE else None,
            )
        )
    return entries


def _step_between(steps: list[datetime], after: datetime, before: datetime) -> bool:
    """Whether a step (times sorted) happened at or after `after` and before `before`: a step
    shares its moment with the save it ended, which comes first."""
    i = bisect_left(steps, after)
    return i < len(steps) and steps[i] < before


# --- The unit's own yearly report -------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    """One condition a report must meet before it can be submitted; `code` names the refusal."""

    key: str
    label: str
    done: bool
    code: str = "incomplete"


def period_open_for_unit(
    *, period: ReportingPeriod, unit: Unit, on: date, deadline: date | None = None
) -> bool:
    """Whether the unit may still change its registration and report on a given day."""
    if period.state != PeriodState.OPEN or on < period.opens_on:
        return False
    if period.campaign.successor_id is not None:  # an earlier campaign is read-only
        return False
    if deadline is None and on <= period.deadline:
        return True  # an extension only ever moves the deadline later: no need to read it
    return on <= (deadline or deadlines.unit_deadline(period=period, unit=unit))


def report_open_for_unit(*, submission: Submission, on: date, deadline: date | None = None) -> bool:
    """Whether the unit may change its report: a report the Board returned may be corrected
    after the deadline, as long as the year is still open."""
    if submission.status == SubmissionStatus.RETURNED:
        return (
            submission.period.state == PeriodState.OPEN
            and submission.period.campaign.successor_id is None
        )
    return period_open_for_unit(
        period=submission.period, unit=submission.unit, on=on, deadline=deadline
    )


def _leaf_criteria(campaign: int, unit: int) -> QuerySet[Criterion]:
    return (
        Criterion.objects.filter(
            campaign_id=campaign,
            bloc__memberships__unit_id=unit,
            children__isnull=True,
        )
        .select_related("parent")
        .annotate(group_order=Coalesce("parent__order", "order"))
        .order_by("bloc__order", "group_order", F("parent__code").asc(nulls_first=True), "order")
    )


# Read by the form page, every save, score and acceptance at the deadline, a different unit each
# time: compiled once per process (building and compiling it cost more than running it).
_LEAF_CRITERIA = CompiledQuery(_leaf_criteria, campaign=int, unit=int)


def leaf_criteria(*, period: ReportingPeriod, unit: Unit) -> list[Criterion]:
    """The criteria a unit scores itself on: leaves of its blocs' rubrics in the year's campaign."""
    return _LEAF_CRITERIA(campaign=period.campaign_id, unit=unit.pk)


def unit_report(
    *, period_pk: int, unit_pk: int | None, also: Mapping[str, str] | None = None
) -> Submission | None:
    """The unit's report for the year with its year, campaign and unit, if it has one; `also`
    as `kontum_poverty.bulk.stored_row_with`'s."""
    if unit_pk is None:
        return None
    # Read on every save and form page at the deadline: a statement built once per process.
    return stored_row_with(
        Submission, ["period__campaign", "unit"], also=also, period=period_pk, unit=unit_pk
    )


# Read by every report form page: compiled once per process.
_REGISTRATION = CompiledQuery(
    lambda period, unit: Registration.objects.filter(period_id=period, unit_id=unit).order_by("pk")[
        :1
    ],
    period=int,
    unit=int,
)


def unit_registration(*, period: ReportingPeriod, unit: Unit) -> Registration | None:
    """The unit's registration for the year, if it has registered."""
    found = _REGISTRATION(period=period.pk, unit=unit.pk)
    return found[0] if found else None


_SPONSORED_COMMUNES = CompiledQuery(
    lambda unit, year: Unit.objects.filter(
        sponsorships_received__sponsor_id=unit,
        sponsorships_received__first_year__lte=year,
        sponsorships_received__last_year__gte=year,
    ).distinct(),
    unit=int,
    year=int,
)


def sponsored_communes(*, period: ReportingPeriod, unit: Unit) -> list[Unit]:
    """Communes the unit sponsors during the year."""
    return _SPONSORED_COMMUNES(unit=unit.pk, year=period.year)


def submission_checklist(
    *,
    submission: Submission,
    criteria: list[Criterion] | None = None,
    scored: set[int] | None = None,
    with_evidence: set[int] | None = None,
) -> list[ChecklistItem]:
    """What the report still needs before it can go to the Board, as seen in the database.

    `criteria`: the report's leaf criteria when the caller has read them already; `scored`
    (criteria with self-assessed points) and `with_evidence` (criteria with evidence files)
    likewise, from the report's stored rows."""
    if criteria is None:
        criteria = leaf_criteria(period=submission.period, unit=submission.unit)
    # A report not saved yet (the officer has only opened it) has no scores or evidence.
    saved = submission.pk is not None
    if scored is None:
        scored = (
            set(
                CriterionScore.objects.filter(submission=submission, self_points__isnull=False)
                .order_by()
                .values_list("criterion_id", flat=True)
            )
            if saved
            else set()
        )
    if with_evidence is None:
        with_evidence = (
            set(
                Evidence.objects.filter(submission=submission, criterion__isnull=False)
                .order_by()
                .values_list("criterion_id", flat=True)
            )
            if saved
            else set()
        )
    needing_evidence = [c for c in criteria if c.requires_evidence]
    return [
        ChecklistItem(
            key="narrative",
            label=str(_("A narrative of the year's work")),
            done=bool(submission.narrative.strip()),
        ),
        ChecklistItem(
            key="fund_mobilised_vnd",
            label=str(_('The amount mobilised for the "For the Poor" fund')),
            done=submission.fund_mobilised_vnd is not None,
        ),
        ChecklistItem(
            key="scores",
            label=str(_("Self-assessed points for every criterion")),
            done=all(c.pk in scored for c in criteria),
            code="unscored",
        ),
        ChecklistItem(
            key="evidence",
            label=str(_("Evidence for every criterion that needs it")),
            done=all(c.pk in with_evidence for c in needing_evidence),
            code="missing_evidence",
        ),
    ]


def latest_return(*, submission: Submission) -> SubmissionStep | None:
    """The Board's latest return of the report, while the report stands returned."""
    if submission.pk is None or submission.status != SubmissionStatus.RETURNED:
        return None
    return (
        SubmissionStep.objects.filter(submission=submission, to_status=SubmissionStatus.RETURNED)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )


def evidence_for_user(*, user: User, pk: int) -> Evidence:
    """One evidence file the user may download; another unit's file is a 404 like a missing one."""
    queryset = Evidence.objects.select_related("submission")
    if not access.evidence_downloadable(user=user):
        queryset = queryset.none()
    return get_for_user_or_404(queryset, user=user, unit_field="submission__unit", pk=pk)


def extension_requests(*, period: ReportingPeriod, unit: Unit) -> list[ExtensionRequest]:
    """A unit's requests for more time in a year, newest first, with who asked and decided."""
    return list(
        ExtensionRequest.objects.filter(period=period, unit=unit).select_related(
            "requested_by", "decided_by"
        )
    )


def reminder_topic(period: ReportingPeriod) -> str:
    """What a year's reminders are recorded under (`units.ReminderSent.topic`)."""
    return f"period:{period.pk}"


def units_to_report(
    *, period: ReportingPeriod
) -> "QuerySet[WithAnnotations[Unit, deadlines.Timeliness]]":
    """Participating units that have not sent the year's report (nor been excused from it),
    each with its `deadline` (the extension where there is one)."""
    excused = Submission.objects.filter(period=period, not_reporting=True).values("unit_id")
    units = participating_units(period=period).exclude(pk__in=excused)
    return deadlines.with_timeliness(units, period=period, unit="pk").filter(
        first_submitted_at__isnull=True
    )


@dataclass(frozen=True)
class FollowUpRow:
    unit: Unit
    deadline: date
    status: str
    officers: int
    last_reminded_at: datetime | None
    pending: ExtensionRequest | None


def follow_up(*, period: ReportingPeriod) -> list[FollowUpRow]:
    """The Board's follow-up: each unit still to report, its deadline and report status, how
    many officers can be told, when they were last reminded, and its open request."""
    units = (
        units_to_report(period=period)
        .annotate(
            officers=Count(
                "staff", filter=Q(staff__is_active=True, staff__role=Role.OFFICER), distinct=True
            ),
            last_reminded_at=Subquery(
                ReminderSent.objects.filter(topic=reminder_topic(period), unit=OuterRef("pk"))
                .order_by("-sent_at")
                .values("sent_at")[:1]
            ),
            status=Coalesce(
                Subquery(
                    Submission.objects.filter(period=period, unit=OuterRef("pk")).values("status")[
                        :1
                    ]
                ),
                Value("not_started"),
            ),
        )
        .order_by("code")
    )
    pending = {
        request.unit_id: request
        for request in ExtensionRequest.objects.filter(
            period=period, status="pending"
        ).select_related("requested_by")
    }
    rows = [
        FollowUpRow(
            unit=unit,
            deadline=unit.deadline,
            status=unit.status,
            officers=unit.officers,
            last_reminded_at=unit.last_reminded_at,
            pending=pending.get(unit.pk),
        )
        for unit in units
    ]
    # The nearest deadline first: those units need the Board's attention soonest.
    return sorted(rows, key=lambda row: row.deadline)


def pending_extension_requests(*, period: ReportingPeriod) -> list[ExtensionRequest]:
    """Requests waiting for the Board, from units that may already have reported, oldest first."""
    return list(
        ExtensionRequest.objects.filter(period=period, status="pending")
        .select_related("unit", "requested_by")
        .order_by("requested_at")
    )


def decided_extension_requests(*, period: ReportingPeriod) -> list[ExtensionRequest]:
    return list(
        ExtensionRequest.objects.filter(period=period)
        .exclude(status="pending")
        .select_related("unit", "requested_by", "decided_by")[:50]
    )
