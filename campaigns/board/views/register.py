"""The award register: the campaign's forms of award with their quotas and rules, the decisions
the committee signed, and each unit's award history. The Board writes; leaders read; a unit's
officer reads the unit's own history."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns import access as campaign_access
from campaigns.board.guards import (
    UNPROCESSABLE,
    Action,
    board_page,
    period_or_404,
    run_page_action,
)
from campaigns.board.register_forms import AwardFormEditForm, DecisionForm, RecordForm
from campaigns.models import (
    AwardDecision,
    AwardForm,
    AwardProposal,
    AwardRecord,
    Campaign,
    NomineeKind,
    ProposalStatus,
    ReportingPeriod,
)
from campaigns.services import register
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.models import Unit


@dataclass
class FormRow:
    form: AwardForm
    used: int
    edit: AwardFormEditForm


def _forms_of(campaign: Campaign) -> QuerySet[AwardForm]:
    return AwardForm.objects.filter(campaign=campaign).order_by("order", "pk")


def _open_proposals(period: ReportingPeriod) -> QuerySet[AwardProposal]:
    return (
        AwardProposal.objects.filter(period=period, status=ProposalStatus.PROPOSED)
        .select_related("nominee", "form", "unit")
        .order_by("form__order", "nominee__name")
    )


def _render_register(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    *,
    failed: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    campaign = period.campaign
    forms_qs = _forms_of(campaign)
    if not forms_qs.exists():
        register.award_forms_ensure(campaign=campaign)
    used = dict(
        AwardProposal.objects.filter(period=period, status__in=register.STANDING)
        .values_list("form_id")
        .annotate(n=Count("pk"))
    )
    rows = []
    for form in forms_qs.select_related("requires"):
        edit = AwardFormEditForm(
            initial={
                "form_id": form.pk,
                "name": form.name,
                "authority": form.authority,
                "level": form.level,
                "quota": form.quota,
                "min_years_between": form.min_years_between,
                "requires": form.requires_id,
                "board_proposes": form.board_proposes,
            },
            forms_of_campaign=forms_qs.exclude(pk=form.pk),
            auto_id=f"id_f{form.pk}_%s",
        )
        if isinstance(failed, AwardFormEditForm) and failed.data.get("form_id") == str(form.pk):
            failed.auto_id = f"id_f{form.pk}_%s"
            edit = failed
        rows.append(FormRow(form=form, used=used.get(form.pk, 0), edit=edit))
    proposals = _open_proposals(period)
    decision_form = (
        failed
        if isinstance(failed, DecisionForm)
        else DecisionForm(
            forms_of_campaign=forms_qs.filter(board_proposes=True), proposals=proposals
        )
    )
    decisions = (
        AwardDecision.objects.filter(period__campaign=campaign)
        .select_related("form", "period", "recorded_by")
        .prefetch_related(
            Prefetch(
                "records",
                queryset=AwardRecord.objects.select_related("nominee__unit").order_by(
                    "nominee__name"
                ),
            )
        )
    )
    chosen = set(request.POST.getlist("proposals")) if isinstance(failed, DecisionForm) else set()
    return render(
        request,
        "campaigns/board/award_register.html",
        {
            "period": period,
            "campaign": campaign,
            "rows": rows,
            "proposals": list(proposals),
            "chosen": chosen,
            "decision_form": decision_form,
            "decisions": decisions,
            "error_form": failed,
            "can_read": True,
            "can_act": access.is_board(request.user)
            and campaign_access.campaign_is_current(campaign),
            "tab": "award-register",
        },
        status=status,
    )


def _decide(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    forms_qs = _forms_of(period.campaign)
    form = DecisionForm(
        request.POST,
        forms_of_campaign=forms_qs.filter(board_proposes=True),
        proposals=_open_proposals(period),
    )
    if not form.is_valid():
        return form
    try:
        decision = register.decision_record(
            period=period,
            form=form.cleaned_data["form"],
            number=form.cleaned_data["number"],
            signed_on=form.cleaned_data["signed_on"],
            signer_name=form.cleaned_data["signer_name"],
            signer_title=form.cleaned_data["signer_title"],
            proposals=list(form.cleaned_data["proposals"]),
            by=request.user,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    messages.success(
        request,
        _("Decision %(number)s is recorded: %(count)s nominees awarded.")
        % {"number": decision.number, "count": len(form.cleaned_data["proposals"])},
    )
    return None


def _edit_form(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    forms_qs = _forms_of(period.campaign)
    award_form = get_object_or_404(forms_qs, pk=request.POST.get("form_id") or 0)
    form = AwardFormEditForm(request.POST, forms_of_campaign=forms_qs.exclude(pk=award_form.pk))
    if not form.is_valid():
        return form
    try:
        register.form_update(form=award_form, data=form.to_input(), by=request.user)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    messages.success(request, _("“%(form)s” is saved.") % {"form": form.cleaned_data["name"]})
    return None


REGISTER_ACTIONS: dict[str, Action] = {
    "decide": _decide,
    "form": _edit_form,
}


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def award_register(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The forms of award with their quotas and rules, and the decision register."""
    period = period_or_404(period_pk)
    if request.method != "POST":
        return _render_register(request, period)
    return run_page_action(
        request,
        period,
        actions=REGISTER_ACTIONS,
        render_page=_render_register,
        done_url=reverse("board:award-register", args=[period.pk]),
    )


