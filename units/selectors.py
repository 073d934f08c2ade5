"""Reads that depend on who is asking.

Every officer query goes through `scope_for_user`: an officer only ever sees rows of their own
unit, and another unit's row answers 404 exactly like a missing one, so ids leak nothing.
"""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from units.models import Role, User

M = TypeVar("M", bound=Model)


def scope_for_user(queryset: QuerySet[M], *, user: User, unit_field: str = "unit") -> QuerySet[M]:
    """Limit a queryset to what the user's role and unit allow."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.role in (Role.ADMIN, Role.BOARD, Role.LEADER):
        return queryset
    if user.role == Role.OFFICER and user.unit_id is not None:
        return queryset.filter(**{unit_field: user.unit_id})
    return queryset.none()


def get_for_user_or_404(
    queryset: QuerySet[M], *, user: User, unit_field: str = "unit", **lookup: object
) -> M:
    """Fetch one row the user may see; a row of another unit is a 404, like a missing one."""
    try:
        return scope_for_user(queryset, user=user, unit_field=unit_field).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
