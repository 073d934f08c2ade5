"""The successor campaign: the next campaign (2021–2025) started from this one.

It copies the units' blocs and memberships, the scoring criteria, the indicator definitions and
the forms of award; links the two campaigns; and carries the accepted values of the last year as
the new baselines, each marked with the standard it was measured under. Figures that count poor
households change meaning with the poverty standard (QĐ 59/2015/QĐ-TTg until 2020,
NĐ 07/2021/NĐ-CP from 2021): their baselines are flagged to be entered again under the new one.

The earlier campaign then stays read-only (`campaigns.access.campaign_is_current`), its
documents still downloadable. It lives here, not in campaigns, because it copies indicators.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import access
from campaigns.models import (
    AwardForm,
    BlocMembership,
    Campaign,
    Criterion,
    EmulationBloc,
    PeriodState,
    ReportingPeriod,
)
from indicators.models import Baseline, BaselineChange, Indicator, ModelResult
from indicators.progress import figures_changed, progress_overview
from indicators.progress.baselines import POVERTY_STANDARD_CODES, measured_under
from indicators.progress.scopes import counted_statuses, models_q
from units.models import Unit, UnitLevel, User

INCOME = "INCOME"


@dataclass(frozen=True)
class SuccessorInput:
    number: str
    title: str
    issued_on: date
    first_year: int
    last_year: int
    poverty_standard: str
    source_document: str = ""


@dataclass(frozen=True)
class SuccessorResult:
    campaign: Campaign
    blocs: int
    memberships: int
    criteria: int
    indicators: int
    baselines: int
    to_reenter: int


def _shifted(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _copy_periods(old: Campaign, new: Campaign) -> None:
    """The new years keep the calendar of the old campaign's last year."""
    last = old.periods.order_by("-year").first()
    for year in range(new.first_year, new.last_year + 1):
        if last is None:
            opens_on, deadline = date(year, 1, 1), date(year, 12, 15)
        else:
            opens_on = _shifted(last.opens_on, year - last.year)
            deadline = _shifted(last.deadline, year - last.year)
        ReportingPeriod.objects.create(
            campaign=new, year=year, opens_on=opens_on, deadline=deadline, state=PeriodState.OPEN
        )


def _copy_blocs(old: Campaign, new: Campaign) -> tuple[int, int, int]:
    """Blocs with their active members, and each bloc's criteria tree."""
    blocs = memberships = criteria = 0
    for bloc in old.blocs.order_by("order", "code"):
        copy = EmulationBloc.objects.create(
            campaign=new, code=bloc.code, name=bloc.name, order=bloc.order
        )
        blocs += 1
        members = [
            BlocMembership(bloc=copy, unit_id=unit_id)
            for unit_id in bloc.memberships.filter(unit__is_active=True).values_list(
                "unit_id", flat=True
            )
        ]
        memberships += len(BlocMembership.objects.bulk_create(members))
        # Parents before children: a criterion's parent is copied before it is referred to.
        copied: dict[int, int] = {}
        pending = list(Criterion.objects.filter(bloc=bloc).order_by("order", "code"))
        while pending:
            ready = [c for c in pending if c.parent_id is None or c.parent_id in copied]
            for criterion in ready:
                copied[criterion.pk] = Criterion.objects.create(
                    campaign=new,
                    bloc=copy,
                    parent_id=copied.get(criterion.parent_id) if criterion.parent_id else None,
                    code=criterion.code,
                    name=criterion.name,
                    max_points=criterion.max_points,
                    order=criterion.order,
                    requires_evidence=criterion.requires_evidence,
                    indicator_code=criterion.indicator_code,
                ).pk
                criteria += 1
            pending = [c for c in pending if c.pk not in copied]
    return blocs, memberships, criteria


def _copy_indicators(old: Campaign, new: Campaign) -> dict[int, Indicator]:
    """Indicator definitions, their targets now due in the new campaign's last year; the Board
    revises the targets to the new document's."""
    copies: dict[int, Indicator] = {}
    for indicator in old.indicators.order_by("order", "code"):
        copies[indicator.pk] = Indicator.objects.create(
            campaign=new,
            code=indicator.code,
            name=indicator.name,
            description=indicator.description,
            measure=indicator.measure,
            unit_of_measure=indicator.unit_of_measure,
            direction=indicator.direction,
            target_low=indicator.target_low,
            target_high=indicator.target_high,
            target_year=new.last_year,
            target_strict=indicator.target_strict,
            target_wording=indicator.target_wording,
            denominator=indicator.denominator,
            commune_field=indicator.commune_field,
            order=indicator.order,
        )
    return copies


def _average_income(province: Unit, year: int) -> Decimal | None:
    """The average income per participating household of the year's accepted model results,
    what a growth's first year is measured against (as `baselines.BaselineGrowth`)."""
    row = ModelResult.objects.filter(
        models_q(province),
        year=year,
        submission__status__in=counted_statuses(False),
        average_income_vnd__isnull=False,
    ).aggregate(
        weighted=Sum(F("participating_households") * F("average_income_vnd")),
        households=Sum("participating_households"),
    )
    if not row["households"]:
        return None
    return (Decimal(row["weighted"]) / row["households"]).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )


