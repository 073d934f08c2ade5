"""The Board's rule for figures built from part of their units: the minimum coverage."""

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
