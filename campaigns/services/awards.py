"""Award proposals derived from the ranking, with an eligibility check that explains itself.

The campaign's rule: the province's emulation flag goes to the unit ranked first in its bloc,
when classified Excellent; the chairman's certificate of merit to the other units classified
Excellent. The Board may still propose a unit outside the rule, with a reason.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from campaigns import access, selectors
from campaigns.models import (
    AwardForm,
    AwardKind,
    AwardProposal,
    Classification,
    NomineeKind,
    PeriodState,
    ProposalStatus,
    ReportingPeriod,
    SubmissionStatus,
)
from campaigns.ranking import BlocRanking, RankedUnit, bloc_rankings
from campaigns.services import register
from units.models import Unit, User

# The forms the ranking decides; the others rest on the nominee's summary of achievements.
RANKED_AWARDS = (AwardKind.FLAG, AwardKind.CERTIFICATE)


@dataclass(frozen=True)
class Eligibility:
    unit: Unit
    award: AwardKind
    eligible: bool
    explanation: str


def _points(row: RankedUnit) -> str:
    total = row.total or Decimal(0)
    # 95,00 reads as 95 and 92,50 as 92,5; normalize() alone would write 100 as 1E+2.
    shown = total.quantize(Decimal(1)) if total == total.to_integral_value() else total.normalize()
    return formats.number_format(shown, use_l10n=True)


def _check(row: RankedUnit, ranking: BlocRanking, award: AwardKind) -> Eligibility:
    def result(eligible: bool, text: object) -> Eligibility:
        return Eligibility(unit=row.unit, award=award, eligible=eligible, explanation=str(text))

    params = {
        "rank": row.rank,
        "count": len(ranking.ranked),
        "bloc": ranking.bloc.name,
        "points": _points(row),
        "classification": row.get_classification_display(),
    }
    if row.state == "not_reporting":
        return result(False, _("Not eligible: marked as not reporting this year."))
    if row.state != SubmissionStatus.ACCEPTED:
        return result(False, _("Not eligible yet: the report is not accepted."))
    excellent = row.classification == Classification.EXCELLENT
    if award == AwardKind.FLAG:
        if row.rank != 1:
            return result(
                False,
                _(
                    "Not eligible: ranked %(rank)s of %(count)s in “%(bloc)s”; the flag goes to "
                    "the unit ranked first."
                )
                % params,
            )
        if not excellent:
            return result(
                False,
                _(
                    "Not eligible: ranked first in “%(bloc)s” but classified %(classification)s "
                    "(%(points)s points); the flag needs Excellent."
                )
                % params,
            )
        return result(
            True,
            _(
                "Ranked first of %(count)s in “%(bloc)s”, classified Excellent with %(points)s "
                "points."
            )
            % params,
        )
    if not excellent:
        return result(
            False,
            _(
                "Not eligible: classified %(classification)s (%(points)s points); the "
                "certificate needs Excellent."
            )
            % params,
        )
    if row.rank == 1:
        return result(False, _("Not eligible: the unit qualifies for the emulation flag instead."))
    return result(
        True,
        _(
            "Classified Excellent with %(points)s points, ranked %(rank)s of %(count)s in "
            "“%(bloc)s”."
        )
        % params,
    )


def award_eligibility(
    *, period: ReportingPeriod, rankings: list[BlocRanking] | None = None
) -> dict[tuple[int, str], Eligibility]:
    """Each participating unit's eligibility for each award, keyed by (unit id, award)."""
    checks: dict[tuple[int, str], Eligibility] = {}
    for ranking in rankings if rankings is not None else bloc_rankings(period=period):
        for row in ranking.rows:
            for award in RANKED_AWARDS:
                check = _check(row, ranking, award)
                key = (row.unit.pk, award.value)
                # A unit in two blocs qualifies if either bloc's ranking says so.
                if key not in checks or check.eligible:
                    checks[key] = check
    return checks


def proposing_open(period: ReportingPeriod) -> bool:
    """Whether awards may be proposed for the year: only once it is closed (or locked), when
    every unit is accepted or marked as not reporting and the ranking can no longer change.

    Proposals and their decisions stay outside the year lock: the Council decides on them after
    the Board has locked the year's reports."""
    return period.state in (PeriodState.CLOSED, PeriodState.LOCKED)


