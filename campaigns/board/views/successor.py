"""Starting the successor campaign from the Board's pages (the command does the same)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from campaigns import access as campaign_access
from campaigns.board.forms import DATE_INPUTS
from campaigns.board.guards import UNPROCESSABLE, board_page
from campaigns.models import Campaign
from indicators import successor
from kontum_poverty.forms import StyledForm, add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access

NEW_POVERTY_STANDARD = "NĐ 07/2021/NĐ-CP"


class SuccessorForm(StyledForm):
    number = forms.CharField(label=gettext_lazy("Number and symbol"), max_length=40)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    issued_on = forms.DateField(
        label=gettext_lazy("Issued on"),
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": gettext_lazy("Write the date as dd/mm/yyyy.")},
    )
    first_year = forms.IntegerField(label=gettext_lazy("First year"), min_value=2000)
    last_year = forms.IntegerField(label=gettext_lazy("Last year"), min_value=2000)
    poverty_standard = forms.CharField(label=gettext_lazy("Poverty standard"), max_length=60)
    source_document = forms.CharField(
        label=gettext_lazy("Source document"), max_length=300, required=False
    )


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """The form that starts the next campaign from this one, and what it will copy."""
    campaign = get_object_or_404(Campaign.objects.select_related("successor"), pk=campaign_pk)
    can_act = access.is_board(request.user) and campaign_access.campaign_is_current(campaign)
    status = 200
    if request.method == "POST":
        form = SuccessorForm(request.POST)
        if form.is_valid():
            try:
                result = successor.campaign_successor_start(
                    campaign=campaign,
                    data=successor.SuccessorInput(**form.cleaned_data),
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Campaign %(number)s is started: %(baselines)s baselines carried, "
                        "%(reenter)s to enter again under %(standard)s. %(old)s is now read-only."
                    )
                    % {
                        "number": result.campaign.number,
                        "baselines": result.baselines,
                        "reenter": result.to_reenter,
                        "standard": result.campaign.poverty_standard,
                        "old": campaign.number,
                    },
                )
                first = result.campaign.periods.order_by("year").first()
                if first is not None:
                    return redirect("board:roadmap", period_pk=first.pk)
                return redirect("board:home")
        status = UNPROCESSABLE
    else:
        form = SuccessorForm(
            initial={
                "title": campaign.title,
                "first_year": campaign.last_year + 1,
                "last_year": campaign.last_year + 5,
                "poverty_standard": NEW_POVERTY_STANDARD,
            }
        )
    return render(
        request,
        "campaigns/board/successor.html",
        {"campaign": campaign, "form": form, "can_act": can_act},
        status=status,
    )
