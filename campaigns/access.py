"""Who may see and do what with a year's reports: one function per rule, used everywhere.

Role predicates come from `units.access`; which rows a user may read at all is
`units.access.scope_for_user`. These are the rules about the campaign's own objects.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, PeriodState, ReportingPeriod, Submission
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


def campaign_is_current(campaign: Campaign) -> bool:
    """A campaign with a successor is read-only: its records stay as they were, its documents
    can still be downloaded, and the work goes on in the successor."""
    return campaign.successor_id is None


def ensure_campaign_current(campaign: Campaign) -> None:
    """Refuse any change to an earlier campaign's records; services call this before writing."""
    if not campaign_is_current(campaign):
        raise ValidationError(
            _(
                "Campaign %(campaign)s has a successor campaign: its records can be read and its "
                "documents downloaded, but not changed."
            ),
            code="campaign_read_only",
            params={"campaign": campaign.number},
        )


def board_may_act(user: User, period: ReportingPeriod) -> bool:
    """The Board acts on a year's reports while the year is open; leaders only read."""
    return (
        access.is_board(user)
        and period.state == PeriodState.OPEN
        and campaign_is_current(period.campaign)
    )


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