def _ensure_board(period: ReportingPeriod, by: User) -> ReportingPeriod:
    """Lock the year's row and read it afresh: a close or reopen committed meanwhile is seen."""
    access.ensure_board(by)
    locked = (
        ReportingPeriod.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=period.pk)
    )
    access.ensure_campaign_current(locked.campaign)
    return locked


def _ensure_proposing_open(period: ReportingPeriod) -> None:
    if not proposing_open(period):
        raise ValidationError(
            _(
                "Awards for %(year)s can be proposed once the Board has closed the year: until "
                "every unit is accepted or marked as not reporting, the ranking can still change."
            ),
            code="year_open",
            params={"year": period.year},
        )


@transaction.atomic
def proposals_derive(*, period: ReportingPeriod, by: User) -> list[AwardProposal]:
    """Propose every eligible unit not yet proposed; proposals already there stay as edited."""
    period = _ensure_board(period, by)
    _ensure_proposing_open(period)
    forms = {
        kind.value: form
        for kind in RANKED_AWARDS
        if (form := register.award_form(period=period, kind=kind)) is not None
        and form.board_proposes
    }
    # The forms' rows are the quotas' locks, as for a proposal by hand.
    list(AwardForm.objects.select_for_update().filter(pk__in=[f.pk for f in forms.values()]))
    existing = set(
        AwardProposal.objects.filter(
            period=period, nominee__kind=NomineeKind.COLLECTIVE
        ).values_list("unit_id", "award")
    )
    room = {kind: register.quota_left(form=form, period=period) for kind, form in forms.items()}
    created: list[AwardProposal] = []
    for (unit_id, award), check in award_eligibility(period=period).items():
        form = forms.get(award)
        if form is None or not check.eligible or (unit_id, award) in existing:
            continue
        left = room[award]
        if left == 0:
            continue  # a full quota: the Board chooses by hand among the rest
        nominee = register.collective_nominee(unit=check.unit)
        # The law's rules and the Board's (one form per achievement, …) leave a unit out.
        if register.rule_breaches(
            nominee=nominee, form=form, period=period, year=timezone.localdate().year
        ):
            continue
        created.append(
            AwardProposal.objects.create(
                period=period,
                unit=check.unit,
                nominee=nominee,
                form=form,
                award=award,
                reason=check.explanation,
                proposed_by=by,
            )
        )
        if left is not None:
            room[award] = left - 1
    return created


@transaction.atomic
def proposal_add(
    *,
    period: ReportingPeriod,
    unit: Unit,
    award: str,
    reason: str,
    by: User,
    nominee_kind: str = NomineeKind.COLLECTIVE,
    nominee_name: str = "",
    nominee_details: str = "",
    summary: str = "",
) -> AwardProposal:
    """Propose a nominee by hand: a unit's collective (outside the ranking's rule, the Board must
    say why), or a person or household of a unit, with a summary of achievements."""
    period = _ensure_board(period, by)
    _ensure_proposing_open(period)
    if award not in AwardKind.values:
        raise ValidationError({"award": ValidationError(_("Unknown award."), code="invalid")})
    form = register.award_form(period=period, kind=award)
    if form is None:
        raise ValidationError(
            {
                "award": ValidationError(
                    _("The Board has not set up this form of award for this year."),
                    code="no_form",
                )
            }
        )
    if not form.board_proposes:
        raise ValidationError(
            {
                "award": ValidationError(
                    _(
                        "“%(form)s” is granted by a district or department under its own "
                        "authority: record it in the award history instead."
                    ),
                    code="recorded_not_proposed",
                    params={"form": form.name},
                )
            }
        )
    # Inside the proposal's transaction: a refused proposal leaves no nominee behind.
    if nominee_kind == NomineeKind.COLLECTIVE and not nominee_name:
        nominee = register.collective_nominee(unit=unit)
    else:
        nominee = register.nominee_get_or_add(
            unit=unit, kind=nominee_kind, name=nominee_name, details=nominee_details
        )
    summary = summary.strip()
    reason = reason.strip()
    if nominee.kind == NomineeKind.COLLECTIVE:
        if not selectors.participating_units(period=period).filter(pk=unit.pk).exists():
            raise ValidationError(
                {
                    "unit": ValidationError(
                        _("This unit does not take part in the year."), code="not_member"
                    )
                }
            )
        check = award_eligibility(period=period).get((unit.pk, award))
        if not reason and award in RANKED_AWARDS:
            if check is None or not check.eligible:
                raise ValidationError(
                    {
                        "reason": ValidationError(
                            _("The unit does not meet the rule: say why the Board proposes it."),
                            code="needs_reason",
                        )
                    }
                )
            reason = check.explanation
    if not summary and (nominee.kind != NomineeKind.COLLECTIVE or award not in RANKED_AWARDS):
        raise ValidationError(
            {
                "summary": ValidationError(
                    _("Give a short summary of the nominee's achievements."),
                    code="needs_summary",
                )
            }
        )
    breaches = register.rule_breaches(
        nominee=nominee, form=form, period=period, year=timezone.localdate().year
    )
    if breaches:
        raise ValidationError(breaches)
    # The form's row is the quota's lock: two proposals for the last place wait for each other.
    form = AwardForm.objects.select_for_update().get(pk=form.pk)
    if register.quota_left(form=form, period=period) == 0:
        raise register.quota_error(form)
    try:
        with transaction.atomic():
            return AwardProposal.objects.create(
                period=period,
                unit=unit,
                nominee=nominee,
                form=form,
                award=award,
                reason=reason,
                summary=summary,
                proposed_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("This nominee is already proposed for this award."), code="one_per_award"
        ) from None


