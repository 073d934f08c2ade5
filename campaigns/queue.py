"""The Board's review queue for a year: every participating unit, its report's state, and what
needs attention (overdue, changed since it was returned), with counts and on-time rates per bloc.

Everything is read in a fixed number of queries (units with their deadlines and first
submissions, blocs, memberships, reports, and the submit snapshots of returned-then-resent
reports); filtering and sorting then
run over those rows in Python, which for a province's few hundred units costs nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from campaigns import deadlines, selectors
from campaigns.diffs import changed_since_return
from campaigns.models import (
    BlocMembership,
    EmulationBloc,
    ReportingPeriod,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from units.models import Unit, UnitLevel

NOT_STARTED = "not_started"
# The states a unit's year can be in, in the order the queue counts and sorts them.
STATES: tuple[tuple[str, Any], ...] = (
    (NOT_STARTED, _("Not started")),
    (SubmissionStatus.DRAFT.value, SubmissionStatus.DRAFT.label),
    (SubmissionStatus.SUBMITTED.value, SubmissionStatus.SUBMITTED.label),
    (SubmissionStatus.RETURNED.value, SubmissionStatus.RETURNED.label),
    (SubmissionStatus.ACCEPTED.value, SubmissionStatus.ACCEPTED.label),
)
STATE_ORDER = {state: index for index, (state, _label) in enumerate(STATES)}

# "Show only" filter values.
FLAGS: tuple[tuple[str, Any], ...] = (
    ("overdue", _("Overdue")),
    ("late", _("Submitted late")),
    ("changed", _("Changed since it was returned")),
    ("not_reporting", _("Marked as not reporting")),
)
FILTER_KEYS = ("state", "bloc", "district", "flag", "q")
SORT_KEYS = ("unit", "name", "state", "bloc", "district", "submitted", "deadline")
DEFAULT_SORT = "unit"
MAX_SEARCH = 100


@dataclass(frozen=True)
class QueueRow:
    unit: Unit
    district: Unit | None
    blocs: tuple[EmulationBloc, ...]
    submission_id: int | None
    state: str
    state_label: str
    not_reporting: bool
    submitted_at: datetime | None
    first_submitted_at: datetime | None
    deadline: date
    extended: bool
    on_time: bool
    overdue: bool
    late: bool
    changed_since_return: bool

    @property
    def bloc(self) -> EmulationBloc | None:
        return self.blocs[0] if self.blocs else None


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclass(frozen=True)
class BlocRate:
    """Units of a bloc whose first submission came on or before their own deadline, out of
    those that submitted: the same on-time rate as the leaders' dashboard shows."""

    bloc: EmulationBloc
    participating: int
    reported: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return deadlines.on_time_rate(on_time=self.on_time, reported=self.reported)


@dataclass(frozen=True)
class Queue:
    period: ReportingPeriod
    rows: list[QueueRow]
    total: int
    counts: list[StateCount]
    overdue: int
    changed: int
    bloc_rates: list[BlocRate]
    # The filters and sort actually applied, after the allow-lists dropped anything unknown.
    filters: dict[str, str]
    sort: str
    blocs: list[EmulationBloc]
    districts: list[Unit]


# --- The queue ----------------------------------------------------------------------------------


def _district_of(unit: Unit) -> Unit | None:
    if unit.level == UnitLevel.DISTRICT:
        return unit
    if unit.level == UnitLevel.COMMUNE:
        return unit.parent
    return None


def clean_filters(
    filters: Mapping[str, str], *, blocs: list[EmulationBloc], districts: list[Unit]
) -> dict[str, str]:
    """Keep only known filter keys with allowed values; anything else is dropped silently."""
    allowed = {
        "state": {state for state, _label in STATES},
        "bloc": {bloc.code for bloc in blocs},
        "district": {district.code for district in districts},
        "flag": {flag for flag, _label in FLAGS},
    }
    cleaned = {}
    for key in FILTER_KEYS:
        value = filters.get(key)
        if not isinstance(value, str):
            continue
        value = value.strip()
        if key == "q":
            if value:
                cleaned[key] = value[:MAX_SEARCH]
        elif value in allowed[key]:
            cleaned[key] = value
    return cleaned


def clean_sort(sort: str) -> str:
    """An allowed sort key, with "-" for descending; anything else falls back to the default."""
    if not isinstance(sort, str):
        return DEFAULT_SORT
    key = sort.removeprefix("-")
    return sort if key in SORT_KEYS else DEFAULT_SORT


def _matches(row: QueueRow, filters: Mapping[str, str]) -> bool:
    if "state" in filters and row.state != filters["state"]:
        return False
    if "bloc" in filters and filters["bloc"] not in {b.code for b in row.blocs}:
        return False
    if "district" in filters and (row.district is None or row.district.code != filters["district"]):
        return False
    flag = filters.get("flag")
    if flag == "overdue" and not row.overdue:
        return False
    if flag == "late" and not row.late:
        return False
    if flag == "changed" and not row.changed_since_return:
        return False
    if flag == "not_reporting" and not row.not_reporting:
        return False
    if "q" in filters:
        needle = filters["q"].casefold()
        if needle not in row.unit.name.casefold() and needle not in row.unit.code.casefold():
            return False
    return True


