"""The Emulation–Reward Board's year-end pages: ranking, award proposals, closing the year.

Board staff act; leaders read (pages and the export); an admin opens the year page only to
unlock a locked year. Every check is made here, whatever the page shows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from campaigns import ranking as ranking_module
from campaigns import selectors
from campaigns.board import exports
from campaigns.board.forms import (
    ProposalAddForm,
    ProposalDecideForm,
    ProposalForm,
    ProposalReasonForm,
    ReasonForm,
    add_service_errors,
)
from campaigns.models import (
    AwardKind,
    AwardProposal,
    ReportingPeriod,
    Submission,
)
from campaigns.ranking import BlocRanking, RankedUnit
from campaigns.services import awards, periods
from campaigns.services.awards import Eligibility
from kontum_poverty.http import AuthenticatedRequest
from units.models import Unit, User

UNPROCESSABLE = 422


def can_read(user: User) -> bool:
    return user.is_active and (user.is_board or user.is_leader)


def can_act(user: User) -> bool:
    return user.is_active and user.is_board


def _reader(request: AuthenticatedRequest) -> None:
    """Board staff and leaders read; anyone else, admins included, is refused. Only the Board
    writes, so a leader's POST is refused before anything is looked at."""
    if not can_read(request.user):
        raise PermissionDenied
    if request.method == "POST" and not can_act(request.user):
        raise PermissionDenied


def _period(period_pk: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.select_related("campaign"), pk=period_pk)


# --- Ranking ---------------------------------------------------------------------------------


@dataclass
class BlocView:
    ranking: BlocRanking
    rule: str
    ranked: list[RankedUnit]
    unranked: list[tuple[RankedUnit, str]]


