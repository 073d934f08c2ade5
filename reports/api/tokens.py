"""API tokens: issued and revoked by an administrator, sent by integrations as a bearer token.

Only the SHA-256 digest of a key is stored: the raw key is shown once, when it is issued. Keys
are 256 random bits, so a fast digest is enough (there is nothing to guess a key from).
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from reports.models import ApiScope, ApiToken
from units import access
from units.models import Unit, User

KEY_PREFIX = "kt_"
# last_used_at is written at most this often per token: a busy integration must not turn every
# read into a write.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(
    *,
    name: str,
    account: User,
    scopes: list[str],
    by: User,
    unit: Unit | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for an integration; returns it with its raw key, which is never kept."""
    if not access.is_admin(by):
        raise ValidationError(_("Only an administrator issues API tokens."), code="not_admin")
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown:
        raise ValidationError(
            _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}, code="unknown_scope"
        )
    if not account.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive_account")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        account=account,
        unit=unit,
        scopes=sorted(set(scopes)),
        prefix=key[:10],
        key_hash=_digest(key),
        created_by=by,
        expires_at=expires_at,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Stop a token at once; the row stays, with who revoked it and when."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token with this raw key: not revoked, not expired, its account still active."""
    token = (
        ApiToken.objects.select_related("account", "account__unit", "unit")
        .filter(key_hash=_digest(key), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.account.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`; a wrong, revoked or expired key is a 401, never anonymous."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be “Bearer” followed by the token.")
            )
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        return token.account, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema and the documentation page describe the token."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A read-only token issued by the portal's administrator.",
        }
