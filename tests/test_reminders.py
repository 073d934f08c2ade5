"""The daily round of reminders: who is reminded, when, and never twice on one day."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from campaigns.services import reminders
from tests.factories import (
    BlocMembershipFactory,
    DeadlineExtensionFactory,
    PeriodFactory,
    SubmissionFactory,
    UserFactory,
)
from units.models import Notification, NotificationKind, ReminderSent, ReminderStage

pytestmark = pytest.mark.django_db

DEADLINE = date(2020, 1, 15)


@pytest.fixture
def period():
    return PeriodFactory(year=2019, opens_on=date(2019, 12, 1), deadline=DEADLINE)


def officer_of_member(period, **unit):
    membership = BlocMembershipFactory(bloc__campaign=period.campaign, **unit)
    return UserFactory(unit=membership.unit, email=f"{membership.unit.code}@example.invalid")


def run(day, capture):
    with capture(execute=True):
        call_command("send_reminders", "--today", day.isoformat())


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_seven_days_before_the_deadline_every_officer_still_to_report_gets_the_deadline(
    period, django_capture_on_commit_callbacks
):
    late = officer_of_member(period)
    colleague = UserFactory(unit=late.unit, email="colleague@example.invalid")
    done = officer_of_member(period)
    SubmissionFactory(period=period, unit=done.unit, submitted=True)

    run(DEADLINE - timedelta(days=7), django_capture_on_commit_callbacks)

    for person in (late, colleague):
        bodies = [message.body for message in mails_to(person.email)]
        assert any("15/01/2020" in body for body in bodies), bodies
    assert mails_to(done.email) == []
    assert ReminderSent.objects.filter(stage=ReminderStage.DAYS_7).count() == 2


def test_a_second_run_on_the_same_day_sends_nothing_more(
    period, django_capture_on_commit_callbacks
):
    officer_of_member(period)
    day = DEADLINE - timedelta(days=7)
    run(day, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    notices = Notification.objects.count()
    assert sent > 0

    run(day, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == sent
    assert Notification.objects.count() == notices


@pytest.mark.parametrize(
    ("days_before", "stage"),
    [
        (14, ReminderStage.DAYS_14),
        (7, ReminderStage.DAYS_7),
        (1, ReminderStage.DAYS_1),
        (-1, ReminderStage.OVERDUE),
    ],
)
def test_the_schedule_reminds_14_7_1_days_before_and_the_first_overdue_day(
    period, days_before, stage
):
    officer = officer_of_member(period)
    reminders.reminders_send(today=DEADLINE - timedelta(days=days_before))
    assert set(ReminderSent.objects.filter(recipient=officer).values_list("stage", flat=True)) >= {
        stage
    }


@pytest.mark.parametrize("days_before", [13, 8, 6, 2, 0, -2])
def test_other_days_bring_no_deadline_reminder(period, days_before):
    officer = officer_of_member(period)
    reminders.reminders_send(today=DEADLINE - timedelta(days=days_before))
    stages = set(ReminderSent.objects.filter(recipient=officer).values_list("stage", flat=True))
    assert stages <= {ReminderStage.OPENED}


def test_the_overdue_reminder_is_an_overdue_notice(period):
    officer = officer_of_member(period)
    reminders.reminders_send(today=DEADLINE + timedelta(days=1))
    notice = Notification.objects.get(recipient=officer, kind=NotificationKind.OVERDUE)
    assert "15/01/2020" in notice.message


def test_an_extension_moves_the_schedule_to_the_extended_deadline(period):
    officer = officer_of_member(period)
    DeadlineExtensionFactory(period=period, unit=officer.unit, deadline=date(2020, 2, 15))

    reminders.reminders_send(today=DEADLINE - timedelta(days=7))
    assert not ReminderSent.objects.filter(stage=ReminderStage.DAYS_7).exists()

    reminders.reminders_send(today=date(2020, 2, 8))
    notice = Notification.objects.get(recipient=officer, kind=NotificationKind.DEADLINE_NEAR)
    assert "15/02/2020" in notice.message


def test_the_year_opening_is_told_once_per_person(period):
    officer = officer_of_member(period)
    reminders.reminders_send(today=date(2019, 12, 1))
    reminders.reminders_send(today=date(2019, 12, 2))
    assert (
        Notification.objects.filter(recipient=officer, kind=NotificationKind.YEAR_OPENED).count()
        == 1
    )


def test_a_unit_excused_from_reporting_is_not_reminded(period):
    excused = officer_of_member(period)
    SubmissionFactory(period=period, unit=excused.unit, not_reporting=True)
    reminders.reminders_send(today=DEADLINE - timedelta(days=7))
    assert not ReminderSent.objects.filter(recipient=excused).exists()


def test_a_closed_year_reminds_nobody(period):
    officer = officer_of_member(period)
    period.state = "closed"
    period.save()
    reminders.reminders_send(today=DEADLINE - timedelta(days=7))
    assert not ReminderSent.objects.filter(recipient=officer).exists()


def test_a_draft_still_counts_as_not_submitted(period):
    officer = officer_of_member(period)
    SubmissionFactory(period=period, unit=officer.unit)
    reminders.reminders_send(today=DEADLINE - timedelta(days=1))
    assert ReminderSent.objects.filter(recipient=officer, stage=ReminderStage.DAYS_1).exists()


def test_the_command_refuses_a_badly_written_day():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--today", "15/01/2020")
