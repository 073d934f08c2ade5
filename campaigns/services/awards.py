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
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from campaigns import access, selectors
from campaigns.models import (
    AwardKind,
    AwardProposal,
    Classification,
    PeriodState,
    ProposalStatus,
    ReportingPeriod,
    SubmissionStatus,
)
from campaigns.ranking import BlocRanking, RankedUnit, bloc_rankings
from units.models import Unit, User


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
            for award in AwardKind:
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
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


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
    existing = set(AwardProposal.objects.filter(period=period).values_list("unit_id", "award"))
    created = [
        AwardProposal(
            period=period,
            unit=check.unit,
            award=check.award,
            reason=check.explanation,
            proposed_by=by,
        )
        for (unit_id, award), check in award_eligibility(period=period).items()
        if check.eligible and (unit_id, award) not in existing
    ]
    return AwardProposal.objects.bulk_create(created)


@transaction.atomic
def proposal_add(
    *, period: ReportingPeriod, unit: Unit, award: str, reason: str, by: User
) -> AwardProposal:
    """Propose a unit by hand; outside the rule, the Board must say why."""
    period = _ensure_board(period, by)
    _ensure_proposing_open(period)
    if not selectors.participating_units(period=period).filter(pk=unit.pk).exists():
        raise ValidationError(_("This unit does not take part in the year."), code="not_member")
    check = award_eligibility(period=period).get((unit.pk, award))
    reason = reason.strip()
    if not reason:
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
    try:
        with transaction.atomic():
            return AwardProposal.objects.create(
                period=period, unit=unit, award=award, reason=reason, proposed_by=by
            )
    except IntegrityError:
        raise ValidationError(
            _("This unit is already proposed for this award."), code="one_per_award"
        ) from None


def _locked_proposal(proposal: AwardProposal) -> AwardProposal:
    return (
        AwardProposal.objects.select_for_update(of=("self",))
        .select_related("period")
        .get(pk=proposal.pk)
    )


@transaction.atomic
def proposal_update(*, proposal: AwardProposal, reason: str, by: User) -> AwardProposal:
    """Edit the achievements a proposal states."""
    _ensure_board(proposal.period, by)  # the year first, as every writer does
    proposal = _locked_proposal(proposal)
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Say what the unit achieved."), code="needs_reason")}
        )
    proposal.reason = reason.strip()
    proposal.save(update_fields=["reason"])
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
) -> AwardProposal:
    """Record the decision on a proposal: approved with the decision's number and date, or
    rejected (or back to proposed, to correct a mistake)."""
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
    elif status == ProposalStatus.PROPOSED:
        decision_number, decision_date = "", None
    proposal.status = status
    proposal.decision_number = decision_number
    proposal.decision_date = decision_date
    proposal.save(update_fields=["status", "decision_number", "decision_date"])
    return proposal