# --- A unit's award history ------------------------------------------------------------------


def _current_campaign() -> Campaign | None:
    return Campaign.objects.filter(successor__isnull=True).order_by("-first_year").first()


def _record_form(data: object = None) -> RecordForm:
    campaign = _current_campaign()
    forms_recorded = AwardForm.objects.filter(campaign=campaign, board_proposes=False).order_by(
        "order"
    )
    periods = ReportingPeriod.objects.filter(campaign=campaign).order_by("year")
    return RecordForm(data, forms_recorded=forms_recorded, periods=periods)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_awards(request: AuthenticatedRequest, unit_pk: int) -> HttpResponse:
    """A unit's page of awards: its collective's, its people's and its households' history.
    The Board and leaders read every unit's, an officer their own unit's; the Board records."""
    unit = get_object_or_404(Unit, pk=unit_pk)
    own = campaign_access.fills_reports_of(request.user) == unit.pk
    if not (access.reads_board_pages(request.user) or own):
        raise PermissionDenied
    can_act = access.is_board(request.user)
    if request.method == "POST" and not can_act:
        raise PermissionDenied
    form = _record_form()
    status = 200
    if request.method == "POST":
        form = _record_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _record(request, unit, data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The award is recorded in the history."))
                return redirect("board:unit-awards", unit_pk=unit.pk)
        status = UNPROCESSABLE
    records = list(register.unit_award_history(unit=unit))
    return render(
        request,
        "campaigns/board/unit_awards.html",
        {
            "unit": unit,
            "records": records,
            "collective": [r for r in records if r.nominee.kind == NomineeKind.COLLECTIVE],
            "people": [r for r in records if r.nominee.kind != NomineeKind.COLLECTIVE],
            "proposals": AwardProposal.objects.filter(
                Q(unit=unit), status=ProposalStatus.PROPOSED
            ).select_related("nominee", "form", "period"),
            "form": form,
            "can_act": can_act and form.fields["form"].queryset.exists(),  # type: ignore[attr-defined]
            "collective_name": register.collective_name(unit),
        },
        status=status,
    )


def _record(request: AuthenticatedRequest, unit: Unit, data: dict) -> AwardRecord:
    return register.record_add(
        unit=unit,
        nominee_kind=data["nominee_kind"],
        nominee_name=data["nominee_name"],
        nominee_details=data["nominee_details"],
        form=data["form"],
        decision_number=data["decision_number"],
        decided_on=data["decided_on"],
        granted_by=data["granted_by"],
        period=data["period"],
        summary=data["summary"],
        by=request.user,
    )
