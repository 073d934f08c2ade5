"""Reads for the account pages: the list with its filters, one account with its changes."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from units.models import AccountAction, AccountChange, Unit, User


@dataclass(frozen=True)
class ChangeLine:
    """One account change as the page shows it: the units named, not their ids."""

    change: AccountChange
    before: str
    after: str


def accounts(
    *, role: str = "", unit: Unit | None = None, active: bool | None = None
) -> QuerySet[User]:
    """Every account, filtered by role, unit and active state, by username."""
    queryset = User.objects.select_related("unit").order_by("username")
    if role:
        queryset = queryset.filter(role=role)
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset


def account(*, pk: int) -> User:
    return get_object_or_404(User.objects.select_related("unit"), pk=pk)


def account_changes(*, account: User) -> list[ChangeLine]:
    """The account's changes, newest first, with the units of a move named."""
    changes = list(
        AccountChange.objects.filter(account=account).select_related("by").order_by("-at", "-pk")
    )
    unit_ids = {
        value
        for change in changes
        if change.action == AccountAction.MOVED
        for value in (change.before.get("unit"), change.after.get("unit"))
    }
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    lines = []
    for change in changes:
        before = after = ""
        if change.action == AccountAction.MOVED:
            before = names.get(change.before.get("unit"), "—")
            after = names.get(change.after.get("unit"), "—")
        elif change.action in (AccountAction.CREATED, AccountAction.INVITED):
            after = change.after.get("email", "")
        lines.append(ChangeLine(change=change, before=before, after=after))
    return lines


def assignable_units() -> QuerySet[Unit]:
    """Units an officer may belong to: every unit that takes part, the province aside."""
    return Unit.objects.participating().order_by("code")
