"""The day's round of deadline reminders, as Celery beat runs it each morning; safe to rerun."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from campaigns.services import reminders


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Remind officers of units still to report: the year opens, 14/7/1 days left, overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=_day, help="Run the round as on this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        summary = reminders.reminders_send(today=today)
        stages = ", ".join(f"{stage}: {count}" for stage, count in summary.sent.items() if count)
        self.stdout.write(
            f"{today:%d/%m/%Y}: {summary.total} reminder(s) sent"
            + (f" ({stages})" if stages else "")
        )
