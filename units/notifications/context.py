"""The navbar's unread count: counted only when a page draws it, once per page."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from units.notifications import services


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: services.unread_count(user=user))}
