"""Who may read what through the API: a token's scopes, on top of the portal's own rules.

A token acts as its account: every row is first limited by the rules the web pages apply
(`units.access`, `campaigns.access`), then by the token's unit when it has one. A scope can only
narrow what the account sees, never widen it.
"""

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:
    # Only for types: rest_framework.views imports the settings that name this module.
    from rest_framework.views import APIView

from indicators import progress
from reports.models import ApiScope, ApiToken
from units import access
from units.models import User

M = TypeVar("M", bound=Model)


def token_of(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def has_scope(request: Request, scope: str) -> bool:
    token = token_of(request)
    return token is not None and token.has_scope(scope)


def reads_unaccepted(request: Request) -> bool:
    """Reports not yet accepted leave only with the scope that says so."""
    return has_scope(request, ApiScope.UNACCEPTED)


def rows_for_token(
    queryset: QuerySet[M], request: Request, *, unit_field: str = "unit"
) -> QuerySet[M]:
    """The rows the token's account may see on the pages, narrowed to the token's unit."""
    token = token_of(request)
    if token is None:
        return queryset.none()
    queryset = access.scope_for_user(queryset, user=token.account, unit_field=unit_field)
    if token.unit is not None:
        queryset = queryset.filter(progress.unit_subtree_q(token.unit, unit_field))
    return queryset


class HasScope(BasePermission):
    """A token carrying the view's `required_scope`; anonymous clients get a 401."""

    message = _("This token does not have the scope this address needs.")

    def has_permission(self, request: Request, view: "APIView") -> bool:
        token = token_of(request)
        if token is None:
            return False
        return token.has_scope(getattr(view, "required_scope", ""))


class ReadsBoardPages(HasScope):
    """Rankings and awards: as the Board's pages, read by the Board and leaders only."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        if not super().has_permission(request, view):
            return False
        user: User = request.user  # type: ignore[assignment]
        if access.reads_board_pages(user):
            return True
        # One instance per request: the refusal says which rule said no.
        self.message = _("Only the Board and leaders read rankings and award proposals.")
        return False
