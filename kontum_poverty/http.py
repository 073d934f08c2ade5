"""Request types for views behind `login_required`, so type checkers know `request.user`."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from units.models import User


class AuthenticatedRequest(HttpRequest):
    """A request whose user is logged in; set by AuthenticationMiddleware and HtmxMiddleware."""

    user: User
    htmx: HtmxDetails
