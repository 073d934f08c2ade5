"""Who may open and act on the Board's year-end pages, and the year they are about."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from campaigns.models import ReportingPeriod
from kontum_poverty.http import AuthenticatedRequest
from units.models import User

UNPROCESSABLE = 422


def can_read(user: User) -> bool:
    return user.is_active and (user.is_board or user.is_leader)


def can_act(user: User) -> bool:
    return user.is_active and user.is_board


def ensure_reader(request: AuthenticatedRequest) -> None:
    """Board staff and leaders read; anyone else, admins included, is refused. Only the Board
    writes, so a leader's POST is refused before anything is looked at."""
    if not can_read(request.user):
        raise PermissionDenied
    if request.method == "POST" and not can_act(request.user):
        raise PermissionDenied


def period_or_404(period_pk: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.select_related("campaign"), pk=period_pk)
