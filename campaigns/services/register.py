"""The award register: the campaign's forms of award, the nominees, the decisions the committee
signed and each nominee's award history, with the law's rules and the Board's own.

Built-in rules of the Law on Emulation and Commendation: one achievement earns one form of award;
no two state-level awards go to one nominee in one year. The database holds both on the award
history (`AwardRecord`); the checks here say so first, in words. The Board adds its own rules per
form: a quota, the years between two of the same form, a form the nominee must already hold.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns import access
from campaigns.models import (
    AwardDecision,
    AwardForm,
    AwardKind,
    AwardLevel,
    AwardProposal,
    AwardRecord,
    AwardStage,
    Campaign,
    Nominee,
    NomineeKind,
    ProposalStatus,
    ReportingPeriod,
)
from units.models import Unit, UnitKind, User

TERRITORY_KINDS = {
    UnitKind.PROVINCE,
    UnitKind.CITY,
    UnitKind.DISTRICT,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.TOWNSHIP,
}
# How a People's Committee is named: a collective award goes to the territory's people and
# officials or to an agency, never to the committee as if it were the territory.
COMMITTEE_PREFIXES = ("ubnd", "ủy ban nhân dân", "uỷ ban nhân dân")
STANDING = (ProposalStatus.PROPOSED, ProposalStatus.APPROVED)


@dataclass(frozen=True)
class FormDefault:
    kind: AwardKind
    name: str
    level: AwardLevel
    authority: str
    stage: AwardStage
    board_proposes: bool


# The forms a campaign starts with; the Board changes them (the data migration keeps a copy).
DEFAULT_FORMS = (
    FormDefault(
        AwardKind.FLAG,
        "Cờ thi đua của Ủy ban nhân dân tỉnh",
        AwardLevel.PROVINCE,
        "Ủy ban nhân dân tỉnh",
        AwardStage.YEAR,
        True,
    ),
    FormDefault(
        AwardKind.CERTIFICATE,
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        AwardLevel.PROVINCE,
        "Chủ tịch Ủy ban nhân dân tỉnh",
        AwardStage.YEAR,
        True,
    ),
    FormDefault(
        AwardKind.PM_CERTIFICATE,
        "Bằng khen của Thủ tướng Chính phủ",
        AwardLevel.STATE,
        "Thủ tướng Chính phủ",
        AwardStage.FINAL,
        True,
    ),
    FormDefault(
        AwardKind.COMMENDATION,
        "Giấy khen",
        AwardLevel.LOCAL,
        "Chủ tịch UBND huyện, thành phố hoặc Thủ trưởng sở, ban, ngành",
        AwardStage.YEAR,
        False,
    ),
)


def collective_name(unit: Unit) -> str:
    """A unit's collective as an award names it: "Nhân dân và cán bộ huyện X", or the agency."""
    if unit.kind in TERRITORY_KINDS:
        return f"Nhân dân và cán bộ {unit.name[:1].lower()}{unit.name[1:]}"
    return unit.name


def award_forms_ensure(*, campaign: Campaign) -> list[AwardForm]:
    """Create the campaign's default forms that are missing; forms the Board edited stay."""
    for order, default in enumerate(DEFAULT_FORMS, start=1):
        AwardForm.objects.get_or_create(
            campaign=campaign,
            kind=default.kind,
            stage=default.stage,
            defaults={
                "name": default.name,
                "level": default.level,
                "authority": default.authority,
                "board_proposes": default.board_proposes,
                "order": order,
            },
        )
    return list(AwardForm.objects.filter(campaign=campaign))


def award_form(*, period: ReportingPeriod, kind: str) -> AwardForm | None:
    """The form of `kind` the Board proposes in `period`: the final review's in the campaign's
    last year, when the campaign has one; the yearly one otherwise. A campaign the Board has
    not set up yet starts with the default forms."""
    if not AwardForm.objects.filter(campaign_id=period.campaign_id).exists():
        award_forms_ensure(campaign=period.campaign)
    forms = {
        f.stage: f for f in AwardForm.objects.filter(campaign_id=period.campaign_id, kind=kind)
    }
    if period.year == period.campaign.last_year and AwardStage.FINAL in forms:
        return forms[AwardStage.FINAL]
    return forms.get(AwardStage.YEAR)


def collective_nominee(*, unit: Unit) -> Nominee:
    """The unit's collective, created with its proper name the first time it is nominated."""
    nominee, _created = Nominee.objects.get_or_create(
        kind=NomineeKind.COLLECTIVE, unit=unit, defaults={"name": collective_name(unit)}
    )
    return nominee