def _locked_proposal(proposal: AwardProposal) -> AwardProposal:
    return (
        AwardProposal.objects.select_for_update(of=("self",))
        .select_related("period")
        .get(pk=proposal.pk)
    )


@transaction.atomic
def proposal_update(
    *, proposal: AwardProposal, reason: str, by: User, summary: str | None = None
) -> AwardProposal:
    """Edit the reason a proposal states and the nominee's summary of achievements."""
    _ensure_board(proposal.period, by)  # the year first, as every writer does
    proposal = _locked_proposal(proposal)
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Say what the unit achieved."), code="needs_reason")}
        )
    proposal.reason = reason.strip()
    fields = ["reason"]
    if summary is not None:
        proposal.summary = summary.strip()
        fields.append("summary")
    proposal.save(update_fields=fields)
    return proposal


@transaction.atomic
def proposal_remove(*, proposal: AwardProposal, by: User) -> None:
    """Withdraw a proposal not yet decided."""
    _ensure_board(proposal.period, by)  # the year first, as every writer does
    proposal = _locked_proposal(proposal)
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(
            _("A decided proposal stays on record; change its decision instead."),
            code="decided",
        )
    proposal.delete()


@transaction.atomic
def proposal_decide(
    *,
    proposal: AwardProposal,
    by: User,
    status: str,
    decision_number: str = "",
    decision_date: date | None = None,
    signer_name: str = "",
) -> AwardProposal:
    """Record the decision on a proposal: approved under a decision of the register (by its
    number and date; a new number needs its signer), or rejected (or back to proposed, to
    correct a mistake). An approval taken back leaves the nominee's award history."""
    _ensure_board(proposal.period, by)  # the year first, as every writer does
    proposal = _locked_proposal(proposal)
    if status not in ProposalStatus.values:
        raise ValidationError(_("Unknown decision."), code="invalid_status")
    decision_number = decision_number.strip()
    if status == ProposalStatus.APPROVED:
        errors = {}
        if not decision_number:
            errors["decision_number"] = ValidationError(
                _("Give the decision's number."), code="required"
            )
        if decision_date is None:
            errors["decision_date"] = ValidationError(
                _("Give the decision's date."), code="required"
            )
        if errors:
            raise ValidationError(errors)
        assert decision_date is not None
        if proposal.status != ProposalStatus.PROPOSED:
            # A corrected approval or a rejection taken back: decided again from the start.
            register.records_undo(proposal=proposal)
            proposal.status = ProposalStatus.PROPOSED
            proposal.decision_number, proposal.decision_date = "", None
            proposal.save(update_fields=["status", "decision_number", "decision_date"])
        register.decision_join(
            proposal=proposal,
            number=decision_number,
            signed_on=decision_date,
            signer_name=signer_name,
            by=by,
        )
        proposal.refresh_from_db()
        return proposal
    register.records_undo(proposal=proposal)
    if status == ProposalStatus.PROPOSED:
        decision_number, decision_date = "", None
    proposal.status = status
    proposal.decision_number = decision_number
    proposal.decision_date = decision_date
    proposal.save(update_fields=["status", "decision_number", "decision_date"])
    return proposal
