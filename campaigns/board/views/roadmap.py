"""The roadmap: each target's baseline with its source document and its yearly milestones.

The Board enters them (province-wide); leaders read. A blank milestone is derived in a straight
line from the baseline to the target (`indicators.progress.roadmap`).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.board.forms import BASELINE_COLUMNS, BaselineImportForm, RoadmapForm
from campaigns.board.guards import UNPROCESSABLE, board_page, period_or_404
from campaigns.models import ReportingPeriod
from indicators.models import BaselineChange
from indicators.progress import campaign_indicators
from indicators.progress.baselines import baselines_import
from indicators.progress.roadmap import roadmap_save, roadmaps
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access

HISTORY_SHOWN = 50


def baseline_year(period: ReportingPeriod) -> int:
    # The campaign's starting point is the year before its first reporting year (2017 for 3198).
    return period.campaign.first_year - 1


def _form(request: AuthenticatedRequest, period: ReportingPeriod, bound: bool) -> RoadmapForm:
    campaign = period.campaign
    indicators = campaign_indicators(campaign=campaign)
    last = max((i.target_year for i in indicators), default=campaign.last_year)
    years = list(range(campaign.first_year, last + 1))
    return RoadmapForm(
        request.POST if bound else None,
        roadmaps=roadmaps(indicators, None, years),
        years=years,
        baseline_year=baseline_year(period),
        disabled=not access.is_board(request.user),
    )


def _import_form(request: AuthenticatedRequest, period: ReportingPeriod) -> BaselineImportForm:
    posted = request.method == "POST" and request.POST.get("action") == "import"
    return BaselineImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        indicators=campaign_indicators(campaign=period.campaign),
    )


def _render(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    form: RoadmapForm,
    status: int = 200,
    import_form: BaselineImportForm | None = None,
) -> HttpResponse:
    changes = (
        BaselineChange.objects.filter(indicator__campaign=period.campaign, scope__isnull=True)
        .select_related("indicator", "set_by")
        .order_by("-set_at", "-pk")[:HISTORY_SHOWN]
    )
    return render(
        request,
        "campaigns/board/roadmap.html",
        {
            "period": period,
            "campaign": period.campaign,
            "form": form,
            "import_form": import_form or _import_form(request, period),
            "import_columns": BASELINE_COLUMNS,
            "rows": form.rows(),
            "years": form.years,
            "baseline_year": baseline_year(period),
            "changes": list(changes),
            "can_act": access.is_board(request.user),
            "can_read": True,
            "tab": "roadmap",
        },
        status=status,
    )


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def roadmap(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Baselines and milestones of every target: the Board edits, leaders read."""
    period = period_or_404(period_pk)
    if request.method == "POST" and request.POST.get("action") == "import":
        return _import(request, period)
    form = _form(request, period, bound=request.method == "POST")
    if request.method != "POST":
        return _render(request, period, form)
    if not form.is_valid():
        return _render(request, period, form, status=UNPROCESSABLE)
    try:
        roadmap_save(rows=form.inputs(), by=request.user)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render(request, period, form, status=UNPROCESSABLE)
    messages.success(request, _("The roadmap is saved."))
    return redirect("board:roadmap", period_pk=period.pk)


def _import(request: AuthenticatedRequest, period: ReportingPeriod) -> HttpResponse:
    import_form = _import_form(request, period)
    if not import_form.is_valid():
        form = _form(request, period, bound=False)
        return _render(request, period, form, status=UNPROCESSABLE, import_form=import_form)
    count = baselines_import(rows=import_form.cleaned_data["file"], by=request.user)
    messages.success(
        request, _("%(count)s baselines were imported from the file.") % {"count": count}
    )
    return redirect("board:roadmap", period_pk=period.pk)