def nominee_get_or_add(*, unit: Unit, kind: str, name: str, details: str = "") -> Nominee:
    """A person, household or collective of `unit`, found by name or added."""
    name = " ".join(name.split())
    if kind not in NomineeKind.values:
        raise ValidationError({"kind": ValidationError(_("Unknown nominee kind."), code="kind")})
    if not name:
        raise ValidationError(
            {"name": ValidationError(_("Give the nominee's name."), code="named")}
        )
    if kind == NomineeKind.COLLECTIVE:
        if name.casefold().startswith(COMMITTEE_PREFIXES):
            raise ValidationError(
                {
                    "name": ValidationError(
                        _(
                            "Name a collective as its territory's people and officials "
                            "(“Nhân dân và cán bộ huyện …”) or as the agency, not as the "
                            "People's Committee."
                        ),
                        code="committee_name",
                    )
                }
            )
        return collective_nominee(unit=unit)
    nominee, created = Nominee.objects.get_or_create(
        kind=kind, unit=unit, name=name, defaults={"details": details.strip()}
    )
    if not created and details.strip() and nominee.details != details.strip():
        nominee.details = details.strip()
        nominee.save(update_fields=["details"])
    return nominee


def rule_breaches(
    *,
    nominee: Nominee,
    form: AwardForm,
    period: ReportingPeriod | None,
    year: int,
    proposal: AwardProposal | None = None,
) -> list[ValidationError]:
    """Why `nominee` may not receive `form` for the achievements of `period` in `year`: the law's
    rules, then the Board's. Empty when nothing stands in the way."""
    params = {"nominee": nominee.name, "form": form.name, "year": year}
    records = AwardRecord.objects.filter(nominee=nominee).select_related("form")
    if proposal is not None:
        records = records.exclude(proposal=proposal)
    breaches = []
    if period is not None:
        same = records.filter(period=period, stage=form.stage).first()
        other_proposal = (
            AwardProposal.objects.filter(
                nominee=nominee, period=period, form__stage=form.stage, status__in=STANDING
            )
            .exclude(form=form)
            .select_related("form")
            .first()
        )
        if same is not None or other_proposal is not None:
            held = same.form.name if same is not None else other_proposal.form.name  # type: ignore[union-attr]
            breaches.append(
                ValidationError(
                    _(
                        "%(nominee)s: one achievement earns one form of award, and this one "
                        "already has “%(held)s”."
                    ),
                    code="one_form_per_achievement",
                    params={**params, "held": held},
                )
            )
    if (
        form.level == AwardLevel.STATE
        and records.filter(level=AwardLevel.STATE, decided_on__year=year).exists()
    ):
        breaches.append(
            ValidationError(
                _("%(nominee)s already received a state-level award in %(year)s: no two a year."),
                code="one_state_award_a_year",
                params=params,
            )
        )
    if form.min_years_between:
        last = (
            records.filter(form__kind=form.kind, decided_on__year__gt=year - form.min_years_between)
            .order_by("-decided_on")
            .first()
        )
        if last is not None:
            breaches.append(
                ValidationError(
                    _(
                        "%(nominee)s received “%(form)s” in %(last)s; the Board's rule asks "
                        "%(years)s years between two."
                    ),
                    code="too_soon",
                    params={
                        **params,
                        "last": last.decided_on.year,
                        "years": form.min_years_between,
                    },
                )
            )
    if form.requires_id is not None:
        required = AwardForm.objects.get(pk=form.requires_id)
        if not records.filter(form__kind=required.kind).exists():
            breaches.append(
                ValidationError(
                    _("%(nominee)s does not yet hold “%(required)s”, which “%(form)s” requires."),
                    code="needs_prior_award",
                    params={**params, "required": required.name},
                )
            )
    return breaches


def quota_left(*, form: AwardForm, period: ReportingPeriod) -> int | None:
    """How many more nominees `form` takes this year; None when it has no quota."""
    if form.quota is None:
        return None
    used = AwardProposal.objects.filter(form=form, period=period, status__in=STANDING).count()
    return max(form.quota - used, 0)


def quota_error(form: AwardForm) -> ValidationError:
    return ValidationError(
        _("The quota of “%(form)s” is %(quota)s nominees, and it is full."),
        code="quota_full",
        params={"form": form.name, "quota": form.quota},
    )


@dataclass(frozen=True)
class FormInput:
    name: str
    authority: str
    level: str
    quota: int | None
    min_years_between: int
    requires: AwardForm | None
    board_proposes: bool


@transaction.atomic
def form_update(*, form: AwardForm, data: FormInput, by: User) -> AwardForm:
    """The Board changes a form of award: its name, authority, level, quota and rules."""
    access.ensure_board(by)
    form = (
        AwardForm.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=form.pk)
    )
    access.ensure_campaign_current(form.campaign)
    if data.requires is not None and (
        data.requires.pk == form.pk or data.requires.campaign_id != form.campaign_id
    ):
        raise ValidationError(
            {
                "requires": ValidationError(
                    _("Choose another form of this campaign."), code="requires"
                )
            }
        )
    form.name = data.name.strip()
    form.authority = data.authority.strip()
    form.level = data.level
    form.quota = data.quota
    form.min_years_between = data.min_years_between
    form.requires = data.requires
    form.board_proposes = data.board_proposes
    form.full_clean(exclude=["campaign"])
    form.save()
    return form


