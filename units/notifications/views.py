"""A person's own notices: the list, marking them read, and which kinds come by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontum_poverty.http import AuthenticatedRequest
from units.notifications import services
from units.notifications.forms import EmailPreferencesForm
from units.notifications.models import Notification


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    notices = services.notifications_for(user=request.user)
    return render(request, "notifications/notification_list.html", {"notices": notices})


@login_required
@require_POST
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go where it points."""
    # Only one's own notices: another person's id is a 404.
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, pk=notice.pk)
    if notice.link and url_has_allowed_host_and_scheme(
        notice.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = services.notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def email_preferences(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            services.email_preferences_save(user=request.user, emailed=form.cleaned_data["emailed"])
            messages.success(request, _("Your e-mail choices are saved."))
            return redirect("notifications:email")
    else:
        form = EmailPreferencesForm(
            initial={"emailed": sorted(services.emailed_kinds(user=request.user))}
        )
    return render(request, "notifications/email_preferences.html", {"form": form})
