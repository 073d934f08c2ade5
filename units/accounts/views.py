"""Account pages of the portal: the lockout page, the CSRF failure page, unlocking sign-ins.

Password change and reset are Django's own views with the portal's templates
(templates/registration/), routed in kontum_poverty/urls.py beside login and logout.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.accounts import lockout
from units.accounts.forms import UnlockForm
from units.models import User


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page for a locked sign-in (AXES_LOCKOUT_CALLABLE).

    Identical for an unknown and a real username: an empty form and the same sentence, so
    nobody learns from it whether the account exists.
    """
    username = (credentials or {}).get("username") or request.POST.get("username")
    until = lockout.lock_ends_at(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    )
    context = {"form": AuthenticationForm(request), "locked_until": until}
    return render(request, "registration/login.html", context, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The page for a refused form (CSRF_FAILURE_VIEW): what happened and what to do."""
    return render(request, "403_csrf.html", status=403)


def _may_unlock(user: User) -> bool:
    return access.is_board(user) or access.is_admin(user)


@login_required
def locked_list(request: AuthenticatedRequest) -> HttpResponse:
    if not _may_unlock(request.user):
        raise PermissionDenied
    context = {
        "sections": [
            (_("Usernames"), lockout.locked_usernames()),
            (_("Computers' addresses"), lockout.locked_addresses()),
        ]
    }
    return render(request, "accounts/locked_list.html", context)


@login_required
@require_POST
def unlock(request: AuthenticatedRequest) -> HttpResponse:
    if not _may_unlock(request.user):
        raise PermissionDenied
    form = UnlockForm(request.POST)
    if form.is_valid():
        value = form.cleaned_data["value"]
        if form.cleaned_data["kind"] == "username":
            lockout.account_unlock(username=value, by=request.user)
        else:
            lockout.address_unlock(ip_address=value, by=request.user)
        messages.success(request, _("%(value)s can sign in again.") % {"value": value})
    return redirect("accounts:locked")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view; the e-mail says how long its link lasts (PASSWORD_RESET_TIMEOUT)."""

    @property
    def extra_email_context(self) -> dict[str, int]:  # type: ignore[override]
        return {"expiry_hours": max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600))}
