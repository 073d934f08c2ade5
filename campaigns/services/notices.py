"""Tell a unit's officers, or the Board, what happened to a yearly report or a request."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise

from campaigns.models import Submission
from units.models import NotificationKind, Role, Unit, User
from units.notifications.services import notify


def unit_officers(unit: Unit) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.OFFICER, unit=unit)


def board_members() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.BOARD)


def submission_link(submission: Submission) -> str:
    return reverse("campaigns:submission-detail", args=[submission.pk])


def tell_unit(
    *,
    unit: Unit,
    kind: NotificationKind,
    message: str | Promise,
    params: Mapping[str, Any],
    link: str,
) -> None:
    notify(users=unit_officers(unit), kind=kind, message=message, params=params, link=link)


def tell_board(
    *, kind: NotificationKind, message: str | Promise, params: Mapping[str, Any], link: str
) -> None:
    notify(users=board_members(), kind=kind, message=message, params=params, link=link)
