from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from kontum_poverty.bulk import stored_rows
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


class DeviceMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware: `request.user.is_verified()` says whether this session passed
    its second factor. The device the session names is read with a prepared statement, not a
    query the ORM compiles on every request; django-otp still checks that the device is the
    person's own and confirmed (`_finalize_device`)."""

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        # As `Device.from_persistent_id`: "app_label.model/id"; anything else names no device.
        label, _sep, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        try:
            model = apps.get_model(label)
        except (ValueError, LookupError):
            return None
        if not issubclass(model, Device) or not device_id.isascii() or not device_id.isdigit():
            return None
        found = stored_rows(model, id=int(device_id))
        return found[0] if found else None


class TwoFactorMiddleware:
    """Send a signed-in person who owes a second factor to type it, or to enrol first.

    Goes after `DeviceMiddleware` (django-otp's OTPMiddleware), which tells whether this
    session passed the second factor (`request.user.is_verified()`); `two_factor.E002` checks
    the order.
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
