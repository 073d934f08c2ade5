"""Tell people what happened: a notice in the portal, and an e-mail unless they turned it off."""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from kontum_poverty.bulk import stored_count
from units.models import User
from units.notifications.models import EmailOptOut, Notification, NotificationKind

logger = logging.getLogger(__name__)


def absolute_link(path: str) -> str:
    """The link as a person opens it from their mailbox."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def _text(message: str | Promise, params: Mapping[str, Any] | None) -> str:
    text = str(message)
    return text % dict(params) if params else text


def notify(
    *,
    users: Iterable[User],
    kind: NotificationKind,
    message: str | Promise,
    params: Mapping[str, Any] | None = None,
    link: str = "",
) -> list[Notification]:
    """Leave a notice for each active person and e-mail those who did not turn this kind off.

    `message` is a translatable string with named placeholders filled from `params`; it is
    written in Vietnamese. The e-mails leave after the caller's transaction commits, so a
    rolled-back action sends nothing."""
    recipients = {user.pk: user for user in users if user.is_active}
    if not recipients:
        return []
    opted_out = set(
        EmailOptOut.objects.filter(user_id__in=recipients, kind=kind).values_list(
            "user_id", flat=True
        )
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = _text(message, params)
    notices = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            message=text,
            link=link,
            emailed=bool(user.email) and user.pk not in opted_out,
        )
        for user in recipients.values()
    )
    mailed = [notice for notice in notices if notice.emailed]
    if mailed:
        ids = [notice.pk for notice in mailed]
        transaction.on_commit(lambda: _send_emails(notification_ids=ids))
    return notices


def _send_emails(*, notification_ids: list[int]) -> None:
    notices = Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            context = {
                "notice": notice,
                "person": notice.recipient,
                "link": absolute_link(notice.link),
                "kind": notice.get_kind_display(),
                "preferences": absolute_link("/notifications/email/"),
            }
            subject = render_to_string("emails/notification_subject.txt", context).strip()
            body = render_to_string("emails/notification.txt", context)
            messages.append(EmailMessage(subject, body, None, [notice.recipient.email]))
    try:
        get_connection().send_messages(messages)
    except Exception:
        # The notices are in the portal whatever happens to the mail server.
        logger.exception("Could not e-mail notifications %s", notification_ids)


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of the person's notices read, or all of them; how many changed."""
    notices = Notification.objects.filter(recipient=user).unread()
    if pk is not None:
        notices = notices.filter(pk=pk)
    return notices.update(read_at=timezone.now())


@transaction.atomic
def email_preferences_save(*, user: User, emailed: Iterable[str]) -> None:
    """Keep e-mail for the kinds ticked, turn it off for the others."""
    wanted = set(emailed)
    EmailOptOut.objects.filter(user=user, kind__in=wanted).delete()
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, kind=kind) for kind in NotificationKind if kind not in wanted],
        ignore_conflicts=True,
    )


def unread_count(*, user: User) -> int:
    """How many of the person's notices are unread: one indexed count (every page shows it)."""
    # Unread as `NotificationQuerySet.unread()` says (no `read_at`), in a prepared statement.
    return stored_count(Notification, recipient=user.pk, read_at=None)


def notifications_for(*, user: User, limit: int = 100) -> list[Notification]:
    """The person's latest notices, newest first."""
    return list(Notification.objects.filter(recipient=user)[:limit])


def emailed_kinds(*, user: User) -> set[str]:
    """The kinds this person receives by e-mail."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind.value for kind in NotificationKind} - off
