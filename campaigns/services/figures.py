"""The Board's rules for figures: the minimum coverage, the warning threshold for falling back
into poverty, and whether DOLISA's appraisal must come before a report is accepted."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaigns import access
from campaigns.models import Campaign
from units.models import User


@transaction.atomic
def coverage_threshold_set(*, campaign: Campaign, threshold: int, by: User) -> Campaign:
    """Below `threshold` percent of its units, a province or district figure is withheld."""
    access.ensure_board(by)
    if not 0 <= threshold <= 100:
        raise ValidationError(
            _("The minimum coverage is a percentage (0–100)."), code="coverage_threshold_percent"
        )
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.coverage_threshold = threshold
    campaign.save(update_fields=["coverage_threshold"])
    return campaign


@transaction.atomic
def falling_back_threshold_set(
    *, campaign: Campaign, threshold: Decimal | None, by: User
) -> Campaign:
    """Districts whose re-poverty or new-poverty rate is above `threshold` percent are flagged;
    None takes the warning away."""
    access.ensure_board(by)
    if threshold is not None and not 0 <= threshold <= 100:
        raise ValidationError(
            _("The warning threshold is a percentage (0–100)."),
            code="falling_back_threshold_percent",
        )
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.falling_back_threshold = threshold
    campaign.save(update_fields=["falling_back_threshold"])
    return campaign


@transaction.atomic
def appraisal_required_set(*, campaign: Campaign, required: bool, by: User) -> Campaign:
    """Whether the Board accepts a report only after DOLISA has appraised it."""
    access.ensure_board(by)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.appraisal_required = required
    campaign.save(update_fields=["appraisal_required"])
    return campaign
