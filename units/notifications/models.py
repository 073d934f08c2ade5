"""Declared here, registered under the `units` app (units/models.py imports this module)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import Unit, User


class NotificationKind(models.TextChoices):
    YEAR_OPENED = "year_opened", _("A reporting year opens")
    DEADLINE_NEAR = "deadline_near", _("The deadline is near")
    OVERDUE = "overdue", _("The report is overdue")
    REPORT_RETURNED = "report_returned", _("The report is returned for correction")
    REPORT_ACCEPTED = "report_accepted", _("The report is accepted")
    REPORT_SCORED = "report_scored", _("The Board scores the report")
    EXTENSION_REQUESTED = "extension_requested", _("A unit asks for more time")
    EXTENSION_DECIDED = "extension_decided", _("A request for more time is decided")
    IMPORT_FINISHED = "import_finished", _("An import finishes")
    PDF_READY = "pdf_ready", _("A PDF report is ready")
    DISTRICT_CONFIRMED = "district_confirmed", _("A district confirms its communes' figures")
    REPORT_APPRAISED = "report_appraised", _("DOLISA gives its opinion on a report's figures")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice to one person. Its text is written when it is made, in Vietnamese, the
    language its e-mail is sent in, so the list shows what the mailbox got."""

    recipient = models.ForeignKey(
        User, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind)
    message = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        app_label = "units"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The navbar counts a person's unread notices on every page.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="units_notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} – {self.get_kind_display()}"


class EmailOptOut(models.Model):
    """A kind of notice this person does not want by e-mail; the notice in the portal stays."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="email_opt_outs", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind)

    class Meta:
        app_label = "units"
        verbose_name = _("e-mail turned off")
        verbose_name_plural = _("e-mails turned off")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="units_emailoptout_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()}"


class ReminderStage(models.TextChoices):
    OPENED = "opened", _("Year opened")
    DAYS_14 = "d14", _("14 days before")
    DAYS_7 = "d7", _("7 days before")
    DAYS_1 = "d1", _("1 day before")
    OVERDUE = "overdue", _("First overdue day")
    MANUAL = "manual", _("Sent by the Board")


class ReminderSent(models.Model):
    """A reminder that reached a person about a topic (a reporting year) on a day.

    The unique rule is the same-day rule: a second round on the same day finds the row and
    sends nothing, even when two rounds run at once."""

    recipient = models.ForeignKey(
        User, models.CASCADE, related_name="reminders_received", verbose_name=_("recipient")
    )
    unit = models.ForeignKey(
        Unit, models.CASCADE, related_name="reminders_sent", verbose_name=_("unit")
    )
    # What the reminder is about, e.g. "period:12"; units cannot point at a campaigns row.
    topic = models.CharField(_("topic"), max_length=40)
    stage = models.CharField(_("stage"), max_length=16, choices=ReminderStage)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        app_label = "units"
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "topic", "stage", "sent_on"],
                name="units_remindersent_once_a_day",
                violation_error_code="once_a_day",
                violation_error_message=_("This reminder was already sent today."),
            ),
        ]
        indexes = [models.Index(fields=["topic", "unit"], name="units_reminder_topic_unit")]

    def __str__(self) -> str:
        return f"{self.recipient} – {self.topic} – {self.get_stage_display()}"