def _record_for(proposal: AwardProposal, decision: AwardDecision, by: User) -> AwardRecord:
    return AwardRecord(
        nominee=proposal.nominee,
        form=proposal.form,
        level=proposal.form.level,
        period=proposal.period,
        stage=proposal.form.stage,
        decision=decision,
        proposal=proposal,
        decision_number=decision.number,
        decided_on=decision.signed_on,
        granted_by=proposal.form.authority,
        summary=proposal.summary or proposal.reason,
        recorded_by=by,
    )


@transaction.atomic
def decision_record(
    *,
    period: ReportingPeriod,
    form: AwardForm,
    number: str,
    signed_on: date,
    signer_name: str,
    signer_title: str = "",
    proposals: list[AwardProposal],
    by: User,
) -> AwardDecision:
    """Record a signed decision: its number, date, signer, form and the nominees it awards.

    Each nominee's proposal is approved and its award enters the nominee's history; a nominee the
    law's or the Board's rules refuse, or one past the form's quota, stops the whole decision."""
    access.ensure_board(by)
    # The form's row is the quota's lock: two decisions on one form wait for each other.
    form = (
        AwardForm.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=form.pk)
    )
    access.ensure_campaign_current(form.campaign)
    number = number.strip()
    signer_name = signer_name.strip()
    errors: dict[str, list[ValidationError]] = {}
    if not number:
        errors.setdefault("number", []).append(
            ValidationError(_("Give the decision's number."), code="required")
        )
    if not signer_name:
        errors.setdefault("signer_name", []).append(
            ValidationError(_("Give the name of who signed the decision."), code="required")
        )
    if form.campaign_id != period.campaign_id:
        errors.setdefault("form", []).append(
            ValidationError(_("Choose a form of this campaign."), code="other_campaign")
        )
    if not proposals:
        errors.setdefault("proposals", []).append(
            ValidationError(_("Choose the nominees the decision awards."), code="required")
        )
    if errors:
        raise ValidationError(errors)
    if AwardDecision.objects.filter(number=number, signed_on__year=signed_on.year).exists():
        raise ValidationError(
            {
                "number": ValidationError(
                    _("A decision with this number is already recorded."), code="unique_number"
                )
            }
        )
    locked = list(
        AwardProposal.objects.select_for_update(of=("self",))
        .filter(pk__in=[p.pk for p in proposals])
        .select_related("nominee", "form", "period")
    )
    breaches: list[ValidationError] = []
    for proposal in locked:
        if proposal.period_id != period.pk or proposal.form_id != form.pk:
            breaches.append(
                ValidationError(
                    _("%(nominee)s is not proposed for this form in this year."),
                    code="other_proposal",
                    params={"nominee": proposal.nominee.name},
                )
            )
        elif proposal.status != ProposalStatus.PROPOSED:
            breaches.append(
                ValidationError(
                    _("%(nominee)s: the proposal is already decided."),
                    code="decided",
                    params={"nominee": proposal.nominee.name},
                )
            )
        else:
            breaches += rule_breaches(
                nominee=proposal.nominee,
                form=form,
                period=period,
                year=signed_on.year,
                proposal=proposal,
            )
    if form.quota is not None:
        approved = AwardProposal.objects.filter(
            form=form, period=period, status=ProposalStatus.APPROVED
        ).count()
        if approved + len(locked) > form.quota:
            breaches.append(quota_error(form))
    if breaches:
        raise ValidationError(breaches)
    decision = AwardDecision.objects.create(
        period=period,
        form=form,
        number=number,
        signed_on=signed_on,
        signer_name=signer_name,
        signer_title=signer_title.strip(),
        recorded_by=by,
    )
    for proposal in locked:
        proposal.status = ProposalStatus.APPROVED
        proposal.decision_number = number
        proposal.decision_date = signed_on
        proposal.save(update_fields=["status", "decision_number", "decision_date"])
    try:
        with transaction.atomic():
            AwardRecord.objects.bulk_create([_record_for(p, decision, by) for p in locked])
    except IntegrityError:
        # Another decision recorded meanwhile broke a rule the checks above saw as free.
        raise ValidationError(
            _("An award recorded meanwhile breaks one of the rules: open the page again."),
            code="conflict",
        ) from None
    return decision


