"""End Board and administrator sessions that have been idle too long."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from units import access

SESSION_KEY = "staff_last_seen"
# The timestamp is rewritten at most this often, so a busy page does not save the session on
# every request; the idle limit is then exact to within this many seconds.
TOUCH_EVERY_SECONDS = 60


def stamp_sign_in(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """Start the idle clock at sign-in (user_logged_in), so the first page saves no session."""
    if getattr(request, "session", None) is not None:
        request.session[SESSION_KEY] = time.time()


class StaffIdleTimeoutMiddleware:
    """Board and admin accounts can lock a year or change any unit: a forgotten open browser
    must not stay signed in. After STAFF_SESSION_IDLE_MINUTES without a request, sign out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        minutes = settings.STAFF_SESSION_IDLE_MINUTES
        user = getattr(request, "user", None)
        if (
            minutes
            and user is not None
            and user.is_authenticated
            and (access.is_board(user) or access.is_admin(user) or user.is_staff)
        ):
            now = time.time()
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now - last_seen > minutes * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": minutes},
                )
                response = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request") == "true":  # runs before HtmxMiddleware
                    # htmx would swap the login page into a fragment; send the whole tab there.
                    response["HX-Redirect"] = response["Location"]
                return response
            if last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
