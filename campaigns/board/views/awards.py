"""Award proposals: derived from the ranking, edited and decided by the Board; leaders read."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from campaigns import access as campaign_access
from campaigns import ranking as ranking_module
from campaigns import selectors
from campaigns.board.forms import (
    ProposalAddForm,
    ProposalDecideForm,
    ProposalForm,
    ProposalReasonForm,
)
from campaigns.board.guards import Action, board_page, period_or_404, run_page_action
from campaigns.models import (
    AwardProposal,
    NomineeKind,
    ReportingPeriod,
)
from campaigns.ranking import RankedUnit
from campaigns.services import awards, periods
from campaigns.services.awards import Eligibility
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.models import Unit


@dataclass
class ProposalRow:
    proposal: AwardProposal
    eligibility: Eligibility | None
    reason_form: ProposalReasonForm
    decide_form: ProposalDecideForm


@dataclass
class EligibilityRow:
    bloc: str
    row: RankedUnit
    state: str
    checks: list[Eligibility]


def nominee_units() -> QuerySet[Unit]:
    """Units a nominee may belong to: a collective must take part (the service checks), a person
    or a household may be of any unit, a commune included."""
    return Unit.objects.participating()


def _proposal_rows(
    proposals: list[AwardProposal],
    checks: dict[tuple[int, str], Eligibility],
    failed: Form | None,
) -> list[ProposalRow]:
    rows = []
    for proposal in proposals:
        auto_id = f"id_p{proposal.pk}_%s"
        reason_form = ProposalReasonForm(
            initial={
                "proposal": proposal.pk,
                "reason": proposal.reason,
                "summary": proposal.summary,
            },
            auto_id=auto_id,
        )
        decide_form = ProposalDecideForm(
            initial={
                "proposal": proposal.pk,
                "decision_number": proposal.decision_number,
                "decision_date": proposal.decision_date,
            },
            auto_id=auto_id,
        )
        # The form that was refused shows again in its row, as typed, with its errors.
        if (
            failed is not None
            and failed.is_bound
            and failed.data.get("proposal") == str(proposal.pk)
        ):
            failed.auto_id = auto_id
            if isinstance(failed, ProposalReasonForm):
                reason_form = failed
            elif isinstance(failed, ProposalDecideForm):
                decide_form = failed
        rows.append(
            ProposalRow(
                proposal=proposal,
                eligibility=checks.get((proposal.unit_id, proposal.award)),
                reason_form=reason_form,
                decide_form=decide_form,
            )
        )
    return rows


def _render_awards(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    *,
    failed: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    rankings = ranking_module.bloc_rankings(period=period)
    checks = awards.award_eligibility(period=period, rankings=rankings)
    proposals = list(
        AwardProposal.objects.filter(period=period)
        .select_related("unit", "nominee", "form", "proposed_by")
        .order_by("award", "unit__code")
    )
    proposed = {(p.unit_id, p.award) for p in proposals}
    not_proposed = sorted(
        (check for key, check in checks.items() if check.eligible and key not in proposed),
        key=lambda c: (c.award, c.unit.code),
    )
    show_all = request.GET.get("all") == "1"
    labels = ranking_module.state_labels()
    everyone = (
        [
            EligibilityRow(
                bloc=r.bloc.name,
                row=row,
                state=labels.get(row.state, row.state),
                checks=[
                    check
                    for award in awards.RANKED_AWARDS
                    if (check := checks.get((row.unit.pk, award.value))) is not None
                ],
            )
            for r in rankings
            for row in r.rows
        ]
        if show_all
        else []
    )
    proposing = awards.proposing_open(period)
    # While the year is open, the page says how many units still keep it open.
    waiting = [] if proposing else periods.units_blocking_close(period=period)
    add_form = (
        failed if isinstance(failed, ProposalAddForm) else ProposalAddForm(units=nominee_units())
    )
    return render(
        request,
        "campaigns/board/awards.html",
        {
            "period": period,
            "campaign": period.campaign,
            "rows": _proposal_rows(proposals, checks, failed),
            "not_proposed": not_proposed,
            "show_all": show_all,
            "everyone": everyone,
            "add_form": add_form,
            "ranked_awards": [kind.value for kind in awards.RANKED_AWARDS],
            "error_form": failed,
            "can_read": True,
            "can_act": access.is_board(request.user)
            and campaign_access.campaign_is_current(period.campaign),
            "can_review": access.reads_board_pages(request.user),
            "locked": period.is_locked,
            "proposing_open": proposing,
            "waiting_count": len(waiting),
            "participating_count": selectors.participating_units(period=period).count()
            if not proposing
            else None,
            "tab": "awards",
        },
        status=status,
    )


def _proposal(period: ReportingPeriod, form: ProposalForm) -> AwardProposal:
    # Looked up inside the year in the URL: an id from another year is not found.
    return get_object_or_404(
        AwardProposal.objects.select_related("unit", "nominee", "form"),
        pk=form.cleaned_data["proposal"],
        period=period,
    )


def _derive(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    form = Form(request.POST)
    form.is_valid()
    try:
        created = awards.proposals_derive(period=period, by=request.user)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)s proposal added from the ranking.",
                "%(count)s proposals added from the ranking.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(request, _("No new proposal: every eligible unit is already proposed."))
    return None


def _add(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    form = ProposalAddForm(request.POST, units=nominee_units())
    if not form.is_valid():
        return form
    try:
        proposal = awards.proposal_add(
            period=period,
            unit=form.cleaned_data["unit"],
            award=form.cleaned_data["award"],
            reason=form.cleaned_data["reason"],
            nominee_kind=form.cleaned_data["nominee_kind"] or NomineeKind.COLLECTIVE,
            nominee_name=form.cleaned_data["nominee_name"],
            nominee_details=form.cleaned_data["nominee_details"],
            summary=form.cleaned_data["summary"],
            by=request.user,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    messages.success(
        request,
        _("%(unit)s is proposed for the %(award)s.")
        % {"unit": proposal.nominee.name, "award": proposal.form.name},
    )
    return None


def _update(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    form = ProposalReasonForm(request.POST)
    if not form.is_valid():
        return form
    proposal = _proposal(period, form)
    try:
        awards.proposal_update(
            proposal=proposal,
            reason=form.cleaned_data["reason"],
            summary=form.cleaned_data["summary"],
            by=request.user,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    messages.success(
        request, _("The proposal for %(unit)s is saved.") % {"unit": proposal.unit.name}
    )
    return None


def _remove(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return form
    proposal = _proposal(period, form)
    try:
        awards.proposal_remove(proposal=proposal, by=request.user)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    messages.success(
        request,
        _("The proposal of %(unit)s for the %(award)s is withdrawn.")
        % {"unit": proposal.unit.name, "award": proposal.get_award_display()},
    )
    return None


def _decide(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    form = ProposalDecideForm(request.POST)
    if not form.is_valid():
        return form
    proposal = _proposal(period, form)
    try:
        proposal = awards.proposal_decide(
            proposal=proposal,
            by=request.user,
            status=form.cleaned_data["status"],
            decision_number=form.cleaned_data["decision_number"],
            decision_date=form.cleaned_data["decision_date"],
            signer_name=form.cleaned_data["signer_name"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    messages.success(
        request,
        _("The proposal of %(unit)s for the %(award)s: %(status)s.")
        % {
            "unit": proposal.unit.name,
            "award": proposal.get_award_display(),
            "status": proposal.get_status_display(),
        },
    )
    return None


AWARD_ACTIONS: dict[str, Action] = {
    "derive": _derive,
    "add": _add,
    "update": _update,
    "remove": _remove,
    "decide": _decide,
}


@board_page
@require_http_methods(["GET", "HEAD", "POST"])
def award_proposals(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Proposals for the flag and the certificate, each beside its eligibility check."""
    period = period_or_404(period_pk)
    if request.method != "POST":
        return _render_awards(request, period)
    return run_page_action(
        request,
        period,
        actions=AWARD_ACTIONS,
        render_page=_render_awards,
        done_url=reverse("board:awards", args=[period.pk]),
    )
