"""Who someone is in the portal: the role predicates every app asks, one function per rule.

A deactivated account is nobody, whatever its role: commands and tasks act for accounts too, and
a request's user may have been deactivated since it signed in. Rules about one kind of object
(a yearly report, a dashboard scope, a PDF) live in the access module of the app that owns it and
build on these.
"""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from units.models import Role, User

M = TypeVar("M", bound=Model)


def is_admin(user: User) -> bool:
    """The portal's administrator: the admin role, or a Django superuser."""
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


def is_board(user: User) -> bool:
    """Emulation–Reward Board staff: they review, score, rank, propose awards, close a year."""
    return user.is_active and user.role == Role.BOARD


def is_leader(user: User) -> bool:
    return user.is_active and user.role == Role.LEADER


def is_dolisa(user: User) -> bool:
    """Staff of the Department of Labour, Invalids and Social Affairs: they appraise the poverty
    figures of the yearly reports and of the commune statistics, and change nothing else."""
    return user.is_active and user.role == Role.DOLISA


def is_unit_officer(user: User) -> bool:
    """An officer of a unit; the database refuses an officer without one."""
    return user.is_active and user.role == Role.OFFICER and user.unit_id is not None


def reads_board_pages(user: User) -> bool:
    """The Board's pages are read by the Board and by leaders; only the Board acts on them."""
    return is_board(user) or is_leader(user)


def sees_every_unit(user: User) -> bool:
    """Administrators, the Board and leaders see every unit; an officer sees their own."""
    return is_admin(user) or is_board(user) or is_leader(user)


def sees_unaccepted_figures(user: User) -> bool:
    """Figures from reports the Board has not accepted yet are shown to the Board and admins."""
    return is_admin(user) or is_board(user)


# --- Rows by unit -------------------------------------------------------------------------------


# `units_seen`: the user sees every unit's rows.
EVERY_UNIT = "every unit"


def units_seen(user: User) -> str | int | None:
    """Whose rows the user may see: EVERY_UNIT, one unit's id (an officer's own), or None."""
    if not user.is_authenticated:
        return None
    if sees_every_unit(user):
        return EVERY_UNIT
    if is_unit_officer(user):
        return user.unit_id
    return None


def scope_for_user(queryset: QuerySet[M], *, user: User, unit_field: str = "unit") -> QuerySet[M]:
    """Limit a queryset to what the user's role and unit allow (`units_seen`)."""
    seen = units_seen(user)
    if seen == EVERY_UNIT:
        return queryset
    if seen is None:
        return queryset.none()
    return queryset.filter(**{unit_field: seen})


def get_for_user_or_404(
    queryset: QuerySet[M], *, user: User, unit_field: str = "unit", **lookup: object
) -> M:
    """Fetch one row the user may see; a row of another unit is a 404, like a missing one."""
    try:
        return scope_for_user(queryset, user=user, unit_field=unit_field).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404 from None
