"""The Board's and the admin's account pages; officers and leaders are refused on the server."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kontum_poverty.forms import add_service_errors, style_fields
from kontum_poverty.http import AuthenticatedRequest
from units.accounts.people import selectors, services
from units.accounts.people.forms import AccountFilterForm, MoveForm, OfficerCreateForm
from units.models import Role, User

View = Callable[..., HttpResponse]
PER_PAGE = 50
# A form a rule refused: the page comes back with the reason.
UNPROCESSABLE = 422


def people_page(view: View) -> View:
    """Only the Board and admins reach these pages, whatever the method."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.may_manage_accounts(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _base_url(request: AuthenticatedRequest) -> str:
    return request.build_absolute_uri("/")


@people_page
@require_safe
def account_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every account with its role, unit, state and last sign-in; filtered, paginated."""
    form = AccountFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.accounts(**filters), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/people/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@people_page
@require_http_methods(["GET", "HEAD", "POST"])
def officer_create(request: AuthenticatedRequest) -> HttpResponse:
    """A new officer for a unit, invited by e-mail to set their own password."""
    form = OfficerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.officer_create(
                by=request.user, base_url=_base_url(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except OSError:  # the mail server did not answer: nothing was created
            form.add_error(None, _("The invitation could not be sent. Try again later."))
        else:
            messages.success(
                request,
                _("The account is created and an invitation was sent to %(email)s.")
                % {"email": account.email},
            )
            return redirect("people:detail", pk=account.pk)
    status = UNPROCESSABLE if request.method == "POST" else 200
    return render(request, "accounts/people/create.html", {"form": form}, status=status)


def _detail(
    request: AuthenticatedRequest,
    account: User,
    *,
    move_form: MoveForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/people/detail.html",
        {
            "account": account,
            "changes": selectors.account_changes(account=account),
            "move_form": move_form or MoveForm(initial={"unit": account.unit_id}),
            "can_change": services.may_change_account(by=request.user, account=account),
            "is_self": account.pk == request.user.pk,
            "is_officer": account.role == Role.OFFICER,
            "invitation_pending": not account.has_usable_password() and account.is_active,
            "error": error,
        },
        status=status,
    )


@people_page
@require_safe
def account_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One account: who, role, unit, state, last sign-in, and every change made to it."""
    return _detail(request, selectors.account(pk=pk))


def _act(
    request: AuthenticatedRequest, pk: int, action: Callable[[User], User], done: str
) -> HttpResponse:
    account = selectors.account(pk=pk)
    try:
        action(account)
    except ValidationError as exc:
        return _detail(request, account, error=" ".join(exc.messages), status=UNPROCESSABLE)
    messages.success(request, done)
    return redirect("people:detail", pk=pk)


@people_page
@require_POST
def account_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda account: services.account_deactivate(account=account, by=request.user),
        _("The account is deactivated: it can no longer sign in."),
    )


@people_page
@require_POST
def account_reactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda account: services.account_reactivate(account=account, by=request.user),
        _("The account is active again."),
    )


@people_page
@require_POST
def invitation_resend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda account: services.invitation_resend(
            account=account, by=request.user, base_url=_base_url(request)
        ),
        _("A new invitation was sent."),
    )


@people_page
@require_POST
def officer_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move an officer to another unit."""
    account = selectors.account(pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.officer_move(account=account, unit=form.cleaned_data["unit"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The officer now belongs to %(unit)s.") % {"unit": form.cleaned_data["unit"]},
            )
            return redirect("people:detail", pk=pk)
    return _detail(request, account, move_form=form, status=UNPROCESSABLE)


class InvitationAcceptView(PasswordResetConfirmView):
    """The invited person sets their own password through Django's reset machinery: the link
    expires like a reset link, and once used it is refused."""

    template_name = "accounts/people/invitation_accept.html"
    token_generator = services.invitation_tokens
    success_url = reverse_lazy("login")
    title = gettext_lazy("Set your password")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # A deactivated account's old invitation opens nothing.
        return user if user is not None and user.is_active else None

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        style_fields(form)
        return form

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. You can sign in now."))
        return response
