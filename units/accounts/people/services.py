"""Changes to accounts made by the Board or an admin; each one is an `AccountChange` row."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from units import access
from units.models import AccountAction, AccountChange, Role, Unit, User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens under their own salt: an invitation link is not a reset link, but
    it expires like one (PASSWORD_RESET_TIMEOUT) and dies once a password is set."""

    key_salt = "units.accounts.people.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def may_manage_accounts(user: User) -> bool:
    """The Board and the portal's administrators manage accounts; nobody else."""
    return access.is_board(user) or access.is_admin(user)


def may_change_account(*, by: User, account: User) -> bool:
    """The Board manages officers, leaders and Board staff; only an admin touches an admin."""
    if not may_manage_accounts(by):
        return False
    return access.is_admin(by) or not (account.is_superuser or account.role == Role.ADMIN)


def _ensure_may_change(*, by: User, account: User) -> None:
    if not may_change_account(by=by, account=account):
        raise PermissionDenied


def _record(
    *, account: User, action: str, by: User, before: dict[str, Any], after: dict[str, Any]
) -> AccountChange:
    return AccountChange.objects.create(
        account=account, action=action, by=by, before=before, after=after
    )


def _locked(account: User) -> User:
    # Two Board members acting on one account at once: the second sees the first's result.
    return User.objects.select_for_update().get(pk=account.pk)


def invitation_link(*, account: User, base_url: str) -> str:
    """The absolute link that lets the person set their own password."""
    path = reverse(
        "people:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
            "token": invitation_tokens.make_token(account),
        },
    )
    return base_url.rstrip("/") + path


def _send_invitation(*, account: User, base_url: str) -> None:
    context = {
        "account": account,
        "link": invitation_link(account=account, base_url=base_url),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    # The person reads Vietnamese whatever language the Board's page was in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/account_invitation_subject.txt", context).strip()
        body = render_to_string("emails/account_invitation.txt", context)
    send_mail(subject, body, None, [account.email], fail_silently=False)


@transaction.atomic
def officer_create(
    *, by: User, username: str, full_name: str, email: str, unit: Unit, base_url: str
) -> User:
    """Create a unit officer without a usable password and e-mail them an invitation to set one.

    The e-mail is sent inside the transaction: if it cannot be sent, no account is left behind
    that nobody was told about."""
    if not may_manage_accounts(by):
        raise PermissionDenied
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": ValidationError(_("This username is taken."), code="username_taken")}
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("Another account already uses this e-mail address."), code="email_taken"
                )
            }
        )
    if not unit.is_active:
        raise ValidationError(
            {"unit": ValidationError(_("This unit no longer takes part."), code="unit_inactive")}
        )
    # Vietnamese names are written family name first: the whole name is kept in one field, so
    # get_full_name() gives it back as written.
    account = User(
        username=username, first_name=full_name, email=email, role=Role.OFFICER, unit=unit
    )
    account.set_unusable_password()
    account.save()
    _record(
        account=account,
        action=AccountAction.CREATED,
        by=by,
        before={},
        after={
            "username": username,
            "full_name": full_name,
            "email": email,
            "role": Role.OFFICER.value,
            "unit": unit.pk,
        },
    )
    _send_invitation(account=account, base_url=base_url)
    return account


@transaction.atomic
def invitation_resend(*, account: User, by: User, base_url: str) -> User:
    """Send a new invitation to someone who has not set a password yet (the last one expired)."""
    _ensure_may_change(by=by, account=account)
    account = _locked(account)
    if account.has_usable_password():
        raise ValidationError(
            _("This person has already set a password."), code="password_already_set"
        )
    if not account.is_active:
        raise ValidationError(_("Reactivate the account first."), code="inactive")
    if not account.email:
        raise ValidationError(_("The account has no e-mail address."), code="no_email")
    _record(
        account=account,
        action=AccountAction.INVITED,
        by=by,
        before={},
        after={"email": account.email},
    )
    _send_invitation(account=account, base_url=base_url)
    return account


@transaction.atomic
def account_deactivate(*, account: User, by: User) -> User:
    """Stop an account from signing in; its reports, scores and history stay."""
    _ensure_may_change(by=by, account=account)
    if account.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="own_account")
    account = _locked(account)
    if not account.is_active:
        raise ValidationError(_("This account is already deactivated."), code="already_inactive")
    account.is_active = False
    account.save(update_fields=["is_active"])
    _record(
        account=account,
        action=AccountAction.DEACTIVATED,
        by=by,
        before={"is_active": True},
        after={"is_active": False},
    )
    return account


@transaction.atomic
def account_reactivate(*, account: User, by: User) -> User:
    """Let a deactivated account sign in again, with the password it had."""
    _ensure_may_change(by=by, account=account)
    account = _locked(account)
    if account.is_active:
        raise ValidationError(_("This account is already active."), code="already_active")
    account.is_active = True
    account.save(update_fields=["is_active"])
    _record(
        account=account,
        action=AccountAction.REACTIVATED,
        by=by,
        before={"is_active": False},
        after={"is_active": True},
    )
    return account


@transaction.atomic
def officer_move(*, account: User, unit: Unit, by: User) -> User:
    """Move an officer to another unit: from now on they see and report for that unit only."""
    _ensure_may_change(by=by, account=account)
    account = _locked(account)
    if account.role != Role.OFFICER:
        raise ValidationError(_("Only a unit officer belongs to a unit."), code="not_officer")
    if account.unit_id == unit.pk:
        raise ValidationError(
            {"unit": ValidationError(_("The officer is already in this unit."), code="same_unit")}
        )
    if not unit.is_active:
        raise ValidationError(
            {"unit": ValidationError(_("This unit no longer takes part."), code="unit_inactive")}
        )
    before = account.unit_id
    account.unit = unit
    account.save(update_fields=["unit"])
    _record(
        account=account,
        action=AccountAction.MOVED,
        by=by,
        before={"unit": before},
        after={"unit": unit.pk},
    )
    return account
