from celery import shared_task
from django.utils import timezone

from campaigns.services import reminders


@shared_task
def reminders_round() -> int:
    """The day's round of deadline reminders (Celery beat, each morning, Vietnam time)."""
    return reminders.reminders_send(today=timezone.localdate()).total
