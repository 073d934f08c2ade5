"""The daily round of reminders: the year opens, 14, 7 and 1 days before a unit's deadline (its
extension, where the Board granted one), and the first day after it.

Only officers of units that have not sent their report are reminded. Each reminder is a
`ReminderSent` row, unique per person, year, stage and day: running the round twice on one
day, or twice at once, sends nothing twice.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import access
from campaigns.models import PeriodState, ReportingPeriod
from campaigns.selectors import reminder_topic, units_to_report
from units.models import (
    NotificationKind,
    ReminderSent,
    ReminderStage,
    Role,
    Unit,
    User,
)
from units.notifications.services import notify

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Days before the deadline on which the round reminds; -1 is the first overdue day.
SCHEDULE = {
    14: ReminderStage.DAYS_14,
    7: ReminderStage.DAYS_7,
    1: ReminderStage.DAYS_1,
    -1: ReminderStage.OVERDUE,
}


@dataclass
class RoundSummary:
    today: date
    sent: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def stage_on(*, deadline: date, today: date) -> ReminderStage | None:
    """Which reminder, if any, a unit with this deadline gets today."""
    return SCHEDULE.get((deadline - today).days)


def officers_of(unit_ids: list[int]) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.OFFICER, unit_id__in=unit_ids)


def _message(stage: ReminderStage) -> "StrOrPromise":
    if stage == ReminderStage.OPENED:
        return _(
            "The reporting year %(year)s is open. %(unit)s reports by %(deadline)s (dd/mm/yyyy)."
        )
    if stage == ReminderStage.MANUAL:
        return _(
            "The Board reminds you: the yearly report %(year)s of %(unit)s is due on "
            "%(deadline)s and has not been sent yet."
        )
    if stage == ReminderStage.OVERDUE:
        return _(
            "The yearly report %(year)s of %(unit)s is overdue: the deadline was %(deadline)s. "
            "Send it as soon as you can, or ask the Board for more time."
        )
    return _(
        "Reminder: the yearly report %(year)s of %(unit)s is due on %(deadline)s, "
        "in %(days)s day(s). It has not been sent yet."
    )


def _kind(stage: ReminderStage) -> NotificationKind:
    return {
        ReminderStage.OPENED: NotificationKind.YEAR_OPENED,
        ReminderStage.OVERDUE: NotificationKind.OVERDUE,
    }.get(stage, NotificationKind.DEADLINE_NEAR)


def _remind(
    *,
    period: ReportingPeriod,
    unit: Unit,
    deadline: date,
    stage: ReminderStage,
    today: date,
    skip: frozenset[int] = frozenset(),
) -> int:
    """Record and send one stage to each officer of the unit not yet reminded of it today."""
    fresh = []
    for officer in officers_of([unit.pk]).exclude(pk__in=skip):
        try:
            # One savepoint per row: a row another round wrote first is skipped, not fatal.
            with transaction.atomic():
                ReminderSent.objects.create(
                    recipient=officer,
                    unit=unit,
                    topic=reminder_topic(period),
                    stage=stage,
                    sent_on=today,
                )
        except IntegrityError:
            continue
        fresh.append(officer)
    if fresh:
        notify(
            users=fresh,
            kind=_kind(stage),
            message=_message(stage),
            params={
                "year": period.year,
                "unit": unit.name,
                "deadline": deadline.strftime("%d/%m/%Y"),
                "days": (deadline - today).days,
            },
            link=reverse("report:form", args=[period.pk]),
        )
    return len(fresh)


def _already_told_opened(period: ReportingPeriod) -> frozenset[int]:
    return frozenset(
        ReminderSent.objects.filter(
            topic=reminder_topic(period), stage=ReminderStage.OPENED
        ).values_list("recipient_id", flat=True)
    )


@transaction.atomic
def reminders_send(*, today: date) -> RoundSummary:
    """One round: every open year, every unit still to report, the stage due today."""
    summary = RoundSummary(today=today)
    periods = ReportingPeriod.objects.filter(state=PeriodState.OPEN, opens_on__lte=today)
    for period in periods:
        told = _already_told_opened(period)
        for unit in units_to_report(period=period):
            stages = []
            # "The year is open" goes once per person, on the first round of the year.
            if today <= unit.deadline:
                stages.append(ReminderStage.OPENED)
            stage = stage_on(deadline=unit.deadline, today=today)
            if stage is not None:
                stages.append(stage)
            for stage in stages:
                sent = _remind(
                    period=period,
                    unit=unit,
                    deadline=unit.deadline,
                    stage=stage,
                    today=today,
                    skip=told if stage == ReminderStage.OPENED else frozenset(),
                )
                summary.sent[stage] = summary.sent.get(stage, 0) + sent
    return summary


@transaction.atomic
def reminder_send_now(*, period: ReportingPeriod, unit: Unit, by: User) -> int:
    """The Board reminds one unit's officers now, once a day at most; how many were told."""
    access.ensure_board(by)
    if period.state != PeriodState.OPEN:
        raise ValidationError(_("This year is closed."), code="period_closed")
    row = units_to_report(period=period).filter(pk=unit.pk).first()
    if row is None:
        raise ValidationError(_("This unit has already sent its report."), code="already_sent")
    today = timezone.localdate()
    if not officers_of([unit.pk]).exists():
        raise ValidationError(_("This unit has no active officer to remind."), code="no_officer")
    sent = _remind(
        period=period, unit=unit, deadline=row.deadline, stage=ReminderStage.MANUAL, today=today
    )
    if not sent:
        raise ValidationError(
            _("This unit's officers were already reminded today."), code="already_reminded"
        )
    return sent
