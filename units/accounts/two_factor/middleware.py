from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from units.accounts.two_factor import services

# Pages an account that still owes its second factor may open: the two-factor pages themselves,
# signing out, the language switch and the health check. Everything else, the Django admin
# included, waits for the code. Static files never get here (WhiteNoise answers first).
OPEN_VIEWS = frozenset(
    {
        "two_factor:verify",
        "two_factor:setup",
        "logout",
        "admin:logout",
        "set_language",
        "healthz",
    }
)


class TwoFactorMiddleware:
    """Send a signed-in person who owes a second factor to type it, or to enrol first.

    Goes after django_otp's OTPMiddleware, which tells whether this session passed the second
    factor (`request.user.is_verified()`); `two_factor.E002` checks the order.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        user = request.user
        # is_verified() is installed by OTPMiddleware, which the stubs do not know.
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        # One query: enrolled or not decides where to go, and whether an officer opted in.
        enrolled = services.two_factor_enrolled(user)
        if enrolled:
            target = reverse("two_factor:verify")
        elif services.two_factor_required(user):
            target = reverse("two_factor:setup")
        else:
            return None
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the code page into a fragment; make the browser go there instead.
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)
