"""Request rates: anonymous clients by their address, integrations by their token."""

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.request import Request

if TYPE_CHECKING:
    # Only for types: rest_framework.views imports the settings that name this module.
    from rest_framework.views import APIView
from rest_framework.throttling import SimpleRateThrottle

from reports.models import ApiToken
from units.accounts.lockout import client_ip_address


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read when asked, not at import: the rates come from the environment (settings).
        return settings.API_THROTTLE_RATES[self.scope or ""]


class AnonymousThrottle(_SettingsRate):
    scope = "anonymous"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if isinstance(request.auth, ApiToken):
            return None
        # The address a trusted reverse proxy vouches for, as the sign-in lockout counts it.
        return self.cache_format % {"scope": self.scope, "ident": client_ip_address(request)}


class TokenThrottle(_SettingsRate):
    scope = "token"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