@transaction.atomic
def decision_join(
    *, proposal: AwardProposal, number: str, signed_on: date, signer_name: str, by: User
) -> AwardDecision:
    """Approve one proposal under a decision: the one already registered with that number, or a
    new one (then its signer is needed)."""
    AwardForm.objects.select_for_update().filter(pk=proposal.form_id).first()  # the quota's lock
    decision = AwardDecision.objects.filter(
        number=number.strip(), signed_on__year=signed_on.year
    ).first()
    if decision is None:
        return decision_record(
            period=proposal.period,
            form=proposal.form,
            number=number,
            signed_on=signed_on,
            signer_name=signer_name,
            proposals=[proposal],
            by=by,
        )
    if (
        decision.signed_on != signed_on
        or decision.form_id != proposal.form_id
        or decision.period_id != proposal.period_id
    ):
        raise ValidationError(
            {
                "decision_number": ValidationError(
                    _(
                        "Decision %(number)s is registered with another date, form of award or "
                        "year: check the number."
                    ),
                    code="decision_mismatch",
                    params={"number": decision.number},
                )
            }
        )
    breaches = rule_breaches(
        nominee=proposal.nominee,
        form=proposal.form,
        period=proposal.period,
        year=signed_on.year,
        proposal=proposal,
    )
    if proposal.form.quota is not None:
        approved = AwardProposal.objects.filter(
            form=proposal.form, period=proposal.period, status=ProposalStatus.APPROVED
        ).count()
        if approved + 1 > proposal.form.quota:
            breaches.append(quota_error(proposal.form))
    if breaches:
        raise ValidationError(breaches)
    proposal.status = ProposalStatus.APPROVED
    proposal.decision_number = decision.number
    proposal.decision_date = decision.signed_on
    proposal.save(update_fields=["status", "decision_number", "decision_date"])
    try:
        with transaction.atomic():
            _record_for(proposal, decision, by).save()
    except IntegrityError:
        raise ValidationError(
            _("An award recorded meanwhile breaks one of the rules: open the page again."),
            code="conflict",
        ) from None
    return decision


@transaction.atomic
def record_add(
    *,
    unit: Unit,
    nominee_kind: str = NomineeKind.COLLECTIVE,
    nominee_name: str = "",
    nominee_details: str = "",
    form: AwardForm,
    decision_number: str,
    decided_on: date,
    granted_by: str = "",
    period: ReportingPeriod | None = None,
    summary: str = "",
    by: User,
) -> AwardRecord:
    """Record in the history an award another authority granted (a district's or department's
    Giấy khen): the Board does not propose it, but eligibility reads it."""
    access.ensure_board(by)
    form = AwardForm.objects.select_related("campaign").get(pk=form.pk)
    access.ensure_campaign_current(form.campaign)
    if form.board_proposes:
        raise ValidationError(
            {
                "form": ValidationError(
                    _("The Board proposes this form: record its decision in the register."),
                    code="proposed_form",
                )
            }
        )
    if period is not None and period.campaign_id != form.campaign_id:
        raise ValidationError(
            {"period": ValidationError(_("Choose a year of this campaign."), code="other_campaign")}
        )
    if not decision_number.strip():
        raise ValidationError(
            {"decision_number": ValidationError(_("Give the decision's number."), code="required")}
        )
    # Inside the award's transaction: a refused award leaves no new nominee behind.
    if nominee_kind == NomineeKind.COLLECTIVE and not nominee_name.strip():
        nominee = collective_nominee(unit=unit)
    else:
        nominee = nominee_get_or_add(
            unit=unit, kind=nominee_kind, name=nominee_name, details=nominee_details
        )
    breaches = rule_breaches(nominee=nominee, form=form, period=period, year=decided_on.year)
    if breaches:
        raise ValidationError(breaches)
    try:
        with transaction.atomic():
            return AwardRecord.objects.create(
                nominee=nominee,
                form=form,
                level=form.level,
                period=period,
                stage=form.stage,
                decision_number=decision_number.strip(),
                decided_on=decided_on,
                granted_by=granted_by.strip() or form.authority,
                summary=summary.strip(),
                recorded_by=by,
            )
    except IntegrityError:
        raise ValidationError(
            _("An award recorded meanwhile breaks one of the rules: open the page again."),
            code="conflict",
        ) from None


def records_undo(*, proposal: AwardProposal) -> None:
    """A decision taken back (rejected or back to proposed) leaves the nominee's history."""
    AwardRecord.objects.filter(proposal=proposal).delete()


def unit_award_history(*, unit: Unit) -> QuerySet[AwardRecord]:
    """Awards of the unit's collective and of its people and households, newest first."""
    return (
        AwardRecord.objects.filter(Q(nominee__unit=unit))
        .select_related("nominee", "form", "period__campaign", "decision")
        .order_by("-decided_on", "nominee__kind", "nominee__name", "-pk")
    )