def _sort_value(row: QueueRow, key: str) -> Any:
    if key == "name":
        return row.unit.name.casefold()
    if key == "state":
        return STATE_ORDER[row.state]
    if key == "bloc":
        return (row.bloc.order, row.bloc.code) if row.bloc else None
    if key == "district":
        return row.district.code if row.district else None
    if key == "submitted":
        return row.submitted_at
    if key == "deadline":
        return row.deadline
    return row.unit.code


def _sorted(rows: list[QueueRow], sort: str) -> list[QueueRow]:
    key = sort.removeprefix("-")
    descending = sort.startswith("-")
    by_code = sorted(rows, key=lambda row: row.unit.code)
    # Rows without a value (no report yet, no district) stay last whichever way the sort runs.
    present = [row for row in by_code if _sort_value(row, key) is not None]
    missing = [row for row in by_code if _sort_value(row, key) is None]
    present.sort(key=lambda row: _sort_value(row, key), reverse=descending)
    return present + missing


def review_queue(
    *, period: ReportingPeriod, filters: Mapping[str, str], sort: str, today: date
) -> Queue:
    """Every participating unit of the year with its report's state, filtered and sorted."""
    units = list(
        deadlines.with_timeliness(
            selectors.participating_units(period=period).select_related("parent"),
            period=period,
            unit="pk",
        )
    )
    blocs = list(EmulationBloc.objects.filter(campaign_id=period.campaign_id))
    bloc_by_id = {bloc.pk: bloc for bloc in blocs}
    unit_blocs: dict[int, list[EmulationBloc]] = {}
    memberships = BlocMembership.objects.filter(
        bloc__campaign_id=period.campaign_id, unit__is_active=True
    ).values_list("unit_id", "bloc_id")
    for unit_id, bloc_id in memberships:
        unit_blocs.setdefault(unit_id, []).append(bloc_by_id[bloc_id])
    submissions = {
        s.unit_id: s
        for s in Submission.objects.filter(period=period).only(
            "pk", "unit_id", "status", "not_reporting", "submitted_at"
        )
    }
    # Only reports resent after a return can have changed since it: their submit and return
    # steps, snapshots included, in one query.
    resent_steps: dict[int, list[SubmissionStep]] = {}
    steps = (
        SubmissionStep.objects.filter(
            submission__period=period,
            submission__status=SubmissionStatus.SUBMITTED,
            action__in=[StepAction.SUBMIT, StepAction.RETURN],
        )
        .filter(
            Exists(
                SubmissionStep.objects.filter(
                    submission=OuterRef("submission"), action=StepAction.RETURN
                )
            )
        )
        .only("submission_id", "action", "snapshot", "at")
        .order_by("submission_id", "at", "pk")
    )
    for step in steps:
        resent_steps.setdefault(step.submission_id, []).append(step)

    labels = dict(STATES)
    rows = []
    for unit in units:
        submission = submissions.get(unit.pk)
        state = submission.status if submission else NOT_STARTED
        first, deadline = unit.first_submitted_at, unit.deadline
        not_reporting = bool(submission and submission.not_reporting)
        rows.append(
            QueueRow(
                unit=unit,
                district=_district_of(unit),
                blocs=tuple(unit_blocs.get(unit.pk, ())),
                submission_id=submission.pk if submission else None,
                state=state,
                state_label=str(labels[state]),
                not_reporting=not_reporting,
                submitted_at=submission.submitted_at if submission else None,
                first_submitted_at=first,
                deadline=deadline,
                extended=deadline > period.deadline,
                on_time=unit.on_time,
                overdue=first is None and not not_reporting and today > deadline,
                late=first is not None and not unit.on_time,
                changed_since_return=state == SubmissionStatus.SUBMITTED
                and changed_since_return(resent_steps.get(submission.pk, []) if submission else []),
            )
        )

    by_state = {state: 0 for state, _label in STATES}
    for row in rows:
        by_state[row.state] += 1
    bloc_rates = []
    for bloc in blocs:
        members = [row for row in rows if bloc in row.blocs]
        bloc_rates.append(
            BlocRate(
                bloc=bloc,
                participating=len(members),
                reported=sum(1 for row in members if row.first_submitted_at is not None),
                on_time=sum(1 for row in members if row.on_time),
            )
        )
    districts = sorted(
        {row.district.pk: row.district for row in rows if row.district}.values(),
        key=lambda unit: unit.code,
    )
    applied = clean_filters(filters, blocs=blocs, districts=districts)
    applied_sort = clean_sort(sort)
    return Queue(
        period=period,
        rows=_sorted([row for row in rows if _matches(row, applied)], applied_sort),
        total=len(rows),
        counts=[
            StateCount(state=state, label=str(label), count=by_state[state])
            for state, label in STATES
        ],
        overdue=sum(1 for row in rows if row.overdue),
        changed=sum(1 for row in rows if row.changed_since_return),
        bloc_rates=bloc_rates,
        filters=applied,
        sort=applied_sort,
        blocs=blocs,
        districts=districts,
    )
