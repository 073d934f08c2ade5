from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
OTP = "units.accounts.two_factor.middleware.DeviceMiddleware"
TWO_FACTOR = "units.accounts.two_factor.middleware.TwoFactorMiddleware"


class TwoFactorConfig(AppConfig):
    name = "units.accounts.two_factor"
    label = "two_factor"
    verbose_name = _("Two-factor sign-in")

    def ready(self) -> None:
        checks.register(check_middleware_order, checks.Tags.security)


def check_middleware_order(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The guard reads what OTPMiddleware sets, which reads what AuthenticationMiddleware sets.

    Several people edit MIDDLEWARE; a merge that drops or reorders these lines would silently
    let Board and admin sessions through with a password alone.
    """
    del app_configs, kwargs
    middleware = list(settings.MIDDLEWARE)
    if not apps.is_installed("django_otp"):
        return [checks.Error("django_otp must be in INSTALLED_APPS.", id="two_factor.E001")]
    positions = [
        middleware.index(name) if name in middleware else -1
        for name in (AUTHENTICATION, OTP, TWO_FACTOR)
    ]
    if -1 in positions or positions != sorted(positions):
        return [
            checks.Error(
                f"MIDDLEWARE must list {AUTHENTICATION}, then {OTP}, then {TWO_FACTOR}.",
                id="two_factor.E002",
            )
        ]
    return []
