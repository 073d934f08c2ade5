"""The Board's page for the groups the campaign names: the Program 135 and border lists with
their provenance, completed by the Board with the deciding document; the warning threshold for
falling back into poverty; and whether DOLISA's appraisal must come before acceptance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.board.forms import AppraisalRequiredForm, FallingBackThresholdForm, UnitFlagForm
from campaigns.board.guards import UNPROCESSABLE, board_page, period_or_404
from campaigns.models import ReportingPeriod
from campaigns.services import figures as figure_services
from indicators.progress import groups as poverty_groups
from kontum_poverty.forms import StyledForm, add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units import services as unit_services
from units.models import Unit, UnitFlag, UnitLevel


def _communes() -> QuerySet[Unit]:
    return Unit.objects.filter(level=UnitLevel.COMMUNE, is_active=True).select_related("parent")


def _render(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    forms: dict[str, StyledForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    campaign = period.campaign
    forms = forms or {}
    year = period.year
    flags = (
        UnitFlag.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__year__gte=year), valid_from__year__lte=year
        )
        .select_related("unit__parent", "added_by")
        .order_by("flag", "unit__parent__code", "unit__code")
    )
    threshold = campaign.falling_back_threshold
    return render(
        request,
        "campaigns/board/groups.html",
        {
            "period": period,
            "campaign": campaign,
            "lists": poverty_groups.flag_lists(year=year),
            "flags": list(flags),
            "flag_form": forms.get("flag")
            or UnitFlagForm(communes=_communes(), initial={"valid_from": f"01/01/{year}"}),
            "threshold_form": forms.get("threshold")
            or FallingBackThresholdForm(initial={"threshold": threshold}),
            "appraisal_form": forms.get("appraisal")
            or AppraisalRequiredForm(
                initial={"required": "yes" if campaign.appraisal_required else "no"}
            ),
            "can_act": access.is_board(request.user),
            "can_read": True,
            "tab": "groups",
        },
        status=status,
    )


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def groups(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The lists behind the groups, and the Board's settings for poverty figures."""
    period = period_or_404(period_pk)
    if request.method != "POST":
        return _render(request, period)
    action = request.POST.get("action", "")
    url = redirect("board:groups", period_pk=period.pk)
    if action == "flag":
        flag_form = UnitFlagForm(request.POST, communes=_communes())
        if flag_form.is_valid():
            data = flag_form.cleaned_data
            try:
                flag = unit_services.unit_flag_add(
                    unit=data["unit"],
                    flag=data["flag"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    decision=data["decision"],
                    note=data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(flag_form, exc)
            else:
                messages.success(
                    request,
                    _("%(unit)s is added to the list: %(flag)s.")
                    % {"unit": flag.unit.name, "flag": flag.get_flag_display()},
                )
                return url
        return _render(request, period, {"flag": flag_form}, status=UNPROCESSABLE)
    if action == "remove":
        pk = request.POST.get("flag", "")
        removed = UnitFlag.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
        if removed is not None:
            try:
                unit_services.unit_flag_remove(flag=removed, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The flag is removed."))
        return url
    if action == "threshold":
        threshold_form = FallingBackThresholdForm(request.POST)
        if threshold_form.is_valid():
            try:
                figure_services.falling_back_threshold_set(
                    campaign=period.campaign,
                    threshold=threshold_form.cleaned_data["threshold"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(threshold_form, exc)
            else:
                messages.success(request, _("The warning threshold is saved."))
                return url
        return _render(request, period, {"threshold": threshold_form}, status=UNPROCESSABLE)
    if action == "appraisal":
        appraisal_form = AppraisalRequiredForm(request.POST)
        if appraisal_form.is_valid():
            figure_services.appraisal_required_set(
                campaign=period.campaign,
                required=appraisal_form.cleaned_data["required"] == "yes",
                by=request.user,
            )
            messages.success(request, _("The rule for DOLISA's appraisal is saved."))
            return url
        return _render(request, period, {"appraisal": appraisal_form}, status=UNPROCESSABLE)
    return url