def bloc_views(rankings: list[BlocRanking]) -> list[BlocView]:
    labels = exports.state_labels()
    return [
        BlocView(
            ranking=r,
            rule=ranking_module.tie_break_rule(r.main_group),
            ranked=r.ranked,
            unranked=[(row, labels[row.state]) for row in r.rows if row.rank is None],
        )
        for r in rankings
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ranking(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Each bloc's ranking with classifications, tie notes and the rule that decided them."""
    _reader(request)
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    period = _period(period_pk)
    return render(
        request,
        "campaigns/board/ranking.html",
        {
            "period": period,
            "campaign": period.campaign,
            "blocs": bloc_views(ranking_module.bloc_rankings(period=period)),
            "can_read": True,
            "can_act": can_act(request.user),
            "can_review": request.user.is_board or request.user.is_leader,
            "tab": "ranking",
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ranking_export(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The ranking and the award proposals as an .xlsx file."""
    _reader(request)
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    period = _period(period_pk)
    response = HttpResponse(exports.board_workbook(period=period), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(period)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Award proposals -------------------------------------------------------------------------


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


def _proposal_rows(
    proposals: list[AwardProposal],
    checks: dict[tuple[int, str], Eligibility],
    failed: Form | None,
) -> list[ProposalRow]:
    rows = []
    for proposal in proposals:
        auto_id = f"id_p{proposal.pk}_%s"
        reason_form = ProposalReasonForm(
            initial={"proposal": proposal.pk, "reason": proposal.reason}, auto_id=auto_id
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
        .select_related("unit", "proposed_by")
        .order_by("award", "unit__code")
    )
    proposed = {(p.unit_id, p.award) for p in proposals}
    not_proposed = sorted(
        (check for key, check in checks.items() if check.eligible and key not in proposed),
        key=lambda c: (c.award, c.unit.code),
    )
    show_all = request.GET.get("all") == "1"
    labels = exports.state_labels()
    everyone = (
        [
            EligibilityRow(
                bloc=r.bloc.name,
                row=row,
                state=labels.get(row.state, row.state),
                checks=[
                    check
                    for award in AwardKind
                    if (check := checks.get((row.unit.pk, award.value))) is not None
                ],
            )
            for r in rankings
            for row in r.rows
        ]
        if show_all
        else []
    )
    add_form = (
        failed
        if isinstance(failed, ProposalAddForm)
        else ProposalAddForm(units=selectors.participating_units(period=period))
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
            "error_form": failed,
            "can_read": True,
            "can_act": can_act(request.user),
            "can_review": request.user.is_board or request.user.is_leader,
            "locked": period.is_locked,
            "tab": "awards",
        },
        status=status,
    )


def _proposal(period: ReportingPeriod, form: ProposalForm) -> AwardProposal:
    # Looked up inside the year in the URL: an id from another year is not found.
    return get_object_or_404(
        AwardProposal.objects.select_related("unit"),
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
    form = ProposalAddForm(request.POST, units=selectors.participating_units(period=period))
    if not form.is_valid():
        return form
    try:
        proposal = awards.proposal_add(
            period=period,
            unit=form.cleaned_data["unit"],
            award=form.cleaned_data["award"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    messages.success(
        request,
        _("%(unit)s is proposed for the %(award)s.")
        % {"unit": proposal.unit.name, "award": proposal.get_award_display()},
    )
    return None


def _update(request: AuthenticatedRequest, period: ReportingPeriod) -> Form | None:
    form = ProposalReasonForm(request.POST)
    if not form.is_valid():
        return form
    proposal = _proposal(period, form)
    try:
        awards.proposal_update(
            proposal=proposal, reason=form.cleaned_data["reason"], by=request.user
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


AWARD_ACTIONS: dict[str, Callable[[AuthenticatedRequest, ReportingPeriod], Form | None]] = {
    "derive": _derive,
    "add": _add,
    "update": _update,
    "remove": _remove,
    "decide": _decide,
}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def award_proposals(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Proposals for the flag and the certificate, each beside its eligibility check."""
    _reader(request)
    period = _period(period_pk)
    if request.method != "POST":
        return _render_awards(request, period)
    action = AWARD_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        form = Form(request.POST)
        form.is_valid()
        form.add_error(None, _("Unknown action."))
        return _render_awards(request, period, failed=form, status=UNPROCESSABLE)
    failed = action(request, period)
    if failed is not None:
        return _render_awards(request, period, failed=failed, status=UNPROCESSABLE)
    return redirect("board:awards", period_pk=period.pk)


# --- Closing the year ------------------------------------------------------------------------


@dataclass
class BlockingRow:
    unit: Unit
    submission: Submission | None
    state: str


def _blocking_rows(period: ReportingPeriod) -> list[BlockingRow]:
    units = periods.units_blocking_close(period=period)
    submissions = {s.unit_id: s for s in Submission.objects.filter(period=period, unit__in=units)}
    labels = exports.state_labels()
    rows = []
    for unit in units:
        submission = submissions.get(unit.pk)
        rows.append(
            BlockingRow(
                unit=unit,
                submission=submission,
                state=labels[submission.status] if submission else labels["not_started"],
            )
        )
    return rows


def _render_year(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    *,
    failed: Form | None = None,
    failed_action: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    reopen_form = failed if failed_action == "reopen" else ReasonForm(auto_id="id_reopen_%s")
    unlock_form = failed if failed_action == "unlock" else ReasonForm(auto_id="id_unlock_%s")
    return render(
        request,
        "campaigns/board/year.html",
        {
            "period": period,
            "campaign": period.campaign,
            "events": period.events.select_related("by").order_by("at", "pk"),
            # Only the Board needs the list; the admin comes here to unlock.
            "blocking": _blocking_rows(period) if can_read(user) else [],
            "can_act": can_act(user),
            "can_review": user.is_board or user.is_leader,
            "can_read": can_read(user),
            "can_unlock": user.is_active and user.is_admin_role,
            "error_form": failed,
            "reopen_form": reopen_form,
            "unlock_form": unlock_form,
            "tab": "year",
        },
        status=status,
    )


YEAR_DONE = {
    "close": gettext_lazy("The year %(year)s is closed."),
    "close_lock": gettext_lazy("The year %(year)s is closed and locked."),
    "lock": gettext_lazy("The year %(year)s is locked."),
    "reopen": gettext_lazy("The year %(year)s is open again."),
    "unlock": gettext_lazy("The year %(year)s is unlocked; it stands closed."),
}


def _year_action(
    request: AuthenticatedRequest, period: ReportingPeriod, action: str
) -> tuple[Form, ReportingPeriod | None]:
    """Run one action on the year; the period it returns is None when the service refused."""
    by = request.user
    form: Form = ReasonForm(request.POST) if action in ("reopen", "unlock") else Form(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if action == "close":
            return form, periods.period_close(period=period, by=by)
        if action == "close_lock":
            return form, periods.period_close(period=period, by=by, lock=True)
        if action == "lock":
            return form, periods.period_lock(period=period, by=by)
        if action == "reopen":
            return form, periods.period_reopen(period=period, by=by, reason=reason)
        return form, periods.period_unlock(period=period, by=by, reason=reason)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form, None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def year(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The year's state and history, what still blocks the close, and the close/lock actions."""
    user = request.user
    is_admin = user.is_active and user.is_admin_role
    if not (can_read(user) or is_admin):
        raise PermissionDenied
    period = _period(period_pk)
    if request.method != "POST":
        return _render_year(request, period)
    action = request.POST.get("action", "")
    # Unlocking is the admin's alone; every other change is the Board's.
    allowed = is_admin if action == "unlock" else can_act(user)
    if not allowed:
        raise PermissionDenied
    if action not in YEAR_DONE:
        form = Form(request.POST)
        form.is_valid()
        form.add_error(None, _("Unknown action."))
        return _render_year(request, period, failed=form, status=UNPROCESSABLE)
    form, done = _year_action(request, period, action)
    if done is None:
        return _render_year(
            request, period, failed=form, failed_action=action, status=UNPROCESSABLE
        )
    messages.success(request, str(YEAR_DONE[action]) % {"year": done.year})
    return redirect("board:year", period_pk=period.pk)
