"""Two-factor pages: type a code, enrol an app, see or renew recovery codes, turn it off."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from kontum_poverty.http import AuthenticatedRequest
from units.accounts.two_factor import services
from units.accounts.two_factor.forms import AppCodeForm, CodeForm, PasswordConfirmForm

# Where freshly made recovery codes wait, once, for the page that shows them.
NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


def _next_url(request: AuthenticatedRequest) -> str:
    """The page the person was on their way to, if it is one of ours; else their home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def _is_verified(request: AuthenticatedRequest) -> bool:
    return bool(request.user.is_verified())  # type: ignore[attr-defined]


@never_cache
@login_required
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """After the password: the code from the app, or one recovery code."""
    next_url = _next_url(request)
    if _is_verified(request):
        return redirect(next_url)
    if not services.two_factor_enrolled(request.user):
        if services.two_factor_required(request.user):
            return redirect(_with_next(reverse("two_factor:setup"), next_url))
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.code_verify(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static."):
                left = services.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(left)d is left. Make new codes on the "
                        "sign-in security page if you are running out.",
                        "You used a recovery code; %(left)d are left. Make new codes on the "
                        "sign-in security page if you are running out.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    return render(request, "registration/two_factor/verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def setup(request: AuthenticatedRequest) -> HttpResponse:
    """Enrol an authenticator app: scan or type the secret, then prove it with one code."""
    next_url = _next_url(request)
    if services.two_factor_enrolled(request.user):
        # Never a second enrolment before the first factor's code: that would bypass it.
        if not _is_verified(request):
            return redirect(_with_next(reverse("two_factor:verify"), next_url))
        return redirect("two_factor:manage")
    device = services.enrolment_device(user=request.user)
    form = AppCodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = services.enrolment_confirm(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect(_with_next(reverse("two_factor:recovery-codes"), next_url))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": services.qr_code_svg(device),
        "secret": services.secret_for_typing(device),
        "required": services.two_factor_required(request.user),
    }
    return render(request, "registration/two_factor/setup.html", context)


@never_cache
@login_required
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes, shown this once; afterwards only how many are left."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None) or []
    context = {
        "codes": [services.recovery_code_display(code) for code in codes],
        "left": services.recovery_codes_left(request.user),
        "next": _next_url(request),
    }
    return render(request, "registration/two_factor/recovery_codes.html", context)


@require_POST
@login_required
def recovery_codes_new(request: AuthenticatedRequest) -> HttpResponse:
    """Replace every recovery code with a new set (the old ones stop working)."""
    try:
        codes = services.recovery_codes_regenerate(user=request.user)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    request.session[NEW_CODES_SESSION_KEY] = codes
    return redirect("two_factor:recovery-codes")


@never_cache
@login_required
def manage(request: AuthenticatedRequest) -> HttpResponse:
    """Is two-factor sign-in on, how many recovery codes are left, and what can be done."""
    enrolled = services.two_factor_enrolled(request.user)
    context = {
        "enrolled": enrolled,
        "required": services.two_factor_required(request.user),
        "left": services.recovery_codes_left(request.user) if enrolled else 0,
    }
    return render(request, "registration/two_factor/manage.html", context)


@never_cache
@login_required
def disable(request: AuthenticatedRequest) -> HttpResponse:
    """Turn it off, for roles that may; the password again proves it is the owner."""
    if not services.two_factor_enrolled(request.user):
        return redirect("two_factor:manage")
    required = services.two_factor_required(request.user)
    form = PasswordConfirmForm(request.POST or None)
    if not required and form.is_valid():
        try:
            services.two_factor_disable(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return HttpResponseRedirect(reverse("two_factor:manage"))
    return render(
        request, "registration/two_factor/disable.html", {"form": form, "required": required}
    )
