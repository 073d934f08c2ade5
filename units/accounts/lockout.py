"""Sign-in lockout on top of django-axes: who is locked, until when, and unlocking.

Axes counts failed sign-ins per username and per address (settings AXES_*). Axes compares one
count with one limit, so `LockoutHandler` gives the address its own, larger limit; everything
else (recording attempts, refusing a locked sign-in) is axes' own database handler.
"""

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from units.models import AccountAction, AccountChange, User

logger = logging.getLogger(__name__)


def client_ip_address(request: HttpRequest) -> str:
    """The client's address: X-Forwarded-For is believed only from a trusted reverse proxy.

    Anyone can send an X-Forwarded-For header; only a proxy listed in TRUSTED_PROXIES (the
    address that actually connected) vouches for it. The right-most address the trusted proxies
    did not add is the client: everything to its left was written by the client itself.
    (django-ipware judges trust from the addresses inside the header, which a client connecting
    directly can forge; hence this function in AXES_CLIENT_IP_CALLABLE.)
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_valid_ip(hop):
            break  # a garbled header: fall back to the proxy's own address
        if not _is_trusted_proxy(hop):
            return hop
    return remote


def _is_valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate failure limit for the address."""

    def get_failures(self, request, credentials=None) -> int:
        # Axes returns one list of attempts per entry of AXES_LOCKOUT_PARAMETERS:
        # ["username", "ip_address"]. The address count is scaled onto the username limit,
        # which is exact: floor(n * user_limit / ip_limit) >= user_limit exactly when
        # n >= ip_limit.
        by_username, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        user_limit = settings.AXES_FAILURE_LIMIT
        return max(by_username, by_address * user_limit // settings.AXES_IP_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        # AXES_RESET_ON_SUCCESS: a successful sign-in forgets that username's failures only.
        # Axes would also forget every failure from the address, so anyone holding one account
        # could sign in between guesses and never reach the address limit, or wipe the count of
        # a username they are guessing from the same address.
        username_attempts = self.filter_user_attempts(request, credentials)[0]
        removed, _ = username_attempts.delete()
        return removed


@dataclass(frozen=True)
class Lock:
    """A locked username or address and the moment its lock ends."""

    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    until: datetime


def _locks(field: str, limit: int, *, at: datetime) -> list[Lock]:
    since = at - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=limit)
        .order_by(field)
    )
    return [
        Lock(
            kind=field,
            value=row[field],
            failures=row["failures"],
            until=row["last"] + settings.AXES_COOLOFF_TIME,
        )
        for row in rows
    ]


def locked_usernames(*, at: datetime | None = None) -> list[Lock]:
    """Usernames locked now, known or not (the Board sees what an attacker tried)."""
    return _locks("username", settings.AXES_FAILURE_LIMIT, at=at or timezone.now())


def locked_addresses(*, at: datetime | None = None) -> list[Lock]:
    """Client addresses locked now."""
    return _locks("ip_address", settings.AXES_IP_FAILURE_LIMIT, at=at or timezone.now())


def lock_ends_at(*, username: str | None, ip_address: str | None) -> datetime:
    """When the lock on this username or address ends: the latest failure plus the cool-off."""
    now = timezone.now()
    ends = [
        lock.until
        for lock in [*locked_usernames(at=now), *locked_addresses(at=now)]
        if (lock.kind == "username" and lock.value == username)
        or (lock.kind == "ip_address" and lock.value == ip_address)
    ]
    # Just locked by this very request, or a race with an unlock: the full cool-off from now.
    return max(ends, default=now + settings.AXES_COOLOFF_TIME)


@transaction.atomic
def account_unlock(*, username: str, by: User) -> int:
    """Forget a username's failed sign-ins, which ends its lock; returns the rows removed.

    Unlocking a real account is kept in its change log, with who did it and when; a username
    nobody has (an attacker's guess) leaves only the log line."""
    removed, _ = AccessAttempt.objects.filter(username=username).delete()
    logger.warning("Sign-in lock of %r removed by %s (%d rows)", username, by.username, removed)
    account = User.objects.filter(username=username).first()
    if account is not None and removed:
        AccountChange.objects.create(
            account=account,
            action=AccountAction.UNLOCKED,
            before={"locked": True},
            after={"locked": False},
            by=by,
        )
    return removed


def address_unlock(*, ip_address: str, by: User) -> int:
    """Forget an address's failed sign-ins (an office behind one NAT shares one address)."""
    removed, _ = AccessAttempt.objects.filter(ip_address=ip_address).delete()
    logger.warning("Sign-in lock of %s removed by %s (%d rows)", ip_address, by.username, removed)
    return removed
