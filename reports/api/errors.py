"""Error answers in the portal's language: DRF's own messages are only partly in Vietnamese."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _message(exc: exceptions.APIException) -> str | None:
    """The portal's words for DRF's default messages; None keeps a message a view wrote."""
    if isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None)  # set by DRF, unknown to its stubs
        if wait is None:
            return _("Too many requests. Try again later.")
        return _("Too many requests. Try again in %(seconds)d seconds.") % {
            "seconds": max(1, round(wait))
        }
    if exc.detail != exc.default_detail:
        return None
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("This address needs a token: send the header “Authorization: Bearer <token>”.")
    if isinstance(exc, exceptions.PermissionDenied):
        return _("This token may not read this address.")
    if isinstance(exc, exceptions.NotFound):
        return _("Nothing is at this address.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("The API is read-only: only GET is answered.")
    if isinstance(exc, exceptions.NotAcceptable):
        return _("Ask for JSON or CSV (?format=csv).")
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        message = _message(exc)
        if message is not None:
            response.data = {"detail": message}
    return response
