"""The help beside every indicator field and figure: the Board writes it, everyone reads it."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns import selectors as campaign_selectors
from campaigns.board.forms import IndicatorHelpForm
from campaigns.board.guards import UNPROCESSABLE, board_page
from indicators.models import Indicator
from indicators.services import indicator_help_update
from kontum_poverty.http import AuthenticatedRequest
from units import access


@board_page
@require_http_methods(["GET", "POST"])
def indicator_help(request: AuthenticatedRequest) -> HttpResponse:
    period = campaign_selectors.current_period()
    indicators = list(
        Indicator.objects.filter(campaign=period.campaign) if period else Indicator.objects.none()
    )
    forms = {
        i.pk: IndicatorHelpForm(
            initial={
                "help_definition": i.help_definition,
                "description": i.description,
                "legal_source": i.legal_source,
            },
            prefix=f"help-{i.pk}",
        )
        for i in indicators
    }
    status = 200
    if request.method == "POST":
        # The guard lets only the Board post here.
        indicator = get_object_or_404(Indicator, pk=request.POST.get("indicator"))
        form = IndicatorHelpForm(request.POST, prefix=f"help-{indicator.pk}")
        if form.is_valid():
            indicator_help_update(indicator=indicator, **form.cleaned_data)
            messages.success(
                request, _("The help of “%(name)s” is saved.") % {"name": indicator.name}
            )
            return redirect(f"{request.path}#indicator-{indicator.code}")
        forms[indicator.pk] = form
        status = UNPROCESSABLE
    return render(
        request,
        "campaigns/board/help.html",
        {
            "rows": [(i, forms[i.pk]) for i in indicators],
            "can_act": access.is_board(request.user),
        },
        status=status,
    )
