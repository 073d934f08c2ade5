"""A unit's deadline for a year, and whether its report came on time: one rule for every page.

The deadline is the year's, or the unit's extension when that is later. A report is on time
when its first submission came on or before that day, Vietnam time: a report the Board returned
and the unit sent again is judged on when it was first sent. The Board's queue, the ranking's
tie-break, the leaders' dashboard and the province report all read these annotations.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, TypedDict, TypeVar, overload

from django.db.models import (
    BooleanField,
    DateField,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from campaigns.models import (
    DeadlineExtension,
    ReportingPeriod,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from kontum_poverty.compiled import CompiledQuery
from kontum_poverty.numbers import percent
from units.models import Unit

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

M = TypeVar("M", bound=Model)


class Timeliness(TypedDict):
    """What `with_timeliness` adds to each row."""

    first_submitted_at: datetime | None
    deadline: date
    on_time: bool


def effective_deadline(*, period: ReportingPeriod, extension: date | None) -> date:
    """The year's deadline, or the unit's extension when that is later."""
    return max(period.deadline, extension) if extension else period.deadline


# Read by every form page, save, submit and review page: compiled once per process.
_EXTENSION = CompiledQuery(
    lambda period, unit: (
        DeadlineExtension.objects.filter(period_id=period, unit_id=unit)
        .order_by("pk")
        .values("deadline")[:1]
    ),
    period=int,
    unit=int,
)


def unit_deadline(*, period: ReportingPeriod, unit: Unit) -> date:
    """The last day the unit may report: the year's deadline or the unit's extension, if later."""
    found = _EXTENSION(period=period.pk, unit=unit.pk)
    return effective_deadline(period=period, extension=found[0]["deadline"] if found else None)


def on_time_rate(*, on_time: int, reported: int) -> float | None:
    """Units that first reported on time, out of those that reported, in percent to one decimal."""
    return percent(on_time, reported, 1)


@overload
def with_timeliness(
    queryset: QuerySet[Unit], *, period: ReportingPeriod, unit: str
) -> "QuerySet[WithAnnotations[Unit, Timeliness]]": ...
@overload
def with_timeliness(
    queryset: QuerySet[Submission], *, period: ReportingPeriod, unit: str
) -> "QuerySet[WithAnnotations[Submission, Timeliness]]": ...
@overload
def with_timeliness(
    queryset: QuerySet[M], *, period: ReportingPeriod, unit: str
) -> QuerySet[M]: ...
def with_timeliness(queryset: QuerySet[M], *, period: ReportingPeriod, unit: str) -> QuerySet[M]:
    """Each row with its unit's `first_submitted_at`, `deadline` and `on_time` in the year.

    `unit` is the path from the row to its unit: "pk" for units themselves, "unit" for rows
    that belong to one."""
    unit_ref = OuterRef(unit)
    first_step = SubmissionStep.objects.filter(
        submission__period=period, submission__unit=unit_ref, action=StepAction.SUBMIT
    ).order_by("at")
    # Reports entered without steps (imports, fixtures) fall back on their own time.
    sent = Submission.objects.filter(period=period, unit=unit_ref).exclude(
        status=SubmissionStatus.DRAFT
    )
    extension = DeadlineExtension.objects.filter(period=period, unit=unit_ref)
    year_deadline = Value(period.deadline, output_field=DateField())
    return queryset.annotate(
        first_submitted_at=Coalesce(
            Subquery(first_step.values("at")[:1]), Subquery(sent.values("submitted_at")[:1])
        ),
        deadline=Greatest(
            Coalesce(Subquery(extension.values("deadline")[:1]), year_deadline), year_deadline
        ),
    ).annotate(
        # `__date` reads the time in the current time zone: the day the officer's clock showed.
        on_time=ExpressionWrapper(
            Q(first_submitted_at__isnull=False, first_submitted_at__date__lte=F("deadline")),
            output_field=BooleanField(),
        ),
    )
