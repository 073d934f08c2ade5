"""Who may see and do what with a year's reports: one function per rule, used everywhere.

Role predicates come from `units.access`; which rows a user may read at all is
`units.access.scope_for_user`. These are the rules about the campaign's own objects.
"""

from django.core.exceptions import PermissionDenied

from campaigns.models import PeriodState, ReportingPeriod, Submission
from units import access
from units.models import User


def ensure_board(user: User) -> None:
    """Only Board staff review; the views check too, this keeps commands and tasks honest."""
    if not access.is_board(user):
        raise PermissionDenied


def ensure_admin(user: User) -> None:
    """Only an administrator unlocks a locked year."""
    if not access.is_admin(user):
        raise PermissionDenied


def board_may_act(user: User, period: ReportingPeriod) -> bool:
    """The Board acts on a year's reports while the year is open; leaders only read."""
    return access.is_board(user) and period.state == PeriodState.OPEN


def board_points_visible(*, user: User, submission: Submission) -> bool:
    """Board points stay hidden from the unit until the Board has closed the year."""
    if access.sees_every_unit(user):
        return True
    return submission.period.state in (PeriodState.CLOSED, PeriodState.LOCKED)


def evidence_downloadable(*, user: User) -> bool:
    """Evidence goes to the unit itself, the Board and admins; leaders read figures, not files."""
    return access.is_unit_officer(user) or access.is_board(user) or access.is_admin(user)


def fills_reports_of(user: User) -> int | None:
    """The unit whose registration and yearly report `user` fills in, if any."""
    return user.unit_id if access.is_unit_officer(user) else None


def may_edit_report(*, user: User, submission: Submission) -> bool:
    """A unit's own officer changes its report while the report is a draft or returned."""
    return fills_reports_of(user) == submission.unit_id and submission.is_editable_by_unit