def _carry_baselines(old: Campaign, new: Campaign, copies: dict[int, Indicator], by: User) -> int:
    """The old campaign's accepted values of its last year, as the new campaign's baselines."""
    province = Unit.objects.get(level=UnitLevel.PROVINCE)
    year = old.last_year
    overview = progress_overview(campaign=old, scope=province, year=year)
    values: dict[int, Decimal] = {}
    for progress in overview.indicators:
        if progress.code == INCOME:
            income = _average_income(province, year)
            if income is not None:
                values[progress.indicator_id] = income
        elif progress.value is not None:
            values[progress.indicator_id] = Decimal(str(progress.value)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
    source = _("Accepted figures of %(year)s, campaign %(campaign)s") % {
        "year": year,
        "campaign": old.number,
    }
    now = timezone.now()
    count = 0
    for old_id, value in values.items():
        indicator = copies[old_id]
        old_indicator = Indicator.objects.select_related("campaign").get(pk=old_id)
        standard = measured_under(old_indicator)
        reenter = indicator.code in POVERTY_STANDARD_CODES and (
            old.poverty_standard != new.poverty_standard
        )
        note = (
            _("Measured under %(old)s: enter it again under %(new)s.")
            % {"old": old.poverty_standard, "new": new.poverty_standard}
            if reenter
            else ""
        )
        Baseline.objects.create(
            indicator=indicator,
            scope=None,
            year=year,
            value=value,
            source_document=str(source),
            note=str(note),
            standard=standard,
            needs_reentry=reenter,
            set_by=by,
            set_at=now,
        )
        BaselineChange.objects.create(
            indicator=indicator,
            scope=None,
            year=year,
            value=value,
            source_document=str(source),
            note=str(note),
            set_by=by,
            set_at=now,
        )
        count += 1
    return count


@transaction.atomic
def campaign_successor_start(
    *, campaign: Campaign, data: SuccessorInput, by: User
) -> SuccessorResult:
    """Start the next campaign from `campaign`, link the two, and leave `campaign` read-only."""
    access.ensure_board(by)
    # Locked: two Board members starting the successor at once must not both copy.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    errors: dict[str, ValidationError] = {}
    if campaign.successor_id is not None:
        raise ValidationError(
            _("Campaign %(campaign)s already has a successor campaign."),
            code="has_successor",
            params={"campaign": campaign.number},
        )
    number = data.number.strip()
    if not number:
        errors["number"] = ValidationError(_("Give the campaign's number."), code="required")
    elif Campaign.objects.filter(number=number).exists():
        errors["number"] = ValidationError(
            _("A campaign with this number already exists."), code="unique_number"
        )
    if not data.title.strip():
        errors["title"] = ValidationError(_("Give the campaign's title."), code="required")
    if data.first_year <= campaign.last_year:
        errors["first_year"] = ValidationError(
            _("The successor starts after %(year)s, the last year of %(campaign)s."),
            code="overlapping_years",
            params={"year": campaign.last_year, "campaign": campaign.number},
        )
    if data.last_year < data.first_year:
        errors["last_year"] = ValidationError(
            _("The last year cannot be before the first year."), code="years_in_order"
        )
    if errors:
        raise ValidationError(errors)
    new = Campaign.objects.create(
        number=number,
        title=data.title.strip(),
        issuing_body=campaign.issuing_body,
        issued_on=data.issued_on,
        first_year=data.first_year,
        last_year=data.last_year,
        source_document=data.source_document.strip(),
        poverty_standard=data.poverty_standard.strip(),
        excellent_min=campaign.excellent_min,
        good_min=campaign.good_min,
        completed_min=campaign.completed_min,
        coverage_threshold=campaign.coverage_threshold,
    )
    _copy_periods(campaign, new)
    blocs, memberships, criteria = _copy_blocs(campaign, new)
    copies = _copy_indicators(campaign, new)
    form_copies: dict[int, AwardForm] = {}
    old_forms = list(AwardForm.objects.filter(campaign=campaign).order_by("order", "pk"))
    for form in old_forms:
        form_copies[form.pk] = AwardForm.objects.create(
            campaign=new,
            kind=form.kind,
            name=form.name,
            level=form.level,
            authority=form.authority,
            stage=form.stage,
            board_proposes=form.board_proposes,
            quota=form.quota,
            min_years_between=form.min_years_between,
            order=form.order,
        )
    for form in old_forms:
        if form.requires_id is not None:
            copy = form_copies[form.pk]
            copy.requires = form_copies[form.requires_id]
            copy.save(update_fields=["requires"])
    baselines = _carry_baselines(campaign, new, copies, by)
    campaign.successor = new
    campaign.save(update_fields=["successor"])
    transaction.on_commit(figures_changed)
    return SuccessorResult(
        campaign=new,
        blocs=blocs,
        memberships=memberships,
        criteria=criteria,
        indicators=len(copies),
        baselines=baselines,
        to_reenter=Baseline.objects.filter(indicator__campaign=new, needs_reentry=True).count(),
    )
